// Home: scan or type a number, the items held, the pickups of the day.
import { t } from "../i18n.js";
import { activeItems, findItem } from "../items.js";
import { ScanBox } from "../scan-box.js";
import { h } from "../ui.js";
import { agencyHomeScreen } from "./agency-results.js";
import { officeTiles } from "./cash-tiles.js";

export async function homeScreen(app) {
  if (app.session.user.role === "agency") return agencyHomeScreen(app);
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
      h("a", { href: "#/load-check", class: "tile", id: "go-load-check" }, t("load_check")),
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
