// The outbox: what waits for the server in the postman's words (the act, the item, the
// recipient, what it waits for), and what the server refused with a Vietnamese message per
// code and the two ways out: correct it (a new event with a new id; the refused one is kept
// as refused, marked corrected) or discard it with a reason. Nothing is dropped silently.
import { t } from "../i18n.js";
import { findItem } from "../items.js";
import { fieldLabel, LIMITED_FIELDS, limitProblems, valueAt } from "../limits.js";
import { discard, entries, markCorrected, queueEvent } from "../outbox.js";
import { field, h, oneAtATime, toast } from "../ui.js";

// The refusal codes the phone explains in words of its own; any other shows its code.
export const KNOWN_REFUSALS = ["invalid_event", "invalid_id_last4", "wrong_check_digit", "invalid_tracking_format",
  "unknown_item", "event_id_reused", "id_reused", "foreign_media", "state_conflict", "not_holder",
  "missing_media", "concurrent_write", "batch_too_large"];

export function refusalMessage(error) {
  const code = error?.code ?? "rejected";
  return KNOWN_REFUSALS.includes(code) ? t(`refused_${code}`) : t("refused_unknown", { code });
}

export async function outboxScreen(app) {
  const all = await entries();
  const events = all.filter((entry) => entry.kind === "event");
  const queuedImages = new Set(all.filter((entry) => entry.kind === "media" && entry.state === "waiting").map((entry) => entry.sha256));
  const rows = [];
  for (const entry of events.sort(byAttention)) rows.push(await row(app, entry, queuedImages));
  return h("div", { class: "screen outbox" },
    h("h1", {}, t("outbox")),
    h("button", { type: "button", class: "primary", id: "sync-now-big", onclick: () => app.syncNow() }, t("sync_now")),
    queuedImages.size ? h("p", { id: "images-waiting" }, t("images_waiting", { n: queuedImages.size })) : null,
    events.length === 0 ? h("p", { class: "empty" }, t("synced")) : h("ul", { class: "outbox-list", id: "outbox-list" }, rows));
}

// Refused first (they need the postman), then waiting, then what was dealt with.
function byAttention(a, b) {
  const rank = { rejected: 0, waiting: 1, corrected: 2, discarded: 2 };
  return (rank[a.state] ?? 3) - (rank[b.state] ?? 3) || a.seq - b.seq;
}

async function row(app, entry, queuedImages) {
  const event = entry.event;
  const item = await findItem(event.tracking_number);
  const who = event.recipient?.name ?? item?.citizen?.name ?? "";
  const time = new Date(event.occurred_at).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });
  const title = h("span", { class: "what" }, `${t(`event_${event.type}`)} · ${event.tracking_number}`);
  const detail = h("span", { class: "who" }, [who, time].filter(Boolean).join(" · "));
  if (entry.state === "waiting") {
    const images = imagesOf(event).filter((sha) => queuedImages.has(sha)).length;
    return h("li", { class: "waiting" }, title, detail, h("span", { class: "waits" }, images ? t("waits_images", { n: images }) : t("waits_network")));
  }
  if (entry.state === "corrected") return h("li", { class: "corrected" }, title, detail, h("span", { class: "waits" }, t("corrected")));
  if (entry.state === "discarded") return h("li", { class: "discarded" }, title, detail, h("span", { class: "waits" }, t("discarded", { reason: entry.discard_reason })));
  return refusedRow(app, entry, title, detail);
}

function imagesOf(event) {
  return ["signature_sha256", "photo_sha256", "authorization_sha256", "postman_signature_sha256"].map((name) => event[name]).filter(Boolean);
}

function refusedRow(app, entry, title, detail) {
  const problemField = entry.error?.details?.field;
  const panel = h("div", { class: "refusal-actions" });
  const li = h("li", { class: "rejected", "data-seq": String(entry.seq) },
    h("strong", {}, title), detail,
    h("p", { class: "refusal" }, `${t("rejected")}: ${refusalMessage(entry.error)}`),
    problemField ? h("p", { class: "help" }, t("refused_field", { field: fieldLabel(problemField) })) : null,
    h("div", { class: "row-actions" },
      h("button", { type: "button", class: "secondary small correct", onclick: () => {
        panel.replaceChildren(correctionForm(app, entry, problemField));
        panel.querySelector("input")?.focus();
      } }, t("correct")),
      h("button", { type: "button", class: "secondary small discard", onclick: () => panel.replaceChildren(discardForm(app, entry)) }, t("discard"))),
    panel);
  return li;
}

// The fields of the refused event the postman may correct (those the server limits), the
// one the server named first.
function correctionForm(app, entry, problemField) {
  const editable = LIMITED_FIELDS.filter((path) => ["string", "number"].includes(typeof valueAt(entry.event, path)))
    .sort((a, b) => Number(b === problemField) - Number(a === problemField));
  const inputs = editable.map((path) => {
    const value = valueAt(entry.event, path);
    return [path, h("input", { class: "correction", "data-path": path, value: String(value), ...(typeof value === "number" ? { type: "number", inputmode: "numeric" } : { autocomplete: "off" }) })];
  });
  const error = h("p", { class: "error", role: "alert" });
  return h("form", { class: "correction-form", onsubmit: oneAtATime(async () => {
    const event = structuredClone(entry.event);
    for (const [path, input] of inputs) setAt(event, path, typeof valueAt(entry.event, path) === "number" ? Number(input.value || 0) : input.value.trim());
    const problems = limitProblems(event);
    if (problems.length) return (error.textContent = problems.join(" "));
    event.id = crypto.randomUUID();
    await queueEvent(event);
    await markCorrected(entry.seq, event.id);
    toast(t("saved"));
    app.syncSoon();
    app.go("#/outbox", true);
  }) }, inputs.map(([path, input]) => field(fieldLabel(path), input)), error,
    h("button", { type: "submit", class: "primary", id: `save-correction-${entry.seq}` }, t("save_correction")));
}

function discardForm(app, entry) {
  const reason = h("input", { class: "discard-reason", autocomplete: "off" });
  const error = h("p", { class: "error", role: "alert" });
  return h("form", { class: "discard-form", onsubmit: oneAtATime(async () => {
    if (!reason.value.trim()) return (error.textContent = t("discard_reason_needed"));
    await discard(entry.seq, reason.value.trim());
    app.go("#/outbox", true);
  }) }, field(t("discard_reason"), reason), error,
    h("button", { type: "submit", class: "danger", id: `confirm-discard-${entry.seq}` }, t("discard")));
}

function setAt(object, path, value) {
  const keys = path.split(".");
  const last = keys.pop();
  keys.reduce((node, key) => node[key], object)[last] = value;
}
