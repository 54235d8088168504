// The morning load check: accept a handover by scanning each item; what is missing and
// what is unexpected shows before signing (DESIGN §5). Signing needs the network.
import { call } from "../api.js";
import { t } from "../i18n.js";
import { refreshFromServer } from "../items.js";
import { sha256Hex } from "../outbox.js";
import { ScanBox } from "../scan-box.js";
import { SignatureField } from "../signature-field.js";
import { serverTransport } from "../transport.js";
import { h, oneAtATime, toast } from "../ui.js";

export async function loadCheckScreen(app) {
  let pending;
  try {
    pending = (await call("GET", "/handovers?status=pending")).handovers.filter((record) => record.to_user === app.session.user.username);
  } catch {
    return h("div", { class: "screen" }, h("h1", {}, t("load_check")), h("p", { class: "error" }, t("needs_network")));
  }
  if (pending.length === 0) return h("div", { class: "screen" }, h("h1", {}, t("load_check")), h("p", { class: "empty", id: "no-handovers" }, t("no_handovers")));
  return handoverView(app, pending[0]);
}

function handoverView(app, record) {
  const listed = record.lines.filter((line) => line.outcome === "listed").map((line) => line.tracking_number);
  const scanned = new Set();
  const lists = h("div", { class: "tallies", id: "tallies" });
  const render = () => {
    const missing = listed.filter((n) => !scanned.has(n));
    const unexpected = [...scanned].filter((n) => !listed.includes(n));
    lists.replaceChildren(
      tally("scanned", [...scanned].filter((n) => listed.includes(n))),
      tally("missing", missing),
      tally("unexpected", unexpected));
  };
  const scan = new ScanBox((number) => { scanned.add(number); render(); });
  const signature = new SignatureField(t("postman_signature"), { name: "receiver" });
  const error = h("p", { class: "error", role: "alert" });
  app.onLeave(() => scan.stop());
  app.afterMount(() => signature.mount());
  render();

  async function accept() {
    if (signature.isEmpty()) return (error.textContent = t("required", { fields: t("postman_signature") }));
    try {
      const bytes = await (await signature.toBlob()).arrayBuffer();
      const sha = await sha256Hex(bytes);
      await serverTransport.putMedia({ sha256: sha, bytes, type: "image/png" });
      const result = await call("POST", `/handovers/${record.id}/accept`, { scanned: [...scanned], signature_sha256: sha });
      toast(t("accepted", { n: result.received.length }));
      scan.stop();
      await refreshFromServer().catch(() => {});
      app.go("#/");
    } catch (failure) {
      error.textContent = failure.message || t("needs_network");
    }
  }

  return h("div", { class: "screen load-check", id: "load-check" },
    h("h1", {}, t("load_check")),
    h("p", {}, `${t("listed")}: ${listed.length} · ${record.from_name}`),
    scan.element, lists, signature.element, error,
    h("button", { type: "button", class: "primary", id: "accept-handover", onclick: oneAtATime(accept) }, t("sign_and_accept")));
}

function tally(kind, numbers) {
  return h("section", { class: `tally tally-${kind}`, id: `tally-${kind}` },
    h("h2", {}, `${t(kind)}: ${numbers.length}`),
    h("ul", {}, numbers.map((number) => h("li", { class: "number" }, number))));
}
