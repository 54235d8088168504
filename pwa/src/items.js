// The postman's items on the phone: downloaded when online, updated at once by what the
// postman records (so the screens are right offline), and the events queued in the outbox.
import { call } from "./api.js";
import { currentPosition } from "./geo.js";
import { queueEvent } from "./outbox.js";
import { allItems, getItem, putItem, readMeta, replaceItems, writeMeta } from "./store.js";

// Statuses of the stops of a route (what the server plans).
const ROUTED = new Set(["at_post", "out_for_delivery", "attempt_failed", "requested"]);
const ACTIVE = new Set(["at_post", "out_for_delivery", "attempt_failed", "held_for_pickup", "requested", "collected"]);

// Download the items held, the pickups of the office, and the route of the day.
export async function refreshFromServer() {
  const [held, pickups] = await Promise.all([
    call("GET", "/items?holder=me&limit=200"),
    call("GET", "/items?status=requested&limit=200"),
  ]);
  const byNumber = new Map();
  for (const item of [...held.items, ...pickups.items]) byNumber.set(item.tracking_number, item);
  await replaceItems([...byNumber.values()]);
  // The route of the day is the postman's alone: others would only collect 403s.
  if ((await readMeta("session"))?.user?.role !== "postman") return;
  const kept = await readMeta("route");
  const planned = new Set([...(kept?.stops ?? []).map((stop) => stop.tracking_number), ...(kept?.unplaced ?? [])]);
  const joined = [...byNumber.values()].some((item) => ROUTED.has(item.status) && !planned.has(item.tracking_number));
  // The order stays as planned for the day: re-planned only when asked, the next day, or
  // when new stops join the day (a new pickup, a handover signed for), from where the phone is.
  if (!kept || vietnamDate(new Date(kept.downloaded_at)) !== vietnamDate() || joined) await refreshRoute(await currentPosition(3000));
}

// Plan the route of the day from `start` (the phone's position; else the office) and keep it.
export async function refreshRoute(start = null) {
  const query = start ? `?start_lat=${start.lat}&start_lon=${start.lon}` : "";
  const route = await call("GET", `/route${query}`).catch(() => null);
  if (route) await writeMeta("route", { ...route, downloaded_at: new Date().toISOString() });
  return route;
}

export async function activeItems() {
  return (await allItems()).filter((item) => ACTIVE.has(item.status));
}

export const findItem = getItem;

export async function lastRoute() {
  return readMeta("route");
}

// Record a field event: queued for the server, applied to the local copy at once.
export async function recordEvent(item, type, fields = {}, position = null) {
  const event = {
    id: crypto.randomUUID(),
    type,
    tracking_number: item.tracking_number,
    occurred_at: new Date().toISOString(),
    ...(position ? { position } : {}),
    ...fields,
  };
  await queueEvent(event);
  const local = { ...item, status: localStatus(item, type, fields), events: [...(item.events ?? []), { type, occurred_at: event.occurred_at, local: true }] };
  if (type === "attempt_failed" && fields.action === "notice_left") {
    local.invitations = { ...(item.invitations ?? { count: 0 }), count: (item.invitations?.count ?? 0) + 1, last_on: vietnamDate(new Date(event.occurred_at)), next_allowed_on: null };
  }
  await putItem(local);
  return event;
}

function localStatus(item, type, fields) {
  if (type === "attempt_failed" && fields.action === "return_to_agency") return "attempt_failed";
  return { out_for_delivery: "out_for_delivery", attempt_failed: "attempt_failed", delivered: "delivered", collected: "collected", held_for_pickup: "held_for_pickup", returned: "returned" }[type] ?? item.status;
}

// The calendar day in Vietnam (YYYY-MM-DD) of a moment: invitations are counted by it.
export function vietnamDate(moment = new Date()) {
  return moment.toLocaleDateString("sv-SE", { timeZone: "Asia/Ho_Chi_Minh" });
}
