// Deliver with the proof the law asks for (TT17 Art.5(2)): identity checked, papers
// collected back, cash, the recipient's signature; a proxy also shows a written authorisation.
// Several items for the same person at the same door share one form, one ID check and one
// signature: each item gets its own custody event naming the same evidence images.
import { formatVnd, t } from "../i18n.js";
import { activeItems, findItem, recordEvent } from "../items.js";
import { limitProblems } from "../limits.js";
import { queueMedia } from "../outbox.js";
import { downscale } from "../photo.js";
import { PositionLine } from "../position-line.js";
import { RecipientForm } from "../recipient-form.js";
import { actionBar, field, h, oneAtATime, photoField, toast } from "../ui.js";
import { notHeldScreen } from "./item.js";

// Results out for delivery to the same person at the same address as `item`.
export async function sameRecipientItems(item) {
  const key = recipientKey(item);
  return (await activeItems()).filter((other) => other.tracking_number !== item.tracking_number
    && other.kind === "result" && other.status === "out_for_delivery" && recipientKey(other) === key);
}

function recipientKey(item) {
  const { name, address } = item.citizen;
  return [name, address?.line, address?.commune, address?.province].map((part) => String(part ?? "").trim().toLowerCase()).join("|");
}

export async function deliverScreen(app, number) {
  const item = await findItem(number);
  if (!item) return notHeldScreen(number);
  const others = await sameRecipientItems(item);
  const recipient = new RecipientForm(item);
  const photo = h("input", { id: "delivery-photo", type: "file", accept: "image/*", capture: "environment" });
  const where = new PositionLine();
  const error = h("p", { class: "error", role: "alert", id: "deliver-error" });
  const alsoBoxes = others.map((other) => h("input", { type: "checkbox", class: "also-deliver", value: other.tracking_number, checked: true }));
  const dueLine = h("strong", { id: "cash-due-total" });
  const reason = h("input", { id: "deviation-reason", autocomplete: "off" });
  const deviationBox = h("div", { class: "warning hidden", id: "deviation", role: "status" },
    h("p", { id: "deviation-text" }), field(t("deviation_reason"), reason));
  let saved = false;

  const chosen = () => [item, ...others.filter((_, index) => alsoBoxes[index].checked)];
  const cashDue = () => chosen().reduce((sum, each) => sum + (each.cash_due_vnd ?? 0), 0);
  let lastDue = item.cash_due_vnd ?? 0;
  const refresh = () => {
    const due = cashDue();
    // The cash field follows the total until the postman types another amount.
    if (Number(recipient.cash.value || 0) === lastDue) recipient.cash.value = String(due);
    lastDue = due;
    dueLine.textContent = formatVnd(due);
    const deviations = recipient.deviations(due);
    deviationBox.querySelector("#deviation-text").textContent = deviations.join(" ");
    deviationBox.classList.toggle("hidden", deviations.length === 0);
  };
  alsoBoxes.forEach((box) => box.addEventListener("change", refresh));
  recipient.cash.addEventListener("input", refresh);
  recipient.idLast4.addEventListener("input", refresh);

  async function submit() {
    refresh();
    const missing = recipient.missing();
    const deviations = recipient.deviations(cashDue());
    if (deviations.length && !reason.value.trim()) missing.push(t("deviation_reason"));
    if (missing.length) return (error.textContent = t("required", { fields: missing.join(", ") }));
    if (recipient.refusal()) return (error.textContent = recipient.refusal());
    const draft = { recipient: { name: recipient.name.value.trim(), id_last4: recipient.idLast4.value.trim().toUpperCase(), ...(recipient.isProxy() ? { relationship: recipient.relationship.value.trim() } : {}) },
      cash_collected_vnd: Number(recipient.cash.value || 0), ...(deviations.length ? { deviation_note: reason.value.trim() } : {}) };
    const problems = limitProblems(draft);
    if (problems.length) return (error.textContent = problems.join(" "));
    error.textContent = "";
    const position = await where.fresh();
    const fields = await recipient.evidence(queueMedia);
    if (deviations.length) fields.deviation_note = reason.value.trim();
    if (photo.files[0]) fields.photo_sha256 = await queueMedia(await downscale(photo.files[0]));
    for (const [each, cash] of shareCash(chosen(), fields.cash_collected_vnd)) {
      const papers = each === item ? fields.papers_collected : fields.papers_collected.filter((paper) => (each.papers_to_collect ?? []).includes(paper));
      await recordEvent(each, "delivered", { ...fields, cash_collected_vnd: cash, papers_collected: papers }, position);
    }
    saved = true;
    toast(t(navigator.onLine ? "saved" : "saved_offline"));
    app.syncSoon();
    app.go("#/");
  }

  const form = h("form", { class: "screen form", id: "deliver-form", onsubmit: oneAtATime(submit) },
    h("h1", {}, `${t("deliver")} · ${item.tracking_number}`),
    others.length ? h("fieldset", { class: "same-recipient", id: "same-recipient" }, h("legend", {}, t("same_recipient")),
      others.map((other, index) => h("label", { class: "check" }, alsoBoxes[index], `${other.tracking_number} · ${formatVnd(other.cash_due_vnd)}`))) : null,
    h("p", { class: "cash-due" }, `${t(others.length ? "cash_due_total" : "cash_due")}: `, dueLine),
    ...recipient.fields(), deviationBox, photoField(t("photo"), photo),
    recipient.signature.element, where.element,
    actionBar(error, h("button", { type: "submit", class: "primary", id: "confirm-delivery" }, t("confirm_delivery"))));
  refresh();
  app.afterMount(() => recipient.signature.mount());
  app.guardLeave(() => !saved && (recipient.touched() || Boolean(photo.files[0])));
  app.onLeave(() => recipient.cardScan.stop());
  return form;
}

// Each item's part of the cash: its own due when the total was collected; any difference
// stays on the first item (the one the postman opened), never below zero.
function shareCash(items, collected) {
  const dues = items.map((each) => each.cash_due_vnd ?? 0);
  const others = dues.slice(1).reduce((sum, due) => sum + due, 0);
  if (collected >= others) return items.map((each, index) => [each, index === 0 ? collected - others : dues[index]]);
  let left = collected;
  return items.map((each, index) => {
    const part = index === 0 ? 0 : Math.min(dues[index], left);
    left -= part;
    return [each, part];
  });
}
