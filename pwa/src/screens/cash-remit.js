// A remittance at the counter: the postman hands his cash over and signs, the clerk counts
// it and signs; the remittance is then closed. Both sign on the clerk's screen.
import { ApiError, call } from "../api.js";
import { t } from "../i18n.js";
import { SignatureField } from "../signature-field.js";
import { field, h, oneAtATime, toast } from "../ui.js";
import { vnd } from "./cash-tiles.js";
import { uploadNow } from "./counter-pickup.js";

export async function cashRemitScreen(app, postman, wanted = "") {
  let day;
  try {
    day = (await call("GET", `/cash/days?postman=${encodeURIComponent(postman)}${wanted ? `&day=${wanted}` : ""}`)).postmen[0];
  } catch (error) {
    return h("div", { class: "screen" }, h("p", { class: "error", role: "alert" }, error.message));
  }
  if (!day) return h("div", { class: "screen" }, h("p", { class: "error", role: "alert" }, t("unknown_postman", { name: postman })));
  let open = day.remittances.find((r) => r.status === "open");
  const amount = h("input", { id: "remit-amount", type: "number", inputmode: "numeric", min: "1", step: "1", value: String(open?.amount_vnd ?? day.unremitted_vnd) });
  if (open) amount.disabled = true;
  const postmanSignature = new SignatureField(t("postman_signature"), { name: "postman" });
  const clerkSignature = new SignatureField(t("clerk_signature"), { name: "clerk" });
  const error = h("p", { class: "error", role: "alert", id: "remit-error" });

  async function submit() {
    error.textContent = "";
    const missing = [];
    if (!open && !(Number(amount.value) > 0)) missing.push(t("remit_amount"));
    if (!open && postmanSignature.isEmpty()) missing.push(t("postman_signature"));
    if (clerkSignature.isEmpty()) missing.push(t("clerk_signature"));
    if (missing.length) return (error.textContent = t("required", { fields: missing.join(", ") }));
    try {
      if (!open) {
        open = await call("POST", "/cash/remittances", {
          postman: day.postman, day: day.day, amount_vnd: Number(amount.value),
          postman_signature_sha256: await uploadNow(await postmanSignature.toBlob()),
        });
        amount.disabled = true;
      }
      await call("POST", `/cash/remittances/${open.id}/sign`, { clerk_signature_sha256: await uploadNow(await clerkSignature.toBlob()) });
    } catch (refusal) {
      if (refusal instanceof ApiError) return (error.textContent = refusal.message);
      throw refusal;
    }
    toast(t("remittance_closed_toast", { amount: vnd(open.amount_vnd) }));
    app.go(`#/cash/${day.day}`);
  }

  const form = h("form", { class: "screen form", id: "remit-form", onsubmit: oneAtATime(submit) },
    h("h1", {}, `${t("take_remittance")} · ${day.full_name}`),
    h("dl", { class: "facts" },
      h("dt", {}, t("cash_collected_day")), h("dd", {}, vnd(day.collected_vnd)),
      h("dt", {}, t("cash_unremitted")), h("dd", { id: "remit-unremitted" }, vnd(day.unremitted_vnd))),
    open ? h("p", { class: "note", id: "remit-open" }, t("remittance_waiting", { id: open.id, amount: vnd(open.amount_vnd) })) : null,
    field(t("remit_amount"), amount),
    open ? null : postmanSignature.element,
    clerkSignature.element, error,
    h("button", { type: "submit", class: "primary", id: "confirm-remittance" }, t("confirm_remittance")));
  app.afterMount(() => { if (!open) postmanSignature.mount(); clerkSignature.mount(); });
  return form;
}
