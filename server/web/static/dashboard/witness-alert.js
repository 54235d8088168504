// The witnesses' refusals of our custody log, on the supervisors' screen (issue 15).
// Self-contained: it waits for the workspace to be shown (a supervisor signed in), then
// reads GET /api/v1/log/witness-alerts now and every minute while the page is visible.
// Every text goes in as text (el), never as markup.

import { call } from "./api.js";
import { el, localTime, number } from "./dom.js";

const CHECK_EVERY_MS = 60_000;
const section = document.getElementById("witness-alert");
const list = document.getElementById("witness-alert-list");
const workspace = document.getElementById("workspace");
let shownKey = "";

function describe(alert) {
  return el("div", { class: "witness-refusal", "data-kind": alert.kind },
    el("p", {},
      el("strong", { text: `Nhân chứng “${alert.witness}”` }),
      ` đã từ chối điểm kiểm ${number(alert.refused_size)} mục lúc ${localTime(alert.refused_at)}: `,
      alert.words, "."),
    el("p", { class: "sub", text: `Địa chỉ nhân chứng: ${alert.url} · Mã ${alert.status}, lời nhân chứng: “${alert.detail}”` }));
}

async function check() {
  if (workspace.hidden) return;
  let alerts;
  try {
    ({ alerts } = await call("GET", "/log/witness-alerts"));
  } catch {
    return; // signed out or offline: the dashboard says so itself; try at the next tick
  }
  const key = JSON.stringify(alerts);
  if (key === shownKey) return; // unchanged: leave the live region quiet
  shownKey = key;
  list.replaceChildren(...alerts.map(describe));
  section.hidden = alerts.length === 0;
}

new MutationObserver(() => {
  if (workspace.hidden) {
    section.hidden = true;
    shownKey = "";
  } else {
    check();
  }
}).observe(workspace, { attributes: true, attributeFilter: ["hidden"] });
setInterval(() => {
  if (document.visibilityState === "visible") check();
}, CHECK_EVERY_MS);
