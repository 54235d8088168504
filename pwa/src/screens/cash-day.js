// Cash of the day (QĐ45 Art.11-12): expected, collected, remitted at the counter, and the
// difference. A postman sees his own day; a clerk her office's postmen, with "take the cash";
// a supervisor the differences of his units.
import { call } from "../api.js";
import { t } from "../i18n.js";
import { field, h } from "../ui.js";
import { localTime, vnd } from "./cash-tiles.js";

export async function cashScreen(app, wanted = "") {
  let answer;
  try {
    answer = await call("GET", `/cash/days${wanted ? `?day=${wanted}` : ""}`);
  } catch (error) {
    return h("div", { class: "screen" }, h("h1", {}, t("cash_days")), h("p", { class: "error", role: "alert" }, error.message));
  }
  const role = app.session.user.role;
  const title = role === "postman" ? t("cash_my_day") : t("cash_days");
  const day = answer.day.split("-").reverse().join("/");
  const picker = h("input", { type: "date", id: "cash-day", value: answer.day });
  picker.addEventListener("change", () => picker.value && app.go(`#/cash/${picker.value}`));
  const header = [h("h1", {}, `${title} · ${day}`), field(t("cash_day_pick"), picker)];
  if (role === "postman") {
    const mine = answer.postmen[0];
    return h("div", { class: "screen cash", id: "cash-screen" }, header,
      mine ? cashCard(mine, false) : h("p", { class: "empty" }, t("no_items")),
      mine ? cashLines(mine) : null);
  }
  // Differences first: they are what a supervisor comes to look at.
  const postmen = [...answer.postmen].sort((a, b) => Math.abs(b.difference_vnd) - Math.abs(a.difference_vnd));
  return h("div", { class: "screen cash", id: "cash-screen" }, header,
    postmen.length === 0 ? h("p", { class: "empty" }, t("no_items")) : null,
    postmen.map((postman) => cashCard(postman, role === "clerk")));
}

function figure(label, amount, id, extra = "") {
  return [h("dt", {}, label), h("dd", { id, class: extra }, vnd(amount))];
}

function cashCard(day, canTake) {
  const off = day.difference_vnd !== 0;
  return h("section", { class: `cash-card${off ? " off" : ""}`, "data-postman": day.postman },
    h("h2", {}, `${day.full_name} (${day.postman})`),
    h("dl", { class: "facts cash-figures" },
      figure(t("cash_expected"), day.expected_vnd, `expected-${day.postman}`),
      figure(t("cash_collected_day"), day.collected_vnd, `collected-${day.postman}`),
      figure(t("cash_difference"), day.difference_vnd, `difference-${day.postman}`, off ? "difference off" : "difference"),
      figure(t("cash_remitted"), day.remitted_vnd, `remitted-${day.postman}`),
      day.pending_vnd ? figure(t("cash_pending"), day.pending_vnd, `pending-${day.postman}`) : [],
      figure(t("cash_unremitted"), day.unremitted_vnd, `unremitted-${day.postman}`)),
    day.remittances.length ? h("ul", { class: "remittances" }, day.remittances.map((r) => h("li", { class: `remittance ${r.status}` },
      `${t("remittance")} #${r.id} · ${vnd(r.amount_vnd)} · ${t(`remittance_${r.status}`)} · ${localTime(r.closed_at ?? r.created_at)}`))) : null,
    canTake && (day.unremitted_vnd > 0 || day.pending_vnd > 0)
      ? h("a", { class: "button primary", href: `#/cash/remit/${day.postman}/${day.day}`, id: `remit-${day.postman}` }, t("take_remittance"))
      : null);
}

function cashLines(day) {
  if (!day.lines.length) return null;
  return h("ul", { class: "items cash-lines", id: "cash-lines" }, day.lines.map((line) => h("li", {},
    h("span", { class: "number" }, line.tracking_number),
    h("span", { class: "status" }, `${t(`status_${line.type}`)} · ${localTime(line.occurred_at)}`),
    h("span", { class: "address" }, `${t("cash_due")}: ${vnd(line.due_vnd)} · ${t("cash_collected_day")}: ${vnd(line.collected_vnd)}`))));
}
