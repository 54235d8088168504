"""The item lifecycle table."""

import pytest

from server.domain.errors import DomainError
from server.domain.lifecycle import (
    EVENT_LABELS_VI,
    FAILURE_ACTION_LABELS_VI,
    FAILURE_REASON_LABELS_VI,
    STATUS_LABELS_VI,
    TERMINAL,
    TRANSITIONS,
    EventType,
    FailureAction,
    FailureReason,
    ItemKind,
    ItemStatus,
    apply_event,
    field_target,
    upu_code,
)

D, R = ItemKind.dossier, ItemKind.result
S, E = ItemStatus, EventType


def _walk(kind: ItemKind, events: list[EventType]) -> ItemStatus | None:
    """Apply events in order from a not-yet-existing item."""
    status: ItemStatus | None = None
    for event in events:
        status = apply_event(kind, status, event)
    return status


def test_home_collected_dossier_is_filed_via_transit() -> None:
    events = [E.requested, E.collected, E.handed_over, E.at_post, E.in_transit, E.filed]
    assert _walk(D, events) is S.filed


def test_counter_intake_creates_a_collected_dossier() -> None:
    assert apply_event(D, None, E.collected) is S.collected


def test_post_desk_in_the_one_stop_centre_files_straight_from_the_post() -> None:
    assert apply_event(D, S.at_post, E.filed) is S.filed


def test_result_is_delivered_after_a_failed_attempt() -> None:
    events = [
        E.registered,
        E.at_post,
        E.out_for_delivery,
        E.attempt_failed,
        E.out_for_delivery,
        E.delivered,
    ]
    assert _walk(R, events) is S.delivered


def test_result_held_for_pickup_is_delivered_at_the_counter() -> None:
    assert _walk(R, [E.registered, E.at_post, E.held_for_pickup, E.delivered]) is S.delivered


def test_result_held_for_pickup_can_go_out_again() -> None:
    assert apply_event(R, S.held_for_pickup, E.out_for_delivery) is S.out_for_delivery


def test_undelivered_result_is_returned_after_failed_attempts() -> None:
    assert apply_event(R, S.attempt_failed, E.returned) is S.returned


def test_returned_result_can_be_handed_back_to_the_agency() -> None:
    assert apply_event(R, S.returned, E.handed_over) is S.returned


@pytest.mark.parametrize("status", [S.collected, S.at_post, S.in_transit])
def test_handover_keeps_the_dossier_status(status: ItemStatus) -> None:
    assert apply_event(D, status, E.handed_over) is status


def test_dossier_can_be_cancelled_before_collection() -> None:
    assert apply_event(D, S.requested, E.cancelled) is S.cancelled


def test_dossier_cannot_be_cancelled_after_collection() -> None:
    with pytest.raises(DomainError) as caught:
        apply_event(D, S.collected, E.cancelled)
    assert caught.value.code == "transition_not_allowed"


def test_registered_result_can_be_cancelled() -> None:
    assert apply_event(R, S.registered, E.cancelled) is S.cancelled


def test_result_at_the_post_cannot_be_cancelled() -> None:
    with pytest.raises(DomainError):
        apply_event(R, S.at_post, E.cancelled)


def test_dossier_cannot_be_delivered() -> None:
    with pytest.raises(DomainError):
        apply_event(D, S.at_post, E.delivered)


def test_refusal_names_status_event_and_kind_in_vietnamese() -> None:
    with pytest.raises(DomainError) as caught:
        apply_event(R, S.delivered, E.out_for_delivery)
    error = caught.value
    assert "Đang phát" in error.message
    assert "Phát thành công" in error.message
    assert "kết quả" in error.message
    assert error.details == {
        "kind": "result",
        "status": "delivered",
        "event_type": "out_for_delivery",
    }


def test_refusal_for_an_item_not_yet_existing_says_so() -> None:
    with pytest.raises(DomainError) as caught:
        apply_event(R, None, E.delivered)
    assert "chưa có trong hệ thống" in caught.value.message
    assert caught.value.details["status"] is None


def test_handover_of_an_item_not_yet_existing_is_refused() -> None:
    with pytest.raises(DomainError):
        apply_event(D, None, E.handed_over)


def test_no_event_leaves_a_terminal_status() -> None:
    assert [key for key in TRANSITIONS if key[1] in TERMINAL] == []


def test_terminal_statuses_are_reachable() -> None:
    assert set(TRANSITIONS.values()) >= TERMINAL


def test_every_event_names_one_target_per_kind() -> None:
    # field_target relies on this: an event means the same status wherever the item was.
    targets: dict[tuple[ItemKind, EventType], set[ItemStatus]] = {}
    for (kind, _status, event), target in TRANSITIONS.items():
        if event is not E.handed_over:
            targets.setdefault((kind, event), set()).add(target)
    assert all(len(found) == 1 for found in targets.values())


def test_field_target_of_a_delivery_is_delivered_whatever_came_before() -> None:
    assert field_target(R, E.delivered) is S.delivered


def test_field_target_of_counter_collection_is_collected() -> None:
    assert field_target(D, E.collected) is S.collected


def test_field_target_of_a_handover_is_none() -> None:
    assert field_target(R, E.handed_over) is None


def test_field_target_of_an_event_foreign_to_the_kind_is_none() -> None:
    assert field_target(D, E.delivered) is None


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (E.collected, "EMA"),
        (E.at_post, "EMG"),
        (E.out_for_delivery, "EDG"),
        (E.attempt_failed, "EMH"),
        (E.delivered, "EMI"),
        (E.held_for_pickup, "EDH"),
    ],
)
def test_upu_code_of_field_events(event: EventType, code: str) -> None:
    assert upu_code(event) == code


def test_upu_code_is_none_for_an_event_upu_does_not_define() -> None:
    assert upu_code(E.filed) is None


def test_every_event_has_a_vietnamese_label() -> None:
    assert set(EVENT_LABELS_VI) == set(EventType)


def test_delivered_reads_phat_thanh_cong_on_the_tracking_page() -> None:
    assert STATUS_LABELS_VI[S.delivered] == "Phát thành công"
    assert EVENT_LABELS_VI[E.delivered] == "Phát thành công"


def test_every_failure_reason_has_a_vietnamese_label() -> None:
    assert set(FAILURE_REASON_LABELS_VI) == set(FailureReason)


def test_every_failure_action_has_a_vietnamese_label() -> None:
    assert set(FAILURE_ACTION_LABELS_VI) == set(FailureAction)


def test_failure_reason_codes_match_the_api_contract() -> None:
    assert {reason.value for reason in FailureReason} == {
        "absent", "address_wrong", "moved", "not_found", "refused",
        "id_missing", "proxy_invalid", "papers_missing", "deceased", "force_majeure",
    }


def test_failure_action_codes_match_the_api_contract() -> None:
    codes = {action.value for action in FailureAction}
    assert codes == {"retry", "notice_left", "return_to_agency"}


DESIGNED_TRANSITIONS = {
    # kind, from (None = not yet existing), event → to
    ("dossier", None, "requested", "requested"),
    ("dossier", None, "collected", "collected"),
    ("dossier", "requested", "collected", "collected"),
    ("dossier", "requested", "cancelled", "cancelled"),
    ("dossier", "collected", "at_post", "at_post"),
    ("dossier", "at_post", "in_transit", "in_transit"),
    ("dossier", "in_transit", "filed", "filed"),
    ("dossier", "at_post", "filed", "filed"),
    ("dossier", "requested", "handed_over", "requested"),  # a pickup assigned to a postman
    ("dossier", "collected", "handed_over", "collected"),
    ("dossier", "at_post", "handed_over", "at_post"),
    ("dossier", "in_transit", "handed_over", "in_transit"),
    # QĐ45 Art.7(4): found incomplete at the filing; back with the post; the supplement collected.
    ("dossier", "in_transit", "supplement_requested", "supplement_requested"),
    ("dossier", "at_post", "supplement_requested", "supplement_requested"),
    ("dossier", "supplement_requested", "handed_over", "supplement_requested"),
    ("dossier", "supplement_requested", "collected", "collected"),
    ("result", None, "registered", "registered"),
    ("result", "registered", "at_post", "at_post"),
    ("result", "registered", "cancelled", "cancelled"),
    ("result", "at_post", "out_for_delivery", "out_for_delivery"),
    ("result", "at_post", "held_for_pickup", "held_for_pickup"),
    ("result", "out_for_delivery", "delivered", "delivered"),
    ("result", "out_for_delivery", "attempt_failed", "attempt_failed"),
    ("result", "attempt_failed", "out_for_delivery", "out_for_delivery"),
    ("result", "attempt_failed", "held_for_pickup", "held_for_pickup"),
    ("result", "attempt_failed", "returned", "returned"),
    ("result", "held_for_pickup", "delivered", "delivered"),
    ("result", "held_for_pickup", "returned", "returned"),
    ("result", "held_for_pickup", "out_for_delivery", "out_for_delivery"),
    ("result", "registered", "handed_over", "registered"),
    ("result", "at_post", "handed_over", "at_post"),
    ("result", "out_for_delivery", "handed_over", "out_for_delivery"),
    ("result", "attempt_failed", "handed_over", "attempt_failed"),
    ("result", "held_for_pickup", "handed_over", "held_for_pickup"),
    ("result", "returned", "handed_over", "returned"),
}


def test_the_table_allows_exactly_the_designed_transitions() -> None:
    # A new transition is a change of the law's reading: it must be added here on purpose.
    actual = {(k, s, e, target) for (k, s, e), target in TRANSITIONS.items()}
    assert actual == DESIGNED_TRANSITIONS


def test_an_incomplete_dossier_is_filed_only_after_its_supplement() -> None:
    """QĐ45 Art.7(4): incomplete at the desk, back to the citizen, collected again, then filed."""
    walk = [E.collected, E.at_post, E.in_transit, E.supplement_requested, E.handed_over,
            E.collected, E.at_post, E.in_transit, E.filed]
    assert _walk(ItemKind.dossier, walk[:4]) is S.supplement_requested
    assert _walk(ItemKind.dossier, walk) is S.filed


def test_a_filed_dossier_cannot_be_sent_back_for_a_supplement() -> None:
    """Incompleteness is found at the filing handover; a filing once signed stays."""
    with pytest.raises(DomainError) as refusal:
        apply_event(ItemKind.dossier, S.filed, E.supplement_requested)
    assert refusal.value.code == "transition_not_allowed"
