// Counter intake (QĐ45 Art.6; TT17 Art.5(1), 9): the clerk picks a postal-eligible
// procedure, counts its checklist (original or copy, how many), fills the citizen's data,
// reads the fee quote, both sign; the server creates the item and its S10 number, then the
// consignment note opens for printing. Needs the network: nothing is queued.
import { call } from "../api.js";
import { formatVnd, t } from "../i18n.js";
import { sha256Hex } from "../outbox.js";
import { SignatureField } from "../signature-field.js";
import { serverTransport } from "../transport.js";
import { field, h, oneAtATime } from "../ui.js";
import { CitizenForm, loadOnline, offlineScreen, ProcedurePicker, refusalMessage } from "./intake-common.js";

const ROUTE_CLASSES = ["same_area", "intra_province", "major_cities", "inter_province"];

export async function intakeCounterScreen(app) {
  const loaded = await loadOnline(["/procedures?postal_eligible=true", "/fees", "/units"]);
  if (!loaded) return offlineScreen(app, t("intake_counter"));
  const [{ procedures }, fees, { units }] = loaded;
  const office = units.find((unit) => unit.code === app.session.user.unit.code);
  const agencies = new Map(units.map((unit) => [unit.code, unit.name]));

  const checklist = h("div", { id: "checklist" }, h("p", { class: "help" }, t("choose_procedure")));
  let lines = [];
  const route = h("select", { id: "route-class", onchange: () => refreshQuote() },
    h("option", { value: "" }, t("route_auto")),
    ROUTE_CLASSES.map((code) => h("option", { value: code }, t(`route_${code}`))));
  const reduction = h("select", { id: "reduction", onchange: () => refreshQuote() },
    h("option", { value: "" }, t("no_reduction")),
    fees.reductions.map((r) => h("option", { value: r.code }, r.name)));
  const quoteBox = h("div", { class: "quote", id: "quote", "aria-live": "polite" });
  const citizen = new CitizenForm(office);
  app.onLeave(() => citizen.cardScan.stop());
  const citizenSignature = new SignatureField(t("citizen_signature"), { name: "citizen" });
  const clerkSignature = new SignatureField(t("clerk_signature"), { name: "clerk" });
  const error = h("p", { class: "error", role: "alert", id: "intake-error" });

  const picker = new ProcedurePicker(procedures, (procedure) => {
    lines = procedure.documents.map((document, index) => ({
      document,
      original: h("select", { class: "doc-original", "data-index": String(index), "aria-label": `${document.name}: ${t("original")} / ${t("copy")}` },
        h("option", { value: "true" }, t("original")), h("option", { value: "false", selected: !document.original }, t("copy"))),
      count: h("input", { class: "doc-count", type: "number", min: "0", max: "100", value: String(document.count ?? 1), inputmode: "numeric", "aria-label": `${document.name}: ${t("count")}` }),
    }));
    checklist.replaceChildren(
      h("p", { class: "agency" }, `${t("agency")}: ${agencies.get(procedure.agency_unit) ?? procedure.agency_unit}`),
      h("p", { class: "help" }, t("count_help")),
      ...lines.map((line) => h("div", { class: "doc-line" }, h("span", { class: "doc-name" }, line.document.name), line.original, line.count)));
    refreshQuote();
  });

  let quoteRequest = 0;
  async function refreshQuote() {
    const procedure = picker.selected;
    if (!procedure) return;
    const params = new URLSearchParams({ procedure_code: procedure.code });
    if (route.value) params.set("route_class", route.value);
    if (reduction.value) params.set("reduction_code", reduction.value);
    const mine = ++quoteRequest;
    try {
      const quote = await call("GET", `/intake/quote?${params}`);
      if (mine !== quoteRequest) return; // a newer choice is being priced
      quoteBox.replaceChildren(h("dl", {},
        h("dt", {}, `${t("postage")} (${t(`route_${quote.route_class}`)})`), h("dd", {}, priced(quote.postage_base_vnd, quote.postage_discount_vnd)),
        h("dt", {}, t("official_fee")), h("dd", {}, priced(quote.official_fee_base_vnd, quote.official_fee_discount_vnd)),
        h("dt", {}, t("total")), h("dd", { class: "total", id: "quote-total" }, formatVnd(quote.total_vnd)),
        h("dt", {}, t("due_at")), h("dd", { id: "quote-due" }, new Date(quote.due_at).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric" }))));
    } catch (failure) {
      if (mine === quoteRequest) quoteBox.replaceChildren(h("p", { class: "error" }, refusalMessage(failure)));
    }
  }

  async function upload(signature) {
    const bytes = await (await signature.toBlob()).arrayBuffer();
    const sha256 = await sha256Hex(bytes);
    await serverTransport.putMedia({ sha256, bytes, type: "image/png" });
    return sha256;
  }

  async function submit() {
    error.textContent = "";
    if (!navigator.onLine) return (error.textContent = t("intake_needs_network"));
    if (!picker.selected) return (error.textContent = t("choose_procedure"));
    const problem = citizen.problem();
    if (problem) return (error.textContent = problem);
    const missing = [];
    if (citizenSignature.isEmpty()) missing.push(t("citizen_signature"));
    if (clerkSignature.isEmpty()) missing.push(t("clerk_signature"));
    if (missing.length) return (error.textContent = t("required", { fields: missing.join(", ") }));
    const body = {
      procedure_code: picker.selected.code,
      citizen: citizen.value(),
      documents: lines.map((line) => ({ name: line.document.name, original: line.original.value === "true", count: Number(line.count.value || 0) })).filter((line) => line.count > 0),
    };
    if (route.value) body.route_class = route.value;
    if (reduction.value) body.reduction_code = reduction.value;
    try {
      body.citizen_signature_sha256 = await upload(citizenSignature);
      body.clerk_signature_sha256 = await upload(clerkSignature);
      const item = await call("POST", "/intake/counter", body);
      location.assign(`/items/${item.tracking_number}/consignment-note`);
    } catch (failure) {
      error.textContent = refusalMessage(failure);
    }
  }

  app.afterMount(() => { citizenSignature.mount(); clerkSignature.mount(); });
  return h("form", { class: "screen form intake", id: "intake-form", onsubmit: oneAtATime(submit), oninput: () => { error.textContent = ""; }, novalidate: true },
    h("h1", {}, t("intake_counter")),
    picker.element,
    h("fieldset", {}, h("legend", {}, t("documents")), checklist),
    citizen.element,
    h("fieldset", {}, h("legend", {}, t("fees")), field(t("route_class"), route), field(t("reduction"), reduction), quoteBox),
    citizenSignature.element, clerkSignature.element, error,
    h("button", { type: "submit", class: "primary", id: "submit-intake" }, t("intake_submit")));
}

// What is paid, and under it what the reduction took off the tariff.
function priced(base, discount) {
  if (!discount) return formatVnd(base);
  return [formatVnd(base - discount), h("small", { class: "discount" }, t("discount_of", { discount: formatVnd(discount), base: formatVnd(base) }))];
}
