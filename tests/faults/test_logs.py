"""What the server logs never holds: a citizen's name, phone, address or full ID number."""
from __future__ import annotations

import logging
import time

import requests
from sqlalchemy import text

from server import create_app
from server.extensions import db
from tests.e2e.live_api import LiveSession

#: An invented citizen whose every detail is easy to look for in a log.
NAME, PHONE, ID_NUMBER, LINE = "Lê Thị Nhật Ký", "0987 654 321", "079198765432", "Số 77 ngõ Riêng Tư"


def _registration() -> dict:
    """A registration carrying every personal detail of the citizen."""
    return {
        "kind": "result", "procedure_code": "CA-CCCD-DOI",
        "citizen": {"name": NAME, "phone": PHONE, "id_type": "cccd", "id_number": ID_NUMBER,
                    "address": {"province": "Ninh Bình", "commune": "Phường Hoa Lư", "line": LINE}},
        "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}],
        "fees": {"postage_vnd": 26000},
    }


def _assert_absent(log: str) -> None:
    """None of the citizen's details appears in `log`."""
    for secret in (NAME, PHONE, PHONE.replace(" ", ""), ID_NUMBER, LINE):
        assert secret not in log, f"{secret!r} is in the log"


def test_the_servers_logs_hold_no_citizens_name_phone_address_or_id_number(fault_server):
    clerk = LiveSession(fault_server.base_url, "clerk")
    created = clerk.post("/items", json=_registration())
    assert created.status_code == 201, created.text
    number = created.json()["tracking_number"]
    refused = clerk.post("/items", json={**_registration(), "procedure_code": NAME})
    assert refused.status_code == 422
    assert clerk.get(f"/items/{number}").json()["citizen"]["name"] == NAME
    assert clerk.get("/items", params={"q": number[:6]}).status_code == 200
    assert requests.get(f"{fault_server.base_url}/t/{number}", timeout=30).status_code == 200
    last = f"/api/v1/track/{number}"
    assert requests.get(f"{fault_server.base_url}{last}", timeout=30).status_code == 200

    deadline = time.monotonic() + 10
    while last not in fault_server.access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)  # the worker writes the line just after the answer
    access = fault_server.access_log.read_text()
    assert f"/api/v1/items/{number}" in access and last in access  # the log is being written
    for log in (access, fault_server.error_log.read_text(), fault_server.app_log.read_text()):
        _assert_absent(log)


def test_an_unexpected_database_error_is_logged_without_the_values_of_its_statement(app, caplog):
    noisy = create_app({key: app.config[key] for key in (
        "TESTING", "MEDIA_DIR", "SECRET_KEY", "ID_HASH_KEY", "SQLALCHEMY_DATABASE_URI")})

    @noisy.post("/probe")
    def probe() -> str:
        # A unit with no kind: refused by a NOT NULL constraint, with personal data bound.
        db.session.execute(text("INSERT INTO units (code, name) VALUES (:code, :name)"),
                           {"code": PHONE, "name": NAME})
        return "unreachable"

    caplog.set_level(logging.ERROR)
    response = noisy.test_client().post("/probe")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    logged = caplog.text
    assert "unhandled database error" in logged and "INSERT INTO units" in logged  # the fault…
    _assert_absent(logged)  # …but not what the statement carried
    with noisy.app_context():
        db.engine.dispose()
