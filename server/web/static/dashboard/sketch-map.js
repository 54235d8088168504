// A sketch map of today's doorstep events and of flagged events: map tiles are not reachable
// on the post's network (and the CSP admits no other origin), so the points are drawn as a
// plain SVG scatter, one small map per post office area with the office as a landmark, a
// legend, a scale bar and north; and always the same points as a numbered list beneath.

import { el, localTime, number, svg } from "./dom.js";

const WIDTH = 420;
const HEIGHT = 320;
const PAD = 34;
const METRES_PER_DEGREE = 111_320;
// The smallest span drawn, in degrees (about 1 km), so one lone point is not a huge zoom.
const MIN_SPAN = 0.01;

export const POINT_KINDS = {
  delivered: "Phát thành công",
  attempt_failed: "Phát không thành công",
  collected: "Nhận hồ sơ tại nhà",
};

/** Equirectangular projection fitted to the box; good enough over a province. */
function projection(places) {
  const lats = places.map((p) => p.lat);
  const lons = places.map((p) => p.lon);
  const latMin = Math.min(...lats);
  const latMax = Math.max(...lats);
  const lonMin = Math.min(...lons);
  const lonMax = Math.max(...lons);
  const squeeze = Math.cos((((latMin + latMax) / 2) * Math.PI) / 180);
  const spanX = Math.max((lonMax - lonMin) * squeeze, MIN_SPAN);
  const spanY = Math.max(latMax - latMin, MIN_SPAN);
  const scale = Math.min((WIDTH - 2 * PAD) / spanX, (HEIGHT - 2 * PAD) / spanY);
  const centreLon = (lonMin + lonMax) / 2;
  const centreLat = (latMin + latMax) / 2;
  return {
    metresPerUnit: METRES_PER_DEGREE / scale,
    point: (lat, lon) => [
      WIDTH / 2 + (lon - centreLon) * squeeze * scale,
      HEIGHT / 2 - (lat - centreLat) * scale,
    ],
  };
}

function scaleBar(metresPerUnit) {
  const choices = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];
  const metres = choices.filter((m) => m / metresPerUnit <= WIDTH / 4).pop() ?? choices[0];
  const length = metres / metresPerUnit;
  const x = 16;
  const y = HEIGHT - 18;
  return svg("g", { class: "scale-bar" },
    svg("line", { x1: x, x2: x + length, y1: y, y2: y }),
    svg("line", { x1: x, x2: x, y1: y - 5, y2: y + 5 }),
    svg("line", { x1: x + length, x2: x + length, y1: y - 5, y2: y + 5 }),
    svg("text", { class: "map-label", x: x + length / 2, y: y - 8, "text-anchor": "middle", text: metres >= 1000 ? `${number(metres / 1000)} km` : `${metres} m` }));
}

function north() {
  return svg("g", { class: "north", "aria-hidden": "true" },
    svg("path", { d: `M ${WIDTH - 22} 12 l 8 20 l -8 -5 l -8 5 z` }),
    svg("text", { class: "map-label", x: WIDTH - 22, y: 46, "text-anchor": "middle", text: "Bắc" }));
}

/** The symbol of one point: a shape per kind (not only a colour), a red ring when flagged,
 * hollow when it is from an earlier day (shown only because of its flag). */
function symbol(point, x, y) {
  const kind = point.type in POINT_KINDS ? point.type : "other";
  const group = svg("g", { class: `point p-${kind}${point.flags.length ? " flagged" : ""}${point.today ? "" : " earlier"}` });
  if (point.flags.length) group.append(svg("circle", { class: "flag-ring", cx: x, cy: y, r: 11 }));
  if (kind === "attempt_failed") {
    group.append(svg("path", { class: "mark", d: `M ${x} ${y - 7} L ${x + 7} ${y + 5} L ${x - 7} ${y + 5} Z` }));
  } else if (kind === "collected") {
    group.append(svg("path", { class: "mark", d: `M ${x} ${y - 7} L ${x + 7} ${y} L ${x} ${y + 7} L ${x - 7} ${y} Z` }));
  } else {
    group.append(svg("circle", { class: "mark", cx: x, cy: y, r: 6 }));
  }
  return group;
}

function legend() {
  const item = (className, shape, label) => el("li", {}, el("span", { class: `key ${className}`, "aria-hidden": "true" }, shape), label);
  return el("ul", { class: "legend map-legend" },
    item("p-delivered", "●", POINT_KINDS.delivered),
    item("p-attempt_failed", "▲", POINT_KINDS.attempt_failed),
    item("p-collected", "◆", POINT_KINDS.collected),
    item("flagged", "◯", "Có cảnh báo (vòng đỏ)"),
    item("earlier", "○", "Hình rỗng: ngày trước, còn cảnh báo"),
    item("office", "■", "Bưu cục"));
}

/** The office nearest to a point (flat distance is enough to tell offices apart). */
function nearestOffice(point, offices) {
  const squeeze = Math.cos((point.lat * Math.PI) / 180);
  let best = null;
  let bestDistance = Infinity;
  for (const office of offices) {
    const distance = (office.lat - point.lat) ** 2 + ((office.lon - point.lon) * squeeze) ** 2;
    if (distance < bestDistance) {
      best = office;
      bestDistance = distance;
    }
  }
  return best;
}

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Where a point's number goes: the first corner around it that covers no other point or
 * number (the upper right when every corner is taken). */
function labelPlace(x, y, text, obstacles) {
  const w = text.length * 8 + 2;
  const h = 13;
  const corners = [[12, -9, "start"], [-12, -9, "end"], [12, 20, "start"], [-12, 20, "end"]];
  const options = corners.map(([dx, dy, anchor]) => {
    const left = anchor === "start" ? x + dx : x + dx - w;
    return { x: x + dx, y: y + dy, anchor, box: { x: left, y: y + dy - h + 2, w, h } };
  });
  return options.find((option) => !obstacles.some((box) => overlaps(option.box, box))) ?? options[0];
}

/** One office's area: the office as a landmark and the numbered points around it. */
function areaMap(office, points, flagLabels) {
  const title = office ? `${office.name}: ${points.length} điểm` : `${points.length} điểm`;
  const chart = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "sketch-map", role: "img", "aria-label": `Sơ đồ vị trí — ${title}`,
  }, svg("title", { text: title }), svg("rect", { class: "map-ground", x: 0, y: 0, width: WIDTH, height: HEIGHT }));
  const project = projection(office ? [...points, office] : points);
  const placed = points.map((point) => [...project.point(point.lat, point.lon)]);
  const obstacles = placed.map(([x, y]) => ({ x: x - 11, y: y - 11, w: 22, h: 22 }));
  if (office) {
    const [x, y] = project.point(office.lat, office.lon);
    chart.append(svg("g", { class: "office" },
      svg("rect", { x: x - 7, y: y - 7, width: 14, height: 14 }, svg("title", { text: office.name })),
      svg("text", { class: "map-label office-label", x, y: y + 24, "text-anchor": "middle", text: "Bưu cục" })));
    obstacles.push({ x: x - 8, y: y - 8, w: 16, h: 16 }, { x: x - 32, y: y + 10, w: 64, h: 18 });
  }
  points.forEach((point, index) => {
    const [x, y] = placed[index];
    const flags = point.flags.map((code) => flagLabels[code] ?? code).join(", ");
    const mark = symbol(point, x, y);
    mark.append(svg("title", { text: `${point.number}. ${point.label} — ${point.tracking_number}, ${localTime(point.at)}${flags ? ` — cảnh báo: ${flags}` : ""}` }));
    // The point's own marker (obstacle `index`) is the one thing its number may touch.
    const label = labelPlace(x, y, String(point.number), obstacles.filter((_, other) => other !== index));
    obstacles.push(label.box);
    chart.append(mark, svg("text", { class: "map-label point-number", x: label.x, y: label.y, "text-anchor": label.anchor, text: String(point.number) }));
  });
  chart.append(scaleBar(project.metresPerUnit), north());
  return el("figure", { class: "map-figure" }, el("figcaption", { text: title }), chart);
}

/** Sketch maps of the points, one per post office area (the offices lie tens of km apart,
 * so one map of the province would pile each office's points on one spot). */
export function sketchMaps(map, flagLabels) {
  if (!map.points.length) return el("p", { class: "empty", text: "Chưa có vị trí nào để vẽ." });
  const areas = new Map();
  map.points.forEach((point, index) => {
    const office = nearestOffice(point, map.offices);
    const key = office?.code ?? "";
    if (!areas.has(key)) areas.set(key, { office, points: [] });
    areas.get(key).points.push({ ...point, number: index + 1 });
  });
  return el("div", { class: "maps" },
    el("div", { class: "map-grid" }, [...areas.values()].map((area) => areaMap(area.office, area.points, flagLabels))),
    legend());
}

/** The same points as a numbered list (the maps' numbers refer to it). */
export function pointList(map, flagLabels) {
  if (!map.points.length) return el("p", { class: "empty", text: "Hôm nay chưa có lần phát, nhận hồ sơ nào có vị trí và không có điểm nào bị cảnh báo." });
  const accuracy = (p) => (p.accuracy_m === null ? "" : `±${Math.round(p.accuracy_m)} m`);
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Bảng số liệu (cuộn ngang được)" }, el("table", { class: "points" },
    el("thead", {}, el("tr", {}, ["#", "Sự kiện", "Số hiệu bưu gửi", "Bưu tá · phường/xã", "Vị trí", "Cảnh báo"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, map.points.map((point, index) => el("tr", { class: point.flags.length ? "flagged-row" : null },
      el("td", { class: "n", text: index + 1 }),
      el("td", {}, el("span", { class: `kind k-${point.type}`, text: point.label }), el("span", { class: "sub", text: localTime(point.at) })),
      el("td", { class: "tn", text: point.tracking_number }),
      el("td", {}, el("span", { text: point.postman ?? "—" }), el("span", { class: "sub", text: point.commune })),
      el("td", { class: "position" }, el("span", { text: `${point.lat.toFixed(5)}, ${point.lon.toFixed(5)}` }), el("span", { class: "sub", text: accuracy(point) })),
      el("td", { class: "flag-cell", text: point.flags.map((code) => flagLabels[code] ?? code).join(", ") || "—" }))))));
}
