// The counter (TT17 Art.5(2)(h)): find a result, see whether it may go back to the agency,
// hold it for pickup, and hand it over to the citizen who comes for it (ID, signature, cash).
// Office work: it needs the network (nothing is queued on the phone).
import { ApiError, call, request } from "../api.js";
import { formatVnd, t } from "../i18n.js";
import { sha256Hex } from "../outbox.js";
import { downscale } from "../photo.js";
import { ScanBox } from "../scan-box.js";
import { SignatureField } from "../signature-field.js";
import { field, h, oneAtATime, toast } from "../ui.js";
import { invitationText } from "./item.js";

const ID_TYPES = ["cccd", "can_cuoc", "passport", "cmnd", "vneid"];

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
  screen.append(counterItem(app, item));
  return screen;
}

function counterItem(app, item) {
  const invitations = item.invitations;
  const hold = h("button", { type: "button", class: "primary", id: "hold-for-pickup", onclick: oneAtATime(async () => {
    await call("POST", `/counter/items/${item.tracking_number}/hold`, {});
    toast(t("saved"));
    app.go(`#/counter/${item.tracking_number}`, true);
  }) }, t("hold_for_pickup"));
  const actions = [];
  if (item.kind === "result" && ["at_post", "attempt_failed"].includes(item.status)) actions.push(hold);
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
    h("div", { class: "actions" }, actions));
}

export async function counterDeliverScreen(app, number) {
  let item;
  try {
    item = await call("GET", `/items/${number}`);
  } catch (error) {
    return h("div", { class: "screen" }, h("p", { class: "error", role: "alert" }, error.message));
  }
  const name = h("input", { id: "counter-recipient-name", value: item.citizen.name, autocomplete: "off" });
  const relation = h("select", { id: "counter-relation" }, h("option", { value: "self" }, t("self")), h("option", { value: "proxy" }, t("proxy")));
  const relationship = h("input", { id: "counter-relationship", autocomplete: "off" });
  const authorization = h("input", { id: "counter-authorization", type: "file", accept: "image/*", capture: "environment" });
  const proxyFields = h("div", { class: "proxy-fields hidden" }, field(t("relationship"), relationship), field(t("authorization"), authorization));
  relation.addEventListener("change", () => proxyFields.classList.toggle("hidden", relation.value !== "proxy"));
  const idType = h("select", { id: "counter-id-type" }, ID_TYPES.map((type) => h("option", { value: type }, t(`id_${type}`))));
  const idLast4 = h("input", { id: "counter-id-last4", maxlength: "4", autocomplete: "off", autocapitalize: "characters" });
  const papers = (item.papers_to_collect ?? []).map((paper) => h("label", { class: "check" }, h("input", { type: "checkbox", value: paper, class: "paper" }), paper));
  const cash = h("input", { id: "counter-cash", type: "number", inputmode: "numeric", min: "0", step: "1", value: String(item.cash_due_vnd ?? 0) });
  const signature = new SignatureField(t("signature"), { name: "counter-recipient" });
  const error = h("p", { class: "error", role: "alert", id: "counter-deliver-error" });

  async function submit() {
    const proxy = relation.value === "proxy";
    const missing = [];
    if (!name.value.trim()) missing.push(t("name"));
    if (!/^[0-9A-Za-z]{4}$/.test(idLast4.value.trim())) missing.push(t("id_last4"));
    if (proxy && !relationship.value.trim()) missing.push(t("relationship"));
    if (proxy && !authorization.files[0]) missing.push(t("authorization"));
    if (signature.isEmpty()) missing.push(t("signature"));
    if (missing.length) return (error.textContent = t("required", { fields: missing.join(", ") }));
    const body = {
      recipient: { name: name.value.trim(), relation: relation.value, id_type: idType.value, id_last4: idLast4.value.trim().toUpperCase(), ...(proxy ? { relationship: relationship.value.trim() } : {}) },
      signature_sha256: await uploadNow(await signature.toBlob()),
      cash_collected_vnd: Number(cash.value || 0),
      papers_collected: papers.map((label) => label.querySelector("input")).filter((box) => box.checked).map((box) => box.value),
    };
    if (proxy) body.authorization_sha256 = await uploadNow(await downscale(authorization.files[0]));
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
    field(t("name"), name), field(t("recipient"), relation), proxyFields,
    field(t("id_type"), idType), field(t("id_last4"), idLast4),
    papers.length ? h("fieldset", {}, h("legend", {}, t("papers_collected")), papers) : null,
    field(t("cash_collected"), cash), signature.element, error,
    h("button", { type: "submit", class: "primary", id: "confirm-counter-delivery" }, t("confirm_delivery")));
  app.afterMount(() => signature.mount());
  return form;
}
