"""Passwords, sessions, CSRF tokens and bearer tokens."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, request, session
from sqlalchemy import select

from server.extensions import db, login_manager
from server.models import ApiToken, User
from server.models.types import utc_now

CSRF_SESSION_KEY = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

#: Argon2id, memory-hard (RFC 9106 second recommended profile: 64 MiB, 3 passes).
_STRONG_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)
#: For the test suite only (PASSWORD_HASH_FAST): same scheme, tiny cost.
_FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    """Pick the hasher the configuration asks for."""
    return _FAST_HASHER if current_app.config.get("PASSWORD_HASH_FAST") else _STRONG_HASHER


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return _hasher().hash(password)


#: Verified against when the username is unknown, so timing does not reveal which it was.
_DUMMY_HASHES: dict[bool, str] = {}


def verify_password(user: User | None, password: str) -> bool:
    """Check a password; spends the same work whether or not the user exists."""
    fast = bool(current_app.config.get("PASSWORD_HASH_FAST"))
    if fast not in _DUMMY_HASHES:
        _DUMMY_HASHES[fast] = _hasher().hash(secrets.token_hex(16))
    stored = user.password_hash if user is not None else _DUMMY_HASHES[fast]
    try:
        _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def csrf_token() -> str:
    """Return the session's CSRF token, making one on first use."""
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def csrf_header_valid() -> bool:
    """True when the request carries the session's CSRF token in its header."""
    expected = session.get(CSRF_SESSION_KEY)
    given = request.headers.get(CSRF_HEADER, "")
    return bool(expected) and hmac.compare_digest(expected, given)


def authenticated_by_token() -> bool:
    """True when the current user came from a bearer token rather than the session cookie."""
    return bool(g.get("authenticated_by_token"))


def token_digest(raw_token: str) -> str:
    """SHA-256 of a bearer token: tokens are random, so a plain hash is enough to store."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def issue_api_token(user: User, name: str) -> str:
    """Create a token for a machine client; the raw value is shown once and never stored."""
    raw = "tt_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name, token_sha256=token_digest(raw)))
    db.session.flush()
    return raw


def _load_user_from_session(session_id: str) -> User | None:
    """Flask-Login user loader: the id and the session version must both match."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _load_user_from_bearer(req) -> User | None:  # type: ignore[no-untyped-def]
    """Flask-Login request loader: `Authorization: Bearer <token>` of a live API token."""
    header = req.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_sha256 == token_digest(raw.strip()))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if req.method not in ("GET", "HEAD", "OPTIONS"):
        # Only writing requests commit; reads must stay read-only transactions.
        token.last_used_at = utc_now()
    g.authenticated_by_token = True
    return token.user


def init_security(app: Flask) -> None:
    """Wire Flask-Login to our loaders."""
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user_from_session)
    login_manager.request_loader(_load_user_from_bearer)
