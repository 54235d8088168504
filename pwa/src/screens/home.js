// Home: scan or type a number, the items held, the pickups of the day.
import { t } from "../i18n.js";
import { activeItems, findItem } from "../items.js";
import { ScanBox } from "../scan-box.js";
import { h } from "../ui.js";
import { agencyHomeScreen } from "./agency-results.js";
import { officeTiles } from "./cash-tiles.js";

//: Roles who hold no item: their home leads to their own work, not a postman's day.
const OVERSEEING_ROLES = new Set(["supervisor", "admin"]);

export async function homeScreen(app) {
  if (app.session.user.role === "agency") return agencyHomeScreen(app);
  if (OVERSEEING_ROLES.has(app.session.user.role)) return overseerHomeScreen(app);
  const scan = new ScanBox(async (number) => {
    const item = await findItem(number);
    if (!item) return scan.showError(t("not_held", { tn: number }));
    scan.stop();
    app.go(`#/item/${number}`);
  });
  const items = await activeItems();
  const deliveries = items.filter((item) => item.kind === "result");
  const pickups = items.filter((item) => item.kind === "dossier");
  app.onLeave(() => scan.stop());
  return h("div", { class: "screen home" },
    clerkActions(app),
    scan.element,
    h("nav", { class: "tiles" },
      // The route of the day is the postman's; the counter staff have their own tiles.
      app.session.user.role === "postman"
        ? h("a", { href: "#/route", class: "tile", id: "go-route" }, t("route")) : null,
      // The morning load check is the postman's acceptance of the clerk's handover.
      app.session.user.role === "postman"
        ? h("a", { href: "#/load-check", class: "tile", id: "go-load-check" }, t("load_check")) : null,
      ["clerk", "postman"].includes(app.session.user.role)
        ? h("a", { href: "#/handovers", class: "tile", id: "go-handovers" }, t("handovers")) : null,
      h("a", { href: "#/outbox", class: "tile", id: "go-outbox" }, t("outbox"))),
    officeTiles(app),
    h("h1", {}, t("held_items")),
    itemList(deliveries, "held-items"),
    pickups.length ? h("h2", {}, t("pickups")) : null,
    pickups.length ? itemList(pickups, "pickup-items") : null);
}

export function itemList(items, id) {
  if (items.length === 0) return h("p", { class: "empty", id }, t("no_items"));
  return h("ul", { class: "items", id },
    items.map((item) => h("li", {},
      h("a", { href: `#/item/${item.tracking_number}` },
        h("span", { class: "number" }, item.tracking_number),
        h("span", { class: `status status-${item.status}` }, t(`status_${item.status}`)),
        h("span", { class: "address" }, `${item.citizen.address.line}, ${item.citizen.address.commune}`)))));
}

// The clerk's counter work, first on the clerk's home screen.
function clerkActions(app) {
  if (app.session?.user?.role !== "clerk") return null;
  return h("nav", { class: "tiles clerk-tiles", id: "clerk-actions" },
    h("a", { href: "#/intake", class: "tile", id: "go-intake" }, t("intake_counter")),
    h("a", { href: "#/pickup-request", class: "tile", id: "go-pickup-request" }, t("pickup_request")));
}

// The supervisor's and the administrator's home: the workspaces they came for (the
// dashboard, the access log, deadlines, cash, the calendar) and a box to open any item.
function overseerHomeScreen(app) {
  // They hold nothing on the phone: an item opens as its custody record, read on the server.
  const scan = new ScanBox((number) => {
    scan.stop();
    globalThis.location.assign(`/items/${number}/custody`);
  });
  app.onLeave(() => scan.stop());
  const role = app.session.user.role;
  return h("div", { class: "screen home", id: "overseer-home" },
    h("h1", {}, t("overseer_home")),
    h("nav", { class: "tiles workspace-tiles", id: "workspace-links" },
      // Server pages, not app screens: a full navigation (they sign in with the same cookie).
      h("a", { href: "/supervisor", class: "tile", id: "go-dashboard" }, t("supervisor_dashboard")),
      role === "supervisor"
        ? h("a", { href: "/personal-data/accesses", class: "tile", id: "go-access-log" }, t("access_log")) : null),
    officeTiles(app),
    h("h2", {}, t("open_item")),
    scan.element);
}
