// The agency officer's desk (cán bộ một cửa): register results for delivery one by one, or
// many at once from a CSV file. A refused file lists each bad line; nothing of it is imported.
import { ApiError, call, request } from "../api.js";
import { t } from "../i18n.js";
import { field, h, oneAtATime, toast } from "../ui.js";
import { recordItem } from "./handovers.js";

//: The columns of the CSV template, in the order the template lists them.
export const CSV_COLUMNS = [
  "dossier_code", "procedure_code", "citizen_name", "citizen_phone", "id_type", "id_number",
  "province", "commune", "address_line", "document_name", "postage_vnd", "official_fee_vnd",
  "with_appointment_slip", "post_office_unit",
];

export async function agencyHomeScreen(app) {
  const unit = app.session.user.unit.code;
  const { procedures } = await call("GET", "/procedures").catch(() => ({ procedures: [] }));
  const ours = procedures.filter((p) => p.agency_unit === unit && p.postal_eligible);
  const { handovers } = await call("GET", "/handovers").catch(() => ({ handovers: [] }));
  return h("div", { class: "screen agency", id: "agency-screen" },
    h("h1", {}, t("agency_results")),
    csvSection(),
    singleResultSection(ours),
    handoverRecords(handovers));
}

// The handover records of the desk, by name: those to sign open the count (scan, mark
// incomplete, sign); the others show their outcome and the printable page.
function handoverRecords(handovers) {
  return h("section", { class: "card", id: "handover-records" },
    h("h2", {}, t("handover_records")),
    h("a", { class: "button primary", href: "#/handovers/new", id: "go-handover-new" }, t("handover_new")),
    handovers.length === 0 ? h("p", { class: "empty" }, t("no_handovers")) :
      h("ul", { class: "items" }, handovers.slice(0, 20).map((record) => {
        const item = recordItem(record);
        if (record.can_accept) item.querySelector("a").classList.add("to-sign");
        return item;
      })));
}

// The template of the import: the header and one example line the officer overwrites.
function csvTemplateLink() {
  const example = ["000.00.04.H51-260105-0001", "CA-CCCD-DOI", "Nguyễn Văn Mẫu", "0912345678", "", "",
    "Ninh Bình", "Phường Hoa Lư", "Số 1 đường Ví Dụ", "Thẻ căn cước", "0", "0", "", ""];
  const text = `\ufeff${CSV_COLUMNS.join(",")}\r\n${example.join(",")}\r\n`;
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  return h("a", { class: "button secondary-blue", href: url, download: "mau-nhap-ket-qua.csv", id: "csv-template" }, t("csv_template"));
}

function csvSection() {
  const input = h("input", { type: "file", id: "csv-file", accept: ".csv,text/csv" });
  const outcome = h("div", { id: "csv-outcome", "aria-live": "polite" });
  const form = h("form", { class: "card", id: "csv-form", onsubmit: oneAtATime(async () => {
    outcome.replaceChildren();
    const file = input.files?.[0];
    if (!file) return outcome.append(h("p", { class: "error" }, t("csv_choose_file")));
    try {
      const answer = await request("POST", "/results/import",
        { body: await file.arrayBuffer(), contentType: "text/csv" });
      outcome.append(importedList(answer));
      toast(t("csv_imported", { n: answer.imported }));
      input.value = "";
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 0) throw error;
      outcome.append(refusal(error));
    }
  }) },
    h("h2", {}, t("csv_upload")),
    h("p", { class: "hint" }, t("csv_help")),
    h("p", { class: "hint mono" }, CSV_COLUMNS.join(",")),
    csvTemplateLink(),
    field(t("csv_file"), input),
    h("button", { type: "submit", class: "primary", id: "csv-submit" }, t("csv_import")),
    outcome);
  return form;
}

// A refused file: the server's message, then one row per bad line (line number and reason).
function refusal(error) {
  const lines = error.details?.errors ?? [];
  const where = error.details?.line ? ` (${t("csv_line")} ${error.details.line})` : "";
  return h("div", { class: "refusal", id: "csv-refusal", role: "alert" },
    h("p", { class: "error" }, `${error.message}${lines.length ? "" : where}`),
    lines.length ? h("table", { class: "line-errors", id: "csv-errors" },
      h("thead", {}, h("tr", {}, h("th", {}, t("csv_line")), h("th", {}, t("csv_reason")))),
      h("tbody", {}, lines.map((line) => h("tr", {},
        h("td", { class: "line-number" }, String(line.line)), h("td", {}, line.message))))) : null);
}

function importedList(answer) {
  return h("div", { class: "imported", id: "csv-imported" },
    h("p", { class: "ok" }, t("csv_imported", { n: answer.imported })),
    h("ul", { class: "items" }, answer.results.map((result) => h("li", {},
      h("span", { class: "number" }, result.tracking_number),
      h("span", {}, result.dossier_code ?? ""),
      result.linked_dossier ? h("span", { class: "hint" }, t("linked_dossier", { tn: result.linked_dossier })) : null))));
}

function singleResultSection(procedures) {
  const inputs = {
    dossier_code: h("input", { id: "r-dossier-code", required: true, placeholder: "000.00.04.H51-260105-0001" }),
    procedure_code: h("select", { id: "r-procedure", required: true },
      procedures.map((p) => h("option", { value: p.code }, `${p.name} (${p.code})`))),
    name: h("input", { id: "r-name", required: true, autocomplete: "off" }),
    phone: h("input", { id: "r-phone", required: true, inputmode: "tel", autocomplete: "off" }),
    id_number: h("input", { id: "r-id-number", inputmode: "numeric", autocomplete: "off" }),
    province: h("input", { id: "r-province", required: true }),
    commune: h("input", { id: "r-commune", required: true }),
    line: h("input", { id: "r-line", required: true }),
    slip: h("input", { id: "r-slip", type: "checkbox" }),
  };
  const outcome = h("div", { id: "single-outcome", "aria-live": "polite" });
  const form = h("form", { class: "card", id: "single-form", onsubmit: oneAtATime(async () => {
    outcome.replaceChildren();
    const citizen = { name: inputs.name.value, phone: inputs.phone.value,
      address: { province: inputs.province.value, commune: inputs.commune.value, line: inputs.line.value } };
    if (inputs.id_number.value.trim()) citizen.id_number = inputs.id_number.value;
    try {
      const item = await call("POST", "/items", { kind: "result", dossier_code: inputs.dossier_code.value,
        procedure_code: inputs.procedure_code.value, citizen, with_appointment_slip: inputs.slip.checked });
      outcome.append(h("p", { class: "ok", id: "single-registered" },
        t("result_registered", { tn: item.tracking_number })),
        h("a", { class: "button secondary", href: `/api/v1/items/${item.tracking_number}/label.svg`, target: "_blank" }, t("print_label")));
      form.reset();
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 0) throw error;
      const fields = error.details?.fields?.map((f) => `${f.field}: ${f.message}`) ?? [];
      outcome.append(h("p", { class: "error", role: "alert" }, [error.message, ...fields].join(" · ")));
    }
  }) },
    h("h2", {}, t("register_one")),
    field(t("dossier_code"), inputs.dossier_code),
    field(t("procedure"), inputs.procedure_code),
    field(t("name"), inputs.name),
    field(t("phone"), inputs.phone),
    field(t("id_number_optional"), inputs.id_number),
    field(t("province"), inputs.province),
    field(t("commune"), inputs.commune),
    field(t("address_line"), inputs.line),
    h("label", { class: "check" }, inputs.slip, ` ${t("with_appointment_slip")}`),
    h("button", { type: "submit", class: "primary", id: "single-submit" }, t("register_result")),
    outcome);
  return form;
}
