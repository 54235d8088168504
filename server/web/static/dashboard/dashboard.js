// The supervisors' dashboard: sign in (POST /api/v1/auth/login, CSRF token kept), then draw
// GET /api/v1/dashboard as cards, tables, two charts and a sketch map with its list.

import { ApiError, call, rememberCsrf } from "./api.js";
import { onTimeChart, volumeChart } from "./charts.js";
import { el, localClock, localTime, number, shortDay, table, useTimeZone } from "./dom.js";
import { pointList, sketchMaps } from "./sketch-map.js";
import { loadCorrections, openFlag, runVerification, showReport, useSession, wireDialog } from "./workspace.js";

const ALLOWED_ROLES = new Set(["supervisor", "admin"]);
const ROLE_LABELS = {
  admin: "quản trị", supervisor: "kiểm soát viên", clerk: "giao dịch viên", agency: "cán bộ một cửa", postman: "bưu tá",
};
const KIND_LABELS = { dossier: "Hồ sơ", result: "Kết quả" };
const REFRESH_EVERY_MS = 120_000;
const OVERDUE_PANEL_ROWS = 50;

const screen = {
  status: document.getElementById("status"),
  signIn: document.getElementById("sign-in"),
  form: document.getElementById("sign-in-form"),
  error: document.getElementById("sign-in-error"),
  board: document.getElementById("board"),
  who: document.getElementById("who"),
  whoName: document.getElementById("who-name"),
};
let signedIn = null;
let loading = false;

function say(message) {
  screen.status.textContent = message;
  screen.status.hidden = !message;
}

function showSignIn(message = "") {
  signedIn = null;
  screen.who.hidden = true;
  screen.board.hidden = true;
  screen.board.replaceChildren();
  document.getElementById("workspace").hidden = true;
  screen.signIn.hidden = false;
  screen.error.textContent = message;
  say("");
  document.getElementById("username").focus();
}

async function enter(session) {
  rememberCsrf(session.csrf_token);
  const user = session.user;
  if (!ALLOWED_ROLES.has(user.role)) {
    showSignIn(`Tài khoản “${user.username}” (${ROLE_LABELS[user.role] ?? user.role}) không được xem bảng điều khiển. Hãy đăng nhập bằng tài khoản kiểm soát viên.`);
    return;
  }
  signedIn = user;
  screen.signIn.hidden = true;
  screen.who.hidden = false;
  screen.whoName.textContent = `${user.full_name || user.username} (${ROLE_LABELS[user.role]}) · ${user.unit.name}`;
  useSession(user, (done) => {
    say(done);
    load(done);
    loadCorrections();
  });
  await load();
  document.getElementById("workspace").hidden = false;
  loadCorrections();
}

async function load(keepMessage = "") {
  if (!signedIn || loading) return;
  loading = true;
  say(screen.board.hidden ? "Đang tải bảng điều khiển…" : keepMessage);
  try {
    const data = await call("GET", "/dashboard");
    useTimeZone(data.timezone);
    // A refresh keeps what the reader opened and how far the flags were scrolled.
    const opened = new Set([...screen.board.querySelectorAll("figure[id] details[open]")].map((d) => d.closest("figure").id));
    const flagsScrolled = screen.board.querySelector(".flags-scroll")?.scrollTop ?? 0;
    screen.board.replaceChildren(...render(data));
    for (const id of opened) screen.board.querySelector(`#${id} details`)?.setAttribute("open", "");
    const flagsList = screen.board.querySelector(".flags-scroll");
    if (flagsList) flagsList.scrollTop = flagsScrolled;
    screen.board.hidden = false;
    say(keepMessage);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showSignIn("Phiên đăng nhập đã hết. Vui lòng đăng nhập lại.");
    else if (error instanceof ApiError && error.status === 403) showSignIn(error.message);
    else say(`Không tải được bảng điều khiển: ${error.message}`);
  } finally {
    loading = false;
  }
}

// --- sections ---------------------------------------------------------------------------

function section(id, title, ...content) {
  return el("section", { id, class: "panel", "aria-labelledby": `${id}-title` },
    el("h2", { id: `${id}-title`, text: title }), ...content);
}

function empty(text) {
  return el("p", { class: "empty", text });
}

// Each card opens the list of what it counts: the number on the card is the number of rows
// the list holds (the server builds both from one condition); a list the server cut says so.
const EVENT_CARDS = {
  "card-delivered": { card: "delivered", title: "Phát thành công hôm nay" },
  "card-failed": { card: "attempt_failed", title: "Phát không thành công hôm nay" },
  "card-collected": { card: "collected", title: "Nhận hồ sơ tại nhà hôm nay" },
  "card-counter": { card: "collected_at_counter", title: "Nhận hồ sơ tại quầy hôm nay" },
};
const DEADLINE_CARDS = {
  "card-overdue": { rows: "rows", count: "count", title: "Bưu gửi quá hạn" },
  "card-due-today": { rows: "due_today_rows", count: "due_today", title: "Đến hạn hôm nay" },
  "card-at-risk": { rows: "at_risk_rows", count: "at_risk", title: "Sắp đến hạn (ngày làm việc tới, chưa đi phát)" },
};
const PANEL_CARDS = { "card-flags": "flags", "card-waiting": "postmen" };

let cardDialog = null;

function openCardDialog(title, ...content) {
  if (!cardDialog) {
    const close = el("button", { type: "button", id: "card-dialog-close", class: "light", text: "Đóng" });
    cardDialog = el("dialog", { id: "card-dialog", "aria-labelledby": "card-dialog-title" },
      el("div", { class: "dialog-head" }, el("h2", { id: "card-dialog-title" }), close),
      el("div", { class: "dialog-body" }));
    close.addEventListener("click", () => cardDialog.close());
    document.body.append(cardDialog);
  }
  cardDialog.querySelector("#card-dialog-title").textContent = title;
  cardDialog.querySelector(".dialog-body").replaceChildren(...content.flat().filter(Boolean));
  if (!cardDialog.open) cardDialog.showModal();
}

function custodyLink(number) {
  return el("a", { class: "tn", href: `/items/${encodeURIComponent(number)}/custody`, text: number });
}

function shownOf(shown, total, which) {
  return shown < total
    ? el("p", { class: "note", text: `Hiển thị ${number(shown)} ${which} trên tổng số ${number(total)}.` })
    : null;
}

function eventList(data, id) {
  const { card, title } = EVENT_CARDS[id];
  const rows = data.today.events.filter((row) => row.card === card);
  const total = data.today[card];
  const body = rows.length
    ? el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": `Danh sách: ${title}` },
      table("card-list", ["Số hiệu bưu gửi", "Thời gian", "Người ghi nhận", "Nơi"], rows, (row) => [
        el("td", {}, custodyLink(row.tracking_number)),
        el("td", { text: localTime(row.at) }),
        el("td", { text: row.actor ?? "—" }),
        el("td", { text: `${row.at_counter ? "Tại quầy" : "Tại nhà người dân"}${row.unit ? ` · ${row.unit}` : ""}` }),
      ]))
    : empty("Chưa có sự kiện nào hôm nay.");
  openCardDialog(`${title} (${number(total)})`, shownOf(rows.length, total, "sự kiện mới nhất"), body);
}

function deadlineList(data, id, now) {
  const { rows: key, count, title } = DEADLINE_CARDS[id];
  const rows = data.overdue[key];
  const total = data.overdue[count];
  const body = rows.length
    ? el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": `Danh sách: ${title}` },
      table("card-list", ["Số hiệu bưu gửi", "Trạng thái", "Thời hạn", "Bưu cục · đang giữ"], rows, (item) => [
        el("td", {}, custodyLink(item.tracking_number), el("span", { class: "sub", text: KIND_LABELS[item.kind] ?? item.kind })),
        el("td", { text: item.status_label }),
        el("td", {}, el("span", { text: localTime(item.due_at) }),
          key === "rows" ? el("span", { class: "sub late", text: overdueFor(item.due_at, now) }) : null),
        el("td", {}, el("span", { text: item.post_office ?? "—" }),
          item.holder && item.holder !== item.post_office ? el("span", { class: "sub", text: `đang giữ: ${item.holder}` }) : null),
      ]))
    : empty("Không có bưu gửi nào.");
  openCardDialog(`${title} (${number(total)})`, shownOf(rows.length, total, "bưu gửi có thời hạn sớm nhất"), body);
}

function openCard(data, id) {
  if (id in EVENT_CARDS) return eventList(data, id);
  if (id in DEADLINE_CARDS) return deadlineList(data, id, data.generated_at);
  const panel = document.getElementById(PANEL_CARDS[id]);
  panel?.scrollIntoView({ block: "start" });
  panel?.querySelector("h2")?.setAttribute("tabindex", "-1");
  panel?.querySelector("h2")?.focus();
}

function card(data, id, label, value, note, tone = "") {
  return el("button", { type: "button", class: `card ${tone}`, id, "aria-haspopup": id in PANEL_CARDS ? null : "dialog",
    onclick: () => openCard(data, id) },
  el("span", { class: "card-value", text: number(value) }),
  el("span", { class: "card-label", text: label }),
  note ? el("span", { class: "card-note", text: note }) : null);
}

function cards(data) {
  const { flags, overdue, today } = data;
  return el("section", { id: "cards", class: "cards", "aria-label": "Số liệu chính (bấm để xem danh sách)" },
    card(data, "card-flags", "Cảnh báo cần xem", flags.open_count, `${number(flags.raised_today)} cảnh báo mới hôm nay`, flags.open_count ? "alert" : ""),
    card(data, "card-overdue", "Bưu gửi quá hạn", overdue.count, "chưa phát, chưa nộp hồ sơ", overdue.count ? "alert" : ""),
    card(data, "card-due-today", "Đến hạn hôm nay", overdue.due_today, "hạn phát trước 24:00", overdue.due_today ? "warn" : ""),
    card(data, "card-at-risk", "Sắp đến hạn", overdue.at_risk, "hạn ngày làm việc tới, chưa đi phát", overdue.at_risk ? "warn" : ""),
    card(data, "card-delivered", "Phát thành công hôm nay", today.delivered, "tại nhà và tại quầy", "good"),
    card(data, "card-failed", "Phát không thành công hôm nay", today.attempt_failed, null),
    card(data, "card-collected", "Nhận hồ sơ tại nhà hôm nay", today.collected, null),
    card(data, "card-counter", "Nhận hồ sơ tại quầy hôm nay", today.collected_at_counter, null),
    card(data, "card-waiting", "Đang phát", today.waiting, "bưu tá đang mang đi phát"));
}

function flagsPanel(flags) {
  const content = [];
  if (flags.by_code.length) {
    content.push(el("ul", { class: "flag-codes", "aria-label": "Số cảnh báo theo loại" },
      flags.by_code.map((c) => el("li", { "data-code": c.code }, el("span", { class: "count", text: number(c.count) }), c.label))));
  }
  if (!flags.rows.length) {
    content.push(empty("Không có cảnh báo nào đang mở."));
  } else {
    if (flags.rows.length < flags.open_count) {
      content.push(el("p", { class: "note", text: `Hiển thị ${number(flags.rows.length)} cảnh báo mới nhất trên tổng số ${number(flags.open_count)}.` }));
    }
    content.push(el("div", { class: "table-wrap flags-scroll", tabindex: "0", "aria-label": "Danh sách cảnh báo" }, table("flags", ["Cảnh báo", "Số hiệu bưu gửi", "Thời gian", "Bưu tá", "Chi tiết", "Xử lý"], flags.rows, (flag) => [
      el("td", { class: "flag-label", "data-code": flag.code, text: flag.label }),
      el("td", { class: "tn", text: flag.tracking_number }),
      el("td", { text: localTime(flag.occurred_at ?? flag.raised_at) }),
      el("td", { text: flag.postman ?? "—" }),
      el("td", { class: "details", text: flag.summary || "—" }),
      el("td", {}, el("button", { type: "button", class: "open-flag", "data-flag": flag.id,
        "aria-label": `Xem bằng chứng ${flag.label} ${flag.tracking_number}`, text: "Xem", onclick: () => openFlag(flag.id) })),
    ])));
  }
  return section("flags", `Cảnh báo cần xem (${number(flags.open_count)})`, ...content);
}

function postmenPanel(postmen) {
  if (!postmen.length) return section("postmen", "Bưu tá hôm nay", empty("Đơn vị không có bưu tá."));
  const columns = ["held", "waiting", "delivered_today", "failed_today", "collected_today"];
  const totals = Object.fromEntries(columns.map((c) => [c, postmen.reduce((sum, p) => sum + p[c], 0)]));
  const headings = ["Bưu tá", "Đang giữ", "Đang phát", "Phát thành công", "Phát không thành công", "Nhận hồ sơ"]
    .map((text, i) => ({ text, class: i ? "n" : "" }));
  const grid = table("postmen", headings, postmen, (p) => [
    el("td", {}, el("span", { class: "name", text: p.full_name }), el("span", { class: "sub", text: p.unit })),
    ...columns.map((c) => el("td", { class: `n${p[c] ? "" : " zero"}`, text: number(p[c]) })),
  ]);
  grid.append(el("tfoot", {}, el("tr", {}, el("th", { scope: "row", text: `Cộng (${postmen.length} bưu tá)` }),
    columns.map((c) => el("td", { class: "n", text: number(totals[c]) })))));
  return section("postmen", "Bưu tá hôm nay", el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Bảng số liệu (cuộn ngang được)" }, grid));
}

function overdueFor(dueAt, now) {
  const hours = Math.floor((new Date(now) - new Date(dueAt)) / 3_600_000);
  return hours < 24 ? `quá ${Math.max(hours, 1)} giờ` : `quá ${Math.floor(hours / 24)} ngày`;
}

function overduePanel(overdue, now) {
  const summary = el("p", { class: "note" },
    `Đến hạn hôm nay: ${number(overdue.due_today)} · Sắp đến hạn (ngày làm việc tới, chưa đi phát): ${number(overdue.at_risk)}`);
  if (!overdue.rows.length) return section("overdue", "Bưu gửi quá hạn (0)", summary, empty("Không có bưu gửi nào quá hạn."));
  const shown = overdue.rows.slice(0, OVERDUE_PANEL_ROWS);
  const more = shown.length < overdue.count
    ? el("p", { class: "note", text: `Hiển thị ${number(shown.length)} bưu gửi quá hạn lâu nhất trên tổng số ${number(overdue.count)}; bấm thẻ “Bưu gửi quá hạn” để xem cả danh sách.` })
    : null;
  const grid = table("overdue", ["Số hiệu bưu gửi", "Trạng thái", "Thời hạn", "Bưu cục · đang giữ"], shown, (item) => [
    el("td", {}, custodyLink(item.tracking_number), el("span", { class: "sub", text: KIND_LABELS[item.kind] ?? item.kind })),
    el("td", { text: item.status_label }),
    el("td", {}, el("span", { text: localTime(item.due_at) }), el("span", { class: "sub late", text: overdueFor(item.due_at, now) })),
    el("td", {}, el("span", { text: item.post_office ?? "—" }),
      item.holder && item.holder !== item.post_office ? el("span", { class: "sub", text: `đang giữ: ${item.holder}` }) : null),
  ]);
  return section("overdue", `Bưu gửi quá hạn (${number(overdue.count)})`, summary, more, el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Bảng số liệu (cuộn ngang được)" }, grid));
}

function mapPanel(map, flags) {
  const flagLabels = Object.fromEntries(flags.by_code.map((c) => [c.code, c.label]));
  return section("map", "Vị trí phát hôm nay và cảnh báo",
    el("p", { class: "note", text: "Sơ đồ theo toạ độ GPS, không có bản đồ nền (mạng không tải được ô bản đồ). Số trên sơ đồ là số thứ tự trong danh sách." }),
    sketchMaps(map, flagLabels),
    el("h3", { text: "Danh sách các điểm" }),
    pointList(map, flagLabels));
}

function render(data) {
  return [
    el("div", { class: "heading" },
      el("h1", { text: "Bảng điều khiển kiểm soát" }),
      el("p", { class: "scope", text: `${data.scope.name} · Hôm nay ${shortDay(data.day, true)} · Cập nhật lúc ${localClock(data.generated_at)}` })),
    cards(data),
    el("div", { class: "panels" },
      flagsPanel(data.flags),
      postmenPanel(data.postmen),
      overduePanel(data.overdue, data.generated_at),
      section("volumes", "Sản lượng 30 ngày", volumeChart(data.daily)),
      section("on-time", "Tỷ lệ đúng hạn 30 ngày", onTimeChart(data.daily)),
      mapPanel(data.map, data.flags)),
  ];
}

// --- wiring -----------------------------------------------------------------------------

screen.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = screen.form.querySelector("button[type=submit]");
  button.disabled = true;
  screen.error.textContent = "";
  try {
    const session = await call("POST", "/auth/login", {
      username: screen.form.username.value.trim(), password: screen.form.password.value,
    });
    screen.form.password.value = "";
    await enter(session);
  } catch (error) {
    screen.error.textContent = error.status === 401 ? "Sai tên đăng nhập hoặc mật khẩu." : error.message;
  } finally {
    button.disabled = false;
  }
});

document.getElementById("refresh").addEventListener("click", () => load());
document.getElementById("verify-start").addEventListener("click", () => runVerification());
document.getElementById("report-form").addEventListener("submit", showReport);
wireDialog();
document.getElementById("sign-out").addEventListener("click", async () => {
  try {
    await call("POST", "/auth/logout");
  } catch {
    // Signed out already, or offline: the form comes back either way.
  }
  showSignIn();
});
setInterval(() => {
  if (document.visibilityState === "visible") load();
}, REFRESH_EVERY_MS);

async function start() {
  try {
    await enter(await call("GET", "/auth/me"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showSignIn();
    else say(`Không kết nối được máy chủ: ${error.message}`);
  }
}

start();
