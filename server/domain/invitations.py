"""The two-invitation rule of failed deliveries (TT17 Art.5(2)(h); Postal Law 49/2010 Art.17).

A result that cannot be delivered gets at least two invitations (giấy mời), two working days
apart, before it may go back to the agency; a refusal or a wrong, missing or vacated address
makes it undeliverable at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.domain.lifecycle import (
    MIN_INVITATIONS_BEFORE_RETURN,
    UNDELIVERABLE_AT_ONCE,
    WORKING_DAYS_BETWEEN_INVITATIONS,
    FailureAction,
    FailureReason,
)
from server.domain.service_time import add_working_days


@dataclass(frozen=True)
class FailedAttempt:
    """One failed attempt as recorded: its local date, reason and action."""

    on: date
    reason: FailureReason
    action: FailureAction


@dataclass(frozen=True)
class InvitationStatus:
    """How many invitations an item has had, when the next is allowed, and whether it may go back."""

    count: int
    last_on: date | None
    next_allowed_on: date | None
    may_return: bool
    #: Why it may go back (`two_invitations`, `undeliverable`) or why not (`invitations_missing`).
    return_rule: str = "invitations_missing"

    @property
    def return_rule_vi(self) -> str:
        """The rule in the clerk's words, with what is still missing."""
        return RETURN_RULE_LABELS_VI[self.return_rule].format(count=self.count)


#: What the API and the screens say about the two-invitation rule (TT17 Art.5(2)(h)).
RETURN_RULE_LABELS_VI: dict[str, str] = {
    "two_invitations": "Đã đủ 2 lần mời cách nhau 2 ngày làm việc: được chuyển hoàn về cơ quan.",
    "undeliverable": "Người nhận từ chối nhận hoặc sai/không còn ở địa chỉ: được chuyển hoàn ngay.",
    "invitations_missing": "Mới mời {count}/2 lần: chưa được chuyển hoàn về cơ quan.",
}


def invitation_status(attempts: list[FailedAttempt]) -> InvitationStatus:
    """Count the invitations and apply the two-invitation rule.

    An attempt is an invitation when the citizen is told to come or wait for the next visit:
    a notice left, or the final notice that the result goes back (action return_to_agency).
    A plain `retry` (coming back later the same day) is not one.
    """
    notices = sorted(a.on for a in attempts
                     if a.action in (FailureAction.notice_left, FailureAction.return_to_agency))
    invitations = _spaced(notices)
    undeliverable = any(a.reason in UNDELIVERABLE_AT_ONCE for a in attempts)
    last_on = invitations[-1] if invitations else None
    enough = len(invitations) >= MIN_INVITATIONS_BEFORE_RETURN
    next_allowed_on = None
    if last_on is not None and not enough and not undeliverable:
        next_allowed_on = add_working_days(last_on, WORKING_DAYS_BETWEEN_INVITATIONS)
    rule = ("undeliverable" if undeliverable else
            "two_invitations" if enough else "invitations_missing")
    return InvitationStatus(count=len(invitations), last_on=last_on,
                            next_allowed_on=next_allowed_on, may_return=enough or undeliverable,
                            return_rule=rule)


def _spaced(days: list[date]) -> list[date]:
    """The invitations that count: each at least two working days after the one before.

    A second notice left the same day (or the next) repeats the first; it is not a second
    invitation (TT17 Art.5(2)(h)).
    """
    counted: list[date] = []
    for day in days:
        if not counted or day >= add_working_days(counted[-1], WORKING_DAYS_BETWEEN_INVITATIONS):
            counted.append(day)
    return counted
