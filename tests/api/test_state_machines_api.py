"""Bending the records' state machines through the API (server/domain/state_machines.py).

Each test asks a record for a move its table does not hold — withdraw a signed handover,
withdraw an expired one, sign a closed remittance, resolve a resolved flag, countersign a
correction whose flag someone resolved meanwhile — and gets the machine's stable code with
409, while nothing already recorded changes.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text, update

from server.extensions import db
from server.models import HandoverRecord
from tests.api.audit_world import Round, custody_round, events_of
from tests.api.checks import assert_error, nothing_written, signed_in
from tests.api.scenario import clerk_and_postman, upload_image
from tests.api.test_cash_day import delivered_with, remit

#: Every record of the five machines with its status and what its moves write.
STATES = {
    "handover_records": "id, status, accepted_by_id, accepted_at, cancelled_at, cancelled_by_id, "
                        "cancel_reason",
    "corrections": "id, status, countersigned_by_id, countersigned_at, corrected_event_id",
    "cash_remittances": "id, status, clerk_user_id, clerk_signature_sha256, closed_at",
    "notifications": "id, status, attempts, sent_at",
    "audit_flags": "id, status, resolved_by_id, resolved_at, resolution_note",
}


def _states(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    with app.app_context():
        states = {table: list(db.session.execute(
            text(f"SELECT {columns} FROM {table} ORDER BY id")).tuples())
            for table, columns in STATES.items()}
        db.session.remove()
    return states


def test_a_signed_handover_cannot_be_withdrawn(app, world, new_api):
    desk = clerk_and_postman(new_api, 1)
    record = desk.clerk.post("/api/v1/handovers", json={
        "to_user": "postman", "items": desk.numbers}).get_json()["id"]
    signed = desk.postman.post(f"/api/v1/handovers/{record}/accept", json={
        "scanned": desk.numbers, "signature_sha256": upload_image(desk.postman, "signs")})
    assert signed.status_code == 200, signed.get_json()
    before = _states(app)
    with nothing_written(app):
        refused = desk.clerk.post(f"/api/v1/handovers/{record}/cancel",
                                  json={"reason": "Lập nhầm"})
    error = assert_error(refused, 409, "handover_closed")
    assert error["details"] == {"status": "accepted"}
    assert error["message"] == "Biên bản đã được ký nhận; không thể ký lại hay hủy."
    assert _states(app) == before


def test_an_expired_handover_cannot_be_withdrawn_and_says_why(app, world, new_api, monkeypatch):
    monkeypatch.setitem(app.config, "HANDOVER_PENDING_HOURS", 2)
    desk = clerk_and_postman(new_api, 1)
    record = desk.clerk.post("/api/v1/handovers", json={
        "to_user": "postman", "items": desk.numbers}).get_json()["id"]
    with app.app_context():
        created = db.session.get(HandoverRecord, record).created_at
        db.session.execute(update(HandoverRecord).where(HandoverRecord.id == record)
                           .values(created_at=created - timedelta(hours=3)))
        db.session.commit()
    assert desk.clerk.get(f"/api/v1/handovers/{record}").get_json()["status"] == "cancelled"
    before = _states(app)
    with nothing_written(app):
        refused = desk.clerk.post(f"/api/v1/handovers/{record}/cancel",
                                  json={"reason": "Không cần nữa"})
    error = assert_error(refused, 409, "handover_closed")
    assert error["details"] == {"status": "cancelled"}
    # The message names the expiry as the reason, and what to do.
    assert "2 giờ" in error["message"] and error["message"].endswith("hãy lập biên bản mới.")
    assert _states(app) == before


def test_a_closed_remittance_refuses_a_second_signature_naming_its_status(app, world, new_api):
    clerk, postman, _ = delivered_with(new_api, 76000)
    remittance = remit(clerk, postman, 76000).get_json()
    url = f"/api/v1/cash/remittances/{remittance['id']}/sign"
    assert clerk.post(url, json={
        "clerk_signature_sha256": upload_image(clerk, "clerk-signs")}).status_code == 200
    before = _states(app)
    other_clerk_signature = upload_image(clerk, "clerk-signs-again")
    with nothing_written(app):
        refused = clerk.post(url, json={"clerk_signature_sha256": other_clerk_signature})
    error = assert_error(refused, 409, "remittance_closed")
    assert error["details"] == {"status": "closed", "id": remittance["id"]}
    assert error["message"].startswith(f"Phiếu nộp tiền số {remittance['id']} đã được ký đủ")
    assert _states(app) == before


@pytest.fixture
def round_(app, world, new_api) -> Round:  # type: ignore[no-untyped-def]
    return custody_round(app, new_api)


def test_a_resolved_flag_refuses_a_second_resolution_naming_when(app, round_):
    url = f"/api/v1/audit/flags/{round_.flag_id}/resolve"
    assert round_.supervisor.post(url, json={"note": "Đã kiểm tra."}).status_code == 200
    before = _states(app)
    with nothing_written(app):
        refused = round_.supervisor2.post(url, json={"note": "Kiểm tra lần hai."})
    error = assert_error(refused, 409, "flag_already_resolved")
    assert error["details"]["status"] == "resolved" and error["details"]["resolved_at"]
    assert _states(app) == before


def test_a_countersignature_whose_flag_was_resolved_meanwhile_applies_nothing(app, round_,
                                                                            new_api):
    flagged_event = events_of(round_.supervisor, round_.flagged)[-1]
    asked = round_.supervisor.post("/api/v1/audit/corrections", json={
        "event_id": flagged_event["id"], "reason": "Bưu gửi không được quét khi bàn giao",
        "correction": {"note": "còn ở quầy"}}).get_json()
    resolved = round_.supervisor.post(f"/api/v1/audit/flags/{round_.flag_id}/resolve",
                                      json={"note": "Đã gọi bưu tá."})
    assert resolved.status_code == 200, resolved.get_json()
    before = _states(app)
    with nothing_written(app):  # no `corrected` event appended either
        refused = round_.supervisor2.post(
            f"/api/v1/audit/corrections/{asked['id']}/countersign",
            json={"flag_id": round_.flag_id})
    assert_error(refused, 409, "flag_already_resolved")
    assert _states(app) == before
    assert [row[1] for row in before["corrections"]] == ["pending"]
    # Still pending, it can be countersigned without the flag.
    applied = round_.supervisor2.post(f"/api/v1/audit/corrections/{asked['id']}/countersign",
                                      json={})
    assert applied.status_code == 200, applied.get_json()
    assert applied.get_json()["status"] == "applied"
    before = _states(app)
    with nothing_written(app):
        again = signed_in(new_api(), "admin").post(
            f"/api/v1/audit/corrections/{asked['id']}/countersign", json={})
    assert assert_error(again, 409, "correction_already_applied")["details"]["status"] == "applied"
    assert _states(app) == before
