// A failed attempt: reason and action (docs/design.md §3), with the invitations so far and when
// the next is allowed (two invitations, two working days apart: TT17 Art.5(2)(h)).
import { t } from "../i18n.js";
import { findItem, recordEvent, vietnamDate } from "../items.js";
import { PositionLine } from "../position-line.js";
import { invitationText, notHeldScreen } from "./item.js";
import { actionBar, field, h, oneAtATime, toast } from "../ui.js";

const REASONS = ["absent", "address_wrong", "moved", "not_found", "refused", "id_missing", "proxy_invalid", "papers_missing", "deceased", "force_majeure"];
const ACTIONS = ["notice_left", "retry", "return_to_agency"];

export async function failScreen(app, number) {
  const item = await findItem(number);
  if (!item) return notHeldScreen(number);
  const reason = h("select", { id: "failure-reason" }, REASONS.map((code) => h("option", { value: code }, t(`reason_${code}`))));
  const action = h("select", { id: "failure-action" }, ACTIONS.map((code) => h("option", { value: code }, t(`action_${code}`))));
  const where = new PositionLine();
  // A second notice the same day is not a second invitation (two working days apart,
  // TT17 Art.5(2)(h)): say so before the postman leaves it.
  const secondNotice = h("p", { class: "warning hidden", id: "second-notice", role: "status" }, t("second_notice_today"));
  const noticedToday = item.invitations?.last_on === vietnamDate();
  const showWarning = () => secondNotice.classList.toggle("hidden", !(noticedToday && action.value === "notice_left"));
  action.addEventListener("change", showWarning);
  showWarning();

  async function submit() {
    await recordEvent(item, "attempt_failed", { reason: reason.value, action: action.value }, await where.fresh());
    toast(t(navigator.onLine ? "saved" : "saved_offline"));
    app.syncSoon();
    app.go(`#/item/${item.tracking_number}`);
  }

  return h("form", { class: "screen form", id: "fail-form", onsubmit: oneAtATime(submit) },
    h("h1", {}, `${t("failed_attempt")} · ${item.tracking_number}`),
    h("p", { class: "invitations", id: "fail-invitations" }, invitationText(item)),
    field(t("reason"), reason), field(t("action"), action), secondNotice, where.element,
    actionBar(h("button", { type: "submit", class: "primary", id: "confirm-failure" }, t("confirm_failure"))));
}
