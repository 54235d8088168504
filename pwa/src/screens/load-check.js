// The morning load check: accept a handover by scanning each item; what is missing and
// what is unexpected shows before signing (docs/design.md §4). Signing needs the network.
import { call } from "../api.js";
import { t } from "../i18n.js";
import { refreshFromServer } from "../items.js";
import { sha256Hex } from "../outbox.js";
import { ScanBox } from "../scan-box.js";
import { SignatureField } from "../signature-field.js";
import { serverTransport } from "../transport.js";
import { deleteMeta, readMeta, writeMeta } from "../store.js";
import { h, oneAtATime, toast } from "../ui.js";

export async function loadCheckScreen(app) {
  let pending;
  try {
    pending = (await call("GET", "/handovers?status=pending")).handovers.filter((record) => record.to_user === app.session.user.username);
  } catch {
    return h("div", { class: "screen" }, h("h1", {}, t("load_check")), h("p", { class: "error" }, t("needs_network")));
  }
  if (pending.length === 0) return h("div", { class: "screen" }, h("h1", {}, t("load_check")), h("p", { class: "empty", id: "no-handovers" }, t("no_handovers")));
  return handoverView(app, pending[0], await readMeta(scansKey(pending[0])));
}

// The scans of a handover are kept on the phone until it is signed: a reload loses none.
function scansKey(record) {
  return `load_check_${record.id}`;
}

function handoverView(app, record, kept = []) {
  const listed = record.lines.filter((line) => line.outcome === "listed").map((line) => line.tracking_number);
  const scanned = new Set(kept ?? []);
  const lists = h("div", { class: "tallies", id: "tallies" });
  const button = h("button", { type: "button", class: "primary", id: "accept-handover", onclick: oneAtATime(accept) });
  const remember = () => writeMeta(scansKey(record), [...scanned]).catch(() => {});
  const render = () => {
    const missing = listed.filter((n) => !scanned.has(n));
    const unexpected = [...scanned].filter((n) => !listed.includes(n));
    lists.replaceChildren(
      tally("scanned", [...scanned].filter((n) => listed.includes(n)), removeScan),
      tally("missing", missing),
      tally("unexpected", unexpected, removeScan));
    button.textContent = t("sign_and_accept_n", { n: [...scanned].filter((n) => listed.includes(n)).length });
  };
  function removeScan(number) {
    scanned.delete(number);
    remember();
    render();
  }
  const scan = new ScanBox((number) => { scanned.add(number); remember(); render(); });
  const error = h("p", { class: "error", role: "alert" });
  const signature = new SignatureField(t("postman_signature"), { name: "receiver", onChange: () => { if (!signature.isEmpty()) error.textContent = ""; } });
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
      await deleteMeta(scansKey(record));
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
    scan.element, lists, signature.element, error, button);
}

// One tally; with `remove`, each scanned number has a button to take a mistyped scan back.
function tally(kind, numbers, remove = null) {
  return h("section", { class: `tally tally-${kind}`, id: `tally-${kind}` },
    h("h2", {}, `${t(kind)}: ${numbers.length}`),
    h("ul", {}, numbers.map((number) => h("li", { class: remove ? "number scan-row" : "number" },
      h("span", { class: "tn" }, number),
      remove ? h("button", { type: "button", class: "secondary small remove-scan", "aria-label": t("remove_scan", { tn: number }), onclick: () => remove(number) }, t("remove")) : null))));
}
