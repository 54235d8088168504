"""The two-invitation rule (TT17 Art.5(2)(h))."""
from __future__ import annotations

from datetime import date

from server.domain.invitations import FailedAttempt, invitation_status
from server.domain.lifecycle import FailureAction, FailureReason


def attempt(day: date, reason: str = "absent", action: str = "notice_left") -> FailedAttempt:
    return FailedAttempt(on=day, reason=FailureReason(reason), action=FailureAction(action))


def test_no_attempt_means_no_invitation_and_no_return():
    status = invitation_status([])
    assert (status.count, status.next_allowed_on, status.may_return) == (0, None, False)


def test_next_invitation_is_two_working_days_after_the_first():
    # Friday 20 Nov 2026 → Tuesday 24 Nov 2026 (the weekend does not count).
    status = invitation_status([attempt(date(2026, 11, 20))])
    assert status.count == 1
    assert status.next_allowed_on == date(2026, 11, 24)
    assert status.may_return is False


def test_next_invitation_skips_public_holidays():
    # Tuesday 1 Sep 2026 → 2 Sep is National Day: Thursday 3 and Friday 4 count.
    assert invitation_status([attempt(date(2026, 9, 1))]).next_allowed_on == date(2026, 9, 4)


def test_two_invitations_allow_the_return():
    status = invitation_status([attempt(date(2026, 11, 20)), attempt(date(2026, 11, 24))])
    assert status.count == 2 and status.may_return is True and status.next_allowed_on is None


def test_retries_without_a_notice_are_not_invitations():
    status = invitation_status([attempt(date(2026, 11, 20), action="retry")])
    assert status.count == 0 and status.may_return is False


def test_a_refusal_makes_the_item_undeliverable_at_once():
    status = invitation_status([attempt(date(2026, 11, 20), reason="refused", action="return_to_agency")])
    assert status.may_return is True and status.next_allowed_on is None


def test_two_notices_on_the_same_day_are_one_invitation():
    status = invitation_status([attempt(date(2026, 11, 20)), attempt(date(2026, 11, 20))])
    assert status.count == 1 and status.may_return is False
    assert status.next_allowed_on == date(2026, 11, 24)


def test_a_notice_one_working_day_later_is_not_a_second_invitation():
    status = invitation_status([attempt(date(2026, 11, 23)), attempt(date(2026, 11, 24))])
    assert status.count == 1 and status.may_return is False
