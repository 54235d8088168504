"""Hostile and wrong input: sign-in, sessions, CSRF, security headers, escaping, personal data.

Each test names the protection it proves; removing that protection makes it fail.
"""
from __future__ import annotations

import hashlib
import importlib
import logging
import re
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from itsdangerous import TimestampSigner
from sqlalchemy import select, text, update

from demo.cli import register_demo_commands
from server.accounts.service import create_user
from server.core.errors import Forbidden
from server.core.headers import CONTENT_SECURITY_POLICY
from server.core.security import issue_api_token, token_digest
from server.core.spec import OPERATIONS, UNSAFE_METHODS
from server.domain.errors import DomainError
from server.extensions import db
from server.models import ApiToken, Procedure, Unit, User
from server.models.types import utc_now
from tests.api.checks import (
    UNKNOWN_NUMBER,
    assert_error,
    count_where,
    nothing_written,
    signed_in,
)
from tests.api.scenario import (
    HOME,
    event,
    hand_over,
    register_result,
    result_body,
    sync,
    upload_image,
)

LOGIN = "/api/v1/auth/login"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _bearer(app: Flask, username: str) -> dict[str, str]:
    """A bearer header of a fresh token for `username`."""
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        raw = issue_api_token(user, "security test")
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


# --- sign-in: rate limits and no user enumeration ----------------------------------------

def test_the_account_limit_cannot_be_dodged_by_changing_case_or_spaces(app, world, new_api,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "10 per minute")
    client = new_api()
    spellings = ["clerk", "CLERK", " clerk", "Clerk ", "cLeRk"]
    for attempt in range(10):
        response = client.client.post(LOGIN, json={"username": spellings[attempt % 5],
                                                   "password": "guess"},
                                      environ_base={"REMOTE_ADDR": f"10.1.0.{attempt}"})
        assert response.status_code == 401
    blocked = client.client.post(LOGIN, json={"username": " CLERK", "password": "guess"},
                                 environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert_error(blocked, 429, "rate_limited")
    assert blocked.headers.get("Retry-After") == "60", "a client is told when to come back"
    # The same account under any spelling: this address failed on it, so it waits too.
    again = client.client.post(LOGIN, json={"username": "clerk", "password": "tantay-demo"},
                               environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert_error(again, 429, "rate_limited")


def test_a_wrong_password_and_an_unknown_user_take_as_long(app, world, monkeypatch):
    """With the real (strong) Argon2id cost, timing does not tell which accounts exist.

    Compared against each other only, with a generous margin: an unknown user verified
    against nothing would answer in about 1% of the time of a real check.
    """
    monkeypatch.setitem(app.config, "PASSWORD_HASH_FAST", False)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    with app.app_context():
        unit = db.session.execute(select(Unit).where(Unit.code == "BC-TRUNGTAM")).scalar_one()
        create_user("strong_clerk", "a long pass phrase", "clerk", unit.id)
        db.session.commit()
        stored = db.session.execute(
            select(User.password_hash).where(User.username == "strong_clerk")).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=2$")  # RFC 9106 second profile
    client = app.test_client()

    def attempt(username: str) -> float:
        started = time.perf_counter()
        response = client.post(LOGIN, json={"username": username, "password": "wrong guess"})
        elapsed = time.perf_counter() - started
        assert_error(response, 401, "invalid_credentials")
        return elapsed

    attempt("strong_clerk"), attempt("nobody")  # warm up: the dummy hash is made once
    wrong_password, unknown_user = [], []
    for round_ in range(6):  # interleaved, so a slower moment of the machine hits both
        wrong_password.append(attempt("strong_clerk"))
        unknown_user.append(attempt(f"nobody-{round_}"))
    ratio = statistics.mean(unknown_user) / statistics.mean(wrong_password)
    assert 0.6 < ratio < 1.6, (ratio, wrong_password, unknown_user)


def test_passwords_are_stored_as_argon2id_hashes(app, world):
    with app.app_context():
        hashes = db.session.execute(select(User.password_hash)).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any("tantay-demo" in h for h in hashes)


# --- the password policy: create-user and every password change -------------------------

@pytest.mark.parametrize(("password", "why"), [
    ("ngan123", "ít nhất 10 ký tự"), ("kiemtra_tinh", "tên đăng nhập"),
    ("Password123!", "phổ biến"), ("matkhau@2024", "phổ biến")])
def test_create_user_refuses_a_weak_password(app, world, password, why):
    result = app.test_cli_runner().invoke(args=["create-user", "kiemtra_tinh", "supervisor",
                                                "TINH", "--password", password])
    assert result.exit_code != 0 and why in result.output, result.output
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "kiemtra_tinh")
                                  ).scalar_one_or_none() is None


def test_create_user_accepts_a_pass_phrase_that_signs_in(app, world, new_api):
    result = app.test_cli_runner().invoke(args=["create-user", "kiemtra_tinh", "supervisor",
                                                "TINH", "--password", "ba con mèo đen"])
    assert result.exit_code == 0, result.output
    assert new_api().login("kiemtra_tinh", "ba con mèo đen").status_code == 200


def test_the_service_refuses_a_weak_password_whoever_calls_it(app, world):
    with app.app_context():
        unit = db.session.execute(select(Unit).where(Unit.code == "BC-TRUNGTAM")).scalar_one()
        with pytest.raises(DomainError) as refused:
            create_user("NewClerk", "newclerk2026", "clerk", unit.id)
        assert refused.value.code == "weak_password"
        assert refused.value.details["rule"] == "contains_username"


def test_set_password_applies_the_policy_and_ends_the_users_sessions(app, world, new_api):
    phone = signed_in(new_api(), "postman")
    weak = app.test_cli_runner().invoke(args=["set-password", "postman", "--password",
                                              "1234567890"])
    assert weak.exit_code != 0 and "phổ biến" in weak.output
    assert phone.get("/api/v1/auth/me").status_code == 200  # a refused change changes nothing
    assert new_api().login("postman").status_code == 200

    changed = app.test_cli_runner().invoke(args=["set-password", "Postman", "--password",
                                                 "đường làng mưa to"])
    assert changed.exit_code == 0, changed.output
    assert_error(phone.get("/api/v1/auth/me"), 401, "auth_required")
    assert_error(new_api().login("postman"), 401, "invalid_credentials")
    assert new_api().login("postman", "đường làng mưa to").status_code == 200


def test_set_password_of_an_unknown_user_is_an_error(app, world):
    result = app.test_cli_runner().invoke(args=["set-password", "nobody", "--password",
                                                "đường làng mưa to"])
    assert result.exit_code != 0 and "unknown user" in result.output


# --- sessions ---------------------------------------------------------------------------

def test_a_session_expires_after_its_lifetime(app, world, new_api, monkeypatch):
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(minutes=10))
    idle, active = signed_in(new_api(), "clerk"), signed_in(new_api(), "clerk")
    now = int(time.time())
    # The cookie's signature carries its time: the server refuses it once it is too old,
    # whatever the browser does with the cookie's own expiry date.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now + 11 * 60)
    assert_error(idle.get("/api/v1/auth/me"), 401, "auth_required")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now + 9 * 60)
    assert active.get("/api/v1/auth/me").status_code == 200  # within ten minutes: still in


def test_the_session_cookie_says_when_it_expires(app, world, new_api, monkeypatch):
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(days=2))
    cookie = new_api().login("clerk").headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie


def test_logout_ends_the_users_sessions_on_every_device(app, world, new_api):
    phone, desktop = signed_in(new_api(), "postman"), signed_in(new_api(), "postman")
    assert phone.post("/api/v1/auth/logout").status_code == 200
    assert_error(desktop.get("/api/v1/auth/me"), 401, "auth_required")
    assert_error(phone.get("/api/v1/auth/me"), 401, "auth_required")


# --- API tokens ---------------------------------------------------------------------------

def test_the_raw_api_token_is_never_stored(app, world):
    header = _bearer(app, "agency")
    raw = header["Authorization"].removeprefix("Bearer ")
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM api_tokens")).all()
        stored = db.session.execute(select(ApiToken.token_sha256)).scalar_one()
    assert raw not in repr(rows) and raw[3:] not in repr(rows)
    assert stored == hashlib.sha256(raw.encode()).hexdigest()
    assert app.test_client().get("/api/v1/items", headers=header).status_code == 200


def test_a_revoked_token_stops_working_and_others_do_not(app, world):
    first, second = _bearer(app, "agency"), _bearer(app, "agency")
    with app.app_context():
        digest = hashlib.sha256(first["Authorization"][7:].encode()).hexdigest()
        db.session.execute(update(ApiToken).where(ApiToken.token_sha256 == digest)
                           .values(revoked_at=utc_now()))
        db.session.commit()
    client = app.test_client()
    assert_error(client.get("/api/v1/items", headers=first), 401, "auth_required")
    assert client.get("/api/v1/items", headers=second).status_code == 200


def test_the_token_of_a_disabled_user_is_refused(app, world):
    header = _bearer(app, "agency")
    with app.app_context():
        db.session.execute(update(User).where(User.username == "agency").values(active=False))
        db.session.commit()
    assert_error(app.test_client().get("/api/v1/items", headers=header), 401, "auth_required")




# --- what an API token may do: the agency-system endpoints, for agency accounts, for a time

def _token_row(app: Flask, username: str, **values: Any) -> dict[str, str]:
    """A token row written straight to the database (as an old or tampered one would be)."""
    raw = "tt_" + uuid.uuid4().hex
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        db.session.add(ApiToken(user_id=user.id, name="raw row", token_sha256=token_digest(raw),
                                expires_at=values.pop("expires_at", utc_now() + timedelta(days=1)),
                                **values))
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_a_token_cannot_sign_a_handover(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    number = register_result(clerk)["tracking_number"]
    record = clerk.post("/api/v1/handovers", json={"to_unit": "CA-TINH", "items": [number]})
    assert record.status_code == 201, record.get_json()
    agency = _bearer(app, "agency")
    signature = upload_image(clerk, "token handover")
    with nothing_written(app):
        accept = app.test_client().post(
            f"/api/v1/handovers/{record.get_json()['id']}/accept", headers=agency,
            json={"scanned": [number], "signature_sha256": signature})
        assert_error(accept, 403, "token_not_allowed")
        opened = app.test_client().post("/api/v1/handovers", headers=agency,
                                        json={"to_unit": "BC-TRUNGTAM", "items": [number]})
        assert_error(opened, 403, "token_not_allowed")


def test_a_token_cannot_log_the_user_out_nor_read_the_session(app, world, new_api):
    officer = signed_in(new_api(), "agency")
    agency = _bearer(app, "agency")
    assert_error(app.test_client().post("/api/v1/auth/logout", headers=agency), 403,
                 "token_not_allowed")
    assert_error(app.test_client().get("/api/v1/auth/me", headers=agency), 403,
                 "token_not_allowed")
    assert officer.get("/api/v1/auth/me").status_code == 200  # the officer is still signed in


def test_a_token_cannot_upload_images_nor_read_reports(app, world):
    agency = _bearer(app, "agency")
    body = b"\x89PNG\r\n\x1a\n"
    upload = app.test_client().put("/api/v1/media/" + hashlib.sha256(body).hexdigest(),
                                   data=body, content_type="image/png", headers=agency)
    assert_error(upload, 403, "token_not_allowed")
    assert_error(app.test_client().get("/api/v1/reports/summary?period=month", headers=agency),
                 403, "token_not_allowed")


def test_a_token_opens_no_page(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    number = register_result(clerk)["tracking_number"]
    record = clerk.post("/api/v1/handovers", json={"to_unit": "CA-TINH", "items": [number]})
    agency = _bearer(app, "agency")
    officer = signed_in(new_api(), "agency")
    for page in ("/cash/agencies/CA-TINH/statement", f"/items/{number}/custody",
                 f"/handovers/{record.get_json()['id']}/record"):
        assert officer.get(page).status_code == 200, page  # the officer, signed in, may
        answer = app.test_client().get(page, headers=agency)
        assert answer.status_code == 302 and answer.location.endswith("/"), page  # sign in first


def test_the_token_endpoints_work_with_a_token(app, world):
    agency = _bearer(app, "agency")
    client = app.test_client()
    created = client.post("/api/v1/items", json=result_body(), headers=agency)
    assert created.status_code == 201, created.get_json()
    number = created.get_json()["tracking_number"]
    assert client.get(f"/api/v1/items/{number}", headers=agency).get_json()["status"] == (
        "registered")
    listed = client.get(f"/api/v1/items?q={number}", headers=agency).get_json()
    assert [item["tracking_number"] for item in listed["items"]] == [number]


@pytest.mark.parametrize("role", ["postman", "clerk", "supervisor", "admin"])
def test_no_token_is_issued_to_a_person_s_account(app, world, role):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == role)).scalar_one()
        with pytest.raises(Forbidden) as refused:
            issue_api_token(user, "not for people")
        assert refused.value.code == "token_role"
    result = app.test_cli_runner().invoke(args=["create-token", role, "my script"])
    assert result.exit_code != 0 and "agency" in result.output
    assert count_where(app, ApiToken) == 0


@pytest.mark.parametrize("role", ["postman", "clerk", "supervisor", "admin"])
def test_a_token_of_a_non_agency_account_is_refused(app, world, role):
    """A token row of another role (made before the rule, or the account's role changed)."""
    header = _token_row(app, role)
    client = app.test_client()
    assert_error(client.get("/api/v1/items", headers=header), 403, "token_not_allowed")
    with nothing_written(app):
        assert_error(client.post("/api/v1/items", json=result_body(), headers=header), 403,
                     "token_not_allowed")


def test_a_token_whose_account_became_a_clerk_stops_working(app, world):
    header = _bearer(app, "agency")
    with app.app_context():
        db.session.execute(update(User).where(User.username == "agency").values(role="clerk"))
        db.session.commit()
    assert_error(app.test_client().get("/api/v1/items", headers=header), 403, "token_not_allowed")


def test_an_expired_token_is_refused_and_writes_nothing(app, world):
    header = _token_row(app, "agency", expires_at=utc_now() - timedelta(seconds=1))
    client = app.test_client()
    with nothing_written(app):
        assert_error(client.post("/api/v1/items", json=result_body(), headers=header), 401,
                     "token_expired")
    assert_error(client.get("/api/v1/items", headers=header), 401, "token_expired")


def test_a_token_lasts_api_token_days(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_DAYS", 30)
    _bearer(app, "agency")
    with app.app_context():
        token = db.session.execute(select(ApiToken)).scalar_one()
        lifetime = token.expires_at - token.created_at
    assert timedelta(days=30) - timedelta(minutes=1) < lifetime <= timedelta(days=30)


def test_create_token_prints_the_token_once_with_its_expiry(app, world):
    result = app.test_cli_runner().invoke(
        args=["create-token", "agency", "một cửa", "--days", "7"])
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip()
    assert raw.startswith("tt_") and "expires" in result.stderr
    with app.app_context():
        token = db.session.execute(select(ApiToken)).scalar_one()
        assert token.token_sha256 == token_digest(raw) and raw not in repr(token.__dict__)
        assert token.expires_at - token.created_at <= timedelta(days=7)
    assert app.test_client().get("/api/v1/items",
                                 headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_revoke_token_revokes_the_named_tokens_only(app, world):
    runner = app.test_cli_runner()
    tokens = {name: runner.invoke(args=["create-token", "agency", name]).stdout.strip()
              for name in ("một cửa", "báo cáo")}
    revoked = runner.invoke(args=["revoke-token", "agency", "một cửa"])
    assert revoked.exit_code == 0 and "revoked 1" in revoked.stdout, revoked.output
    client = app.test_client()
    assert_error(client.get("/api/v1/items",
                            headers={"Authorization": f"Bearer {tokens['một cửa']}"}),
                 401, "auth_required")
    assert client.get("/api/v1/items", headers={
        "Authorization": f"Bearer {tokens['báo cáo']}"}).status_code == 200
    again = runner.invoke(args=["revoke-token", "agency", "một cửa"])
    assert again.exit_code != 0 and "no live token" in again.output + again.stderr
    listed = runner.invoke(args=["list-tokens", "agency"]).stdout
    assert "một cửa\trevoked" in listed and "báo cáo\tlive" in listed
    assert tokens["báo cáo"] not in listed and token_digest(tokens["báo cáo"]) not in listed


def test_revoke_token_without_a_name_revokes_every_token_of_the_account(app, world):
    runner = app.test_cli_runner()
    raws = [runner.invoke(args=["create-token", "agency", f"hệ thống {n}"]).stdout.strip()
            for n in range(3)]
    assert "revoked 3" in runner.invoke(args=["revoke-token", "AGENCY"]).stdout
    for raw in raws:
        assert_error(app.test_client().get("/api/v1/items",
                                           headers={"Authorization": f"Bearer {raw}"}),
                     401, "auth_required")


# --- CSRF on every unsafe call made with the session cookie ----------------------------

def _example_url(rule: str) -> str:
    """The rule with a plausible value for each path parameter."""
    values = {"tn": UNKNOWN_NUMBER, "sha256": "0" * 64}
    return re.sub(r"<(?:(\w+):)?(\w+)>",
                  lambda m: "1" if m.group(1) == "int" else values.get(m.group(2), "x"), rule)


def _declared_operations() -> list[Any]:
    """Every operation of every API module (the app factory's package imports them all)."""
    importlib.import_module("server")
    return list(OPERATIONS)


UNSAFE = [op for op in _declared_operations() if op.method in UNSAFE_METHODS and not op.public]


@pytest.mark.parametrize("op", UNSAFE, ids=[f"{op.method} {op.rule}" for op in UNSAFE])
def test_every_unsafe_cookie_call_needs_the_csrf_header(app, world, new_api, op):
    username = min(str(role) for role in op.roles) if op.roles else "clerk"
    client = signed_in(new_api(), username)
    url = _example_url(op.rule)
    with nothing_written(app):
        for headers in ({}, {"X-CSRF-Token": client.csrf[:-2] + "xx"}, {"X-CSRF-Token": ""}):
            response = client.client.open(url, method=op.method, json={}, headers=headers)
            assert_error(response, 403, "csrf_failed")
    assert client.get("/api/v1/auth/me").status_code == 200  # still signed in


def test_the_unsafe_operations_include_the_known_ones():
    names = {(op.method, op.rule) for op in UNSAFE}
    assert {("POST", "/api/v1/items"), ("POST", "/api/v1/sync"), ("PUT", "/api/v1/media/<sha256>"),
            ("POST", "/api/v1/auth/logout")} <= names


# --- security headers -------------------------------------------------------------------

@pytest.fixture
def pwa_dist(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in build of the field app, so its files are served whether or not npm ran."""
    for name, content in {"index.html": "<!doctype html><title>TậnTay</title>",
                          "sw.js": "self.addEventListener('install', () => {});",
                          "manifest.webmanifest": '{"name": "TậnTay"}',
                          "app.js": "export {};"}.items():
        (tmp_path / name).write_text(content)
    monkeypatch.setitem(app.config, "PWA_DIST", str(tmp_path))
    return tmp_path


def _urls(number: str) -> list[str]:
    """API answers (success and error), server-rendered pages and the field app's files."""
    return ["/api/v1/auth/me", "/api/v1/openapi.json", f"/api/v1/track/{number}",
            "/api/v1/no-such-thing", "/t/", f"/t/{number}", "/t/KQ000000000VN", "/supervisor",
            f"/items/{number}/custody", "/", "/sw.js", "/manifest.webmanifest", "/app.js",
            "/static/tracking.css"]


def test_every_answer_carries_the_security_headers(app, world, new_api, pwa_dist):
    number = register_result(signed_in(new_api(), "clerk"))["tracking_number"]
    client = app.test_client()
    for url in _urls(number):
        response = client.get(url)
        assert response.status_code < 500, url
        csp = response.headers.get("Content-Security-Policy", "")
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, url
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, url
        assert "object-src 'none'" in csp, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "no-referrer", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert "Strict-Transport-Security" not in response.headers, url  # plain HTTP


def test_hsts_is_sent_only_over_tls(app, world, pwa_dist):
    secure = app.test_client()
    for url in ("/api/v1/auth/me", "/t/", "/", "/sw.js"):
        response = secure.get(url, base_url="https://tantay.test")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000"), url
        assert "Strict-Transport-Security" not in app.test_client().get(url).headers, url


def test_the_policy_allows_no_inline_code_anywhere():
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY


def test_pages_hold_no_inline_script_or_style(app, world, new_api, pwa_dist):
    """The policy forbids inline code, so no page may need any (it would silently break)."""
    number = register_result(signed_in(new_api(), "clerk"))["tracking_number"]
    supervisor = signed_in(new_api(), "supervisor")
    pages = [app.test_client().get("/t/"), app.test_client().get(f"/t/{number}"),
             app.test_client().get("/supervisor"), supervisor.get(f"/items/{number}/custody")]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200, html[:200]
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), html[:300]
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), html[:300]


# --- names with HTML are escaped on every printed page -----------------------------------

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'


def _plant_html_names(app: Flask) -> None:
    """Units, staff and a procedure whose names carry markup."""
    with app.app_context():
        for code in ("BC-TRUNGTAM", "CA-TINH"):
            db.session.execute(update(Unit).where(Unit.code == code)
                               .values(name=f"Đơn vị {IMAGE}"))
        db.session.execute(update(User).values(full_name=f"Nhân viên {SCRIPT}"))
        db.session.execute(update(Procedure).values(name=f"Thủ tục {SCRIPT}"))
        db.session.commit()


def _assert_escaped(html: str, where: str) -> None:
    for raw in (SCRIPT, IMAGE, "<script>alert", "<img src=x"):
        assert raw not in html, where


def test_names_with_html_are_escaped_on_every_page(app, world, new_api):
    _plant_html_names(app)
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    citizen = {"name": SCRIPT, "phone": "0912345678", "id_type": "cccd",
               "id_number": "001234567890",
               # The commune is checked against the 2025 map; free text goes in the legacy address.
               "address": {**HOME, "line": IMAGE, "legacy": SCRIPT}}
    number = register_result(clerk, citizen=citizen,
                             documents=[{"name": SCRIPT, "original": True, "count": 1}])[
        "tracking_number"]
    hand_over(clerk, postman, "postman", [number])
    signature = upload_image(postman, "escaping")
    delivered = event(number, "delivered", signature_sha256=signature,
                      position={"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 5},
                      recipient={"name": SCRIPT, "relation": "proxy", "relationship": IMAGE,
                                 "id_type": "cccd", "id_last4": "7890"},
                      authorization_sha256=signature, cash_collected_vnd=26000,
                      papers_collected=[SCRIPT])
    assert [r["status"] for r in sync(postman, event(number, "out_for_delivery"), delivered)] == [
        "accepted", "accepted"]

    tracking = app.test_client().get(f"/t/{number}").get_data(as_text=True)
    _assert_escaped(tracking, "tracking page")
    assert "&lt;img src=x" in tracking  # the unit's name is printed, escaped

    custody = signed_in(new_api(), "supervisor").get(f"/items/{number}/custody")
    assert custody.status_code == 200
    html = custody.get_data(as_text=True)
    _assert_escaped(html, "custody page")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the recipient, printed escaped

    dashboard = app.test_client().get("/supervisor").get_data(as_text=True)
    _assert_escaped(dashboard, "dashboard shell")
    data = signed_in(new_api(), "supervisor").get("/api/v1/dashboard")
    assert data.mimetype == "application/json"  # names reach the browser only as JSON data…
    assert data.headers["X-Content-Type-Options"] == "nosniff"  # …never sniffed as HTML


def test_a_hostile_tracking_number_in_the_url_is_escaped(app, world):
    for path in ("/t/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                 "/t/%22%3E%3Cimg%20src=x%20onerror=alert(2)%3E"):
        html = app.test_client().get(path).get_data(as_text=True)
        _assert_escaped(html, path)
        assert '"><img' not in html


def test_no_client_script_writes_html_from_strings():
    """Pages that draw API data (dashboard, field app, custody) build DOM nodes, never HTML."""
    scripts = [*PROJECT_ROOT.joinpath("server/web/static").rglob("*.js"),
               *PROJECT_ROOT.joinpath("pwa/src").rglob("*.js")]
    assert scripts
    writers = re.compile(
        r"\.(?:inner|outer)HTML\s*\+?=|insertAdjacentHTML\s*\(|document\.write\s*\(")
    offenders = [str(path) for path in scripts if writers.search(path.read_text())]
    assert offenders == []


# --- personal data: logs, error details, public tracking --------------------------------

CITIZEN = {"name": "Hoàng Thị Riêngtư", "phone": "0987654321", "id_number": "079123456789"}


@pytest.fixture
def app_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record of the app and its libraries, SQL included, at DEBUG.

    The migrations' `logging.config.fileConfig` disabled the loggers that existed before it
    ran; they are switched back on here, so nothing the app logs escapes the capture.
    """
    disabled = [logger for logger in logging.root.manager.loggerDict.values()
                if isinstance(logger, logging.Logger) and logger.disabled]
    for logger in disabled:
        logger.disabled = False
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # statements and parameters
    yield caplog
    for logger in disabled:
        logger.disabled = True


def _personal(body: dict[str, Any]) -> list[str]:
    return [body["name"], body["phone"], body["id_number"], "0987 654 321"]


def test_no_name_phone_or_id_number_reaches_the_logs(app, world, new_api, app_logs):
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    citizen = {"name": CITIZEN["name"], "phone": "0987 654 321", "id_type": "cccd",
               "id_number": CITIZEN["id_number"], "address": dict(HOME)}
    number = register_result(clerk, citizen=citizen)["tracking_number"]
    # Refused: a landline, an ID number one digit short, a passport number as a CCCD.
    for wrong in ({"phone": "0287654321"}, {"id_number": "07912345678"},
                  {"id_number": "C7912345"}):
        refused = clerk.post("/api/v1/items", json=result_body(citizen={**citizen, **wrong}))
        assert refused.status_code == 422
    hand_over(clerk, postman, "postman", [number])
    signature = upload_image(postman, "logs")
    results = sync(postman, event(number, "out_for_delivery"), event(
        number, "delivered", signature_sha256=signature,
        position={"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 5},
        recipient={"name": CITIZEN["name"], "relation": "self", "id_type": "cccd",
                   "id_last4": "67"}, cash_collected_vnd=0, papers_collected=[]))
    assert results[1]["status"] == "rejected"  # a bad last four: refused, logged or not
    app.test_client().get(f"/api/v1/track/{number}")
    assert "INSERT INTO items" in app_logs.text, "the SQL log was captured"
    for value in [*_personal(CITIZEN), "0287654321", "07912345678", "C7912345"]:
        assert value not in app_logs.text, value


@pytest.mark.parametrize(("field", "value", "code"), [
    ("phone", "0287654321", "invalid_phone"),
    ("phone", "+1 415 555 0101", "invalid_phone"),
    ("id_number", "07912345678", "invalid_id_number"),
    ("id_number", "079-1234-5678-9", "invalid_id_number"),
])
def test_a_refused_phone_or_id_is_not_echoed_in_the_error(app, world, new_api, field, value,
                                                          code):
    clerk = signed_in(new_api(), "clerk")
    citizen = {"name": "Nguyễn Thị Mẫu", "phone": "0912345678", "id_type": "cccd",
               "id_number": "001234567890", "address": dict(HOME), field: value}
    response = clerk.post("/api/v1/items", json=result_body(citizen=citizen))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] in (code, "validation_failed")
    body = response.get_data(as_text=True)
    assert value not in body and re.sub(r"\D", "", value) not in re.sub(r"\D", "", body)
    if response.get_json()["error"]["code"] == "validation_failed":
        assert response.get_json()["error"]["details"]["fields"][0]["field"] == f"citizen.{field}"


def test_a_refused_last_four_is_not_echoed_in_the_sync_result(app, world, new_api):
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    number = register_result(clerk)["tracking_number"]
    hand_over(clerk, postman, "postman", [number])
    signature = upload_image(postman, "last-four")
    result = sync(postman, event(number, "delivered", signature_sha256=signature,
                                 recipient={"name": "Mẫu", "relation": "self",
                                            "id_type": "cccd", "id_last4": "7%9!"},
                                 cash_collected_vnd=0, papers_collected=[]))[0]
    assert result["status"] == "rejected"
    assert "7%9!" not in str(result)
    assert result["error"]["details"] == {"field": "recipient.id_last4"}


def test_public_tracking_is_rate_limited(app, world, new_api, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKING_RATE_LIMIT", "3 per minute")
    number = register_result(signed_in(new_api(), "clerk"))["tracking_number"]
    citizen = app.test_client()
    for path in (f"/api/v1/track/{number}", f"/t/{number}"):
        for _ in range(3):
            assert citizen.get(path).status_code == 200, path
        assert citizen.get(path).status_code == 429, path
    # Guessing numbers is held back the same way as reading a known one.
    assert_error(citizen.get(f"/api/v1/track/{UNKNOWN_NUMBER}"), 429, "rate_limited")


def test_public_tracking_reveals_nothing_personal(app, world, new_api):
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    citizen = {"name": CITIZEN["name"], "phone": CITIZEN["phone"], "id_type": "cccd",
               "id_number": CITIZEN["id_number"],
               "address": {**HOME, "line": "Ngõ Bímật 99"}}
    number = register_result(clerk, citizen=citizen,
                             dossier_code="000.00.04.H51-260105-0042")["tracking_number"]
    hand_over(clerk, postman, "postman", [number])
    signature = upload_image(postman, "public")
    sync(postman, event(number, "out_for_delivery"), event(
        number, "delivered", signature_sha256=signature,
        position={"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 5},
        recipient={"name": "Người Nhậnhộ", "relation": "proxy", "relationship": "hàng xóm",
                   "id_type": "cccd", "id_last4": "4321"}, authorization_sha256=signature,
        cash_collected_vnd=26000, papers_collected=[]))
    public = app.test_client()
    answers = [public.get(f"/api/v1/track/{number}").get_data(as_text=True),
               public.get(f"/t/{number}").get_data(as_text=True)]
    assert '"status":"delivered"' in answers[0].replace(" ", "")
    for answer in answers:
        for secret in (*_personal(CITIZEN), "Bímật", "Nhậnhộ", "hàng xóm", "6789", "4321",
                       signature, str(HOME["lat"]), "H51-260105-0042"):
            assert secret not in answer, secret


# --- ids beyond what the database holds ------------------------------------------------

INT_ROUTES = [op for op in _declared_operations() if "<int:" in op.rule]


@pytest.mark.parametrize("op", INT_ROUTES, ids=[f"{op.method} {op.rule}" for op in INT_ROUTES])
def test_an_id_beyond_the_databases_range_is_404_not_500(app, world, new_api, op):
    """`Integer` keys are 32-bit on PostgreSQL, 64-bit on SQLite: neither may see a larger id."""
    caller = signed_in(new_api(), "admin" if op.roles is None or "admin" in op.roles
                       else min(str(role) for role in op.roles))
    for huge in (2**31, 2**63, 10**40):
        url = re.sub(r"<int:\w+>", str(huge), op.rule)
        body = {"resolve": {"note": "x"}, "countersign": {},
                "accept": {"scanned": [], "signature_sha256": "0" * 64},
                "sign": {"clerk_signature_sha256": "0" * 64},
                "cancel": {"reason": "Nhầm người nhận."}}.get(url.rsplit("/", 1)[1])
        response = caller.client.open(url, method=op.method, json=body,
                                      headers={"X-CSRF-Token": caller.csrf})
        assert_error(response, 404, response.get_json()["error"]["code"])


def test_an_api_path_that_names_no_route_is_404_whatever_the_method(app, world, new_api):
    """Not 405: the field app's catch-all `GET /<path>` must not make an API typo look real."""
    postman = signed_in(new_api(), "postman")
    headers, client = {"X-CSRF-Token": postman.csrf}, postman.client
    for method, url in (("POST", "/api/v1/handovers/abc/accept"), ("PUT", "/api/v1/media/a%2Fb"),
                        ("POST", "/api/v1/no-such-thing"), ("DELETE", "/api/v1/sync/x")):
        assert_error(client.open(url, method=method, headers=headers), 404, "not_found")
    # A real route with a method it does not take is still 405.
    assert_error(client.delete("/api/v1/sync", headers=headers), 405, "method_not_allowed")


def test_the_demo_refuses_a_demo_password_the_policy_refuses(app, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo1234")
    register_demo_commands(app)
    result = app.test_cli_runner().invoke(args=["seed-demo", "--citizens", "1"])
    assert result.exit_code != 0 and "DEMO_PASSWORD" in result.output, result.output
    with app.app_context():
        assert db.session.execute(select(User)).first() is None


def test_the_document_offers_bearer_tokens_on_the_agency_system_endpoints_only(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    with_token = set()
    for path, methods in document["paths"].items():
        for method, entry in methods.items():
            if entry.get("security") is None:  # the document's default: session or bearer
                with_token.add((method.upper(), path))
            else:
                assert entry["security"] in ([], [{"session": []}]), (method, path)
    assert with_token == {("POST", "/api/v1/items"), ("GET", "/api/v1/items"),
                          ("GET", "/api/v1/items/{tn}"), ("POST", "/api/v1/results/import"),
                          ("POST", "/api/v1/results/batch")}
