"""Sign-in, sessions, CSRF and bearer tokens."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text, update

from server.config import settings_from_environment
from server.core.security import issue_api_token
from server.extensions import db
from server.models import ApiToken, Item, LoginFailure, User
from server.models.types import utc_now
from tests.api.checks import assert_error, count_where, nothing_written, signed_in
from tests.api.scenario import result_body

LOGIN = "/api/v1/auth/login"


def _login_from(client: Any, username: str, password: str, address: str = "127.0.0.1") -> Any:
    """A sign-in attempt coming from a given network address."""
    return client.post(LOGIN, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _token_for(app: Flask, username: str, name: str = "hệ thống một cửa") -> str:
    """Issue a bearer token for a user, committed; answer the raw token."""
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        raw = issue_api_token(user, name)
        db.session.commit()
    return raw


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


# --- login ------------------------------------------------------------------------------

def test_login_answers_the_user_and_a_csrf_token(app, world, new_api):
    response = new_api().login("clerk")
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["username"] == "clerk" and body["user"]["role"] == "clerk"
    assert body["user"]["unit"]["code"] == "BC-TRUNGTAM"
    assert isinstance(body["csrf_token"], str) and len(body["csrf_token"]) >= 32
    assert "password" not in response.get_data(as_text=True)


def test_the_session_cookie_is_http_only_and_same_site(app, world, new_api):
    cookie = new_api().login("clerk").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_me_answers_the_signed_in_user_and_the_same_csrf_token(app, world, new_api):
    client = new_api()
    token = client.login("postman").get_json()["csrf_token"]
    me = client.get("/api/v1/auth/me").get_json()
    assert me["user"]["username"] == "postman" and me["csrf_token"] == token


def test_wrong_password_and_unknown_user_get_the_same_401(app, world, new_api):
    wrong_password = assert_error(new_api().login("clerk", "not-the-password"), 401,
                                  "invalid_credentials")
    unknown_user = assert_error(new_api().login("nobody", "tantay-demo"), 401,
                                "invalid_credentials")
    assert wrong_password == unknown_user


def test_a_disabled_account_gets_the_same_401_as_a_wrong_password(app, world, new_api):
    with app.app_context():
        db.session.execute(select(User).where(User.username == "clerk")).scalar_one().active = False
        db.session.commit()
    disabled = assert_error(new_api().login("clerk"), 401, "invalid_credentials")
    assert disabled == assert_error(new_api().login("clerk", "wrong"), 401, "invalid_credentials")


def test_a_failed_login_starts_no_session(app, world, new_api):
    client = new_api()
    client.login("clerk", "wrong")
    assert_error(client.get("/api/v1/auth/me"), 401, "auth_required")


def test_the_login_limits_default_to_ten_an_account_and_thirty_an_address(monkeypatch):
    for name in ("LOGIN_RATE_LIMIT", "LOGIN_ADDRESS_RATE_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "test-secret")  # no key file written under instance/
    settings = settings_from_environment()
    assert settings["LOGIN_RATE_LIMIT"] == "10 per minute"
    assert settings["LOGIN_ADDRESS_RATE_LIMIT"] == "30 per minute"


@pytest.fixture
def default_login_limit(app, monkeypatch):  # type: ignore[no-untyped-def]
    """The default limits, whatever the environment of the test run says."""
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "10 per minute")
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_RATE_LIMIT", "30 per minute")


def test_repeated_failed_logins_are_answered_429(app, world, new_api, default_login_limit):
    client = new_api()
    for _ in range(10):
        assert_error(client.login("clerk", "guess"), 401, "invalid_credentials")
    refused = assert_error(client.login("clerk", "guess"), 429, "rate_limited")
    assert refused["details"]["retry_after_s"] == 60
    # The address that hammered the account waits even with the right password.
    assert_error(client.login("clerk"), 429, "rate_limited")


def test_one_account_is_rate_limited_across_many_addresses(app, world, new_api,
                                                          default_login_limit):
    client = new_api()
    for attempt in range(10):
        assert _login_from(client, "clerk", "guess", f"10.0.0.{attempt}").status_code == 401
    assert_error(_login_from(client, "clerk", "guess", "10.0.1.1"), 429, "rate_limited")
    # Another account from a fresh address is not held back by clerk's limit.
    assert_error(_login_from(client, "postman", "guess", "10.0.1.2"), 401, "invalid_credentials")


def test_a_correct_password_gets_through_an_account_lock_from_an_address_not_hammering(
        app, world, new_api, default_login_limit):
    """Someone guessing the clerk's password elsewhere does not lock the clerk out."""
    attacker = new_api()
    for attempt in range(12):
        _login_from(attacker.client, "clerk", "guess", f"203.0.113.{attempt % 3}")
    assert_error(_login_from(attacker.client, "clerk", "guess", "203.0.113.1"), 429,
                 "rate_limited")
    office = new_api()
    answer = _login_from(office.client, "clerk", "tantay-demo", "10.20.0.1")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["user"]["username"] == "clerk"


def test_a_locked_account_gives_each_other_address_one_guess(app, world, new_api,
                                                              default_login_limit):
    client = new_api()
    for attempt in range(10):
        _login_from(client.client, "clerk", "guess", f"198.51.100.{attempt}")
    # A new address's wrong guess at the locked account is told to wait…
    assert_error(_login_from(client.client, "clerk", "guess 2", "192.0.2.7"), 429, "rate_limited")
    # …and that address may not try the account again in the window, right password or not:
    assert_error(_login_from(client.client, "clerk", "tantay-demo", "192.0.2.7"), 429,
                 "rate_limited")
    # while the clerk, from an address that has not failed, signs in.
    assert _login_from(client.client, "clerk", "tantay-demo", "192.0.2.8").status_code == 200


def test_one_address_hammering_an_account_does_not_lock_out_its_office(app, world, new_api,
                                                                      default_login_limit):
    """Many postmen sign in from behind one office address (NAT)."""
    office = "10.30.0.1"
    hammer = new_api()
    for _ in range(10):
        assert _login_from(hammer.client, "postman2", "guess", office).status_code == 401
    assert_error(_login_from(hammer.client, "postman2", "guess", office), 429, "rate_limited")
    colleague = new_api()
    assert _login_from(colleague.client, "postman", "tantay-demo", office).status_code == 200
    assert_error(_login_from(new_api().client, "clerk", "typo", office), 401,
                 "invalid_credentials")


def test_one_address_is_rate_limited_across_many_accounts(app, world, new_api,
                                                          default_login_limit):
    client = new_api()
    for attempt in range(30):
        assert _login_from(client, f"user{attempt}", "guess", "10.9.9.9").status_code == 401
    refused = assert_error(_login_from(client, "someone-else", "guess", "10.9.9.9"), 429,
                           "rate_limited")
    assert refused["details"]["retry_after_s"] == 60
    # Spraying many accounts from one address: it may not even try the right password now.
    assert_error(_login_from(client, "clerk", "tantay-demo", "10.9.9.9"), 429, "rate_limited")
    assert _login_from(client, "clerk", "tantay-demo", "10.9.9.10").status_code == 200


def test_a_successful_sign_in_clears_its_addresses_failures_on_the_account(
        app, world, new_api, default_login_limit):
    client = new_api()
    for _ in range(9):
        assert _login_from(client, "clerk", "typo", "10.40.0.1").status_code == 401
    assert _login_from(client, "clerk", "tantay-demo", "10.40.0.1").status_code == 200
    for _ in range(10):
        assert_error(_login_from(client, "clerk", "typo", "10.40.0.1"), 401,
                     "invalid_credentials")


def test_failures_older_than_the_window_no_longer_count_and_are_deleted(
        app, world, new_api, default_login_limit):
    client = new_api()
    for _ in range(10):
        _login_from(client, "clerk", "guess", "10.50.0.1")
    with app.app_context():
        db.session.execute(update(LoginFailure).values(
            failed_at=utc_now() - timedelta(seconds=61)))
        db.session.commit()
    assert_error(_login_from(client, "clerk", "guess", "10.50.0.1"), 401, "invalid_credentials")
    assert count_where(app, LoginFailure) == 1  # the old ones went as the new one came


def test_failed_sign_ins_are_kept_as_digests_only(app, world, new_api):
    typed = "my-secret-passphrase-typed-as-username"
    _login_from(new_api(), typed, "guess", "172.16.5.4")
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM login_failures")).all()
    assert len(rows) == 1
    assert typed not in repr(rows) and "172.16.5.4" not in repr(rows)


# --- CSRF -------------------------------------------------------------------------------

def test_an_unsafe_call_without_the_csrf_header_is_refused(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    with nothing_written(app):
        response = clerk.client.post("/api/v1/items", json=result_body())
        assert_error(response, 403, "csrf_failed")


def test_an_unsafe_call_with_a_wrong_csrf_token_is_refused(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    with nothing_written(app):
        response = clerk.post("/api/v1/items", json=result_body(),
                              headers={"X-CSRF-Token": clerk.csrf[:-1] + "x"})
        assert_error(response, 403, "csrf_failed")


def test_the_csrf_token_of_another_session_is_refused(app, world, new_api):
    clerk, other = signed_in(new_api(), "clerk"), signed_in(new_api(), "clerk")
    assert clerk.csrf != other.csrf
    with nothing_written(app):
        response = clerk.post("/api/v1/items", json=result_body(),
                              headers={"X-CSRF-Token": other.csrf})
        assert_error(response, 403, "csrf_failed")


def test_an_unsafe_call_with_the_csrf_header_succeeds(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    assert clerk.post("/api/v1/items", json=result_body()).status_code == 201


def test_a_media_upload_without_the_csrf_header_is_refused(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    response = clerk.client.put("/api/v1/media/" + "0" * 64, data=b"\x89PNG\r\n\x1a\n",
                                content_type="image/png")
    assert_error(response, 403, "csrf_failed")


# --- logout -----------------------------------------------------------------------------

def test_logout_ends_the_session(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    assert clerk.post("/api/v1/auth/logout").status_code == 200
    assert_error(clerk.get("/api/v1/auth/me"), 401, "auth_required")


def test_logout_invalidates_a_copy_of_the_session_cookie(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    stolen = clerk.client.get_cookie("session").value
    thief = new_api()
    thief.client.set_cookie("session", stolen)
    assert thief.get("/api/v1/auth/me").status_code == 200
    assert clerk.post("/api/v1/auth/logout").status_code == 200
    assert_error(thief.get("/api/v1/auth/me"), 401, "auth_required")


def test_logout_needs_the_csrf_header(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    assert_error(clerk.client.post("/api/v1/auth/logout"), 403, "csrf_failed")
    assert clerk.get("/api/v1/auth/me").status_code == 200


# --- a new session at every sign-in and sign-out (no session fixation) -------------------

def test_a_sign_in_gives_a_new_csrf_token_even_over_an_earlier_session(app, world, new_api):
    """Someone who planted their own signed-in cookie in a browser knows its CSRF token: the
    victim's sign-in in that browser must not keep it."""
    attacker = signed_in(new_api(), "postman2")
    planted = attacker.client.get_cookie("session").value
    victim = new_api()
    victim.client.set_cookie("session", planted)
    assert victim.login("clerk").status_code == 200
    assert victim.csrf != attacker.csrf
    assert victim.get("/api/v1/auth/me").get_json()["user"]["username"] == "clerk"
    with nothing_written(app):
        response = victim.client.post("/api/v1/items", json=result_body(),
                                      headers={"X-CSRF-Token": attacker.csrf})
        assert_error(response, 403, "csrf_failed")
    assert victim.post("/api/v1/items", json=result_body()).status_code == 201


def test_a_sign_out_empties_the_session_and_the_next_sign_in_gets_a_new_csrf_token(
        app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    before = clerk.csrf
    assert clerk.post("/api/v1/auth/logout").status_code == 200
    emptied = clerk.client.get_cookie("session")
    assert emptied is None or before not in app.session_interface.get_signing_serializer(
        app).loads(emptied.value).values()
    assert clerk.login("clerk").status_code == 200
    assert clerk.csrf != before
    with nothing_written(app):
        assert_error(clerk.client.post("/api/v1/items", json=result_body(),
                                       headers={"X-CSRF-Token": before}), 403, "csrf_failed")


def test_a_failed_sign_in_keeps_the_session_it_came_with(app, world, new_api):
    """A wrong password does not end a session (nor hand out a new token): nothing happened."""
    clerk = signed_in(new_api(), "clerk")
    assert clerk.login("clerk", "wrong password").status_code == 401
    assert clerk.get("/api/v1/auth/me").get_json()["csrf_token"] == clerk.csrf


# --- bearer tokens ----------------------------------------------------------------------

def test_a_bearer_token_registers_a_result_without_csrf(app, world):
    raw = _token_for(app, "agency")
    machine = app.test_client()
    response = machine.post("/api/v1/items", json=result_body(), headers=_bearer(raw))
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert item["status"] == "registered" and item["holder"]["unit"] == "CA-TINH"
    read = machine.get(f"/api/v1/items/{item['tracking_number']}", headers=_bearer(raw)).get_json()
    assert [e["actor"] for e in read["events"]] == ["agency"]


def test_a_bearer_token_cannot_register_for_another_agency(app, world):
    raw = _token_for(app, "agency")
    with nothing_written(app):
        response = app.test_client().post("/api/v1/items", headers=_bearer(raw),
                                          json=result_body(procedure_code="BHXH-SO-CAPLAI"))
        assert_error(response, 403, "other_unit")


def test_a_bearer_token_records_its_last_use(app, world):
    raw = _token_for(app, "agency")
    app.test_client().post("/api/v1/items", json=result_body(), headers=_bearer(raw))
    assert count_where(app, ApiToken, ApiToken.last_used_at.is_not(None)) == 1


def test_a_bearer_token_is_bound_by_its_users_role(app, world):
    raw = _token_for(app, "agency")
    response = app.test_client().post("/api/v1/results/batch", json={"results": []},
                                      headers=_bearer(raw))
    assert response.status_code != 403  # a token endpoint of the agency's role: let in
    clerk_only = app.test_client().post("/api/v1/pickups", json={}, headers=_bearer(raw))
    assert_error(clerk_only, 403, "token_not_allowed")


def test_a_bearer_token_starts_no_session(app, world):
    raw = _token_for(app, "agency")
    machine = app.test_client()
    assert machine.get("/api/v1/items", headers=_bearer(raw)).status_code == 200
    assert machine.get_cookie("session") is None
    assert_error(machine.get("/api/v1/items"), 401, "auth_required")


def test_a_revoked_token_is_refused(app, world):
    raw = _token_for(app, "agency")
    with app.app_context():
        db.session.execute(select(ApiToken)).scalar_one().revoked_at = utc_now()
        db.session.commit()
    with nothing_written(app):
        response = app.test_client().post("/api/v1/items", json=result_body(), headers=_bearer(raw))
        assert_error(response, 401, "auth_required")


@pytest.mark.parametrize("header", ["Bearer tt_not-a-real-token", "Bearer ", "Basic YWdlbmN5OnBhc3M="])
def test_an_unknown_token_is_refused(app, world, header):
    _token_for(app, "agency")
    with nothing_written(app):
        response = app.test_client().post("/api/v1/items", json=result_body(),
                                          headers={"Authorization": header})
        assert_error(response, 401, "auth_required")
    assert count_where(app, Item) == 0


def test_successful_sign_ins_do_not_use_up_the_rate_limit(world, new_api):
    """A whole post office signs in each morning from one address: only failures count."""
    for _ in range(15):
        assert new_api().login("postman").status_code == 200
