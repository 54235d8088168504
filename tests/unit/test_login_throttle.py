"""The login throttle's rule (server/domain/login_throttle.py)."""
from __future__ import annotations

import pytest

from server.domain.login_throttle import (
    LoginLimits,
    RecentFailures,
    Refusal,
    refusal_after_wrong_password,
    refusal_before_password,
)

LIMITS = LoginLimits(per_account=10, per_address=30)


def _recent(pair: int = 0, account: int = 0, address: int = 0) -> RecentFailures:
    return RecentFailures(account_from_address=pair, account=max(account, pair),
                          address=max(address, pair))


@pytest.mark.parametrize(("recent", "expected"), [
    (_recent(), None),
    (_recent(pair=9), None),
    (_recent(pair=10), Refusal.account_hammered_from_address),
    (_recent(account=10), None),  # locked, but this address never failed on it: may try
    (_recent(pair=1, account=10), Refusal.account_hammered_from_address),
    (_recent(address=29), None),
    (_recent(address=30), Refusal.address_hammering),
    (_recent(pair=0, account=3, address=30), Refusal.address_hammering),
])
def test_who_may_try_before_the_password_is_checked(recent, expected):
    assert refusal_before_password(recent, LIMITS) == expected


def test_a_wrong_password_is_too_many_only_once_the_account_was_locked():
    assert refusal_after_wrong_password(_recent(account=9), LIMITS) is None
    assert refusal_after_wrong_password(_recent(account=10), LIMITS) is Refusal.account_locked


def test_each_address_gets_one_guess_at_a_locked_account():
    locked = _recent(account=10)
    assert refusal_before_password(locked, LIMITS) is None
    after_one_guess = _recent(pair=1, account=11)
    assert refusal_before_password(after_one_guess, LIMITS) is not None
