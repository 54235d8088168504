// The handover desk (biên bản giao nhận, QĐ45 Art.7) for clerks, agency officers and postmen:
// what waits for my signature, what I sent, recent records; and a new record — the receiver
// chosen by name among those who can accept, items scanned or picked from a list, the count
// and numbers shown, signed by the sender. Office work: it needs the network.
import { ApiError, call } from "../api.js";
import { t } from "../i18n.js";
import { ScanBox } from "../scan-box.js";
import { SignatureField } from "../signature-field.js";
import { h, oneAtATime, toast } from "../ui.js";
import { localTime, vnd } from "./cash-tiles.js";
import { uploadNow } from "./counter-pickup.js";

const STATUS_WORDS = { pending: "record_pending", accepted: "record_signed", cancelled: "record_cancelled" };

export function networkError(title, error) {
  return h("div", { class: "screen" }, h("h1", {}, title),
    h("p", { class: "error", role: "alert" }, error?.message || t("needs_network")));
}

// One record in a list: number, parties by name, count, status.
export function recordItem(record) {
  const status = record.expired ? t("record_expired") : t(STATUS_WORDS[record.status] ?? record.status);
  return h("li", { "data-record": String(record.id) },
    h("a", { href: `#/handovers/${record.id}`, class: "record-link" },
      h("span", { class: "record-number" }, `${t("record_number")} ${record.id}`),
      h("span", {}, t("handover_from_to", { from: record.from_name, to: record.to_name })),
      h("span", { class: "address" }, `${t("record_items", { n: record.lines.length })} · ${localTime(record.created_at)}`),
      h("span", { class: `status record-${record.status}` }, status)));
}

function recordSection(id, title, records) {
  return h("section", { class: "record-section", id },
    h("h2", {}, `${title} (${records.length})`),
    records.length ? h("ul", { class: "items" }, records.map(recordItem)) : h("p", { class: "empty" }, t("no_handovers")));
}

export async function handoversScreen(app) {
  let records;
  try {
    records = (await call("GET", "/handovers")).handovers;
  } catch (error) {
    return networkError(t("handovers"), error);
  }
  const toSign = records.filter((r) => r.status === "pending" && r.can_accept);
  const sent = records.filter((r) => r.status === "pending" && r.can_cancel);
  const recent = records.filter((r) => r.status !== "pending").slice(0, 20);
  const postman = app.session.user.role === "postman";
  return h("div", { class: "screen handovers", id: "handovers-screen" },
    h("h1", {}, t("handovers")),
    h("nav", { class: "tiles handover-actions" },
      h("a", { href: "#/handovers/new", class: "tile", id: "go-handover-new" }, t("handover_new")),
      postman ? h("a", { href: "#/handovers/new/evening", class: "tile", id: "go-evening-return" }, t("evening_return")) : null),
    recordSection("records-to-sign", t("handover_to_sign"), toSign),
    recordSection("records-sent", t("handover_sent"), sent),
    recordSection("records-recent", t("handover_recent"), recent));
}

// --- a new record ---------------------------------------------------------------------------

function receiverLabel(receiver) {
  return receiver.kind === "postman" ? `${receiver.name} — ${receiver.unit_name}` : receiver.name;
}

function receiverSelect(receivers) {
  const groups = ["postman", "post_office", "agency"].map((kind) => {
    const members = receivers.filter((r) => r.kind === kind);
    return members.length ? h("optgroup", { label: t(`receiver_kind_${kind}`) },
      members.map((r) => h("option", { value: `${r.field}:${r.key}` }, receiverLabel(r)))) : null;
  });
  return h("select", { id: "handover-receiver", required: true },
    h("option", { value: "" }, t("handover_choose_receiver")), groups);
}

export async function handoverNewScreen(app, mode = "") {
  const evening = mode === "evening";
  const role = app.session.user.role;
  let receivers;
  let cash = null;
  try {
    receivers = (await call("GET", "/handovers/receivers")).receivers;
    if (evening) cash = (await call("GET", "/cash/days")).postmen[0] ?? null;
  } catch (error) {
    return networkError(t("handover_new"), error);
  }
  if (evening) receivers = receivers.filter((r) => r.kind === "post_office");
  if (!receivers.length) return networkError(t("handover_new"), { message: t("no_receivers") });
  const select = receiverSelect(receivers);
  if (receivers.length === 1) select.value = `${receivers[0].field}:${receivers[0].key}`;
  const receiver = () => receivers.find((r) => `${r.field}:${r.key}` === select.value) ?? null;
  // An item may go to an agency only when it is that agency's (the server says so too).
  const fits = (item) => receiver()?.kind !== "agency" || !item.agency_unit || item.agency_unit === receiver().key;

  const chosen = new Map();
  const known = new Map();
  const count = h("h2", { id: "handover-count" });
  const chosenList = h("ul", { class: "items chosen-items", id: "handover-chosen" });
  const error = h("p", { class: "error", role: "alert", id: "handover-error" });
  const pickList = h("div", { id: "handover-pick", "aria-live": "polite" });
  let source = evening ? "evening_return" : "held";

  const renderChosen = () => {
    count.textContent = t("handover_chosen", { n: chosen.size });
    chosenList.replaceChildren(...(chosen.size ? [...chosen.values()].map((item) => h("li", { "data-chosen": item.tracking_number },
      h("span", { class: "number" }, item.tracking_number),
      item.procedure ? h("span", {}, `${item.procedure} · ${item.status_label}`) : null,
      h("button", { type: "button", class: "link remove", "aria-label": `${t("remove")} ${item.tracking_number}`,
        onclick: () => { chosen.delete(item.tracking_number); renderChosen(); renderPick(); } }, t("remove"))))
      : [h("li", { class: "empty" }, t("handover_none_chosen"))]));
  };
  const add = (item) => {
    if (chosen.has(item.tracking_number)) return t("already_chosen", { tn: item.tracking_number });
    if (!fits(item)) return t("not_for_receiver", { tn: item.tracking_number });
    chosen.set(item.tracking_number, item);
    renderChosen();
    renderPick();
    return "";
  };
  const scan = new ScanBox((number) => {
    const refusal = add(known.get(number) ?? { tracking_number: number });
    scan.showError(refusal);
  });
  app.onLeave(() => scan.stop());

  let listed = [];
  const renderPick = () => {
    const open = listed.filter((item) => !chosen.has(item.tracking_number) && fits(item));
    pickList.replaceChildren(open.length === 0 ? h("p", { class: "empty" }, t("list_empty")) : h("div", {},
      h("button", { type: "button", class: "secondary", id: "add-all", onclick: () => { open.forEach(add); } }, `${t("add_all")} (${open.length})`),
      h("ul", { class: "items pick-items" }, open.map((item) => h("li", {},
        h("span", { class: "number" }, item.tracking_number),
        h("span", {}, `${t(`kind_${item.kind}`)} · ${item.procedure}`),
        h("span", { class: "address" }, `${item.status_label}${item.due_at ? ` · ${t("due_on", { at: localTime(item.due_at) })}` : ""} · ${item.agency_name}`),
        h("button", { type: "button", class: "secondary small", "data-add": item.tracking_number, onclick: () => add(item) }, t("add")))))));
  };
  const load = async (wanted) => {
    source = wanted;
    tabs.querySelectorAll("button").forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.source === wanted)));
    try {
      listed = (await call("GET", `/handovers/candidates?source=${wanted}`)).items;
    } catch (failure) {
      listed = [];
      error.textContent = failure.message;
    }
    listed.forEach((item) => known.set(item.tracking_number, item));
    renderPick();
  };
  const sources = role === "postman" ? ["evening_return", "held", "due_today"] : ["held", "due_today"];
  const tabs = h("div", { class: "source-tabs", role: "group", "aria-label": t("handover_from_list") },
    sources.map((name) => h("button", { type: "button", class: "secondary small", "data-source": name, "aria-pressed": "false",
      onclick: () => load(name) }, t(`source_${name}`))));
  select.addEventListener("change", () => {
    for (const item of chosen.values()) if (!fits(item)) chosen.delete(item.tracking_number);
    renderChosen();
    renderPick();
  });

  const signature = new SignatureField(t("sender_signature"), { name: "sender" });
  app.afterMount(() => signature.mount());
  renderChosen();
  await load(source);

  async function submit() {
    error.textContent = "";
    const missing = [];
    if (!receiver()) missing.push(t("handover_receiver"));
    if (!chosen.size) missing.push(t("handover_add_items"));
    if (signature.isEmpty()) missing.push(t("sender_signature"));
    if (missing.length) return (error.textContent = t("required", { fields: missing.join(", ") }));
    const target = receiver();
    try {
      const sha = await uploadNow(await signature.toBlob());
      const created = await call("POST", "/handovers", { [target.field]: target.key, items: [...chosen.keys()], signature_sha256: sha });
      toast(t("handover_created", { id: created.id }));
      scan.stop();
      app.go(`#/handovers/${created.id}`);
    } catch (refusal) {
      if (!(refusal instanceof ApiError) || refusal.status === 0) throw refusal;
      const items = refusal.details?.items;
      error.textContent = items?.length ? `${refusal.message}` : refusal.message;
    }
  }

  // A div, not a form: the scan box inside is a form of its own.
  return h("div", { class: "screen form handover-new", id: "handover-new" },
    h("h1", {}, evening ? t("evening_return") : t("handover_new")),
    evening ? h("p", { class: "hint" }, t("evening_help")) : null,
    evening && cash ? h("p", { class: "note cash-note", id: "evening-cash" }, t("cash_to_hand_over", { amount: vnd(cash.unremitted_vnd) })) : null,
    h("div", { class: "field" }, h("label", { for: "handover-receiver" }, t("handover_receiver")), select),
    h("fieldset", { class: "add-items" }, h("legend", {}, t("handover_add_items")), scan.element,
      h("p", { class: "label" }, t("handover_from_list")), tabs, pickList),
    h("section", { class: "chosen", "aria-live": "polite" }, count, chosenList),
    signature.element, error,
    h("button", { type: "button", class: "primary", id: "handover-submit", onclick: oneAtATime(submit) }, t("handover_create")));
}
