"""Sign-in, sign-out and the current session."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from server.api.serializers import user_out
from server.api.spec import operation
from server.extensions import limiter
from server.schemas.catalogue import LoginRequest, SessionOut
from server.security import csrf_token
from server.services.auth import sign_in, sign_out

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")


def _login_username_key() -> str:
    """Rate-limit key per account, so one account cannot be hammered from many addresses."""
    payload = request.get_json(silent=True)
    username = payload.get("username") if isinstance(payload, dict) else None
    return f"login-user:{str(username or '').strip().lower()[:80]}"


def _failed(response: Response) -> bool:
    """Only failed sign-ins count: a whole post office behind one address signs in each morning."""
    return response.status_code != 200


@operation(bp, "/login", "POST", summary="Sign in with a username and password", tag="auth",
           body=LoginRequest, response=SessionOut, public=True, errors=(401, 429))
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_username_key,
               deduct_when=_failed)
def login(body: LoginRequest) -> SessionOut:
    """Start a session cookie; the answer carries the CSRF token for unsafe calls."""
    user = sign_in(body.username, body.password)
    return SessionOut(user=user_out(user), csrf_token=csrf_token())


@operation(bp, "/logout", "POST", summary="Sign out (ends every session of the user)", tag="auth")
def logout() -> dict[str, bool]:
    """End the session."""
    sign_out(current_user._get_current_object())  # type: ignore[attr-defined]
    return {"ok": True}


@operation(bp, "/me", "GET", summary="The signed-in user and a CSRF token", tag="auth",
           response=SessionOut)
def me() -> SessionOut:
    """Who is signed in."""
    return SessionOut(user=user_out(current_user), csrf_token=csrf_token())  # type: ignore[arg-type]
