// One handover record. The receiver counts it: scans each item (nothing is ticked in advance),
// sees what is missing and what was not listed before signing, marks a dossier filed with an
// agency incomplete with what it lacks (QĐ45 Art.7(4)), and signs. The sender may withdraw a
// pending record with a reason. Everyone may open the printable record.
import { ApiError, call } from "../api.js";
import { t } from "../i18n.js";
import { ScanBox } from "../scan-box.js";
import { SignatureField } from "../signature-field.js";
import { field, h, oneAtATime, toast } from "../ui.js";
import { localTime } from "./cash-tiles.js";
import { uploadNow } from "./counter-pickup.js";
import { networkError } from "./handovers.js";

export async function handoverRecordScreen(app, handoverId) {
  let record;
  try {
    record = await call("GET", `/handovers/${handoverId}`);
  } catch (error) {
    return networkError(t("handovers"), error);
  }
  return record.can_accept ? receiveView(app, record) : recordView(app, record);
}

function heading(record) {
  return [h("h1", {}, t("record_title", { id: record.id })),
    h("p", { class: "parties", id: "record-parties" }, t("handover_from_to", { from: record.from_name, to: record.to_name }),
      h("br"), t("record_items", { n: record.lines.length }), ` · ${localTime(record.created_at)}`)];
}

// What to check against the paper: kind, procedure, the citizen's initials.
function lineFacts(line) {
  if (!line.kind) return null;
  return h("span", { class: "line-facts" }, [t(`kind_${line.kind}`), line.procedure,
    line.citizen_initials ? `${t("initials")}: ${line.citizen_initials}` : null].filter(Boolean).join(" · "));
}

function receiveView(app, record) {
  const filing = app.session.user.role === "agency";
  const listed = record.lines.filter((line) => line.outcome === "listed");
  const scanned = new Set();
  const unexpected = new Set();
  const rows = listed.map((line) => receiveLine(line, filing && line.kind === "dossier"));
  const discrepancies = h("section", { class: "discrepancies card", id: "discrepancies", "aria-live": "polite" });
  const error = h("p", { class: "error", role: "alert", id: "receive-error" });
  const signButton = h("button", { type: "button", class: "primary", id: "sign-handover", onclick: oneAtATime(() => sign()) }, filing ? t("sign_filing") : t("sign_and_accept"));
  let confirmed = false;

  const render = () => {
    rows.forEach((row) => row.mark(scanned.has(row.number)));
    const missing = listed.map((line) => line.tracking_number).filter((n) => !scanned.has(n));
    discrepancies.replaceChildren(...[h("h2", {}, t("discrepancies")),
      missing.length === 0 && unexpected.size === 0 ? h("p", { class: "ok", id: "no-discrepancy" }, t("no_discrepancy")) : null,
      missing.length ? h("div", { class: "tally tally-missing", id: "tally-missing" }, h("h3", {}, `${t("missing")}: ${missing.length}`),
        h("ul", {}, missing.map((n) => h("li", { class: "number" }, n)))) : null,
      unexpected.size ? h("div", { class: "tally tally-unexpected", id: "tally-unexpected" }, h("h3", {}, `${t("unexpected")}: ${unexpected.size}`),
        h("ul", {}, [...unexpected].map((n) => h("li", { class: "number" }, n)))) : null].filter(Boolean));
    confirmed = false;
    signButton.textContent = filing ? t("sign_filing") : t("sign_and_accept");
    return { missing };
  };
  const scan = new ScanBox((number) => {
    if (listed.some((line) => line.tracking_number === number)) scanned.add(number);
    else unexpected.add(number);
    render();
  });
  app.onLeave(() => scan.stop());
  const signature = new SignatureField(filing ? t("officer_signature") : t("receiver_signature"), { name: filing ? "officer" : "receiver" });
  app.afterMount(() => signature.mount());
  render();

  async function sign() {
    error.textContent = "";
    if (signature.isEmpty()) return (error.textContent = t("required", { fields: filing ? t("officer_signature") : t("receiver_signature") }));
    const incomplete = rows.filter((row) => row.incomplete?.checked && scanned.has(row.number))
      .map((row) => ({ tracking_number: row.number, missing: row.missing.value.trim() }));
    if (incomplete.some((line) => !line.missing)) return (error.textContent = t("missing_required"));
    const missing = listed.filter((line) => !scanned.has(line.tracking_number)).length;
    if ((missing || unexpected.size) && !confirmed) {
      // The discrepancies are on screen; a second press says the receiver has seen them.
      confirmed = true;
      signButton.textContent = t("sign_with_discrepancies");
      return (error.textContent = t("confirm_discrepancies", { missing, unexpected: unexpected.size }));
    }
    try {
      const sha = await uploadNow(await signature.toBlob());
      const answer = await call("POST", `/handovers/${record.id}/accept`, {
        scanned: [...scanned, ...unexpected], signature_sha256: sha, incomplete });
      toast(filing ? t("filing_signed", { n: answer.filed.length }) : t("handover_signed_toast", { n: answer.received.length }));
      scan.stop();
      app.go(`#/handovers/${record.id}`, true);
    } catch (refusal) {
      if (!(refusal instanceof ApiError) || refusal.status === 0) throw refusal;
      error.textContent = refusal.message;
    }
  }

  // A div, not a form: the scan box inside is a form of its own.
  return h("div", { class: "screen form receive", id: "receive-screen" },
    ...heading(record),
    h("p", { class: "hint" }, filing ? t("filing_help") : t("receive_help")),
    scan.element,
    h("ul", { class: "filing-lines handover-lines", id: "receive-lines" }, rows.map((row) => row.element)),
    discrepancies, signature.element, error, signButton,
    h("a", { class: "button secondary-blue", href: `/handovers/${record.id}/record`, target: "_blank", id: "print-record" }, t("print_record")));
}

// One listed line: scanned or not (never ticked in advance); a dossier being filed may be
// marked incomplete, with what is missing, once scanned.
function receiveLine(line, filing) {
  const number = line.tracking_number;
  const state = h("span", { class: "line-state", "data-state": number });
  let incomplete = null;
  let missing = null;
  const extra = [];
  if (filing) {
    incomplete = h("input", { type: "checkbox", "data-incomplete": number, disabled: true });
    missing = h("input", { type: "text", class: "hidden", "data-missing": number, placeholder: t("missing_placeholder"),
      maxlength: "500", "aria-label": `${t("missing_placeholder")} ${number}` });
    incomplete.addEventListener("change", () => missing.classList.toggle("hidden", !incomplete.checked));
    extra.push(h("label", { class: "check" }, incomplete, ` ${t("incomplete")}`), missing);
  }
  const element = h("li", { class: "filing-line handover-line", "data-line": number },
    h("span", { class: "number" }, number), lineFacts(line), state, ...extra);
  const mark = (isScanned) => {
    state.textContent = isScanned ? `✔ ${t("scanned_ok")}` : t("not_scanned");
    element.classList.toggle("scanned", isScanned);
    if (incomplete) {
      incomplete.disabled = !isScanned;
      if (!isScanned) { incomplete.checked = false; missing.classList.add("hidden"); }
    }
  };
  return { number, incomplete, missing, element, mark };
}

const OUTCOME_WORDS = { listed: "not_scanned", received: "counted", missing: "missing", unexpected: "line_unexpected" };

function recordView(app, record) {
  const status = record.status === "accepted"
    ? t("signed_at", { at: localTime(record.accepted_at) })
    : record.status === "cancelled"
      ? t("cancelled_because", { reason: record.cancel_reason ?? "" })
      : t("record_pending");
  const fromPostman = record.from_user && record.status === "accepted" && app.session.user.role === "clerk";
  return h("div", { class: "screen record", id: "record-screen" },
    ...heading(record),
    h("p", { class: record.status === "cancelled" ? "error" : "ok", id: "record-status" }, status),
    h("ul", { class: "items record-lines", id: "record-lines" }, record.lines.map((line) => h("li", { "data-line": line.tracking_number },
      lineNumber(app, line.tracking_number), lineFacts(line),
      h("span", { class: `status outcome-${line.outcome}` }, line.complete === true ? t("complete")
        : line.complete === false ? `${t("incomplete")}: ${line.missing_documents}`
          : record.status === "cancelled" ? t("record_cancelled") : t(OUTCOME_WORDS[line.outcome] ?? line.outcome))))),
    fromPostman ? h("a", { class: "button primary", id: "take-cash", href: `#/cash/remit/${encodeURIComponent(record.from_user)}` }, t("take_cash_now")) : null,
    h("a", { class: "button secondary-blue", id: "print-record", href: `/handovers/${record.id}/record`, target: "_blank" }, t("print_record")),
    record.can_cancel ? cancelForm(app, record) : null);
}

//: Who reads an item's custody record (the server's page; an agency only its own items).
const CUSTODY_READERS = new Set(["agency", "supervisor", "admin"]);

// A line's number: a link to the item's custody record for those who may read it.
function lineNumber(app, number) {
  if (!CUSTODY_READERS.has(app.session.user.role)) return h("span", { class: "number" }, number);
  return h("a", { class: "number custody-link", href: `/items/${number}/custody`, title: t("custody_record") }, number);
}

function cancelForm(app, record) {
  const reason = h("input", { id: "cancel-reason", maxlength: "500", autocomplete: "off" });
  const error = h("p", { class: "error", role: "alert", id: "cancel-error" });
  return h("form", { class: "card cancel-form", id: "cancel-form", onsubmit: oneAtATime(async () => {
    error.textContent = "";
    if (reason.value.trim().length < 3) return (error.textContent = t("cancel_reason_required"));
    try {
      await call("POST", `/handovers/${record.id}/cancel`, { reason: reason.value.trim() });
    } catch (refusal) {
      if (!(refusal instanceof ApiError) || refusal.status === 0) throw refusal;
      return (error.textContent = refusal.message);
    }
    toast(t("record_cancelled_toast"));
    app.go(`#/handovers/${record.id}`, true);
  }) },
    h("h2", {}, t("cancel_record")), field(t("cancel_reason"), reason), error,
    h("button", { type: "submit", class: "danger", id: "cancel-record" }, t("cancel_record")));
}
