// One item: who and where, what is due, and what the postman can do next.
import { formatVnd, t } from "../i18n.js";
import { findItem, recordEvent } from "../items.js";
import { currentPosition } from "../geo.js";
import { h, oneAtATime, toast } from "../ui.js";

export async function itemScreen(app, number) {
  const item = await findItem(number);
  if (!item) return notHeldScreen(number);
  const address = item.citizen.address;
  return h("div", { class: "screen item", id: "item-screen" },
    h("p", { class: "number big" }, item.tracking_number),
    h("p", { class: `status status-${item.status}`, id: "item-status" }, t(`status_${item.status}`)),
    h("dl", { class: "facts" },
      h("dt", {}, t("recipient")), h("dd", {}, item.citizen.name),
      h("dt", {}, t("phone")), h("dd", {}, h("a", { href: `tel:${item.citizen.phone}` }, item.citizen.phone)),
      h("dt", {}, t("address")), h("dd", {}, `${address.line}, ${address.commune}, ${address.province}`),
      h("dt", {}, t("cash_due")), h("dd", { id: "cash-due" }, formatVnd(item.cash_due_vnd)),
      item.filed_at ? h("dt", {}, t("filed_at")) : null,
      item.filed_at ? h("dd", { id: "filed-at" }, new Date(item.filed_at).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" })) : null,
      item.invitations ? h("dt", {}, t("invitation")) : null,
      item.invitations ? h("dd", { id: "invitations" }, invitationText(item)) : null),
    h("div", { class: "actions action-bar" }, actionsFor(app, item)));
}

// What a screen shows for a number no longer on the phone (e.g. gone after a refresh).
export function notHeldScreen(number) {
  return h("div", { class: "screen" }, h("p", { class: "error" }, t("not_held", { tn: number })));
}

export function invitationText(item) {
  const invitations = item.invitations ?? { count: 0 };
  const parts = [t("invitations", { n: invitations.count })];
  if (invitations.count >= 2) parts.push(t("invitations_done"));
  else if (invitations.next_allowed_on) parts.push(t("next_invitation", { date: invitations.next_allowed_on.split("-").reverse().join("/") }));
  return parts.join(" · ");
}

function actionsFor(app, item) {
  const start = h("button", { type: "button", class: "primary", id: "start-delivery", onclick: oneAtATime(async () => {
    await recordEvent(item, "out_for_delivery", {}, await currentPosition(3000));
    toast(t(navigator.onLine ? "saved" : "saved_offline"));
    app.syncSoon();
    app.go(`#/item/${item.tracking_number}`, true);
  }) }, t("out_for_delivery"));
  switch (item.status) {
    case "at_post":
    case "attempt_failed":
    case "held_for_pickup":
      return [start];
    case "out_for_delivery":
      return [
        h("a", { class: "button primary", href: `#/deliver/${item.tracking_number}`, id: "go-deliver" }, t("deliver")),
        h("a", { class: "button secondary", href: `#/fail/${item.tracking_number}`, id: "go-fail" }, t("failed_attempt")),
      ];
    case "requested":
      return [h("a", { class: "button primary", href: `#/collect/${item.tracking_number}`, id: "go-collect" }, t("collect"))];
    default:
      return [];
  }
}
