// The supervisor's actions beside the dashboard: a flag opened with its proof of delivery and
// resolved with a note; a correction proposed and countersigned by another supervisor; the
// custody verification run as a background job; the TT17 Art.13 report as tables and files.

import { ApiError, call } from "./api.js";
import { el, localTime, number, svg } from "./dom.js";

const IMAGE_LABELS = {
  signature_sha256: "Chữ ký người nhận",
  photo_sha256: "Ảnh chụp khi giao",
  authorization_sha256: "Giấy ủy quyền",
  postman_signature_sha256: "Chữ ký bưu tá",
};
const RELATIONS = { self: "chính chủ", proxy: "người nhận thay" };
const HANDOVER_EVENTS = new Set(["handed_over", "at_post", "in_transit", "filed", "supplement_requested"]);
const CORRECTABLE = {
  cash_collected_vnd: "Số tiền đã thu (đồng)",
  "recipient.id_last4": "4 số cuối giấy tờ",
  note: "Ghi chú khác",
};
const POLL_MS = 1000;

let me = null;
let afterChange = () => {};

export function useSession(user, onChange) {
  me = user;
  afterChange = onChange;
}

function message(error) {
  return error instanceof ApiError ? error.message : String(error);
}

// --- a flag and its proof -------------------------------------------------------------------

const dialog = () => document.getElementById("flag-dialog");

/** The position of the event against the address: an inline sketch, north up, in metres. */
export function positionSketch(proof) {
  if (!proof.position || !proof.address_position) {
    return el("p", { class: "empty", text: "Không có toạ độ của sự kiện hoặc của địa chỉ để so sánh." });
  }
  const width = 320, height = 200, pad = 36;
  const metresPerLat = 111_320;
  const metresPerLon = metresPerLat * Math.cos((proof.address_position.lat * Math.PI) / 180);
  const dx = (proof.position.lon - proof.address_position.lon) * metresPerLon;
  const dy = (proof.position.lat - proof.address_position.lat) * metresPerLat;
  const span = Math.max(Math.abs(dx), Math.abs(dy), 50);
  const scale = Math.min(width / 2 - pad, height / 2 - pad) / span;
  const home = { x: width / 2 - (dx * scale) / 2, y: height / 2 + (dy * scale) / 2 };
  const event = { x: home.x + dx * scale, y: home.y - dy * scale };
  const distance = `${number(Math.round(proof.distance_m))} m`;
  return el("figure", { class: "proof-map" },
    svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "sketch-map", role: "img",
      "aria-label": `Vị trí sự kiện cách địa chỉ ${distance}` },
      svg("rect", { class: "map-ground", x: 0, y: 0, width, height }),
      svg("line", { class: "proof-line", x1: home.x, y1: home.y, x2: event.x, y2: event.y }),
      svg("rect", { class: "proof-home", x: home.x - 7, y: home.y - 7, width: 14, height: 14 }),
      svg("circle", { class: "proof-event", cx: event.x, cy: event.y, r: 8 }),
      svg("text", { class: "map-label", x: (home.x + event.x) / 2 + 8, y: (home.y + event.y) / 2 - 6, text: distance }),
      svg("text", { class: "map-label", x: 8, y: height - 10, text: "■ địa chỉ   ● nơi ghi sự kiện   ↑ Bắc" })),
    el("figcaption", { text: `Khoảng cách từ nơi ghi sự kiện tới địa chỉ: ${distance}${proof.accuracy_m ? ` (GPS ±${number(Math.round(proof.accuracy_m))} m)` : ""}` }));
}

function proofSection(proof) {
  if (!proof) return el("p", { class: "empty", text: "Cảnh báo này không gắn với một sự kiện cụ thể." });
  const facts = [
    ["Sự kiện", proof.event_label],
    ["Thời điểm", localTime(proof.occurred_at)],
    ["Người thực hiện", proof.actor ?? "—"],
    ["Giấy tờ đã kiểm tra", proof.id_type_label ? `${proof.id_type_label} · 4 số cuối ${proof.id_last4 ?? "—"}` : "—"],
    ["Người nhận", RELATIONS[proof.recipient_relation] ?? "—"],
    ["Tiền đã thu", proof.cash_collected_vnd === null ? "—" : `${number(proof.cash_collected_vnd)} đ`],
  ];
  const images = Object.entries(proof.images);
  // On a handover's events the signature is the receiver's (an officer, a clerk, a postman).
  const imageLabel = (field) => (field === "signature_sha256" && HANDOVER_EVENTS.has(proof.event_type)
    ? "Chữ ký bên nhận" : IMAGE_LABELS[field] ?? field);
  return [
    el("table", { class: "facts" }, el("tbody", {}, facts.map(([k, v]) => el("tr", {}, el("th", { scope: "row", text: k }), el("td", { text: v }))))),
    el("h3", { text: "Ảnh làm bằng chứng" }),
    images.length
      ? el("div", { class: "proof-images" }, images.map(([field, sha]) => el("figure", {},
        el("img", { src: `/api/v1/media/${sha}`, alt: imageLabel(field), class: "proof-image", "data-field": field }),
        el("figcaption", { text: imageLabel(field) }))))
      : el("p", { class: "empty", text: "Sự kiện này không có ảnh." }),
    el("h3", { text: "Vị trí so với địa chỉ" }),
    positionSketch(proof),
  ];
}

function resolveForm(flag) {
  const status = el("p", { class: "error", role: "alert" });
  const note = el("textarea", { id: "resolve-note", name: "note", rows: 3, required: true, maxlength: 1000 });
  const form = el("form", { id: "resolve-form", class: "act" },
    el("label", { for: "resolve-note", text: "Ghi chú xử lý (đã kiểm tra gì, kết luận ra sao)" }), note, status,
    el("button", { type: "submit", text: "Đánh dấu đã xử lý" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await call("POST", `/audit/flags/${flag.id}/resolve`, { note: note.value.trim() });
      dialog().close();
      afterChange(`Đã xử lý cảnh báo ${flag.label.toLowerCase()} của bưu gửi ${flag.tracking_number}.`);
    } catch (error) {
      status.textContent = message(error);
    }
  });
  return form;
}

function correctionForm(flag) {
  const status = el("p", { class: "error", role: "alert" });
  const field = el("select", { id: "correction-field", name: "field" },
    Object.entries(CORRECTABLE).map(([value, text]) => el("option", { value, text })));
  const value = el("input", { id: "correction-value", name: "value", required: true, maxlength: 200 });
  const reason = el("textarea", { id: "correction-reason", name: "reason", rows: 2, required: true, maxlength: 1000 });
  const form = el("form", { id: "correction-form", class: "act" },
    el("p", { class: "note", text: "Điều chỉnh không sửa sự kiện cũ: khi một kiểm soát viên khác ký duyệt, hệ thống ghi thêm một sự kiện “điều chỉnh”." }),
    el("label", { for: "correction-field", text: "Trường cần điều chỉnh" }), field,
    el("label", { for: "correction-value", text: "Giá trị đúng" }), value,
    el("label", { for: "correction-reason", text: "Lý do" }), reason, status,
    el("button", { type: "submit", text: "Đề nghị điều chỉnh" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const raw = value.value.trim();
    const parsed = field.value === "cash_collected_vnd" ? Number(raw.replace(/[.\s]/g, "")) : raw;
    if (field.value === "cash_collected_vnd" && !Number.isInteger(parsed)) {
      status.textContent = "Số tiền phải là số nguyên (đồng).";
      return;
    }
    const correction = field.value === "recipient.id_last4" ? { recipient: { id_last4: parsed } } : { [field.value]: parsed };
    try {
      await call("POST", "/audit/corrections", { event_id: flag.event_id, reason: reason.value.trim(), correction });
      dialog().close();
      afterChange(`Đã gửi đề nghị điều chỉnh bưu gửi ${flag.tracking_number}; chờ một kiểm soát viên khác ký duyệt.`);
    } catch (error) {
      status.textContent = message(error);
    }
  });
  return form;
}

/** Open one flag in the dialog: its proof, then the two ways to act on it. */
export async function openFlag(flagId) {
  const box = dialog();
  const body = box.querySelector(".dialog-body");
  body.replaceChildren(el("p", { class: "status", text: "Đang tải bằng chứng…" }));
  if (!box.open) box.showModal();
  try {
    const flag = await call("GET", `/audit/flags/${flagId}`);
    document.getElementById("flag-dialog-title").textContent = `${flag.label} · ${flag.tracking_number}`;
    // replaceChildren takes nodes only: the sections' arrays are flattened first.
    body.replaceChildren(...[
      el("p", { class: "note", text: flag.summary || "—" }),
      el("p", {}, el("a", { class: "custody-link", href: `/items/${encodeURIComponent(flag.tracking_number)}/custody`,
        text: `Mở hồ sơ lưu vết của bưu gửi ${flag.tracking_number} (toàn bộ diễn biến)` })),
      proofSection(flag.proof),
      flag.status === "open" ? [el("h3", { text: "Xử lý cảnh báo" }), resolveForm(flag)]
        : el("p", { class: "note", text: `Đã xử lý bởi ${flag.resolved_by}: ${flag.resolution_note}` }),
      flag.event_id ? [el("h3", { text: "Đề nghị điều chỉnh sự kiện" }), correctionForm(flag)] : null,
    ].flat(Infinity).filter(Boolean));
  } catch (error) {
    body.replaceChildren(el("p", { class: "error", role: "alert", text: message(error) }));
  }
}

export function wireDialog() {
  document.getElementById("flag-dialog-close").addEventListener("click", () => dialog().close());
}

// --- corrections waiting for a second signature --------------------------------------------

function describe(correction) {
  return Object.entries(correction).map(([key, value]) => `${CORRECTABLE[key] ?? key}: ${typeof value === "object" ? JSON.stringify(value) : value}`).join("; ");
}

export async function loadCorrections() {
  const list = document.getElementById("corrections-list");
  try {
    const { corrections } = await call("GET", "/audit/corrections?status=pending");
    if (!corrections.length) {
      list.replaceChildren(el("p", { class: "empty", text: "Không có đề nghị điều chỉnh nào chờ ký duyệt." }));
      return;
    }
    list.replaceChildren(el("ul", { class: "corrections" }, corrections.map((c) => el("li", { "data-id": c.id },
      el("p", {}, el("strong", { class: "tn", text: c.tracking_number }), ` · ${describe(c.correction)}`),
      el("p", { class: "sub", text: `Lý do: ${c.reason} · Đề nghị bởi ${c.requested_by} lúc ${localTime(c.requested_at)}` }),
      c.requested_by === me?.username
        ? el("p", { class: "sub", text: "Chờ một kiểm soát viên khác ký duyệt (bạn không tự ký duyệt đề nghị của mình)." })
        : el("button", { type: "button", class: "countersign", text: "Ký duyệt điều chỉnh", onclick: () => countersign(c) })))));
  } catch (error) {
    list.replaceChildren(el("p", { class: "error", role: "alert", text: message(error) }));
  }
}

async function countersign(correction) {
  const status = document.getElementById("corrections-status");
  try {
    await call("POST", `/audit/corrections/${correction.id}/countersign`, {});
    status.textContent = `Đã ký duyệt điều chỉnh bưu gửi ${correction.tracking_number}: đã ghi thêm sự kiện điều chỉnh.`;
    await loadCorrections();
  } catch (error) {
    status.textContent = message(error);
  }
}

// --- custody verification as a background job ------------------------------------------------

function showJob(job) {
  const progress = document.getElementById("verify-progress");
  const text = document.getElementById("verify-text");
  const total = Math.max(job.items_total, 1);
  progress.max = total;
  progress.value = job.status === "running" ? job.items_checked : total;
  progress.hidden = false;
  const counted = `${number(job.items_checked)}/${number(job.items_total)} bưu gửi, ${number(job.events_checked)} sự kiện, ${number(job.media_checked)} ảnh`;
  text.textContent = job.status === "running" ? `Đang kiểm tra ${job.scope}: ${counted}…` : `${job.scope}: ${counted}. ${job.message}`;
  text.className = job.status === "done" && job.ok ? "verify-ok" : job.status === "running" ? "" : "verify-broken";
}

export async function runVerification() {
  const button = document.getElementById("verify-start");
  button.disabled = true;
  try {
    let job = await call("POST", "/audit/verify");
    showJob(job);
    while (job.status === "running") {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      job = await call("GET", `/audit/verify/${job.id}`);
      showJob(job);
    }
  } catch (error) {
    document.getElementById("verify-text").textContent = message(error);
  } finally {
    button.disabled = false;
  }
}

// --- TT17 Art.13 report ------------------------------------------------------------------------

function reportQuery() {
  const form = document.getElementById("report-form");
  const params = new URLSearchParams({ period: form.period.value });
  if (form.start.value) params.set("start", form.start.value);
  return params.toString();
}

function figureTable(caption, rows) {
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Bảng số liệu (cuộn ngang được)" }, el("table", { class: "report" },
    el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Chỉ tiêu" }), el("th", { scope: "col", class: "n", text: "Số lượng" }))),
    el("tbody", {}, rows.map(([label, value]) => el("tr", {}, el("th", { scope: "row", text: label }), el("td", { class: "n", text: value }))))));
}

function reportTables(r) {
  const d = r.items.dossiers, res = r.items.results;
  const rate = (o) => (o.rate === null ? "—" : `${Math.round(o.rate * 1000) / 10}%`);
  const byField = el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Bảng số liệu (cuộn ngang được)" }, el("table", { class: "report" },
    el("caption", { text: "Theo lĩnh vực" }),
    el("thead", {}, el("tr", {}, ["Lĩnh vực", "Hồ sơ nhận", "Hồ sơ đã nộp", "Kết quả tiếp nhận", "Kết quả đã phát", "Chuyển hoàn"].map((h, i) => el("th", { scope: "col", class: i ? "n" : "", text: h })))),
    el("tbody", {}, r.by_field.map((f) => el("tr", {}, el("th", { scope: "row", text: f.label }),
      [f.dossiers.accepted, f.dossiers.filed, f.results.registered, f.results.delivered, f.results.returned].map((v) => el("td", { class: "n", text: number(v) }))))),
    el("tfoot", {}, el("tr", {}, el("th", { scope: "row", text: "Tổng cộng" }),
      [d.accepted, d.filed, res.registered, res.delivered, res.returned].map((v) => el("td", { class: "n", text: number(v) }))))));
  return [
    el("p", { class: "scope", text: `${r.unit.name} · ${r.period.label}` }),
    figureTable("Sản lượng", [["Hồ sơ đã nhận", number(d.accepted)], ["Hồ sơ đã nộp cho cơ quan", number(d.filed)],
      ["Kết quả đã tiếp nhận", number(res.registered)], ["Kết quả đã phát", number(res.delivered)], ["Kết quả chuyển hoàn", number(res.returned)]]),
    byField,
    figureTable("Đúng hạn (TT17 Điều 7)", [["Tổng số hoàn thành", number(r.on_time.all.total)], ["Đúng hạn", number(r.on_time.all.on_time)],
      ["Trễ hạn", number(r.on_time.all.late)], ["Tỷ lệ đúng hạn", rate(r.on_time.all)]]),
    figureTable("Phát không thành công và tiền thu", [["Số lần phát không thành công", number(r.failures.attempts)],
      ["Tiền đã thu (đồng)", number(r.cash.collected_vnd)], ["Tiền phải thu (đồng)", number(r.cash.due_vnd)]]),
  ];
}

export async function showReport(event) {
  event?.preventDefault();
  const out = document.getElementById("report-out");
  const query = reportQuery();
  document.getElementById("report-xlsx").href = `/api/v1/reports/summary.xlsx?${query}`;
  document.getElementById("report-csv").href = `/api/v1/reports/summary.csv?${query}`;
  out.replaceChildren(el("p", { class: "status", text: "Đang lập báo cáo…" }));
  try {
    out.replaceChildren(...reportTables(await call("GET", `/reports/summary?${query}`)));
  } catch (error) {
    out.replaceChildren(el("p", { class: "error", role: "alert", text: message(error) }));
  }
}
