// The outbox: what waits for the server, and what it refused with its message and the
// way out. Nothing here is ever dropped silently.
import { t } from "../i18n.js";
import { entries, requeue } from "../outbox.js";
import { h } from "../ui.js";

export async function outboxScreen(app) {
  const all = await entries();
  return h("div", { class: "screen outbox" },
    h("h1", {}, t("outbox")),
    h("button", { type: "button", class: "primary", id: "sync-now-big", onclick: () => app.syncNow() }, t("sync_now")),
    all.length === 0 ? h("p", { class: "empty" }, t("synced")) : h("ul", { class: "outbox-list", id: "outbox-list" }, all.map((entry) => row(app, entry))));
}

function row(app, entry) {
  const title = entry.kind === "event" ? `${entry.event.tracking_number} · ${entry.event.type}` : `🖼 ${entry.sha256.slice(0, 12)}…`;
  if (entry.state !== "rejected") return h("li", { class: "waiting" }, title);
  return h("li", { class: "rejected" },
    h("strong", {}, title),
    h("p", {}, `${t("rejected")}: ${entry.error?.message ?? ""}`),
    h("p", { class: "help" }, `${t("what_to_do")}: ${t("rejected_help")}`),
    h("button", { type: "button", class: "secondary small", onclick: async () => { await requeue(entry.seq); app.syncNow(); } }, t("retry")));
}
