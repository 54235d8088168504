// A pickup at home asked for by phone (QĐ45 Art.6(1)): the clerk records the procedure and
// the citizen's address; the dossier waits in `requested` for the assigned postman (or any
// postman of the office), who counts the documents and takes the fees at the door.
import { call } from "../api.js";
import { formatVnd, t } from "../i18n.js";
import { field, h, oneAtATime, toast } from "../ui.js";
import { CitizenForm, loadOnline, offlineScreen, ProcedurePicker, refusalMessage } from "./intake-common.js";

export async function intakePickupScreen(app) {
  const loaded = await loadOnline(["/procedures?postal_eligible=true", "/fees", "/units", "/intake/postmen", "/items?status=requested&kind=dossier&limit=50"]);
  if (!loaded) return offlineScreen(app, t("pickup_request"));
  const [{ procedures }, fees, { units }, { postmen }, { items: waiting }] = loaded;
  const office = units.find((unit) => unit.code === app.session.user.unit.code);
  const picker = new ProcedurePicker(procedures, () => {});
  const citizen = new CitizenForm(office, { idRequired: false });
  app.onLeave(() => citizen.cardScan.stop());
  const reduction = h("select", { id: "pickup-reduction" }, h("option", { value: "" }, t("no_reduction")),
    fees.reductions.map((r) => h("option", { value: r.code }, r.name)));
  const postman = h("select", { id: "pickup-postman" }, h("option", { value: "" }, t("unassigned")),
    postmen.map((p) => h("option", { value: p.username }, p.full_name || p.username)));
  const note = h("input", { id: "pickup-note", maxlength: "300" });
  const error = h("p", { class: "error", role: "alert", id: "pickup-error" });

  async function submit() {
    error.textContent = "";
    if (!navigator.onLine) return (error.textContent = t("intake_needs_network"));
    if (!picker.selected) return (error.textContent = t("choose_procedure"));
    const problem = citizen.problem();
    if (problem) return (error.textContent = problem);
    const body = { procedure_code: picker.selected.code, citizen: citizen.value() };
    if (reduction.value) body.reduction_code = reduction.value;
    if (postman.value) body.postman = postman.value;
    if (note.value.trim()) body.note = note.value.trim();
    try {
      const item = await call("POST", "/pickups", body);
      toast(t("pickup_saved", { tn: item.tracking_number, amount: formatVnd(item.cash_due_vnd) }));
      app.go("#/");
    } catch (failure) {
      error.textContent = refusalMessage(failure);
    }
  }

  return h("form", { class: "screen form intake", id: "pickup-form", onsubmit: oneAtATime(submit), novalidate: true },
    h("h1", {}, t("pickup_request")),
    picker.element, citizen.element,
    h("fieldset", {}, h("legend", {}, t("pickup_details")),
      field(t("reduction"), reduction), field(t("assign_postman"), postman), field(t("note"), note)),
    error,
    h("button", { type: "submit", class: "primary", id: "submit-pickup" }, t("pickup_submit")),
    waitingPickups(app, waiting, postmen));
}

// The office's pickups still to make, each (re)assignable to a postman.
function waitingPickups(app, waiting, postmen) {
  if (waiting.length === 0) return null;
  return h("section", { class: "waiting-pickups", id: "waiting-pickups" },
    h("h2", {}, t("waiting_pickups")),
    h("ul", { class: "items" }, waiting.map((item) => {
      const choice = h("select", { "aria-label": `${t("assign_postman")} ${item.tracking_number}` },
        h("option", { value: "", disabled: true, selected: !item.holder.user }, t("not_assigned")),
        postmen.map((p) => h("option", { value: p.username, selected: item.holder.user === p.username }, p.full_name || p.username)));
      const message = h("span", { class: "assign-error", role: "alert" });
      const assign = oneAtATime(async () => {
        if (!choice.value) return (message.textContent = t("choose_postman"));
        try {
          await call("POST", `/pickups/${item.tracking_number}/assign`, { postman: choice.value });
          toast(t("pickup_assigned", { tn: item.tracking_number }));
          app.go(location.hash, true);
        } catch (failure) {
          message.textContent = refusalMessage(failure);
        }
      });
      return h("li", { "data-tn": item.tracking_number },
        h("span", { class: "number" }, item.tracking_number),
        h("span", { class: "address" }, `${item.procedure_name} · ${item.citizen.address.line}`),
        h("div", { class: "assign-row" }, choice, h("button", { type: "button", class: "small secondary", onclick: assign }, t("assign"))),
        message);
    })));
}
