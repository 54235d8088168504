"""Schemathesis against the served OpenAPI document: no 5xx, and every answer as documented.

The document at `/api/v1/openapi.json` is loaded from the app itself and every operation is
called with generated requests, valid and invalid, signed in (session cookie and CSRF
header) as each role, and with an agency system's API token (refused outside the agency-system
endpoints with a documented 403). Each answer must not be a server error, must carry a documented
status code and content type, and a JSON body must match the documented schema of that status.

Bounded so `make test` stays quick: a fixed seed (the same requests every run), no shrinking,
a handful of examples per operation and phase.
"""
from __future__ import annotations

import hashlib
from typing import Any

import pytest
import schemathesis
from flask import Flask
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from server.core.security import issue_api_token
from server.custody.proof import last_closed_day, seal_day
from server.extensions import db
from server.models import LogEntry, User
from server.transparency.log import integrate
from tests.api.checks import signed_in
from tests.api.scenario import HOME, event, hand_over, register_result, result_body
from tests.conftest import png_bytes

#: Examples per operation in each generation phase; with no shrinking and a fixed seed.
#: 10 keeps the six callers × two databases to about six minutes in all (25 took thirteen).
MAX_EXAMPLES = 10
SEED = 20260107
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
#: Callers: each role signed in, and the agency's system with its API token.
ROLES = ["admin", "supervisor", "clerk", "agency", "postman", "agency_token"]


def _session_credentials(client: Any) -> dict[str, Any]:
    """What a signed-in browser sends: its session cookie, and the CSRF token in a header."""
    return {"cookies": {"session": client.client.get_cookie("session").value},
            "headers": {"X-CSRF-Token": client.csrf}}


def _token_credentials(app: Flask, username: str, name: str) -> dict[str, Any]:
    """A bearer header of a fresh API token of `username` (an agency account)."""
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        raw = issue_api_token(user, name)
        db.session.commit()
    return {"cookies": {}, "headers": {"Authorization": f"Bearer {raw}"}}


@pytest.fixture
def bearer(app: Flask, world, new_api, role: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Some items in custody (so reads find something), and the credentials of `role`."""
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    held = register_result(clerk)["tracking_number"]
    register_result(clerk)
    hand_over(clerk, postman, "postman", [held])
    if role == "agency_token":
        return _token_credentials(app, "agency", "schemathesis")
    return _session_credentials(signed_in(new_api(), role))


@pytest.fixture
def api_schema(app: Flask, bearer: dict[str, Any]) -> Any:
    """The served document, loaded through the WSGI app, with bounded generation."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app,
                                            config=schemathesis.Config(seed=SEED))
    schema.config.generation.update(max_examples=MAX_EXAMPLES, no_shrink=True,
                                    deterministic=True, database="none",
                                    with_security_parameters=False)
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    return schema


lazy_schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.timeout(600)
@pytest.mark.parametrize("role", ROLES)
@lazy_schema.parametrize()
def test_every_answer_matches_the_document(case: Any, bearer: dict[str, Any], role: str) -> None:
    """Generated calls of every operation, as `role`: no 5xx, only documented answers."""
    case.call_and_validate(headers=bearer["headers"], cookies=bearer["cookies"], checks=CHECKS)


# --- real objects: the documented success answers, checked on a day's work ----------------

def _signed_in_credentials(new_api: Any, *usernames: str) -> dict[str, dict[str, Any]]:
    """The session cookie and CSRF header of each user, signed in."""
    return {username: _session_credentials(signed_in(new_api(), username))
            for username in usernames}


def _seal_yesterday(app: Flask) -> str:
    """Seal yesterday (no events: the empty root) so a sealed day can be read."""
    with app.app_context():
        day = last_closed_day()
        seal_day(day)
        db.session.commit()
    return day.isoformat()


def test_a_days_real_answers_match_the_document(app, world, new_api):
    """Generated requests rarely name a real item; these do, so success bodies are checked."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    who = _signed_in_credentials(new_api, "clerk", "postman", "supervisor", "agency", "admin")
    who["agency_system"] = _token_credentials(app, "agency", "journey")
    seen: set[tuple[str, str]] = set()

    def call(username: str | None, method: str, path: str, expected: int = 200,
             **case: Any) -> Any:
        documented = schema[path][method].Case(**case)
        credentials = who[username] if username else {"headers": {}, "cookies": {}}
        headers = credentials["headers"]
        response = documented.call(headers=headers, cookies=credentials["cookies"])
        documented.validate_response(response, checks=CHECKS, headers=headers)
        assert response.status_code == expected, (method, path, response.text[:300])
        seen.add((method, path))
        return response

    def json_body(body: Any) -> dict[str, Any]:
        return {"body": body, "media_type": "application/json"}

    anonymous = None
    call(anonymous, "POST", "/api/v1/auth/login",
         **json_body({"username": "clerk", "password": "tantay-demo"}))
    call(anonymous, "GET", "/api/v1/audit/export-key")
    call(anonymous, "GET", "/api/v1/log/consistency", query={"from": "0", "to": "0"})
    call(anonymous, "GET", "/healthz")
    for username in ("clerk", "postman"):
        call(username, "GET", "/api/v1/auth/me")
        call(username, "GET", "/api/v1/units")
        call(username, "GET", "/api/v1/procedures", query={"postal_eligible": "true"})

    number = call("clerk", "POST", "/api/v1/items", 201, **json_body(result_body())).json()[
        "tracking_number"]
    call("agency", "POST", "/api/v1/items", 201, **json_body(result_body()))
    with app.app_context():  # the custody log integrates the new item's first event
        logged = integrate()
        db.session.commit()
        first_event = db.session.execute(select(LogEntry.event_id)).scalars().first()
        size = logged.checkpoint.tree_size
    call(anonymous, "GET", "/api/v1/log/inclusion",
         query={"event_id": first_event, "size": str(size)})
    batch = result_body(dossier_code="000.00.04.H51-260105-0101")
    del batch["kind"]
    call("agency_system", "POST", "/api/v1/results/batch", 201, **json_body({"results": [batch]}))
    citizen = result_body()["citizen"]
    csv_file = ("dossier_code,procedure_code,citizen_name,citizen_phone,province,commune,"
                "address_line\n000.00.04.H51-260105-0102,CA-CCCD-DOI,"
                f"{citizen['name']},{citizen['phone']},Ninh Bình,Phường Hoa Lư,Số 2\n")
    call("agency_system", "POST", "/api/v1/results/import", 201, body=csv_file.encode(),
         media_type="text/csv")
    call("agency_system", "GET", "/api/v1/items", query={"limit": "5"})
    tn = {"path_parameters": {"tn": number}}
    call("clerk", "GET", "/api/v1/items", query={"q": number[:6]})
    call("clerk", "GET", "/api/v1/items/{tn}", **tn)
    call("clerk", "GET", "/api/v1/items/{tn}/label.png", **tn)
    call("clerk", "GET", "/api/v1/items/{tn}/label.svg", **tn)

    call("clerk", "GET", "/api/v1/handovers/receivers")
    for source in ("held", "due_today", "evening_return"):
        call("clerk", "GET", "/api/v1/handovers/candidates", query={"source": source})
    withdrawn = call("clerk", "POST", "/api/v1/handovers", 201,
                     **json_body({"to_user": "postman", "items": [number]})).json()["id"]
    call("clerk", "POST", "/api/v1/handovers/{handover_id}/cancel",
         path_parameters={"handover_id": withdrawn}, **json_body({"reason": "Lập nhầm bảng kê"}))
    handover = call("clerk", "POST", "/api/v1/handovers", 201,
                    **json_body({"to_user": "postman", "items": [number]})).json()["id"]
    call("clerk", "GET", "/api/v1/handovers", query={"status": "pending"})
    call("postman", "GET", "/api/v1/handovers/{handover_id}",
         path_parameters={"handover_id": handover})
    signature = png_bytes("journey-signature")
    sha = hashlib.sha256(signature).hexdigest()
    upload = {"path_parameters": {"sha256": sha}, "body": signature, "media_type": "image/png"}
    call("postman", "PUT", "/api/v1/media/{sha256}", 201, **upload)
    call("postman", "PUT", "/api/v1/media/{sha256}", 200, **upload)
    call("postman", "POST", "/api/v1/handovers/{handover_id}/accept",
         path_parameters={"handover_id": handover},
         **json_body({"scanned": [number], "signature_sha256": sha}))
    call("postman", "GET", "/api/v1/route")
    far = {"lat": HOME["lat"] + 0.05, "lon": HOME["lon"], "accuracy_m": 500}
    delivered = event(number, "delivered", position=far, signature_sha256=sha,
                      recipient={"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd",
                                 "id_last4": "7890"},
                      cash_collected_vnd=1000, papers_collected=[])
    results = call("postman", "POST", "/api/v1/sync", **json_body(
        {"events": [event(number, "out_for_delivery"), delivered,
                    event(number, "out_for_delivery")]})).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted", "accepted"]
    call("postman", "GET", "/api/v1/media/{sha256}", path_parameters={"sha256": sha})
    call(anonymous, "GET", "/api/v1/track/{tn}", **tn)

    # The office side (issue 4): deadlines, the counter, cash and the agency's statement.
    for username in ("clerk", "postman", "supervisor"):
        call(username, "GET", "/api/v1/deadlines", query={"limit": "10"})
    call("postman", "GET", "/api/v1/cash/days")
    remittance = call("clerk", "POST", "/api/v1/cash/remittances", 201, **json_body(
        {"postman": "postman", "amount_vnd": 1000, "postman_signature_sha256": sha})).json()["id"]
    call("clerk", "POST", "/api/v1/cash/remittances/{remittance_id}/sign",
         path_parameters={"remittance_id": remittance},
         **json_body({"clerk_signature_sha256": sha}))
    call("supervisor", "GET", "/api/v1/cash/days")
    call("agency", "GET", "/api/v1/cash/agencies/{code}/statement",
         path_parameters={"code": "CA-TINH"})
    at_counter = call("clerk", "POST", "/api/v1/items", 201,
                      **json_body(result_body())).json()["tracking_number"]
    counter = {"path_parameters": {"tn": at_counter}}
    call("clerk", "POST", "/api/v1/counter/items/{tn}/hold", **counter, **json_body({}))
    # The citizen signs on the clerk's screen: the clerk's own upload (issue #13).
    counter_signature = png_bytes("counter-delivery-signature")
    counter_sha = hashlib.sha256(counter_signature).hexdigest()
    call("clerk", "PUT", "/api/v1/media/{sha256}", 201, path_parameters={"sha256": counter_sha},
         body=counter_signature, media_type="image/png")
    call("clerk", "POST", "/api/v1/counter/items/{tn}/deliver", **counter, **json_body(
        {"recipient": {"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd",
                       "id_last4": "7890"}, "signature_sha256": counter_sha,
         "cash_collected_vnd": 0}))

    flags = call("supervisor", "GET", "/api/v1/audit/flags", query={"status": "open"}).json()
    assert flags["flags"], "the far, cash-short delivery raises flags"
    call("supervisor", "GET", "/api/v1/audit/flags/{flag_id}",
         path_parameters={"flag_id": flags["flags"][0]["id"]})
    call("supervisor", "POST", "/api/v1/audit/flags/{flag_id}/resolve",
         path_parameters={"flag_id": flags["flags"][0]["id"]},
         **json_body({"note": "Đã gọi điện cho người nhận."}))
    correction = call("supervisor", "POST", "/api/v1/audit/corrections", 201, **json_body(
        {"event_id": delivered["id"], "reason": "Bưu tá ghi sai tiền thu.",
         "correction": {"cash_collected_vnd": 26000}})).json()["id"]
    call("supervisor", "GET", "/api/v1/audit/corrections")
    call("admin", "POST", "/api/v1/audit/corrections/{correction_id}/countersign",
         path_parameters={"correction_id": correction}, **json_body({}))
    job = call("supervisor", "POST", "/api/v1/audit/verify", 202).json()
    call("supervisor", "GET", "/api/v1/audit/verify/{job_id}", path_parameters={"job_id": job["id"]})
    call("supervisor", "GET", "/api/v1/audit/days/{day}",
         path_parameters={"day": _seal_yesterday(app)})
    call("supervisor", "GET", "/api/v1/items/{tn}/custody-export.json", **tn)
    call("supervisor", "GET", "/api/v1/personal-data/accesses", query={"item": tn["path_parameters"]["tn"]})
    call("supervisor", "GET", "/api/v1/personal-data/export", query={"item": tn["path_parameters"]["tn"]})
    call("clerk", "GET", "/api/v1/places/provinces", query={"q": "ninh binh"})
    call("clerk", "GET", "/api/v1/places/communes", query={"province": "Ninh Bình", "q": "hoa lu"})
    call("supervisor", "GET", "/api/v1/dashboard")
    call("supervisor", "GET", "/api/v1/log/witness-alerts")
    for report in ("summary", "summary.csv", "summary.xlsx"):
        call("agency", "GET", f"/api/v1/reports/{report}", query={"period": "month"})
    _counter_work(call, json_body)
    call("clerk", "POST", "/api/v1/auth/logout")

    documented = {(method.upper(), path) for path, methods in schema.raw_schema["paths"].items()
                  for method in methods}
    assert documented - seen == set(), "an operation without a real call here"


def _counter_work(call: Any, json_body: Any) -> None:
    """The clerk's counter: fees, quote, a dossier taken in, a pickup at home."""
    call("clerk", "GET", "/api/v1/fees")
    call("admin", "PUT", "/api/v1/fees/postage/{route_class}",
         path_parameters={"route_class": "same_area"}, **json_body({"postage_vnd": 26000}))
    call("clerk", "GET", "/api/v1/intake/quote",
         query={"procedure_code": "CA-CCCD-DOI", "reduction_code": "HO_NGHEO"})
    call("clerk", "GET", "/api/v1/intake/postmen")
    call("postman", "GET", "/api/v1/calendar", query={"from": "2026-08-01", "to": "2026-09-30"})
    call("admin", "PUT", "/api/v1/calendar/{day}", path_parameters={"day": "2026-08-31"},
         **json_body({"working": False, "reason": "Nghỉ hoán đổi dịp Quốc khánh",
                      "legal_basis": "Thông báo 9441/TB-BNV ngày 16/10/2025"}))
    signature = png_bytes("counter-signature")
    sha = hashlib.sha256(signature).hexdigest()
    call("clerk", "PUT", "/api/v1/media/{sha256}", 201, path_parameters={"sha256": sha},
         body=signature, media_type="image/png")
    citizen = {"name": "Trần Văn Thử", "phone": "0987654321", "id_type": "cccd",
               "id_number": "037098001234", "address": dict(HOME)}
    call("clerk", "POST", "/api/v1/intake/counter", 201, **json_body({
        "procedure_code": "CA-CCCD-DOI", "citizen": citizen,
        "documents": [{"name": "Tờ khai căn cước (mẫu CC01)", "original": True, "count": 1},
                      {"name": "Thẻ căn cước cũ", "original": True, "count": 1}],
        "citizen_signature_sha256": sha, "clerk_signature_sha256": sha}))
    pickup = call("clerk", "POST", "/api/v1/pickups", 201, **json_body({
        "procedure_code": "CA-CCCD-DOI", "citizen": citizen, "postman": "postman"})).json()
    call("clerk", "POST", "/api/v1/pickups/{tn}/assign",
         path_parameters={"tn": pickup["tracking_number"]}, **json_body({"postman": "postman2"}))
