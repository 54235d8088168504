// The route of the day, from the last download (works offline): an ordered list and a
// sketch of the stops drawn from their coordinates (no map tiles are needed for it).
import { t } from "../i18n.js";
import { lastRoute } from "../items.js";
import { h } from "../ui.js";

const SVG = "http://www.w3.org/2000/svg";

export async function routeScreen() {
  const route = await lastRoute();
  if (!route || route.stops.length === 0) return h("div", { class: "screen" }, h("h1", {}, t("route")), h("p", { class: "empty" }, t("no_items")));
  return h("div", { class: "screen route" },
    h("h1", {}, t("route")),
    h("p", { id: "route-distance" }, t("distance", { km: (route.distance_m / 1000).toFixed(1) })),
    sketch(route),
    h("ol", { class: "stops", id: "route-stops" },
      route.stops.map((stop) => h("li", {},
        h("a", { href: `#/item/${stop.tracking_number}` },
          h("span", { class: "number" }, stop.tracking_number),
          h("span", { class: "address" }, stop.address ? `${stop.address.line}, ${stop.address.commune}` : ""))))));
}

function sketch(route) {
  const points = [route.start, ...route.stops, ...(route.end ? [route.end] : [])];
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const [minLat, maxLat, minLon, maxLon] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  const size = 300;
  const pad = 16;
  const span = Math.max(maxLat - minLat, maxLon - minLon, 1e-6);
  const x = (lon) => pad + ((lon - minLon) / span) * (size - 2 * pad);
  const y = (lat) => size - pad - ((lat - minLat) / span) * (size - 2 * pad);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("class", "route-sketch");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("route"));
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", points.map((p) => `${x(p.lon).toFixed(1)},${y(p.lat).toFixed(1)}`).join(" "));
  line.setAttribute("class", "leg");
  svg.append(line);
  points.slice(0, route.stops.length + 1).forEach((point, index) => {
    const dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("cx", x(point.lon).toFixed(1));
    dot.setAttribute("cy", y(point.lat).toFixed(1));
    dot.setAttribute("r", index === 0 ? "7" : "5");
    dot.setAttribute("class", index === 0 ? "office" : "stop");
    svg.append(dot);
  });
  return svg;
}
