// Deliver with the proof the law asks for (TT17 Art.5(2)): identity checked, papers
// collected back, cash, the recipient's signature; a proxy also shows a written authorisation.
import { formatVnd, t } from "../i18n.js";
import { findItem, recordEvent } from "../items.js";
import { queueMedia } from "../outbox.js";
import { downscale } from "../photo.js";
import { PositionLine } from "../position-line.js";
import { RecipientForm } from "../recipient-form.js";
import { field, h, oneAtATime, toast } from "../ui.js";
import { notHeldScreen } from "./item.js";

export async function deliverScreen(app, number) {
  const item = await findItem(number);
  if (!item) return notHeldScreen(number);
  const recipient = new RecipientForm(item);
  const photo = h("input", { id: "delivery-photo", type: "file", accept: "image/*", capture: "environment" });
  const where = new PositionLine();
  const error = h("p", { class: "error", role: "alert", id: "deliver-error" });

  async function submit() {
    const missing = recipient.missing();
    if (missing.length) return (error.textContent = t("required", { fields: missing.join(", ") }));
    if (recipient.refusal()) return (error.textContent = recipient.refusal());
    const fields = await recipient.evidence(queueMedia);
    if (photo.files[0]) fields.photo_sha256 = await queueMedia(await downscale(photo.files[0]));
    await recordEvent(item, "delivered", fields, where.position ?? (await where.ready));
    toast(t(navigator.onLine ? "saved" : "saved_offline"));
    app.syncSoon();
    app.go("#/");
  }

  const form = h("form", { class: "screen form", id: "deliver-form", onsubmit: oneAtATime(submit) },
    h("h1", {}, `${t("deliver")} · ${item.tracking_number}`),
    h("p", { class: "cash-due" }, `${t("cash_due")}: `, h("strong", {}, formatVnd(item.cash_due_vnd))),
    ...recipient.fields(), field(t("photo"), photo),
    recipient.signature.element, where.element, error,
    h("button", { type: "submit", class: "primary", id: "confirm-delivery" }, t("confirm_delivery")));
  app.afterMount(() => recipient.signature.mount());
  app.onLeave(() => recipient.cardScan.stop());
  return form;
}
