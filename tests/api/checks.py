"""Assertions shared by the bad-input and security tests: the error envelope, row counts."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import func, select, text

from server.domain.s10 import make_tracking_number
from server.extensions import db
from tests.conftest import ApiClient

#: Tables whose rows a refused request must never add to (or take from).
GUARDED_TABLES = ("items", "custody_events", "handover_records", "handover_lines",
                  "audit_flags", "media", "api_tokens", "notifications", "cash_remittances")


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The answer is exactly the error envelope with this status and code; answer its inside."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    assert isinstance(error["details"], dict), error
    return error


def field_names(error: dict[str, Any]) -> list[str]:
    """The fields a `validation_failed` error names."""
    return [issue["field"] for issue in error["details"]["fields"]]


def row_counts(app: Flask) -> dict[str, Any]:
    """Rows of each guarded table, serials handed out, and the state of items and handovers."""
    with app.app_context():
        counts = {name: db.session.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
                  for name in GUARDED_TABLES}
        counts["serials"] = db.session.execute(
            text("SELECT COALESCE(SUM(last_serial), 0) FROM tracking_serials")).scalar_one()
        counts["item_state"] = list(db.session.execute(text(
            "SELECT tracking_number, status, event_count, head_hash, holder_user_id, holder_unit_id "
            "FROM items ORDER BY id")).tuples())
        counts["handover_state"] = list(db.session.execute(text(
            "SELECT id, status, accepted_by_id FROM handover_records ORDER BY id")).tuples())
        counts["handover_lines"] = list(db.session.execute(text(
            "SELECT id, outcome, complete, missing_documents FROM handover_lines ORDER BY id"
        )).tuples())
    return counts


@contextmanager
def nothing_written(app: Flask) -> Iterator[None]:
    """Assert that the block leaves every guarded table exactly as it found it."""
    before = row_counts(app)
    yield
    assert row_counts(app) == before


def signed_in(client: ApiClient, username: str) -> ApiClient:
    """Sign `client` in as `username` (demo password) and answer it."""
    response = client.login(username)
    assert response.status_code == 200, response.get_json()
    return client


def with_wrong_check_digit(number: str) -> str:
    """The same number with another check digit: the typo the S10 check digit exists for."""
    wrong = (int(number[10]) + 1) % 10
    return number[:10] + str(wrong) + number[11:]


#: A well-formed S10 number no test allocates.
UNKNOWN_NUMBER = make_tracking_number("KQ", 99_999_998)
#: The Vietnamese message of a wrong check digit (docs/design.md §9: "says so clearly").
CHECK_DIGIT_MESSAGE = "Số hiệu bưu gửi không hợp lệ (sai chữ số kiểm tra)"


def count_where(app: Flask, model: Any, *conditions: Any) -> int:
    """How many rows of `model` match."""
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model).where(*conditions)).scalar_one()


def verify_in_background(client: ApiClient, timeout_s: float = 120) -> dict[str, Any]:
    """Start a custody verification of the caller's scope and poll it until it ends."""
    started = client.post("/api/v1/audit/verify")
    assert started.status_code == 202, started.get_data(as_text=True)
    job = started.get_json()
    deadline = time.monotonic() + timeout_s
    while job["status"] == "running":
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
        job = client.get(f"/api/v1/audit/verify/{job['id']}").get_json()
    return job
