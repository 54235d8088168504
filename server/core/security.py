"""Passwords, sessions, CSRF tokens and bearer tokens."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Request, current_app, g, request, session
from sqlalchemy import select

from server.core.errors import Forbidden
from server.extensions import db, login_manager
from server.models import ApiToken, Role, User
from server.models.types import utc_now

CSRF_SESSION_KEY = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
#: Only an agency's own system is a machine client (docs/design.md §2: it "registers results, reads
#: statuses with an API token"); people sign in.
TOKEN_ROLES = frozenset({Role.agency})
#: Endpoints (Flask endpoint names) a bearer token may call, filled by `operation(token=True)`:
#: registering results and reading items. Anywhere else, a page included, a token is no one.
TOKEN_ENDPOINTS: set[str] = set()

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
    expected: str = session.get(CSRF_SESSION_KEY) or ""
    given = request.headers.get(CSRF_HEADER, "")
    return bool(expected) and hmac.compare_digest(expected, given)


def authenticated_by_token() -> bool:
    """True when the current user came from a bearer token rather than the session cookie."""
    return bool(g.get("authenticated_by_token"))


def allow_api_tokens(endpoint: str) -> None:
    """Let bearer tokens call the endpoint (the agency-system API)."""
    TOKEN_ENDPOINTS.add(endpoint)


@dataclass(frozen=True)
class BearerRefusal:
    """Why a bearer token that names a real token did not authenticate this request."""

    status: int
    code: str
    message: str


TOKEN_EXPIRED = BearerRefusal(401, "token_expired", "Mã truy cập API đã hết hạn; hãy xin quản "
                              "trị hệ thống cấp mã mới.")
TOKEN_NOT_HERE = BearerRefusal(403, "token_not_allowed", "Mã truy cập API chỉ dùng để đăng ký "
                               "kết quả và tra cứu trạng thái; việc này cần đăng nhập.")
TOKEN_WRONG_ROLE = BearerRefusal(403, "token_not_allowed", "Mã truy cập API chỉ dành cho hệ "
                                 "thống của cơ quan giải quyết thủ tục.")


def bearer_refusal() -> BearerRefusal | None:
    """The refusal of this request's bearer token, if it named a real token that may not be used."""
    refusal: BearerRefusal | None = g.get("bearer_refusal")
    return refusal


def token_digest(raw_token: str) -> str:
    """SHA-256 of a bearer token: tokens are random, so a plain hash is enough to store."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def issue_api_token(user: User, name: str, days: int | None = None) -> str:
    """Create a token for an agency's system; the raw value is shown once and never stored.

    It lasts `days` (default API_TOKEN_DAYS). Other roles are refused (Forbidden).
    """
    if user.role not in TOKEN_ROLES:
        raise Forbidden("token_role", f"Chỉ cấp mã truy cập API cho tài khoản của cơ quan (agency); "
                        f"{user.username} là {user.role}.")
    if not user.active:
        raise Forbidden("user_inactive", f"Tài khoản {user.username} đã bị khoá.")
    lifetime = timedelta(days=days if days is not None else current_app.config["API_TOKEN_DAYS"])
    raw = "tt_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name, token_sha256=token_digest(raw),
                            expires_at=utc_now() + lifetime))
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


def _load_user_from_bearer(req: Request) -> User | None:
    """Flask-Login request loader: `Authorization: Bearer <token>` of a live API token.

    Only on the agency-system endpoints (TOKEN_ENDPOINTS) and only for an agency's account:
    elsewhere — signing handovers, logging out, pages — a token is nobody. An expired or
    misplaced token leaves its reason in `g.bearer_refusal` for the answer.
    """
    header = req.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_sha256 == token_digest(raw.strip()))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at <= utc_now():
        g.bearer_refusal = TOKEN_EXPIRED
        return None
    if token.user.role not in TOKEN_ROLES:
        g.bearer_refusal = TOKEN_WRONG_ROLE
        return None
    if req.endpoint not in TOKEN_ENDPOINTS:
        g.bearer_refusal = TOKEN_NOT_HERE
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
