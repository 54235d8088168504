// The counter (TT17 Art.5(2)(h)): find a result, see whether it may go back to the agency,
// hold it for pickup, and hand it over to the citizen who comes for it (ID, signature, cash).
// Office work: it needs the network (nothing is queued on the phone).
import { ApiError, call, request } from "../api.js";
import { formatVnd, t } from "../i18n.js";
import { sha256Hex } from "../outbox.js";
import { RecipientForm } from "../recipient-form.js";
import { ScanBox } from "../scan-box.js";
import { h, oneAtATime, toast } from "../ui.js";
import { invitationText } from "./item.js";

// Upload an image now and answer its SHA-256 (the counter is online).
export async function uploadNow(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  await request("PUT", `/media/${sha256}`, { body: bytes, contentType: blob.type || "image/png" });
  return sha256;
}

export async function counterScreen(app, number = "") {
  const scan = new ScanBox((found) => { scan.stop(); app.go(`#/counter/${found}`); });
  app.onLeave(() => scan.stop());
  const screen = h("div", { class: "screen counter-desk", id: "counter-screen" }, h("h1", {}, t("counter")), scan.element);
  if (!number) return screen;
  let item;
  try {
    item = await call("GET", `/items/${number}`);
  } catch (error) {
    screen.append(h("p", { class: "error", role: "alert", id: "counter-error" }, error.message));
    return screen;
  }
  screen.append(counterItem(app, item, await holdingNote(app, item)));
  return screen;
}

// A result still with a postman (or elsewhere) cannot be held at this counter: custody moves
// hand to hand. Say who holds it, by name, and the way forward — the record of his return to
// sign when he has made it (issue 12).
async function holdingNote(app, item) {
  const office = app.session.user.unit.code;
  if (item.kind !== "result" || !["at_post", "attempt_failed"].includes(item.status)) return null;
  if (item.holder.unit === office && !item.holder.user) return null;
  if (item.holder.unit !== office) {
    return h("p", { class: "note", id: "hold-blocked" }, t("held_elsewhere", { name: item.holder.unit_name ?? "" }));
  }
  const [{ postmen }, { handovers }] = await Promise.all([
    call("GET", "/intake/postmen").catch(() => ({ postmen: [] })),
    call("GET", "/handovers?status=pending").catch(() => ({ handovers: [] }))]);
  const name = postmen.find((p) => p.username === item.holder.user)?.full_name || t("receiver_kind_postman");
  const back = handovers.find((r) => r.can_accept && r.lines.some((line) => line.tracking_number === item.tracking_number));
  return h("div", { class: "note", id: "hold-blocked" },
    h("p", {}, t("held_by_postman", { name })),
    back ? h("a", { class: "button primary", id: "sign-return-first", href: `#/handovers/${back.id}` }, t("sign_return_first", { id: back.id })) : null);
}

function counterItem(app, item, blocked) {
  const invitations = item.invitations;
  const hold = h("button", { type: "button", class: "primary", id: "hold-for-pickup", onclick: oneAtATime(async () => {
    await call("POST", `/counter/items/${item.tracking_number}/hold`, {});
    toast(t("saved"));
    app.go(`#/counter/${item.tracking_number}`, true);
  }) }, t("hold_for_pickup"));
  const actions = [];
  if (item.kind === "result" && ["at_post", "attempt_failed"].includes(item.status) && !blocked) actions.push(hold);
  if (item.status === "held_for_pickup") {
    actions.push(h("a", { class: "button primary", href: `#/counter/${item.tracking_number}/deliver`, id: "go-counter-deliver" }, t("deliver_at_counter")));
  }
  return h("section", { class: "counter-item", id: "counter-item" },
    h("p", { class: "number big" }, item.tracking_number),
    h("p", { class: `status status-${item.status}`, id: "counter-status" }, t(`status_${item.status}`)),
    h("dl", { class: "facts" },
      h("dt", {}, t("recipient")), h("dd", {}, item.citizen.name),
      h("dt", {}, t("phone")), h("dd", {}, item.citizen.phone),
      h("dt", {}, t("cash_due")), h("dd", { id: "counter-cash-due" }, formatVnd(item.cash_due_vnd)),
      invitations ? h("dt", {}, t("invitation")) : null,
      invitations ? h("dd", { id: "counter-invitations" }, invitationText(item)) : null,
      invitations ? h("dt", {}, t("may_return")) : null,
      invitations ? h("dd", { id: "may-return", class: invitations.may_return ? "may-return yes" : "may-return no" }, invitations.return_rule_vi) : null),
    blocked, h("div", { class: "actions" }, actions));
}

export async function counterDeliverScreen(app, number) {
  let item;
  try {
    item = await call("GET", `/items/${number}`);
  } catch (error) {
    return h("div", { class: "screen" }, h("p", { class: "error", role: "alert" }, error.message));
  }
  const recipient = new RecipientForm(item, "counter-");
  const error = h("p", { class: "error", role: "alert", id: "counter-deliver-error" });

  async function submit() {
    const missing = recipient.missing();
    if (missing.length) return (error.textContent = t("required", { fields: missing.join(", ") }));
    if (recipient.refusal()) return (error.textContent = recipient.refusal());
    const body = await recipient.evidence(uploadNow);
    try {
      await call("POST", `/counter/items/${item.tracking_number}/deliver`, body);
    } catch (refusal) {
      if (refusal instanceof ApiError) return (error.textContent = refusal.message);
      throw refusal;
    }
    toast(t("saved"));
    app.go(`#/counter/${item.tracking_number}`);
  }

  const form = h("form", { class: "screen form", id: "counter-deliver-form", onsubmit: oneAtATime(submit) },
    h("h1", {}, `${t("deliver_at_counter")} · ${item.tracking_number}`),
    h("p", { class: "cash-due" }, `${t("cash_due")}: `, h("strong", {}, formatVnd(item.cash_due_vnd))),
    ...recipient.fields(), recipient.signature.element, error,
    h("button", { type: "submit", class: "primary", id: "confirm-counter-delivery" }, t("confirm_delivery")));
  app.afterMount(() => recipient.signature.mount());
  app.onLeave(() => recipient.cardScan.stop());
  return form;
}
