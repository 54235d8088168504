// Building the page from elements: every text goes in through textContent, so names,
// addresses and flag details are always shown as text, never parsed as markup.

const SVG_NS = "http://www.w3.org/2000/svg";

function fill(node, props, children) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.setAttribute("class", value);
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** An HTML element: `el("td", {class: "n"}, "12")`. */
export function el(tag, props, ...children) {
  return fill(document.createElement(tag), props, children);
}

/** An SVG element: `svg("rect", {x: 0, y: 0, width: 4, height: 9})`. */
export function svg(tag, props, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), props, children);
}

const numberFormat = new Intl.NumberFormat("vi-VN");

/** 1234 → "1.234". */
export function number(value) {
  return numberFormat.format(value ?? 0);
}

/** 0.8333 → "83%". */
export function percent(rate) {
  return rate === null || rate === undefined ? "—" : `${Math.round(rate * 100)}%`;
}

let timeZone = "Asia/Ho_Chi_Minh";

export function useTimeZone(zone) {
  if (zone) timeZone = zone;
}

function parts(iso) {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
  return Object.fromEntries(format.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
}

/** A UTC time as local "HH:MM dd/mm/yyyy", like the server-rendered pages. */
export function localTime(iso) {
  if (!iso) return "—";
  const p = parts(iso);
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
}

/** A UTC time as local "HH:MM". */
export function localClock(iso) {
  if (!iso) return "—";
  const p = parts(iso);
  return `${p.hour}:${p.minute}`;
}

/** "2026-11-24" → "24/11" (or "24/11/2026" with the year). */
export function shortDay(day, withYear = false) {
  const [year, month, date] = day.split("-");
  return withYear ? `${date}/${month}/${year}` : `${date}/${month}`;
}

/** 0 Sunday … 6 Saturday, of a "YYYY-MM-DD" calendar day. */
export function weekday(day) {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date)).getUTCDay();
}

/** A table with a caption-less header row; `cells(row)` answers the cells of one row. */
export function table(className, headings, rows, cells) {
  return el("table", { class: className },
    el("thead", {}, el("tr", {}, headings.map((h) => el("th", { scope: "col", class: h.class }, h.text ?? h)))),
    el("tbody", {}, rows.map((row, index) => el("tr", {}, cells(row, index)))));
}
