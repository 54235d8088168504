// The office tiles of the home screen: deadlines, the counter and cash, by role (issue 4).
import { t } from "../i18n.js";
import { h } from "../ui.js";

const TILES = {
  clerk: [["#/deadlines", "deadlines", "go-deadlines"], ["#/counter", "counter", "go-counter"], ["#/cash", "cash_days", "go-cash"]],
  postman: [["#/deadlines", "deadlines", "go-deadlines"], ["#/cash", "cash_my_day", "go-cash"]],
  supervisor: [["#/deadlines", "deadlines", "go-deadlines"], ["#/cash", "cash_days", "go-cash"]],
  admin: [["#/deadlines", "deadlines", "go-deadlines"], ["#/cash", "cash_days", "go-cash"], ["#/calendar", "calendar", "go-calendar"]],
};

export function officeTiles(app) {
  const tiles = TILES[app.session?.user?.role] ?? [];
  if (!tiles.length) return null;
  return h("nav", { class: "tiles office-tiles" },
    tiles.map(([href, word, id]) => h("a", { href, class: "tile", id }, t(word))));
}

// Money as the counter writes it: 1.250.000 đ.
export function vnd(amount) {
  return `${new Intl.NumberFormat("vi-VN").format(amount ?? 0)} đ`;
}

// A local time and date: 17:00 25/11/2026.
export function localTime(iso) {
  const moment = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(moment.getHours())}:${pad(moment.getMinutes())} ${pad(moment.getDate())}/${pad(moment.getMonth() + 1)}/${moment.getFullYear()}`;
}
