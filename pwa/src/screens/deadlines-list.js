// Service deadlines (TT17 Art.7): overdue, due today and at risk, in the caller's scope.
// Needs the network: the list is the office's, not the phone's.
import { call } from "../api.js";
import { t } from "../i18n.js";
import { h } from "../ui.js";
import { localTime } from "./cash-tiles.js";

const CLASSES = ["overdue", "due_today", "at_risk"];

export async function deadlinesScreen(app, only = "") {
  let answer;
  try {
    answer = await call("GET", `/deadlines${only ? `?deadline=${only}` : ""}`);
  } catch (error) {
    return h("div", { class: "screen" }, h("h1", {}, t("deadlines")), h("p", { class: "error", role: "alert" }, error.message));
  }
  const counts = h("nav", { class: "deadline-counts", id: "deadline-counts" },
    CLASSES.map((name) => h("a", { href: only === name ? "#/deadlines" : `#/deadlines/${name}`, class: `deadline-count deadline-${name}${only === name ? " chosen" : ""}`, id: `count-${name}` },
      h("strong", {}, String(answer.counts[name])), h("span", {}, t(`deadline_${name}`)))));
  return h("div", { class: "screen deadlines", id: "deadlines-screen" },
    h("h1", {}, t("deadlines")),
    counts,
    h("p", { class: "note" }, t("deadline_rule", { n: answer.at_risk_working_days })),
    answer.items.length === 0
      ? h("p", { class: "empty", id: "deadline-items" }, t("no_deadlines"))
      : h("ul", { class: "items deadline-items", id: "deadline-items" },
        answer.items.map((item) => h("li", { class: `deadline-${item.deadline}`, "data-number": item.tracking_number },
          h("span", { class: "number" }, item.tracking_number),
          h("span", { class: `deadline-label deadline-${item.deadline}` }, `${t(`deadline_${item.deadline}`)} · ${t("due_short")} ${localTime(item.due_at)}`),
          h("span", { class: `status status-${item.status}` }, t(`status_${item.status}`)),
          h("span", { class: "address" }, `${item.procedure_name} · ${item.citizen_name}, ${item.commune}`),
          item.holder ? h("span", { class: "holder" }, `${t("holder")}: ${item.holder}`) : null))));
}
