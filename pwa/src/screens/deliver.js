// Deliver with the proof the law asks for (TT17 Art.5(2)): identity checked, papers
// collected back, cash, the recipient's signature; a proxy also shows a written authorisation.
import { formatVnd, t } from "../i18n.js";
import { findItem, recordEvent } from "../items.js";
import { queueMedia } from "../outbox.js";
import { downscale } from "../photo.js";
import { PositionLine } from "../position-line.js";
import { SignatureField } from "../signature-field.js";
import { field, h, oneAtATime, toast } from "../ui.js";
import { notHeldScreen } from "./item.js";

const ID_TYPES = ["cccd", "can_cuoc", "passport", "cmnd", "vneid"];

export async function deliverScreen(app, number) {
  const item = await findItem(number);
  if (!item) return notHeldScreen(number);
  const name = h("input", { id: "recipient-name", value: item.citizen.name, autocomplete: "off" });
  const relation = h("select", { id: "relation" }, h("option", { value: "self" }, t("self")), h("option", { value: "proxy" }, t("proxy")));
  const relationship = h("input", { id: "relationship", autocomplete: "off" });
  const authorization = h("input", { id: "authorization-photo", type: "file", accept: "image/*", capture: "environment" });
  const proxyFields = h("div", { class: "proxy-fields hidden" }, field(t("relationship"), relationship), field(t("authorization"), authorization));
  relation.addEventListener("change", () => proxyFields.classList.toggle("hidden", relation.value !== "proxy"));
  const idType = h("select", { id: "id-type" }, ID_TYPES.map((type) => h("option", { value: type }, t(`id_${type}`))));
  const idLast4 = h("input", { id: "id-last4", inputmode: "text", maxlength: "4", autocomplete: "off", autocapitalize: "characters" });
  const papers = (item.papers_to_collect ?? []).map((paper) => h("label", { class: "check" }, h("input", { type: "checkbox", value: paper, class: "paper" }), paper));
  const cash = h("input", { id: "cash-collected", type: "number", inputmode: "numeric", min: "0", step: "1000", value: String(item.cash_due_vnd ?? 0) });
  const photo = h("input", { id: "delivery-photo", type: "file", accept: "image/*", capture: "environment" });
  const signature = new SignatureField(t("signature"), { name: "recipient" });
  const where = new PositionLine();
  const error = h("p", { class: "error", role: "alert", id: "deliver-error" });

  async function submit() {
    const proxy = relation.value === "proxy";
    const missing = [];
    if (!name.value.trim()) missing.push(t("name"));
    if (!/^[0-9A-Za-z]{4}$/.test(idLast4.value.trim())) missing.push(t("id_last4"));
    if (proxy && !relationship.value.trim()) missing.push(t("relationship"));
    if (proxy && !authorization.files[0]) missing.push(t("authorization"));
    if (signature.isEmpty()) missing.push(t("signature"));
    if (missing.length) return (error.textContent = t("required", { fields: missing.join(", ") }));
    const fields = {
      recipient: { name: name.value.trim(), relation: relation.value, id_type: idType.value, id_last4: idLast4.value.trim().toUpperCase(), ...(proxy ? { relationship: relationship.value.trim() } : {}) },
      signature_sha256: await queueMedia(await signature.toBlob()),
      cash_collected_vnd: Number(cash.value || 0),
      papers_collected: papers.map((label) => label.querySelector("input")).filter((box) => box.checked).map((box) => box.value),
    };
    if (proxy) fields.authorization_sha256 = await queueMedia(await downscale(authorization.files[0]));
    if (photo.files[0]) fields.photo_sha256 = await queueMedia(await downscale(photo.files[0]));
    await recordEvent(item, "delivered", fields, where.position ?? (await where.ready));
    toast(t(navigator.onLine ? "saved" : "saved_offline"));
    app.syncSoon();
    app.go("#/");
  }

  const form = h("form", { class: "screen form", id: "deliver-form", onsubmit: oneAtATime(submit) },
    h("h1", {}, `${t("deliver")} · ${item.tracking_number}`),
    h("p", { class: "cash-due" }, `${t("cash_due")}: `, h("strong", {}, formatVnd(item.cash_due_vnd))),
    field(t("name"), name), field(t("recipient"), relation), proxyFields,
    field(t("id_type"), idType), field(t("id_last4"), idLast4),
    papers.length ? h("fieldset", {}, h("legend", {}, t("papers_collected")), papers) : null,
    field(t("cash_collected"), cash), field(t("photo"), photo),
    signature.element, where.element, error,
    h("button", { type: "submit", class: "primary", id: "confirm-delivery" }, t("confirm_delivery")));
  app.afterMount(() => signature.mount());
  return form;
}
