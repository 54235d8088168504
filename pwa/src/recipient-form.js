// The recipient's part of handing a result over (TT17 Art.5(2)), at the door or at the
// counter: who takes it, the identity document checked, a proxy's relationship and written
// authorisation, the papers taken back, the cash and the recipient's signature.
import { formatVnd, t } from "./i18n.js";
import { CardScan, documentRefusal, sameName } from "./id-card.js";
import { downscale } from "./photo.js";
import { SignatureField } from "./signature-field.js";
import { field, h, photoField } from "./ui.js";

const ID_TYPES = ["cccd", "can_cuoc", "passport", "cmnd", "vneid"];

export class RecipientForm {
  // `prefix` keeps element ids apart between screens ("" at the door, "counter-" at the counter).
  constructor(item, prefix = "") {
    const id = (name) => `${prefix}${name}`;
    this._item = item;
    this.name = h("input", { id: id("recipient-name"), value: item.citizen.name ?? "", autocomplete: "off" });
    this.relation = h("select", { id: id("relation") }, h("option", { value: "self" }, t("self")), h("option", { value: "proxy" }, t("proxy")));
    this.relationship = h("input", { id: id("relationship"), autocomplete: "off" });
    this.authorization = h("input", { id: id("authorization-photo"), type: "file", accept: "image/*", capture: "environment" });
    this.proxyFields = h("div", { class: "proxy-fields hidden" }, field(t("relationship"), this.relationship), photoField(t("authorization"), this.authorization));
    this.relation.addEventListener("change", () => this.proxyFields.classList.toggle("hidden", !this.isProxy()));
    this.idType = h("select", { id: id("id-type") }, ID_TYPES.map((type) => h("option", { value: type }, t(`id_${type}`))));
    this.idLast4 = h("input", { id: id("id-last4"), inputmode: "text", maxlength: "4", autocomplete: "off", autocapitalize: "characters" });
    // The chip card's QR fills the type and last four (the number itself is not kept) and
    // warns when the card's name is not the recipient's.
    this.idNotice = h("p", { class: "warning", role: "alert", id: id("id-notice") });
    this.cardScan = new CardScan(prefix, (card) => this._fromCard(card));
    this.idType.addEventListener("change", () => { this.idNotice.textContent = documentRefusal(this.idType.value) ?? ""; });
    this.papers = (item.papers_to_collect ?? []).map((paper) => h("label", { class: "check" }, h("input", { type: "checkbox", value: paper, class: "paper" }), paper));
    // Any amount: what the citizen really paid, checked against what was due on the server.
    this.cash = h("input", { id: id("cash-collected"), type: "number", inputmode: "numeric", min: "0", step: "1", value: String(item.cash_due_vnd ?? 0) });
    this.signature = new SignatureField(t("signature"), { name: id("recipient") });
  }

  _fromCard(card) {
    this.idType.value = "cccd";
    this.idLast4.value = card.number.slice(-4);
    this.idNotice.textContent = sameName(card.name, this.name.value)
      ? t("id_card_read", { name: card.name }) : t("id_name_mismatch", { card: card.name, name: this.name.value.trim() });
  }

  // Why the identity document checked cannot be accepted (a CMND after 2024), or null.
  refusal() {
    return documentRefusal(this.idType.value);
  }

  isProxy() {
    return this.relation.value === "proxy";
  }

  // The fields from the recipient's name to the cash, in the order the postman fills them.
  fields() {
    return [field(t("name"), this.name), field(t("recipient"), this.relation), this.proxyFields,
      this.cardScan.element, field(t("id_type"), this.idType), field(t("id_last4"), this.idLast4), this.idNotice,
      this.papers.length ? h("fieldset", {}, h("legend", {}, t("papers_collected")), this.papers) : null,
      field(t("cash_collected"), this.cash)];
  }

  // The names of what is still missing; empty when the hand-over may be recorded.
  missing() {
    const missing = [];
    if (!this.name.value.trim()) missing.push(t("name"));
    if (!/^[0-9A-Za-z]{4}$/.test(this.idLast4.value.trim())) missing.push(t("id_last4"));
    if (this.isProxy() && !this.relationship.value.trim()) missing.push(t("relationship"));
    if (this.isProxy() && !this.authorization.files[0]) missing.push(t("authorization"));
    if (this.signature.isEmpty()) missing.push(t("signature"));
    return missing;
  }

  // Where what the postman entered differs from the record: the last four characters of an
  // ID the agency gave, or the cash due (`cashDue`, summed over the items handed over).
  deviations(cashDue) {
    const found = [];
    const expected = this._item.citizen?.id_last4;
    const typed = this.idLast4.value.trim().toUpperCase();
    if (expected && typed.length === 4 && typed !== expected.toUpperCase()) found.push(t("last4_mismatch", { expected }));
    const collected = Number(this.cash.value || 0);
    if (collected !== cashDue) found.push(t("cash_mismatch", { collected: formatVnd(collected), due: formatVnd(cashDue) }));
    return found;
  }

  // True once the postman has typed, chosen or signed anything (leaving would lose it).
  touched() {
    return !this.signature.isEmpty() || this.idLast4.value.trim() !== "" || this.relationship.value.trim() !== ""
      || Boolean(this.authorization.files[0]) || this.papers.some((label) => label.querySelector("input").checked)
      || this.name.value !== this.name.defaultValue;
  }

  // The evidence of the hand-over; `store(blob)` keeps an image and answers its SHA-256.
  async evidence(store) {
    const proxy = this.isProxy();
    const evidence = {
      recipient: { name: this.name.value.trim(), relation: this.relation.value, id_type: this.idType.value, id_last4: this.idLast4.value.trim().toUpperCase(), ...(proxy ? { relationship: this.relationship.value.trim() } : {}) },
      signature_sha256: await store(await this.signature.toBlob()),
      cash_collected_vnd: Number(this.cash.value || 0),
      papers_collected: this.papers.map((label) => label.querySelector("input")).filter((box) => box.checked).map((box) => box.value),
    };
    if (proxy) evidence.authorization_sha256 = await store(await downscale(this.authorization.files[0]));
    return evidence;
  }
}
