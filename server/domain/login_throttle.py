"""When a sign-in may be tried: failed guesses are throttled, offices are not locked out.

TCVN 11930:2017 (the basic security requirements of an information system by level) asks
that repeated failed sign-ins be limited; NIST SP 800-63B §5.2.2 asks for it without letting
an attacker lock the rightful user out. Failures only are counted, in a sliding window:

- of one account, from everywhere (`per_account`): the account is *locked* for guessing;
- of one account from one address: that address is *hammering the account* once it reaches
  `per_account`, or — the account being locked — as soon as it has failed on it at all;
- from one address, whatever the account (`per_address`): the address is *hammering* (one
  machine trying many accounts). Many postmen sign in from behind one office address (NAT),
  so this limit is higher than the account's.

An address that is hammering, or hammering the account, is refused before the password is
looked at. Any other address may try: a correct password signs in even while the account is
locked (the postman is not locked out of his own account by someone guessing it elsewhere),
a wrong one is answered "too many attempts" while the account is locked, "wrong" otherwise.
Each address thus gets one guess per window at a locked account.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class LoginLimits:
    """Failures allowed within the window before the throttle steps in."""

    per_account: int
    per_address: int


@dataclass(frozen=True)
class RecentFailures:
    """Failed sign-ins within the window, counted three ways for one attempt."""

    #: of the account being tried, from the address trying it
    account_from_address: int
    #: of the account being tried, from every address
    account: int
    #: from the address trying, whatever the account
    address: int


class Refusal(StrEnum):
    """Why an attempt is answered "too many attempts"."""

    #: the address failed on too many accounts: it may not try any
    address_hammering = "address_hammering"
    #: the address failed on this account too often (or at all while it is locked)
    account_hammered_from_address = "account_hammered_from_address"
    #: a wrong password on a locked account
    account_locked = "account_locked"


def account_locked(recent: RecentFailures, limits: LoginLimits) -> bool:
    """The account has had `per_account` failures within the window, from anywhere."""
    return recent.account >= limits.per_account


def refusal_before_password(recent: RecentFailures, limits: LoginLimits) -> Refusal | None:
    """Whether the attempt is refused without looking at the password, and why."""
    if recent.address >= limits.per_address:
        return Refusal.address_hammering
    allowed_from_here = 1 if account_locked(recent, limits) else limits.per_account
    if recent.account_from_address >= allowed_from_here:
        return Refusal.account_hammered_from_address
    return None


def refusal_after_wrong_password(recent: RecentFailures, limits: LoginLimits) -> Refusal | None:
    """After a wrong password: "too many attempts" when the account was locked already.

    `recent` is counted before this failure, as for `refusal_before_password`: the
    `per_account`-th failure is still answered "wrong", the next guess "too many attempts".
    """
    return Refusal.account_locked if account_locked(recent, limits) else None
