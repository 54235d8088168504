// Collect a dossier at the door (QĐ45 Art.6, TT17 Art.5(1)): count each document of the
// procedure's checklist, original or copy; fees; both signatures.
import { formatVnd, t } from "../i18n.js";
import { findItem, recordEvent } from "../items.js";
import { queueMedia } from "../outbox.js";
import { PositionLine } from "../position-line.js";
import { SignatureField } from "../signature-field.js";
import { actionBar, field, h, oneAtATime, toast } from "../ui.js";
import { notHeldScreen } from "./item.js";

export async function collectScreen(app, number) {
  const item = await findItem(number);
  if (!item) return notHeldScreen(number);
  const checklist = item.procedure_documents?.length ? item.procedure_documents : item.documents;
  const lines = checklist.map((document, index) => ({
    document,
    original: h("select", { class: "doc-original", "data-index": String(index), "aria-label": `${document.name}: ${t("original")} / ${t("copy")}` }, h("option", { value: "true" }, t("original")), h("option", { value: "false", selected: !document.original }, t("copy"))),
    count: h("input", { class: "doc-count", type: "number", min: "0", max: "100", value: String(document.count ?? 1), inputmode: "numeric", "aria-label": `${document.name}: ${t("count")}` }),
  }));
  const cash = h("input", { id: "collect-cash", type: "number", min: "0", step: "1000", inputmode: "numeric", value: String(item.cash_due_vnd ?? 0) });
  const citizenSignature = new SignatureField(t("citizen_signature"), { name: "citizen" });
  const postmanSignature = new SignatureField(t("postman_signature"), { name: "postman" });
  const where = new PositionLine();
  const error = h("p", { class: "error", role: "alert", id: "collect-error" });

  async function submit() {
    const documents = lines.map((line) => ({ name: line.document.name, original: line.original.value === "true", count: Number(line.count.value || 0) })).filter((d) => d.count > 0);
    const missing = [];
    if (documents.length === 0) missing.push(t("documents"));
    if (citizenSignature.isEmpty()) missing.push(t("citizen_signature"));
    if (postmanSignature.isEmpty()) missing.push(t("postman_signature"));
    if (missing.length) return (error.textContent = t("required", { fields: missing.join(", ") }));
    await recordEvent(item, "collected", {
      documents,
      signature_sha256: await queueMedia(await citizenSignature.toBlob()),
      postman_signature_sha256: await queueMedia(await postmanSignature.toBlob()),
      cash_collected_vnd: Number(cash.value || 0),
    }, await where.fresh());
    saved = true;
    toast(t(navigator.onLine ? "saved" : "saved_offline"));
    app.syncSoon();
    app.go("#/");
  }

  let saved = false;
  app.guardLeave(() => !saved && (!citizenSignature.isEmpty() || !postmanSignature.isEmpty()));
  app.afterMount(() => { citizenSignature.mount(); postmanSignature.mount(); });
  return h("form", { class: "screen form", id: "collect-form", onsubmit: oneAtATime(submit) },
    h("h1", {}, `${t("collect")} · ${item.tracking_number}`),
    h("p", {}, `${item.procedure_name}`),
    h("fieldset", {}, h("legend", {}, t("documents")),
      lines.map((line) => h("div", { class: "doc-line" }, h("span", { class: "doc-name" }, line.document.name), line.original, line.count))),
    h("p", { class: "cash-due" }, `${t("fees")}: `, h("strong", {}, formatVnd(item.cash_due_vnd))),
    field(t("cash_collected"), cash),
    citizenSignature.element, postmanSignature.element, where.element,
    actionBar(error, h("button", { type: "submit", class: "primary", id: "confirm-collect" }, t("confirm_collect"))));
}
