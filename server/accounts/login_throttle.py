"""The login throttle's counters: failed sign-ins kept in the database for a short window.

The rule (what is refused, and when) is server/domain/login_throttle.py; here the failures
are counted, recorded and forgotten. The database is the store every gunicorn worker and
every server shares, with no extra service: Flask-Limiter's default memory storage is one
counter per process, so the limit multiplied with the workers.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from limits import parse
from sqlalchemy import delete, or_, select

from server.domain.login_throttle import LoginLimits, RecentFailures
from server.extensions import db
from server.models import LoginFailure
from server.models.types import utc_now


@dataclass(frozen=True)
class LoginThrottleSettings:
    """The limits and their windows, from LOGIN_RATE_LIMIT and LOGIN_ADDRESS_RATE_LIMIT."""

    limits: LoginLimits
    account_window: timedelta
    address_window: timedelta

    @property
    def longest_window(self) -> timedelta:
        """How long a failure may still count for something."""
        return max(self.account_window, self.address_window)


def throttle_settings() -> LoginThrottleSettings:
    """Read the two limits ("10 per minute" form, as Flask-Limiter's) from the config."""
    per_account = parse(current_app.config["LOGIN_RATE_LIMIT"])
    per_address = parse(current_app.config["LOGIN_ADDRESS_RATE_LIMIT"])
    return LoginThrottleSettings(
        limits=LoginLimits(per_account=per_account.amount, per_address=per_address.amount),
        account_window=timedelta(seconds=per_account.get_expiry()),
        address_window=timedelta(seconds=per_address.get_expiry()))


@dataclass(frozen=True)
class LoginAttempt:
    """Who is being tried, from where: keyed digests only (see models/login_failure.py)."""

    account_digest: str
    address_digest: str

    @classmethod
    def of(cls, username: str, address: str) -> LoginAttempt:
        """The attempt on `username` (as sign-in normalises it) from `address`."""
        return cls(_digest("account", username.strip().lower()), _digest("address", address))


def _digest(kind: str, value: str) -> str:
    """HMAC-SHA256 under SECRET_KEY, one kind apart from the other."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def recent_failures(attempt: LoginAttempt, settings: LoginThrottleSettings,
                    now: datetime | None = None) -> RecentFailures:
    """Count the failures within the windows: of the account, from the address, of both."""
    now = now or utc_now()
    rows = db.session.execute(
        select(LoginFailure.account_digest, LoginFailure.address_digest, LoginFailure.failed_at)
        .where(or_(LoginFailure.account_digest == attempt.account_digest,
                   LoginFailure.address_digest == attempt.address_digest),
               LoginFailure.failed_at > now - settings.longest_window)).all()
    account_since, address_since = now - settings.account_window, now - settings.address_window
    of_account = [row for row in rows
                  if row.account_digest == attempt.account_digest and row.failed_at > account_since]
    return RecentFailures(
        account_from_address=sum(row.address_digest == attempt.address_digest
                                 for row in of_account),
        account=len(of_account),
        address=sum(row.address_digest == attempt.address_digest and row.failed_at > address_since
                    for row in rows))


def record_failure(attempt: LoginAttempt, settings: LoginThrottleSettings) -> None:
    """Count one failure, and delete the failures too old to count for anything."""
    now = utc_now()
    db.session.execute(delete(LoginFailure)
                       .where(LoginFailure.failed_at <= now - settings.longest_window))
    db.session.add(LoginFailure(account_digest=attempt.account_digest,
                                address_digest=attempt.address_digest, failed_at=now))
    db.session.flush()


def forget_failures(attempt: LoginAttempt) -> None:
    """After a successful sign-in: this address's failures on this account no longer count."""
    db.session.execute(delete(LoginFailure).where(
        LoginFailure.account_digest == attempt.account_digest,
        LoginFailure.address_digest == attempt.address_digest))
