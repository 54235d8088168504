"""The transition tables of handovers, corrections, remittances, notifications and flags.

Each table is written out again here by hand: every move listed is accepted with its status,
every other (status, action) pair — creation included — is refused with the machine's code.
"""
from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

import pytest
from sqlalchemy import CheckConstraint

from server.domain.errors import DomainError
from server.domain.lifecycle import ItemStatus
from server.domain.state_machines import (
    CORRECTIONS,
    FLAGS,
    HANDOVERS,
    MACHINES,
    NOTIFICATIONS,
    REMITTANCES,
    CorrectionAction,
    CorrectionStatus,
    FlagAction,
    FlagStatus,
    HandoverAction,
    HandoverStatus,
    NotificationAction,
    NotificationStatus,
    RemittanceAction,
    RemittanceStatus,
    StateMachine,
    TransitionError,
    after_failed_send,
)
from server.models import (
    AuditFlag,
    CashRemittance,
    Correction,
    HandoverRecord,
    Item,
    Notification,
)

#: machine, its status enum, its action enum, the moves it allows, its refusal code.
EXPECTED: list[tuple[StateMachine[Any, Any], type[StrEnum], type[StrEnum],
                     dict[tuple[str | None, str], str], str]] = [
    (HANDOVERS, HandoverStatus, HandoverAction, {
        (None, "list"): "pending",
        ("pending", "accept"): "accepted",
        ("pending", "cancel"): "cancelled",
        ("pending", "expire"): "cancelled",
    }, "handover_closed"),
    (CORRECTIONS, CorrectionStatus, CorrectionAction, {
        (None, "request"): "pending",
        ("pending", "countersign"): "applied",
    }, "correction_already_applied"),
    (REMITTANCES, RemittanceStatus, RemittanceAction, {
        (None, "postman_signs"): "open",
        ("open", "clerk_signs"): "closed",
    }, "remittance_closed"),
    (NOTIFICATIONS, NotificationStatus, NotificationAction, {
        (None, "queue"): "pending",
        ("pending", "deliver"): "sent",
        ("pending", "retry"): "pending",
        ("pending", "give_up"): "failed",
    }, "notification_closed"),
    (FLAGS, FlagStatus, FlagAction, {
        (None, "raise"): "open",
        ("open", "resolve"): "resolved",
    }, "flag_already_resolved"),
]


def _pairs() -> list[tuple[Any, ...]]:
    """Every (machine, status or None, action) with what the table should answer."""
    pairs = []
    for machine, statuses, actions, allowed, code in EXPECTED:
        for status in [None, *statuses]:
            for action in actions:
                key = (None if status is None else status.value, action.value)
                pairs.append(pytest.param(machine, status, action, allowed.get(key), code,
                                          id=f"{code}-{status}-{action}"))
    return pairs


def test_the_expected_tables_cover_every_machine() -> None:
    assert [row[0] for row in EXPECTED] == list(MACHINES)


@pytest.mark.parametrize(("machine", "status", "action", "after", "code"), _pairs())
def test_every_listed_move_is_accepted_and_every_other_refused(
        machine: StateMachine[Any, Any], status: StrEnum | None, action: StrEnum,
        after: str | None, code: str) -> None:
    # The stored value is a plain string, as read from the database.
    stored = None if status is None else str(status.value)
    assert machine.allowed(stored, action) is (after is not None)
    if after is not None:
        answered = machine.next_status(stored, action)
        assert answered == after and isinstance(answered, StrEnum)
        return
    with pytest.raises(TransitionError) as refused:
        machine.next_status(stored, action)
    assert refused.value.code == code
    assert refused.value.details == {"status": stored}
    # A message in Vietnamese a person can read: no English status word, no empty template.
    assert refused.value.message and "{" not in refused.value.message
    assert isinstance(refused.value, DomainError)


@pytest.mark.parametrize(("machine", "terminal"), [
    (HANDOVERS, {"accepted", "cancelled"}),
    (CORRECTIONS, {"applied"}),
    (REMITTANCES, {"closed"}),
    (NOTIFICATIONS, {"sent", "failed"}),
    (FLAGS, {"resolved"}),
])
def test_terminal_statuses_are_those_no_action_leaves(machine: StateMachine[Any, Any],
                                                      terminal: set[str]) -> None:
    assert machine.terminal == terminal


def test_an_unknown_stored_status_takes_no_action() -> None:
    with pytest.raises(TransitionError) as refused:
        HANDOVERS.next_status("signed", HandoverAction.accept)
    assert refused.value.code == "handover_closed"
    assert refused.value.details == {"status": "signed"}
    assert refused.value.message == ("Biên bản giao nhận có trạng thái không hợp lệ “signed”; "
                                     "hãy báo quản trị viên.")


def test_a_cancelled_handover_says_why_and_what_to_do() -> None:
    with pytest.raises(TransitionError) as refused:
        HANDOVERS.next_status("cancelled", HandoverAction.accept, words={"reason": "Lập nhầm"})
    assert refused.value.message == "Biên bản đã bị hủy (Lập nhầm); hãy lập biên bản mới."


def test_a_signed_handover_can_be_neither_signed_again_nor_cancelled() -> None:
    for action in (HandoverAction.accept, HandoverAction.cancel, HandoverAction.expire):
        with pytest.raises(TransitionError) as refused:
            HANDOVERS.next_status("accepted", action)
        assert refused.value.message == "Biên bản đã được ký nhận; không thể ký lại hay hủy."


def test_a_closed_remittance_names_itself_and_its_closing_time() -> None:
    with pytest.raises(TransitionError) as refused:
        REMITTANCES.next_status("closed", RemittanceAction.clerk_signs,
                                words={"id": "7", "closed_at": "17:05 03/12/2026"},
                                details={"id": 7})
    assert refused.value.message == ("Phiếu nộp tiền số 7 đã được ký đủ và khóa lúc "
                                     "17:05 03/12/2026; không thể ký lại.")
    assert refused.value.details == {"status": "closed", "id": 7}


def test_a_word_the_caller_did_not_give_reads_as_an_ellipsis() -> None:
    with pytest.raises(TransitionError) as refused:
        REMITTANCES.next_status("closed", RemittanceAction.clerk_signs)
    assert refused.value.message.startswith("Phiếu nộp tiền số … đã được ký đủ")


@pytest.mark.parametrize(("attempts", "action"), [
    (1, NotificationAction.retry), (4, NotificationAction.retry),
    (5, NotificationAction.give_up), (6, NotificationAction.give_up),
])
def test_a_failed_send_retries_until_the_last_attempt(attempts: int,
                                                       action: NotificationAction) -> None:
    assert after_failed_send(attempts, 5) is action


def _listed(constraint_sql: str) -> list[str]:
    return re.findall(r"'([^']*)'", constraint_sql)


@pytest.mark.parametrize(("model", "values"), [
    (Item, ["", *ItemStatus]),
    (HandoverRecord, list(HandoverStatus)),
    (Correction, list(CorrectionStatus)),
    (CashRemittance, list(RemittanceStatus)),
    (Notification, list(NotificationStatus)),
    (AuditFlag, list(FlagStatus)),
])
def test_the_database_keeps_each_status_among_its_machine_s(model: Any, values: list[str]) -> None:
    [check] = [c for c in model.__table__.constraints
               if isinstance(c, CheckConstraint) and str(c.name).endswith("_status_known")]
    assert _listed(str(check.sqltext)) == [str(value) for value in values]
