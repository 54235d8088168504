// Shared parts of the clerk's screens: the network guard (intake creates the S10 number on
// the server, so it is never queued offline), the citizen form, the procedure picker and
// how a refusal of the server is shown.
import { ApiError, call } from "../api.js";
import { t } from "../i18n.js";
import { CardScan, documentRefusal, sameName } from "../id-card.js";
import { matchesSearch } from "../fold.js";
import { field, h } from "../ui.js";

const PHONE = /^0(3|5|7|8|9)\d{8}$/;
const TWELVE_DIGITS = /^\d{12}$/;
const ID_TYPES = ["cccd", "can_cuoc", "cmnd", "passport", "vneid"];

// Load what a clerk's screen needs; null when there is no network (the caller says so).
export async function loadOnline(paths) {
  if (!navigator.onLine) return null;
  try {
    return await Promise.all(paths.map((path) => call("GET", path)));
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) return null;
    throw error;
  }
}

export function offlineScreen(app, title) {
  return h("div", { class: "screen", id: "intake-offline" },
    h("h1", {}, title),
    h("p", { class: "error", role: "alert" }, t("intake_needs_network")),
    h("button", { type: "button", class: "primary", onclick: () => app.go(location.hash, true) }, t("retry_network")));
}

// The message of a refusal: the server's, or for field errors the first field's.
export function refusalMessage(error) {
  if (error instanceof ApiError && error.status === 0) return t("intake_needs_network");
  const fields = error?.details?.fields;
  if (Array.isArray(fields) && fields.length) return `${fields[0].field}: ${fields[0].message}`;
  return error?.message ?? String(error);
}

// A searchable list of the postal-eligible procedures; `onPick(procedure)`.
export class ProcedurePicker {
  constructor(procedures, onPick) {
    this._procedures = procedures.filter((procedure) => procedure.postal_eligible);
    this._onPick = onPick;
    this.selected = null;
    this._search = h("input", { type: "search", id: "procedure-search", placeholder: t("search_procedure"), autocomplete: "off", oninput: () => this._render() });
    this._list = h("ul", { class: "procedure-list", id: "procedure-list" });
    this.element = h("fieldset", {}, h("legend", {}, t("procedure")), this._search, this._list);
    this._render();
  }

  _render() {
    // Accents and case aside: "can cuoc" finds "Căn cước" (issue 12).
    const needle = this._search.value;
    const shown = this._procedures.filter((p) => matchesSearch(`${p.name} ${p.code}`, needle));
    if (shown.length === 0) return this._list.replaceChildren(h("li", { class: "empty" }, t("no_procedure")));
    this._list.replaceChildren(...shown.map((procedure) => h("li", {},
      h("button", {
        type: "button", class: `procedure${this.selected?.code === procedure.code ? " chosen" : ""}`,
        "data-code": procedure.code, "aria-pressed": String(this.selected?.code === procedure.code),
        onclick: () => { this.selected = procedure; this._render(); this._onPick(procedure); },
      }, h("span", { class: "procedure-name" }, procedure.name), h("span", { class: "procedure-code" }, procedure.code)))));
  }
}

// Suggestions of the 2025 map for an address input, accents optional ("ninh binh" finds
// "Ninh Bình"): a native <datalist> filled from /places as the user types.
export function suggestPlaces(input, listId, path) {
  const list = h("datalist", { id: listId });
  input.setAttribute("list", listId);
  input.setAttribute("autocomplete", "off");
  let timer = null;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++asked;
      try {
        const answer = await call("GET", path(input.value.trim()));
        if (mine !== asked) return;
        const places = answer.provinces ?? answer.communes ?? [];
        list.replaceChildren(...places.map((place) => h("option", { value: place.name })));
      } catch {
        // No suggestion offline or on a refusal: the server checks the address at submit.
      }
    }, 200);
  });
  return list;
}

// The citizen's name, phone, identity document and two-level address.
export class CitizenForm {
  constructor(office, { idRequired = true } = {}) {
    this._idRequired = idRequired;
    this.name = h("input", { id: "citizen-name", autocomplete: "off", maxlength: "200" });
    this.phone = h("input", { id: "citizen-phone", type: "tel", inputmode: "tel", autocomplete: "off", maxlength: "20" });
    this.idType = h("select", { id: "citizen-id-type" }, ID_TYPES.map((type) => h("option", { value: type }, t(`id_${type}`))));
    this.idNumber = h("input", { id: "citizen-id-number", inputmode: "numeric", autocomplete: "off", maxlength: "20" });
    this.province = h("input", { id: "citizen-province", value: office?.province ?? "" });
    this.commune = h("input", { id: "citizen-commune", value: office?.commune ?? "" });
    this.line = h("input", { id: "citizen-line", maxlength: "300" });
    this.legacy = h("input", { id: "citizen-legacy-address", maxlength: "300", placeholder: t("legacy_address_hint") });
    const provinces = suggestPlaces(this.province, "province-suggestions",
      (q) => `/places/provinces?q=${encodeURIComponent(q)}`);
    const communes = suggestPlaces(this.commune, "commune-suggestions",
      (q) => `/places/communes?q=${encodeURIComponent(q)}&province=${encodeURIComponent(this.province.value.trim())}`);
    // The chip card's QR fills the document; the server keeps only its keyed hash and last four.
    this.idNotice = h("p", { class: "warning", role: "alert", id: "citizen-id-notice" });
    this.cardScan = new CardScan("citizen-", (card) => this._fromCard(card));
    this.idType.addEventListener("change", () => { this.idNotice.textContent = documentRefusal(this.idType.value) ?? ""; });
    this.element = h("fieldset", {}, h("legend", {}, t("citizen")),
      field(t("name"), this.name), field(t("phone"), this.phone), this.cardScan.element,
      field(t("id_type"), this.idType), field(t("id_number"), this.idNumber), this.idNotice,
      field(t("province"), this.province), provinces, field(t("commune"), this.commune), communes,
      field(t("address_line"), this.line), field(t("legacy_address"), this.legacy));
  }

  _fromCard(card) {
    this.idType.value = "cccd";
    this.idNumber.value = card.number;
    if (!this.name.value.trim()) this.name.value = card.name;
    this.idNotice.textContent = sameName(card.name, this.name.value)
      ? t("id_card_read", { name: card.name }) : t("id_name_mismatch_citizen", { card: card.name, name: this.name.value.trim() });
  }

  // What is wrong before asking the server (the server checks again), or null.
  problem() {
    const missing = [[this.name, t("name")], [this.phone, t("phone")], [this.province, t("province")], [this.commune, t("commune")], [this.line, t("address_line")]]
      .filter(([input]) => !input.value.trim()).map(([, label]) => label);
    if (this._idRequired && !this.idNumber.value.trim()) missing.push(t("id_number"));
    if (missing.length) return t("required", { fields: missing.join(", ") });
    const phone = this.phone.value.replace(/[\s.-]/g, "").replace(/^\+84/, "0");
    if (!PHONE.test(phone)) return t("invalid_phone_local");
    const id = this.idNumber.value.replace(/\s/g, "");
    if (id && ["cccd", "can_cuoc", "vneid"].includes(this.idType.value) && !TWELVE_DIGITS.test(id)) return t("invalid_cccd_local");
    if (documentRefusal(this.idType.value)) return documentRefusal(this.idType.value);
    return null;
  }

  value() {
    const citizen = {
      name: this.name.value.trim(), phone: this.phone.value.trim(), id_type: this.idType.value,
      address: { province: this.province.value.trim(), commune: this.commune.value.trim(), line: this.line.value.trim() },
    };
    if (this.legacy.value.trim()) citizen.address.legacy = this.legacy.value.trim();
    if (this.idNumber.value.trim()) citizen.id_number = this.idNumber.value.trim();
    return citizen;
  }
}
