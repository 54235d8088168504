"""Signing in and out."""
from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user
from sqlalchemy import select

from server.accounts.login_throttle import (
    LoginAttempt,
    LoginThrottleSettings,
    forget_failures,
    recent_failures,
    record_failure,
    throttle_settings,
)
from server.core.errors import ServiceError
from server.core.security import hash_password, verify_password
from server.domain.login_throttle import (
    Refusal,
    refusal_after_wrong_password,
    refusal_before_password,
)
from server.domain.passwords import check_password
from server.extensions import db
from server.models import User


class LoginRefused(ServiceError):
    """A sign-in that did not happen; the failure it counted must still be committed."""

    #: Seconds the client is asked to wait before trying again (Retry-After), if any.
    retry_after_s: int | None = None


class LoginFailed(LoginRefused):
    """Wrong username or password: one message for both, so accounts cannot be guessed."""

    status = 401


class LoginThrottled(LoginRefused):
    """Too many failed sign-ins (server/domain/login_throttle.py): come back later."""

    status = 429

    def __init__(self, refusal: Refusal, settings: LoginThrottleSettings) -> None:
        window = (settings.address_window if refusal is Refusal.address_hammering
                  else settings.account_window)
        self.retry_after_s = max(1, int(window.total_seconds()))
        super().__init__("rate_limited", "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau "
                         f"{self.retry_after_s} giây.", {"retry_after_s": self.retry_after_s})


def sign_in(username: str, password: str, address: str) -> User:
    """Check the credentials, throttled by failures (shared by every worker); start a session.

    Raises LoginThrottled before the password is looked at when `address` is hammering,
    LoginFailed (or LoginThrottled on a locked account) for a wrong password; a failure is
    recorded in the session's transaction, which the caller commits even so.
    """
    settings = throttle_settings()
    attempt = LoginAttempt.of(username, address)
    recent = recent_failures(attempt, settings)
    refusal = refusal_before_password(recent, settings.limits)
    if refusal is not None:
        raise LoginThrottled(refusal, settings)
    user = db.session.execute(
        select(User).where(User.username == username.strip().lower())
    ).scalar_one_or_none()
    if not verify_password(user, password) or user is None or not user.active:
        record_failure(attempt, settings)
        refusal = refusal_after_wrong_password(recent, settings.limits)
        if refusal is not None:
            raise LoginThrottled(refusal, settings)
        raise LoginFailed("invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.")
    forget_failures(attempt)
    # A new session and CSRF token at every sign-in: whatever the browser carried before
    # (a cookie planted by someone else, or another user's) is dropped, so nobody who knew
    # the old CSRF token can ride on the new session (no session fixation).
    session.clear()
    # A permanent session outlives closing the browser: a postman signed in in the morning
    # keeps working all day, offline included (PERMANENT_SESSION_LIFETIME, SESSION_DAYS).
    session.permanent = True
    login_user(user, remember=False)
    return user


def sign_out(user: User) -> None:
    """End every session of the user: the session version in their cookies no longer matches.

    This browser's session is emptied too, its CSRF token with it: the next sign-in starts
    from nothing.
    """
    user.session_version += 1
    logout_user()
    session.clear()


def create_user(username: str, password: str, role: str, unit_id: int, full_name: str = "") -> User:
    """Add a user with a hashed password that passes the policy (server/domain/passwords.py)."""
    username = username.strip().lower()
    check_password(username, password)
    user = User(username=username, password_hash=hash_password(password),
                role=role, unit_id=unit_id, full_name=full_name)
    db.session.add(user)
    db.session.flush()
    return user


def change_password(user: User, new_password: str) -> None:
    """Set a new password that passes the policy, and end every session of the user."""
    check_password(user.username, new_password)
    user.password_hash = hash_password(new_password)
    user.session_version += 1
