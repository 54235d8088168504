"""Sign-in, sign-out and the current session."""
from __future__ import annotations

from flask import Blueprint, Response, request
from flask_login import current_user

from server.accounts.service import LoginRefused, sign_in, sign_out
from server.catalogue.schemas import LoginRequest, SessionOut, SignedOut
from server.catalogue.serializers import user_out
from server.core.error_handlers import error_response
from server.core.security import csrf_token
from server.core.spec import operation

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")


@operation(bp, "/login", "POST", summary="Sign in with a username and password", tag="auth",
           body=LoginRequest, response=SessionOut, public=True, errors=(401, 429))
def login(body: LoginRequest) -> SessionOut | Response:
    """Start a session cookie; the answer carries the CSRF token for unsafe calls.

    Failed sign-ins are throttled (server/domain/login_throttle.py), counted in the database
    so every worker sees the same count.
    """
    try:
        user = sign_in(body.username, body.password, request.remote_addr or "")
    except LoginRefused as refusal:
        # Answered, not raised: the failure just counted is committed with the answer.
        response = error_response(refusal.status, refusal.code, refusal.message, refusal.details)
        if refusal.retry_after_s is not None:
            response.headers["Retry-After"] = str(refusal.retry_after_s)
        return response
    return SessionOut(user=user_out(user), csrf_token=csrf_token())


@operation(bp, "/logout", "POST", summary="Sign out (ends every session of the user)", tag="auth",
           response=SignedOut)
def logout() -> SignedOut:
    """End the session."""
    sign_out(current_user._get_current_object())
    return SignedOut()


@operation(bp, "/me", "GET", summary="The signed-in user and a CSRF token", tag="auth",
           response=SessionOut)
def me() -> SessionOut:
    """Who is signed in."""
    return SessionOut(user=user_out(current_user), csrf_token=csrf_token())
