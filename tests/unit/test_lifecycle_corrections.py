"""The `corrected` event: a countersigned correction that never moves an item (docs/design.md §4)."""

import pytest

from server.domain.errors import DomainError
from server.domain.lifecycle import (
    EVENT_LABELS_VI,
    KIND_STATUSES,
    EventType,
    ItemKind,
    ItemStatus,
    apply_event,
    field_target,
    upu_code,
)

D, R = ItemKind.dossier, ItemKind.result
S, E = ItemStatus, EventType

EVERY_STATUS_OF_EACH_KIND = [(kind, status) for kind in ItemKind for status in KIND_STATUSES[kind]]


def test_each_kind_knows_exactly_its_own_statuses() -> None:
    assert KIND_STATUSES[D] == {S.requested, S.collected, S.at_post, S.in_transit, S.filed,
                                S.supplement_requested,
                                S.cancelled}
    assert KIND_STATUSES[R] == {S.registered, S.at_post, S.out_for_delivery, S.attempt_failed,
                                S.held_for_pickup, S.delivered, S.returned, S.cancelled}


@pytest.mark.parametrize(("kind", "status"), EVERY_STATUS_OF_EACH_KIND)
def test_a_correction_keeps_the_status_in_every_status_of_both_kinds(kind: ItemKind,
                                                                     status: ItemStatus) -> None:
    assert apply_event(kind, status, E.corrected) is status


def test_a_correction_of_an_item_not_yet_existing_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        apply_event(R, None, E.corrected)
    assert "Điều chỉnh (có kiểm soát)" in caught.value.message


def test_a_correction_names_no_field_target() -> None:
    # After an offline conflict, "the field is the truth" must never move an item on a correction.
    assert field_target(D, E.corrected) is None and field_target(R, E.corrected) is None


def test_a_correction_reads_dieu_chinh_co_kiem_soat_and_has_no_upu_code() -> None:
    assert EVENT_LABELS_VI[E.corrected] == "Điều chỉnh (có kiểm soát)"
    assert upu_code(E.corrected) is None
