// The route of the day, from the morning's plan (works offline, order kept all day): each
// stop with the recipient's name, address, status and due time, one tap to the phone's
// navigation app; done stops leave the list at once. Re-planned only when asked, from the
// phone's current position.
import { currentPosition } from "../geo.js";
import { t } from "../i18n.js";
import { activeItems, lastRoute, refreshRoute } from "../items.js";
import { h, oneAtATime, toast } from "../ui.js";

const SVG = "http://www.w3.org/2000/svg";
const OPEN = new Set(["at_post", "out_for_delivery", "attempt_failed", "requested"]);

export async function routeScreen(app) {
  const route = await lastRoute();
  const items = new Map((await activeItems()).map((item) => [item.tracking_number, item]));
  // A stop is done once its item is delivered, collected, handed back or held at the counter.
  const stops = (route?.stops ?? []).filter((stop) => OPEN.has(items.get(stop.tracking_number)?.status));
  const replan = h("button", { type: "button", class: "secondary", id: "replan-route", onclick: oneAtATime(async () => {
    const start = await currentPosition(5000);
    if (!(await refreshRoute(start))) return toast(t("needs_network"), "error");
    app.go("#/route", true);
  }) }, t("replan"));
  if (stops.length === 0) return h("div", { class: "screen" }, h("h1", {}, t("route")), h("p", { class: "empty", id: "route-empty" }, t("no_items")), replan);
  return h("div", { class: "screen route" },
    h("h1", {}, t("route")),
    h("p", { id: "route-distance" }, t("distance", { km: (route.distance_m / 1000).toFixed(1) })),
    sketch({ ...route, stops }),
    h("ol", { class: "stops", id: "route-stops" }, stops.map((stop) => stopLine(stop, items.get(stop.tracking_number)))),
    replan);
}

function stopLine(stop, item) {
  const due = item.due_at ? new Date(item.due_at).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit" }) : "";
  return h("li", { class: "stop-line", "data-number": stop.tracking_number },
    h("a", { href: `#/item/${stop.tracking_number}` },
      h("span", { class: "number" }, stop.tracking_number),
      h("span", { class: "name" }, item.citizen?.name ?? ""),
      h("span", { class: "address" }, stop.address ? `${stop.address.line}, ${stop.address.commune}` : ""),
      h("span", { class: `status status-${item.status}` }, t(`status_${item.status}`)),
      due ? h("span", { class: "due" }, `${t("due")}: ${due}`) : null),
    h("a", { class: "nav-link", href: navigationUrl(stop), rel: "noopener" }, `${t("navigate")} ↗`));
}

// The phone's way to open its navigation app: a maps URL on Apple devices, `geo:` elsewhere.
export function navigationUrl(stop, platform = navigator.userAgent) {
  if (/iPhone|iPad|iPod|Macintosh/.test(platform)) return `https://maps.apple.com/?daddr=${stop.lat},${stop.lon}`;
  return `geo:${stop.lat},${stop.lon}?q=${stop.lat},${stop.lon}(${encodeURIComponent(stop.tracking_number)})`;
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
