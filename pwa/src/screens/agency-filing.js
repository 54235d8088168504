// The officer signs a handover of dossiers (biên bản giao nhận, QĐ45 Art.7): counts each one,
// marks those incomplete with what is missing (Art.7(4)), and signs. The signature time is the
// legal filing time of every complete dossier. Signing needs the network.
import { ApiError, call } from "../api.js";
import { t } from "../i18n.js";
import { sha256Hex } from "../outbox.js";
import { SignatureField } from "../signature-field.js";
import { serverTransport } from "../transport.js";
import { h, oneAtATime, toast } from "../ui.js";

export async function agencyFilingScreen(app, handoverId) {
  let record;
  try {
    record = await call("GET", `/handovers/${handoverId}`);
  } catch (error) {
    return h("div", { class: "screen" }, h("p", { class: "error" }, error.message || t("needs_network")));
  }
  if (record.status !== "pending") return signedView(record);
  const lines = record.lines.map((line) => filingLine(line.tracking_number));
  const signature = new SignatureField(t("officer_signature"), { name: "officer" });
  const error = h("p", { class: "error", role: "alert", id: "filing-error" });
  app.afterMount(() => signature.mount());

  async function sign() {
    error.textContent = "";
    if (signature.isEmpty()) return (error.textContent = t("required", { fields: t("officer_signature") }));
    const incomplete = lines.filter((line) => line.counted.checked && line.incomplete.checked)
      .map((line) => ({ tracking_number: line.number, missing: line.missing.value.trim() }));
    if (incomplete.some((line) => !line.missing)) return (error.textContent = t("missing_required"));
    try {
      const bytes = await (await signature.toBlob()).arrayBuffer();
      const sha = await sha256Hex(bytes);
      await serverTransport.putMedia({ sha256: sha, bytes, type: "image/png" });
      const scanned = lines.filter((line) => line.counted.checked).map((line) => line.number);
      const answer = await call("POST", `/handovers/${record.id}/accept`, { scanned, signature_sha256: sha, incomplete });
      toast(t("filing_signed", { n: answer.filed.length }));
      app.go(`#/agency/filing/${record.id}`, true);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status !== 0) error.textContent = failure.message;
      else throw failure;
    }
  }

  return h("div", { class: "screen agency", id: "filing-screen" },
    h("h1", {}, t("record_title", { id: record.id })),
    h("p", {}, `${record.from_unit} → ${record.to_unit} · ${t("record_items", { n: record.lines.length })}`),
    h("p", { class: "hint" }, t("filing_help")),
    h("ul", { class: "filing-lines" }, lines.map((line) => line.element)),
    signature.element, error,
    h("button", { type: "button", class: "primary", id: "sign-filing", onclick: oneAtATime(sign) }, t("sign_filing")));
}

// One listed dossier: counted or not, complete or not, and what is missing.
function filingLine(number) {
  const counted = h("input", { type: "checkbox", checked: true, "data-counted": number });
  const incomplete = h("input", { type: "checkbox", "data-incomplete": number });
  const missing = h("input", { type: "text", class: "hidden", "data-missing": number, placeholder: t("missing_placeholder"), maxlength: "500" });
  incomplete.addEventListener("change", () => missing.classList.toggle("hidden", !incomplete.checked));
  const element = h("li", { class: "filing-line" },
    h("span", { class: "number" }, number),
    h("label", { class: "check" }, counted, ` ${t("counted")}`),
    h("label", { class: "check" }, incomplete, ` ${t("incomplete")}`),
    missing);
  return { number, counted, incomplete, missing, element };
}

function signedView(record) {
  return h("div", { class: "screen agency", id: "filing-screen" },
    h("h1", {}, t("record_title", { id: record.id })),
    h("p", { class: "ok", id: "filing-signed" }, record.accepted_at
      ? t("signed_at", { at: new Date(record.accepted_at).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" }) })
      : t("record_cancelled")),
    h("ul", { class: "items" }, record.lines.map((line) => h("li", {},
      h("span", { class: "number" }, line.tracking_number),
      h("span", {}, line.complete === true ? t("complete") : line.complete === false
        ? `${t("incomplete")}: ${line.missing_documents}` : t(line.outcome))))),
    h("a", { class: "button primary", id: "print-record", href: `/handovers/${record.id}/record`, target: "_blank" }, t("print_record")));
}
