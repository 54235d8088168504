"""Supervisors' flag workflow and four-eyes corrections (docs/design.md §4: a correction is a new event)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from server.extensions import db
from server.media.service import MISSING_MEDIA_MESSAGE
from server.models import AuditFlag, Correction, Item
from tests.api.audit_world import Round, custody_round, events_of
from tests.api.checks import (
    assert_error,
    field_names,
    nothing_written,
    row_counts,
    signed_in,
    verify_in_background,
)
from tests.api.scenario import upload_image


@pytest.fixture
def round_(app, world, new_api) -> Round:  # type: ignore[no-untyped-def]
    """Two results at the postman's, one flagged as missing from the handover."""
    return custody_round(app, new_api)


def _flag_row(app, flag_id: int) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
    """The flag's stored state."""
    with app.app_context():
        flag = db.session.get(AuditFlag, flag_id)
        return flag.status, flag.resolved_by_id, flag.resolved_at, flag.resolution_note


def _correction_state(app) -> list[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    """Every correction's status and countersignature."""
    with app.app_context():
        return list(db.session.execute(text(
            "SELECT id, status, countersigned_by_id, corrected_event_id FROM corrections "
            "ORDER BY id")).tuples())


def _ask(client, event_id: str, **overrides: Any) -> Any:  # type: ignore[no-untyped-def]
    """Ask for a correction of an event's cash figure."""
    body = {"event_id": event_id, "reason": "Bưu tá nhập nhầm số tiền thu hộ",
            "correction": {"cash_collected_vnd": 26000}, **overrides}
    return client.post("/api/v1/audit/corrections", json=body)


def _handover_event(round_: Round) -> dict[str, Any]:
    """The handed_over event of the delivered item: the one the tests correct."""
    return next(e for e in events_of(round_.supervisor, round_.delivered)
                if e["type"] == "handed_over")


# --- flags --------------------------------------------------------------------------------

def test_moved_flag_list_still_lists_open_flags_of_the_supervisors_units(round_):
    flags = round_.supervisor.get("/api/v1/audit/flags").get_json()["flags"]
    mine = [f for f in flags if f["id"] == round_.flag_id]
    assert mine and mine[0]["tracking_number"] == round_.flagged
    assert mine[0]["status"] == "open" and mine[0]["resolved_by"] is None


def test_resolving_a_flag_records_who_when_and_the_note(app, round_):
    response = round_.supervisor.post(f"/api/v1/audit/flags/{round_.flag_id}/resolve",
                                      json={"note": "  Đã gọi bưu tá: bưu gửi còn ở quầy.  "})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "resolved" and answer["resolved_by"] == "supervisor"
    assert answer["resolution_note"] == "Đã gọi bưu tá: bưu gửi còn ở quầy."
    assert answer["resolved_at"]
    status, resolved_by_id, resolved_at, note = _flag_row(app, round_.flag_id)
    assert status == "resolved" and resolved_by_id is not None and resolved_at is not None
    assert note == "Đã gọi bưu tá: bưu gửi còn ở quầy."
    open_flags = round_.supervisor.get("/api/v1/audit/flags?status=open").get_json()["flags"]
    assert round_.flag_id not in [f["id"] for f in open_flags]
    resolved = round_.supervisor.get("/api/v1/audit/flags?status=resolved").get_json()["flags"]
    assert [f["resolution_note"] for f in resolved if f["id"] == round_.flag_id] == [note]


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   \n "}, {"note": "x" * 1001}])
def test_resolution_without_a_proper_note_is_refused_and_changes_nothing(app, round_, body):
    before = _flag_row(app, round_.flag_id)
    with nothing_written(app):
        response = round_.supervisor.post(f"/api/v1/audit/flags/{round_.flag_id}/resolve",
                                          json=body)
    error = assert_error(response, 422, "validation_failed")
    assert field_names(error) == ["note"]
    assert _flag_row(app, round_.flag_id) == before == ("open", None, None, None)


def test_resolving_an_already_resolved_flag_is_a_conflict(app, round_):
    url = f"/api/v1/audit/flags/{round_.flag_id}/resolve"
    assert round_.supervisor.post(url, json={"note": "Đã kiểm tra."}).status_code == 200
    first = _flag_row(app, round_.flag_id)
    assert_error(round_.supervisor2.post(url, json={"note": "Tôi cũng kiểm tra."}), 409,
                 "flag_already_resolved")
    assert _flag_row(app, round_.flag_id) == first


def test_a_supervisor_of_another_province_reaches_no_flag(app, round_):
    listed = round_.outsider.get("/api/v1/audit/flags?status=open").get_json()["flags"]
    assert listed == []
    assert_error(round_.outsider.post(f"/api/v1/audit/flags/{round_.flag_id}/resolve",
                                      json={"note": "Không phải của tôi."}), 404, "unknown_flag")
    assert _flag_row(app, round_.flag_id)[0] == "open"


def test_a_clerk_may_not_resolve_flags(app, round_):
    assert_error(round_.clerk.post(f"/api/v1/audit/flags/{round_.flag_id}/resolve",
                                   json={"note": "Xong."}), 403, "forbidden")
    assert _flag_row(app, round_.flag_id)[0] == "open"


# --- corrections --------------------------------------------------------------------------

def test_a_correction_request_is_pending_and_appends_nothing(app, round_):
    target = _handover_event(round_)
    before = row_counts(app)
    response = _ask(round_.supervisor, target["id"])
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "pending" and answer["requested_by"] == "supervisor"
    assert answer["tracking_number"] == round_.delivered and answer["event_id"] == target["id"]
    assert answer["countersigned_by"] is None and answer["corrected_event_id"] is None
    assert row_counts(app) == before  # no event, no status, no head moved
    pending = round_.supervisor2.get("/api/v1/audit/corrections").get_json()["corrections"]
    assert [c["id"] for c in pending] == [answer["id"]]


def test_four_eyes_countersignature_appends_exactly_one_corrected_event(app, round_):
    target = _handover_event(round_)
    before = events_of(round_.supervisor, round_.delivered)
    item_before = round_.supervisor.get(f"/api/v1/items/{round_.delivered}").get_json()
    asked = _ask(round_.supervisor, target["id"]).get_json()

    response = round_.supervisor2.post(f"/api/v1/audit/corrections/{asked['id']}/countersign",
                                       json={})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "applied" and answer["countersigned_by"] == "supervisor2"

    after = events_of(round_.supervisor, round_.delivered)
    assert after[:-1] == before  # nothing earlier was touched
    assert len(after) == len(before) + 1
    corrected = after[-1]
    assert corrected["id"] == answer["corrected_event_id"]
    assert corrected["type"] == "corrected" and corrected["actor"] == "supervisor2"
    assert corrected["previous_hash"] == before[-1]["hash"]
    with app.app_context():
        ids = dict(db.session.execute(text(
            "SELECT username, id FROM users WHERE username IN ('supervisor', 'supervisor2')")).tuples().all())
    assert corrected["evidence"] == {
        "correction_id": asked["id"], "corrects_event_id": target["id"],
        "reason": "Bưu tá nhập nhầm số tiền thu hộ", "correction": {"cash_collected_vnd": 26000},
        "requested_by_user_id": ids["supervisor"], "requested_at": corrected["evidence"]["requested_at"],
        "countersigned_by_user_id": ids["supervisor2"],
    }
    item_after = round_.supervisor.get(f"/api/v1/items/{round_.delivered}").get_json()
    assert item_after["status"] == item_before["status"] == "out_for_delivery"
    assert item_after["holder"] == item_before["holder"]

    verified = verify_in_background(round_.supervisor)
    assert verified["ok"] is True and verified["first_broken"] is None


def test_the_author_may_not_countersign_and_nothing_is_appended(app, round_):
    asked = _ask(round_.supervisor, _handover_event(round_)["id"]).get_json()
    with nothing_written(app):
        response = round_.supervisor.post(f"/api/v1/audit/corrections/{asked['id']}/countersign",
                                          json={})
    assert_error(response, 403, "four_eyes_required")
    assert _correction_state(app) == [(asked["id"], "pending", None, None)]


def test_the_database_refuses_a_correction_countersigned_by_its_author(app, round_):
    asked = _ask(round_.supervisor, _handover_event(round_)["id"]).get_json()
    countersign_own = text("UPDATE corrections SET countersigned_by_id = requested_by_id WHERE id = :id")
    with app.app_context(), pytest.raises(IntegrityError):  # noqa: PT012 (refused at the write or the commit)
        db.session.execute(countersign_own, {"id": asked["id"]})
        db.session.commit()


def test_a_countersigned_correction_cannot_be_countersigned_again(app, round_, new_api):
    asked = _ask(round_.supervisor, _handover_event(round_)["id"]).get_json()
    url = f"/api/v1/audit/corrections/{asked['id']}/countersign"
    assert round_.supervisor2.post(url, json={}).status_code == 200
    with app.app_context():
        admin_id = db.session.execute(text("SELECT id FROM users WHERE username = 'admin'")).scalar_one()
    admin = signed_in(new_api(), "admin")
    with nothing_written(app):
        assert_error(admin.post(url, json={}), 409, "correction_already_applied")
    state = _correction_state(app)
    assert state[0][1] == "applied" and state[0][2] != admin_id


@pytest.mark.parametrize(("overrides", "field"), [
    ({"reason": "   "}, "reason"),
    ({"reason": None}, "reason"),
    ({"correction": {}}, "correction"),
    ({"correction": {"note": "x" * 5000}}, "correction"),
    ({"correction": "cash"}, "correction"),
])
def test_a_correction_needs_a_reason_and_a_small_object(app, round_, overrides, field):
    target = _handover_event(round_)
    with nothing_written(app):
        error = assert_error(_ask(round_.supervisor, target["id"], **overrides), 422,
                             "validation_failed")
    assert field_names(error) == [field]
    assert _correction_state(app) == []


def test_a_correction_naming_an_image_not_uploaded_is_refused(app, round_):
    target = _handover_event(round_)
    error = assert_error(_ask(round_.supervisor, target["id"],
                              correction={"signature_sha256": "ab" * 32}), 422, "missing_media")
    assert error["details"]["missing"] == ["ab" * 32]
    assert error["message"] == MISSING_MEDIA_MESSAGE
    uploaded = upload_image(round_.supervisor, "corrected-signature")
    assert _ask(round_.supervisor, target["id"],
                correction={"signature_sha256": uploaded}).status_code == 201


def test_a_supervisor_of_another_province_reaches_no_event_and_no_correction(app, round_):
    target = _handover_event(round_)
    assert_error(_ask(round_.outsider, target["id"]), 404, "unknown_event")
    asked = _ask(round_.supervisor, target["id"]).get_json()
    assert round_.outsider.get("/api/v1/audit/corrections").get_json()["corrections"] == []
    with nothing_written(app):
        assert_error(round_.outsider.post(f"/api/v1/audit/corrections/{asked['id']}/countersign",
                                          json={}), 404, "unknown_correction")
    assert _correction_state(app) == [(asked["id"], "pending", None, None)]


def test_a_clerk_may_not_ask_for_a_correction(app, round_):
    assert_error(_ask(round_.clerk, _handover_event(round_)["id"]), 403, "forbidden")


def test_the_countersignature_can_resolve_the_flag_it_answers(app, round_):
    flagged_event = events_of(round_.supervisor, round_.flagged)[-1]
    asked = _ask(round_.supervisor, flagged_event["id"],
                 reason="Bưu gửi không được quét khi bàn giao",
                 correction={"note": "còn ở quầy"}).get_json()
    response = round_.supervisor2.post(f"/api/v1/audit/corrections/{asked['id']}/countersign",
                                       json={"flag_id": round_.flag_id})
    assert response.status_code == 200, response.get_json()
    status, resolved_by_id, _at, note = _flag_row(app, round_.flag_id)
    assert status == "resolved" and f"#{asked['id']}" in note
    with app.app_context():
        assert resolved_by_id == db.session.execute(
            select(Correction.countersigned_by_id)).scalar_one()


def test_a_flag_of_another_item_is_not_resolved_by_the_countersignature(app, round_):
    asked = _ask(round_.supervisor, _handover_event(round_)["id"]).get_json()
    with nothing_written(app):
        response = round_.supervisor2.post(f"/api/v1/audit/corrections/{asked['id']}/countersign",
                                           json={"flag_id": round_.flag_id})
    assert_error(response, 422, "flag_other_item")
    assert _flag_row(app, round_.flag_id)[0] == "open"
    assert _correction_state(app)[0][1] == "pending"
    with app.app_context():
        item = db.session.execute(select(Item).where(Item.tracking_number == round_.delivered)).scalar_one()
        assert item.status == "out_for_delivery"


def test_the_openapi_document_declares_every_audit_call(app):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get"} <= set(paths["/api/v1/audit/flags"])
    assert set(paths["/api/v1/audit/flags/{flag_id}/resolve"]) == {"post"}
    assert set(paths["/api/v1/audit/corrections"]) == {"get", "post"}
    assert set(paths["/api/v1/audit/corrections/{correction_id}/countersign"]) == {"post"}
    assert set(paths["/api/v1/audit/days/{day}"]) == {"get"}
    assert set(paths["/api/v1/audit/export-key"]) == {"get"}
    assert set(paths["/api/v1/items/{tn}/custody-export.json"]) == {"get"}
    assert "403" in paths["/api/v1/audit/corrections/{correction_id}/countersign"]["post"]["responses"]
