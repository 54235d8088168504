"""Bad input on every endpoint: the error envelope, a meaningful status, and nothing written.

Each refusal is checked for its status and code, for the envelope
`{"error": {"code", "message", "details"}}` (never a 500), and for leaving items, custody
events, handover records and their lines, flags and media exactly as they were.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.checks import (
    CHECK_DIGIT_MESSAGE,
    UNKNOWN_NUMBER,
    assert_error,
    field_names,
    nothing_written,
    signed_in,
    with_wrong_check_digit,
)
from tests.api.scenario import event, register_result, result_body, upload_image
from tests.conftest import ApiClient


@dataclass
class Stage:
    """A registered result at the counter and a pending handover of it to the postman."""

    clerk: ApiClient
    postman: ApiClient
    number: str
    handover_id: int
    signature: str


@pytest.fixture
def stage(app, world, new_api) -> Stage:  # type: ignore[no-untyped-def]
    """Clerk and postman signed in; one result listed for the postman, not yet signed."""
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    number = register_result(clerk)["tracking_number"]
    created = clerk.post("/api/v1/handovers", json={"to_user": "postman", "items": [number]})
    assert created.status_code == 201, created.get_json()
    signature = upload_image(postman, "signature")
    return Stage(clerk, postman, number, created.get_json()["id"], signature)


@dataclass(frozen=True)
class JsonEndpoint:
    """An endpoint with a JSON body, who calls it, and a valid body with two ways to spoil it."""

    name: str
    caller: str | None
    url: str
    valid: Any
    wrong_type: tuple[str, Any]
    unknown_field: str


def _endpoints(stage: Stage) -> dict[str, JsonEndpoint]:
    """Every endpoint that takes a JSON body, with a valid body for the staged data."""
    return {
        "login": JsonEndpoint(
            "login", None, "/api/v1/auth/login",
            {"username": "clerk", "password": "tantay-demo"}, ("username", 5), "remember"),
        "register_item": JsonEndpoint(
            "register_item", "clerk", "/api/v1/items", result_body(), ("documents", "many"),
            "colour"),
        "open_handover": JsonEndpoint(
            "open_handover", "clerk", "/api/v1/handovers",
            {"to_user": "postman2", "items": [stage.number]}, ("items", stage.number), "note"),
        "sign_handover": JsonEndpoint(
            "sign_handover", "postman", f"/api/v1/handovers/{stage.handover_id}/accept",
            {"scanned": [stage.number], "signature_sha256": stage.signature}, ("scanned", 5),
            "comment"),
        "sync": JsonEndpoint(
            "sync", "postman", "/api/v1/sync",
            {"events": [event(stage.number, "out_for_delivery")]}, ("events", {"a": 1}), "device"),
    }


ENDPOINT_NAMES = ["login", "register_item", "open_handover", "sign_handover", "sync"]


def _caller(stage: Stage, endpoint: JsonEndpoint, new_api) -> ApiClient:  # type: ignore[no-untyped-def]
    """The signed-in client of the endpoint's caller (an anonymous one for login)."""
    return {"clerk": stage.clerk, "postman": stage.postman}.get(endpoint.caller or "", new_api())


def _post_raw(client: ApiClient, url: str, data: bytes | str,
              content_type: str = "application/json") -> Any:
    return client.post(url, data=data, content_type=content_type)


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_malformed_json_is_refused_with_400(app, stage, new_api, name):
    endpoint = _endpoints(stage)[name]
    client = _caller(stage, endpoint, new_api)
    with nothing_written(app):
        response = _post_raw(client, endpoint.url, '{"items": [1, 2,')
        assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_bytes_that_are_not_utf8_are_refused_as_malformed_json(app, stage, new_api, name):
    endpoint = _endpoints(stage)[name]
    with nothing_written(app):
        response = _post_raw(_caller(stage, endpoint, new_api), endpoint.url, b'{"a": "\xff\xfe"}')
        assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("payload", ["[1, 2]", '"text"', "42", "null", "true"])
@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_json_that_is_not_an_object_is_refused_with_422(app, stage, new_api, name, payload):
    endpoint = _endpoints(stage)[name]
    with nothing_written(app):
        response = _post_raw(_caller(stage, endpoint, new_api), endpoint.url, payload)
        error = assert_error(response, 422, "validation_failed")
        assert field_names(error) == ["(body)"]


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_a_field_of_the_wrong_type_is_refused_naming_the_field(app, stage, new_api, name):
    endpoint = _endpoints(stage)[name]
    field, value = endpoint.wrong_type
    with nothing_written(app):
        response = _caller(stage, endpoint, new_api).post(
            endpoint.url, json={**endpoint.valid, field: value})
        error = assert_error(response, 422, "validation_failed")
        assert field in field_names(error)
        assert all(issue["message"] for issue in error["details"]["fields"])


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_an_unknown_field_is_refused_naming_the_field(app, stage, new_api, name):
    endpoint = _endpoints(stage)[name]
    with nothing_written(app):
        response = _caller(stage, endpoint, new_api).post(
            endpoint.url, json={**endpoint.valid, endpoint.unknown_field: "x"})
        error = assert_error(response, 422, "validation_failed")
        assert field_names(error) == [endpoint.unknown_field]


def test_an_unknown_nested_field_is_refused_naming_its_path(app, stage):
    body = result_body()
    body["citizen"]["address"]["floor"] = 3
    with nothing_written(app):
        error = assert_error(stage.clerk.post("/api/v1/items", json=body), 422, "validation_failed")
    assert field_names(error) == ["citizen.address.floor"]


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_a_body_over_the_size_limit_is_refused_with_413(app, stage, new_api, name):
    endpoint = _endpoints(stage)[name]
    padding = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    with nothing_written(app):
        response = _post_raw(_caller(stage, endpoint, new_api), endpoint.url,
                             json.dumps({**endpoint.valid, "padding": padding}))
        assert_error(response, 413, "payload_too_large")


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_a_body_that_is_not_json_is_refused_with_415(app, stage, new_api, name):
    endpoint = _endpoints(stage)[name]
    with nothing_written(app):
        response = _post_raw(_caller(stage, endpoint, new_api), endpoint.url,
                             json.dumps(endpoint.valid), content_type="text/plain")
        assert_error(response, 415, "json_required")


@pytest.mark.parametrize(("caller", "url", "field"), [
    ("clerk", "/api/v1/items?limit=many", "limit"),
    ("clerk", "/api/v1/items?status=lost", "status"),
    ("clerk", "/api/v1/items?holder=someone", "holder"),
    ("clerk", "/api/v1/items?colour=red", "colour"),
    ("clerk", "/api/v1/procedures?postal_eligible=perhaps", "postal_eligible"),
    ("supervisor", "/api/v1/audit/flags?limit=all", "limit"),
    ("supervisor", "/api/v1/audit/flags?status=closed", "status"),
])
def test_a_bad_query_parameter_is_refused_naming_it(app, world, new_api, caller, url, field):
    client = signed_in(new_api(), caller)
    error = assert_error(client.get(url), 422, "validation_failed")
    assert field_names(error) == [field]


# --- wrong check digit ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["", "/label.png", "/label.svg"])
def test_reading_an_item_with_a_wrong_check_digit_names_the_check_digit(app, stage, path):
    error = assert_error(stage.clerk.get(f"/api/v1/items/{with_wrong_check_digit(stage.number)}{path}"),
                         422, "wrong_check_digit")
    assert error["message"] == CHECK_DIGIT_MESSAGE


def test_public_tracking_with_a_wrong_check_digit_names_the_check_digit(app, stage, new_api):
    response = new_api().get(f"/api/v1/track/{with_wrong_check_digit(stage.number)}")
    assert assert_error(response, 422, "wrong_check_digit")["message"] == CHECK_DIGIT_MESSAGE


def test_linking_a_result_to_a_dossier_with_a_wrong_check_digit_is_refused(app, stage):
    body = result_body(linked_dossier=with_wrong_check_digit(stage.number))
    with nothing_written(app):
        error = assert_error(stage.clerk.post("/api/v1/items", json=body), 422, "wrong_check_digit")
    assert error["message"] == CHECK_DIGIT_MESSAGE


def test_listing_a_number_with_a_wrong_check_digit_refuses_the_handover(app, stage):
    wrong = with_wrong_check_digit(stage.number)
    with nothing_written(app):
        response = stage.clerk.post("/api/v1/handovers",
                                    json={"to_user": "postman2", "items": [wrong]})
        error = assert_error(response, 422, "wrong_check_digit")
    assert CHECK_DIGIT_MESSAGE in error["message"]
    assert error["details"]["invalid"][0]["value"] == wrong


def test_scanning_a_number_with_a_wrong_check_digit_refuses_the_signature(app, stage):
    wrong = with_wrong_check_digit(stage.number)
    with nothing_written(app):
        response = stage.postman.post(f"/api/v1/handovers/{stage.handover_id}/accept",
                                      json={"scanned": [wrong], "signature_sha256": stage.signature})
        error = assert_error(response, 422, "wrong_check_digit")
    assert CHECK_DIGIT_MESSAGE in error["message"]


def test_syncing_an_event_with_a_wrong_check_digit_rejects_it_with_the_message(app, stage):
    bad = event(with_wrong_check_digit(stage.number), "out_for_delivery")
    with nothing_written(app):
        response = stage.postman.post("/api/v1/sync", json={"events": [bad]})
    assert response.status_code == 200
    [result] = response.get_json()["results"]
    assert result["status"] == "rejected" and result["id"] == bad["id"]
    assert result["error"]["code"] == "wrong_check_digit"
    assert CHECK_DIGIT_MESSAGE in result["error"]["message"]
    assert result["error"]["details"]["field"] == "tracking_number"


# --- unknown items ----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["", "/label.png", "/label.svg"])
def test_reading_an_unknown_item_answers_404(app, stage, path):
    assert_error(stage.clerk.get(f"/api/v1/items/{UNKNOWN_NUMBER}{path}"), 404, "unknown_item")


def test_public_tracking_of_an_unknown_item_answers_404(app, world, new_api):
    assert_error(new_api().get(f"/api/v1/track/{UNKNOWN_NUMBER}"), 404, "unknown_item")


def test_linking_a_result_to_an_unknown_dossier_answers_404_and_spends_no_serial(app, stage):
    with nothing_written(app):
        response = stage.clerk.post("/api/v1/items", json=result_body(linked_dossier=UNKNOWN_NUMBER))
        assert_error(response, 404, "unknown_item")
    following = register_result(stage.clerk)["tracking_number"]
    assert int(following[2:10]) == int(stage.number[2:10]) + 1


def test_syncing_an_event_of_an_unknown_item_rejects_it(app, stage):
    with nothing_written(app):
        [result] = stage.postman.post(
            "/api/v1/sync", json={"events": [event(UNKNOWN_NUMBER, "out_for_delivery")]}
        ).get_json()["results"]
    assert result["status"] == "rejected" and result["error"]["code"] == "unknown_item"


def test_reading_an_unknown_handover_answers_404(app, stage):
    assert_error(stage.clerk.get("/api/v1/handovers/999999"), 404, "unknown_handover")


def test_signing_an_unknown_handover_answers_404(app, stage):
    with nothing_written(app):
        response = stage.postman.post("/api/v1/handovers/999999/accept",
                                      json={"scanned": [], "signature_sha256": stage.signature})
        assert_error(response, 404, "unknown_handover")


# --- role (403) and unit (404) ----------------------------------------------------------

@pytest.mark.parametrize(("caller", "method", "url", "body"), [
    ("postman", "post", "/api/v1/items", result_body()),
    ("supervisor", "post", "/api/v1/items", result_body()),
    ("supervisor", "post", "/api/v1/handovers", {"to_user": "postman2", "items": ["{number}"]}),
    ("agency", "post", "/api/v1/sync", {"events": [{}]}),
    ("supervisor", "post", "/api/v1/sync", {"events": [{}]}),
    ("clerk", "get", "/api/v1/audit/flags", None),
    ("postman", "post", "/api/v1/audit/verify", None),
    ("clerk", "get", "/api/v1/audit/flags/1", None),
])
def test_an_action_outside_the_callers_role_is_forbidden(app, stage, new_api, caller, method,
                                                        url, body):
    client = {"clerk": stage.clerk, "postman": stage.postman}.get(caller) or signed_in(new_api(), caller)
    url = url.format(number=stage.number)
    body = json.loads(json.dumps(body).replace("{number}", stage.number)) if body else None
    with nothing_written(app):
        response = getattr(client, method)(url, json=body) if body else getattr(client, method)(url)
        assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("caller", ["clerk_nd", "postman_nd", "agency_bhxh"])
def test_an_item_of_another_unit_answers_404(app, stage, new_api, caller):
    client = signed_in(new_api(), caller)  # labels of another unit: see test_labels.py
    error = assert_error(client.get(f"/api/v1/items/{stage.number}"), 404, "unknown_item")
    assert stage.number in error["message"]


def test_an_item_of_another_unit_answers_exactly_like_an_unknown_one(app, stage, new_api):
    client = signed_in(new_api(), "clerk_nd")
    hidden = client.get(f"/api/v1/items/{stage.number}").get_json()["error"]
    unknown = client.get(f"/api/v1/items/{UNKNOWN_NUMBER}").get_json()["error"]
    assert hidden["message"].replace(stage.number, "N") == unknown["message"].replace(UNKNOWN_NUMBER, "N")
    assert hidden["details"] == unknown["details"]


def test_a_handover_of_another_unit_answers_404(app, stage, new_api):
    client = signed_in(new_api(), "clerk_nd")
    assert_error(client.get(f"/api/v1/handovers/{stage.handover_id}"), 404, "unknown_handover")


def test_an_item_of_another_unit_is_missing_from_its_list(app, stage, new_api):
    client = signed_in(new_api(), "clerk_nd")
    listed = client.get("/api/v1/items").get_json()
    assert listed["total"] == 0 and listed["items"] == []


def test_linking_a_result_to_a_dossier_of_another_unit_answers_404(app, world, new_api):
    clerk, clerk_nd = signed_in(new_api(), "clerk"), signed_in(new_api(), "clerk_nd")
    dossier = clerk.post("/api/v1/items", json=result_body(
        kind="dossier", dossier_code=None)).get_json()["tracking_number"]
    with nothing_written(app):
        response = clerk_nd.post("/api/v1/items", json=result_body(linked_dossier=dossier))
        assert_error(response, 404, "unknown_item")


# --- anonymous callers ------------------------------------------------------------------

@pytest.mark.parametrize(("method", "url"), [
    ("get", "/api/v1/auth/me"), ("post", "/api/v1/auth/logout"), ("get", "/api/v1/units"),
    ("get", "/api/v1/procedures"), ("get", "/api/v1/items"), ("post", "/api/v1/items"),
    ("get", "/api/v1/items/{number}"), ("get", "/api/v1/items/{number}/label.png"),
    ("post", "/api/v1/handovers"), ("get", "/api/v1/handovers/{handover}"),
    ("post", "/api/v1/handovers/{handover}/accept"), ("put", "/api/v1/media/{sha}"),
    ("post", "/api/v1/sync"), ("get", "/api/v1/audit/flags"), ("post", "/api/v1/audit/verify"),
])
def test_an_anonymous_call_needs_a_session(app, stage, new_api, method, url):
    url = url.format(number=stage.number, handover=stage.handover_id, sha=stage.signature)
    with nothing_written(app):
        response = new_api().get(url) if method == "get" else getattr(new_api(), method)(url, json={})
        assert_error(response, 401, "auth_required")


# --- unknown routes and methods keep the envelope ---------------------------------------

def test_an_unknown_api_route_answers_404_in_the_envelope(app, world, new_api):
    assert_error(new_api().get("/api/v1/nowhere"), 404, "not_found")


def test_a_wrong_method_answers_405_in_the_envelope(app, stage):
    assert_error(stage.clerk.client.delete(f"/api/v1/items/{stage.number}"), 405,
                 "method_not_allowed")


# --- inputs that used to reach the database as a 500 -------------------------------------

@pytest.mark.parametrize(("caller", "path", "body", "field"), [
    (None, "/api/v1/auth/login", {"username": "clerk\x00", "password": "x"}, "username"),
    ("clerk", "/api/v1/items", "citizen-name", "citizen.name"),
    ("clerk", "/api/v1/items", "document-name", "documents.0.name"),
    ("clerk", "/api/v1/handovers", {"to_user": "postman\x00", "items": ["KQ000000014VN"]}, "to_user"),
    ("clerk", "/api/v1/handovers", {"to_user": "postman", "items": ["KQ000000014VN\x00"]}, "items"),
])
def test_a_nul_character_in_a_body_is_refused_naming_the_field(app, stage, new_api, caller, path,
                                                              body, field):
    # PostgreSQL cannot store or compare text with NUL: without the check this is a 500 there.
    if body == "citizen-name":
        body = result_body()
        body["citizen"]["name"] = "Nguyễn\x00Thị"
    elif body == "document-name":
        body = result_body(documents=[{"name": "Giấy\x00tờ", "original": True, "count": 1}])
    client = stage.clerk if caller == "clerk" else new_api()
    with nothing_written(app):
        error = assert_error(client.post(path, json=body), 422, "validation_failed")
    assert field_names(error) == [field]
    assert error["details"]["fields"][0]["type"] == "nul_character"


@pytest.mark.parametrize(("caller", "url", "field"), [
    ("clerk", "/api/v1/items?q=KQ%00", "q"),
    ("supervisor", "/api/v1/audit/flags?code=late%00", "code"),
    ("clerk", "/api/v1/procedures?field=police%00", "field"),
])
def test_a_nul_character_in_a_query_is_refused_naming_the_parameter(app, stage, new_api, caller,
                                                                   url, field):
    client = stage.clerk if caller == "clerk" else signed_in(new_api(), caller)
    assert field_names(assert_error(client.get(url), 422, "validation_failed")) == [field]


def test_a_nul_character_in_one_synced_event_rejects_only_that_event(app, stage):
    hand_signed = stage.postman.post(f"/api/v1/handovers/{stage.handover_id}/accept",
                                     json={"scanned": [stage.number],
                                           "signature_sha256": stage.signature})
    assert hand_signed.status_code == 200
    bad = event(stage.number, "attempt_failed", reason="absent", action="retry",
                position={"lat": 20.26, "lon": 105.98, "accuracy_m": 5})
    bad["reason"] = "absent\x00"
    good = event(stage.number, "out_for_delivery")
    results = stage.postman.post("/api/v1/sync", json={"events": [bad, good]}).get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert results[0]["error"]["details"]["field"] == "reason"


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_json_nested_too_deep_to_parse_is_refused_as_malformed(app, stage, new_api, name):
    endpoint = _endpoints(stage)[name]
    with nothing_written(app):
        response = _post_raw(_caller(stage, endpoint, new_api), endpoint.url,
                             "[" * 100_000 + "]" * 100_000)
        assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("handover_id", [2**31, 3_000_000_000, 10**20])
def test_a_handover_id_beyond_any_key_answers_404(app, stage, handover_id):
    assert_error(stage.clerk.get(f"/api/v1/handovers/{handover_id}"), 404, "unknown_handover")
    with nothing_written(app):
        response = stage.postman.post(f"/api/v1/handovers/{handover_id}/accept",
                                      json={"scanned": [], "signature_sha256": stage.signature})
        assert_error(response, 404, "unknown_handover")


# --- issue #13: input that broke pages ---------------------------------------------------------

@pytest.mark.parametrize("sent_at", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+05:00",
                                     "1999-12-31T23:59:59Z", "2100-01-01T00:00:01Z"])
def test_a_sync_sent_at_outside_any_real_clock_is_refused_with_a_clear_code(app, stage, sent_at):
    with nothing_written(app):
        response = stage.postman.post("/api/v1/sync", json={
            "events": [event(stage.number, "out_for_delivery")], "sent_at": sent_at})
        error = assert_error(response, 422, "validation_failed")
    [issue] = error["details"]["fields"]
    assert issue["field"] == "sent_at" and issue["type"] == "time_out_of_range"


@pytest.mark.parametrize("occurred_at", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00Z"])
def test_an_event_time_outside_any_real_clock_is_rejected_with_a_clear_code(app, stage,
                                                                            occurred_at):
    with nothing_written(app):
        [result] = stage.postman.post("/api/v1/sync", json={"events": [
            {**event(stage.number, "out_for_delivery"), "occurred_at": occurred_at}]}
        ).get_json()["results"]
    assert result["error"]["code"] == "time_out_of_range"
    assert result["error"]["details"]["field"] == "occurred_at"


def test_the_dashboard_still_answers_after_a_refused_absurd_clock(app, stage, new_api):
    stage.postman.post("/api/v1/sync", json={"events": [event(stage.number, "out_for_delivery")],
                                              "sent_at": "9999-12-31T23:59:59+00:00"})
    assert signed_in(new_api(), "supervisor").get("/api/v1/dashboard").status_code == 200


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_a_correction_nested_too_deep_is_refused_and_one_of_normal_depth_accepted(app, stage, new_api):
    from tests.api.scenario import sync

    [done] = sync(stage.postman, event(stage.number, "out_for_delivery"))
    supervisor = signed_in(new_api(), "supervisor")
    with nothing_written(app):
        response = supervisor.post("/api/v1/audit/corrections", json={
            "event_id": done["id"], "reason": "Sai", "correction": _nested(255)})
        error = assert_error(response, 422, "validation_failed")
    assert [i["type"] for i in error["details"]["fields"]] == ["too_deeply_nested"]
    ok = supervisor.post("/api/v1/audit/corrections", json={
        "event_id": done["id"], "reason": "Sai", "correction": _nested(5)})
    assert ok.status_code == 201, ok.get_json()


BAD_CHARACTERS = {"rlo": "\u202e", "zero_width": "\u200b", "cr": "\r", "lf": "\n",
                  "esc": "\x1b", "bidi_isolate": "\u2066", "bom": "\ufeff"}


@pytest.mark.parametrize("where", ["citizen.name", "citizen.address.line", "documents.0.name"])
@pytest.mark.parametrize("character", list(BAD_CHARACTERS))
def test_control_and_bidi_characters_are_refused_in_person_facing_text(app, stage, where,
                                                                       character):
    body = result_body()
    spoilt = f"Nguyễn{BAD_CHARACTERS[character]}Văn A"
    if where == "citizen.name":
        body["citizen"]["name"] = spoilt
    elif where == "citizen.address.line":
        body["citizen"]["address"] = {**body["citizen"]["address"], "line": spoilt}
    else:
        body["documents"] = [{**body["documents"][0], "name": spoilt}]
    with nothing_written(app):
        error = assert_error(stage.clerk.post("/api/v1/items", json=body), 422,
                             "validation_failed")
    [issue] = error["details"]["fields"]
    assert issue["field"] == where and issue["type"] == "forbidden_character"


def test_a_recipient_name_with_a_right_to_left_override_rejects_the_event(app, stage):
    from tests.api.scenario import sync

    sync(stage.postman, event(stage.number, "out_for_delivery"))  # not his yet: recorded, flagged
    bad = event(stage.number, "delivered", signature_sha256=stage.signature,
                recipient={"name": "Nguy\u202eễn", "relation": "self", "id_type": "cccd",
                           "id_last4": "7890"})
    with nothing_written(app):
        [result] = sync(stage.postman, bad)
    assert result["error"]["code"] == "forbidden_character"


def test_vietnamese_text_with_diacritics_is_accepted(app, stage):
    body = result_body()
    body["citizen"]["name"] = "Đặng Thị Ngọc Ánh"
    assert stage.clerk.post("/api/v1/items", json=body).status_code == 201


@pytest.mark.parametrize("cash", ["100", True, "26000", False])
def test_cash_must_be_a_json_number(app, stage, cash):
    body = result_body()
    body["fees"] = {"postage_vnd": cash}
    with nothing_written(app):
        error = assert_error(stage.clerk.post("/api/v1/items", json=body), 422,
                             "validation_failed")
    assert error["details"]["fields"][0]["type"] == "json_type"


@pytest.mark.parametrize("cash", ["100", True])
def test_cash_collected_at_the_door_must_be_a_json_number(app, stage, cash):
    bad = {**event(stage.number, "delivered", signature_sha256=stage.signature,
                   recipient={"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd",
                              "id_last4": "7890"}), "cash_collected_vnd": cash}
    with nothing_written(app):
        [result] = stage.postman.post("/api/v1/sync", json={"events": [bad]}).get_json()["results"]
    assert result["error"]["code"] == "json_type"


@pytest.mark.parametrize("flag", ["true", 1])
def test_a_yes_no_must_be_a_json_boolean(app, stage, flag):
    body = result_body()
    body["documents"] = [{**body["documents"][0], "original": flag}]
    with nothing_written(app):
        assert_error(stage.clerk.post("/api/v1/items", json=body), 422, "validation_failed")


def test_a_query_number_is_still_read_from_text(app, stage):
    assert stage.clerk.get("/api/v1/items?limit=5").status_code == 200


@pytest.mark.parametrize(("body", "declared"), [
    (b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 5, "image/png"),
    (b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 10, "image/jpeg"),
], ids=["png-header-then-garbage", "jpeg-header-then-garbage"])
def test_an_upload_that_does_not_decode_as_its_type_is_refused(app, stage, body, declared):
    import hashlib

    sha = hashlib.sha256(body).hexdigest()
    with nothing_written(app):
        response = stage.postman.put(f"/api/v1/media/{sha}", data=body, content_type=declared)
        assert_error(response, 415, "undecodable_image")


def test_a_truncated_png_is_refused(app, stage):
    import hashlib

    from tests.conftest import png_bytes

    body = png_bytes("cut short")[:-20]
    sha = hashlib.sha256(body).hexdigest()
    with nothing_written(app):
        assert_error(stage.postman.put(f"/api/v1/media/{sha}", data=body,
                                       content_type="image/png"), 415, "undecodable_image")
