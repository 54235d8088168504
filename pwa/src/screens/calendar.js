// The working calendar (issue 16): a month of working days and days off with their reasons,
// and for the administrator the form that records the State's decision about a day.
// Needs the network: the calendar is the server's, and deadlines are computed there.
import { call } from "../api.js";
import { t } from "../i18n.js";
import { field, h, oneAtATime, toast } from "../ui.js";

const pad = (n) => String(n).padStart(2, "0");
const isoDay = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

function monthOf(text) {
  const now = new Date();
  const [year, month] = (text ?? "").split("-").map(Number);
  return year && month >= 1 && month <= 12 ? new Date(year, month - 1, 1) : new Date(now.getFullYear(), now.getMonth(), 1);
}

const monthKey = (first) => `${first.getFullYear()}-${pad(first.getMonth() + 1)}`;
const shortDate = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

export async function calendarScreen(app, month = "") {
  const first = monthOf(month);
  const last = new Date(first.getFullYear(), first.getMonth() + 1, 0);
  let days;
  try {
    ({ days } = await call("GET", `/calendar?from=${isoDay(first)}&to=${isoDay(last)}`));
  } catch (error) {
    return h("div", { class: "screen" }, h("h1", {}, t("calendar")), h("p", { class: "error", role: "alert" }, error.message));
  }
  const previous = new Date(first.getFullYear(), first.getMonth() - 1, 1);
  const next = new Date(first.getFullYear(), first.getMonth() + 1, 1);
  const title = t("calendar_month", { month: first.getMonth() + 1, year: first.getFullYear() });
  return h("div", { class: "screen calendar", id: "calendar-screen" },
    h("h1", {}, t("calendar")),
    h("nav", { class: "calendar-nav", "aria-label": t("calendar_months") },
      h("a", { href: `#/calendar/${monthKey(previous)}`, class: "button-link", id: "calendar-previous" }, `‹ ${t("calendar_previous")}`),
      h("h2", { id: "calendar-title" }, title),
      h("a", { href: `#/calendar/${monthKey(next)}`, class: "button-link", id: "calendar-next" }, `${t("calendar_next")} ›`)),
    monthGrid(first, days, title),
    specialDays(days),
    app.session.user.role === "admin" ? decisionForm(app, first) : null);
}

// The month as a table, Monday first; a day off is marked by its class and by words.
function monthGrid(first, days, title) {
  const leading = (first.getDay() + 6) % 7;
  const cells = [...Array(leading).fill(null), ...days];
  const rows = [];
  for (let i = 0; i < cells.length; i += 7) rows.push(cells.slice(i, i + 7));
  return h("table", { class: "month", id: "calendar-month" },
    h("caption", { class: "visually-hidden" }, title),
    h("thead", {}, h("tr", {}, t("calendar_weekdays").split(",").map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((day) => day ? dayCell(day) : h("td", {}))))));
}

function dayCell(day) {
  const weekend = [0, 6].includes(new Date(`${day.date}T12:00:00`).getDay());
  const kind = day.working ? (weekend ? "worked-weekend" : "working") : (weekend && !day.legal_basis && !isHoliday(day) ? "weekend" : "day-off");
  const mark = kind === "day-off" ? t("calendar_off") : kind === "worked-weekend" ? t("calendar_worked") : "";
  return h("td", { class: `day ${kind}`, "data-date": day.date, title: day.reason ?? "" },
    h("span", { class: "day-number" }, String(Number(day.date.slice(8)))),
    mark ? h("span", { class: "day-mark" }, mark) : null);
}

const isHoliday = (day) => !day.working && day.reason && !/^(Thứ Bảy|Chủ nhật)$/.test(day.reason);

// Holidays, swaps and worked weekends of the month, with the decision's number.
function specialDays(days) {
  const special = days.filter((day) => day.legal_basis || isHoliday(day));
  if (!special.length) return h("p", { class: "empty", id: "calendar-special" }, t("calendar_nothing_special"));
  return h("ul", { class: "items calendar-special", id: "calendar-special" },
    special.map((day) => h("li", { "data-date": day.date },
      h("strong", {}, `${shortDate(day.date)} · ${day.working ? t("calendar_working_day") : t("calendar_day_off")}`),
      h("span", {}, day.reason ?? ""),
      day.legal_basis ? h("span", { class: "basis" }, `${t("calendar_basis")}: ${day.legal_basis}`) : null)));
}

function decisionForm(app, first) {
  const day = h("input", { type: "date", name: "day", id: "decision-day", required: true, value: isoDay(first) });
  const working = h("select", { name: "working", id: "decision-working" },
    h("option", { value: "false" }, t("calendar_day_off")), h("option", { value: "true" }, t("calendar_working_day")));
  const reason = h("input", { type: "text", name: "reason", id: "decision-reason", required: true, maxlength: "200" });
  const basis = h("input", { type: "text", name: "legal_basis", id: "decision-basis", required: true, maxlength: "200", placeholder: "Thông báo 9441/TB-BNV ngày 16/10/2025" });
  const result = h("p", { id: "decision-result", role: "status" });
  const form = h("form", { class: "decision", id: "decision-form", onsubmit: oneAtATime(async () => {
    const answer = await call("PUT", `/calendar/${day.value}`, { working: working.value === "true", reason: reason.value, legal_basis: basis.value });
    result.textContent = t("calendar_saved", { date: shortDate(answer.date), n: answer.deadlines_moved });
    toast(result.textContent);
    const target = `#/calendar/${answer.date.slice(0, 7)}`;
    if (location.hash === target) setTimeout(() => app.render(), 1500);
    else app.go(target);
  }) },
    h("h2", {}, t("calendar_decision")),
    h("p", { class: "note" }, t("calendar_decision_help")),
    field(t("calendar_date"), day), field(t("calendar_kind"), working),
    field(t("reason"), reason), field(t("calendar_basis"), basis),
    h("button", { type: "submit", class: "primary", id: "decision-save" }, t("calendar_save")),
    result);
  return form;
}
