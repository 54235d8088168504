"""Who may be named on a handover record, what may be listed, and records withdrawn or expired.

Issue 13 point 6: a handover applies the agency and province rules registration applies; only
receivers who can accept may be named; numbers of other offices scanned at acceptance are
recorded as unknown. Issue 12: receivers by name, lists to pick from, cancel and expiry.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from server.accounts.service import create_user
from server.extensions import db
from server.models import AuditFlag, HandoverRecord, Item, Unit, UnitKind, User
from tests.api.checks import assert_error, nothing_written, signed_in
from tests.api.scenario import (
    clerk_and_postman,
    event,
    hand_over,
    result_body,
    sync,
    upload_image,
)


@pytest.fixture
def other_province(app, world):  # type: ignore[no-untyped-def]
    """A second province with a post office (clerk, postman) and a police agency (officer)."""
    with app.app_context():
        province = Unit(code="TINH-THU", name="Tỉnh Phú Thọ", kind=UnitKind.province.value,
                        province="Phú Thọ")
        db.session.add(province)
        db.session.flush()
        province.path = f"/{province.id}/"
        units = {}
        for code, name, kind in (("BC-THU", "Bưu cục Thử", UnitKind.post_office),
                                 ("CA-THU", "Công an tỉnh Thử", UnitKind.agency)):
            unit = Unit(code=code, name=name, kind=kind.value, parent=province,
                        province="Phú Thọ", commune="Phường Việt Trì")
            db.session.add(unit)
            db.session.flush()
            unit.path = f"{province.path}{unit.id}/"
            units[code] = unit
        for username, role, code in (("clerk_thu", "clerk", "BC-THU"),
                                     ("postman_thu", "postman", "BC-THU"),
                                     ("agency_thu", "agency", "CA-THU")):
            create_user(username, "tantay-demo", role, units[code].id, f"Người {username}")
        db.session.commit()
    return units


def _receivers(client) -> dict[tuple[str, str], dict]:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/handovers/receivers")
    assert answer.status_code == 200, answer.get_json()
    return {(r["field"], r["key"]): r for r in answer.get_json()["receivers"]}


# --- whom the screen offers -------------------------------------------------------------------

def test_a_clerk_is_offered_her_postmen_and_the_desks_of_her_province_by_name(
        app, world, other_province, new_api):
    offered = _receivers(signed_in(new_api(), "clerk"))
    assert offered[("to_user", "postman")]["name"] == "Nguyễn Văn Phát"
    assert offered[("to_unit", "CA-TINH")]["name"] == "Công an tỉnh Ninh Bình"
    assert ("to_unit", "BC-NAMDINH") in offered  # another office of the province
    assert ("to_unit", "BC-TRUNGTAM") not in offered  # not her own desk
    assert ("to_user", "postman_nd") not in offered  # another office's postman
    assert not {key for _, key in offered} & {"BC-THU", "CA-THU", "postman_thu"}
    assert not {key for _, key in offered} & {"clerk", "agency", "supervisor", "admin"}


def test_a_postman_is_offered_his_own_office_and_the_agencies_never_another_postman(
        app, world, new_api):
    offered = _receivers(signed_in(new_api(), "postman"))
    assert ("to_unit", "BC-TRUNGTAM") in offered and ("to_unit", "CA-TINH") in offered
    assert ("to_unit", "BC-NAMDINH") not in offered
    assert not [key for field, key in offered if field == "to_user"]


def test_an_agency_is_offered_the_post_of_its_province_never_another_agency(
        app, world, other_province, new_api):
    offered = _receivers(signed_in(new_api(), "agency"))
    assert {("to_unit", "BC-TRUNGTAM"), ("to_user", "postman"), ("to_user", "postman_nd")} <= set(offered)
    assert not [key for (field, key), r in offered.items() if r["kind"] == "agency"]
    assert ("to_unit", "BC-THU") not in offered and ("to_user", "postman_thu") not in offered


def test_a_desk_with_nobody_to_sign_is_neither_offered_nor_accepted(app, world, new_api):
    with app.app_context():
        db.session.execute(update(User).where(User.username == "agency_tp").values(active=False))
        db.session.commit()
    clerk = signed_in(new_api(), "clerk")
    assert ("to_unit", "SO-TP") not in _receivers(clerk)
    dossier = clerk.post("/api/v1/items", json=result_body(
        kind="dossier", dossier_code=None, procedure_code="TP-LLTP")).get_json()["tracking_number"]
    signature = upload_image(clerk, "clerk-files")
    with nothing_written(app):
        assert_error(clerk.post("/api/v1/handovers", json={
            "to_unit": "SO-TP", "items": [dossier], "signature_sha256": signature}),
            422, "receiver_not_eligible")


# --- attackers: another province, agency or office ------------------------------------------

def test_an_item_cannot_be_handed_to_another_provinces_postman(app, other_province, new_api):
    desk = clerk_and_postman(new_api, 1)
    with nothing_written(app):
        error = assert_error(desk.clerk.post("/api/v1/handovers", json={
            "to_user": "postman_thu", "items": desk.numbers}), 422, "unknown_user")
    assert "postman_thu" not in str(error["details"])  # nothing said of that province's staff
    outsider = signed_in(new_api(), "postman_thu")
    assert_error(outsider.get(f"/api/v1/items/{desk.numbers[0]}"), 404, "unknown_item")


def test_an_item_cannot_be_handed_to_another_provinces_post_office(app, other_province, new_api):
    desk = clerk_and_postman(new_api, 1)
    with nothing_written(app):
        assert_error(desk.clerk.post("/api/v1/handovers", json={
            "to_unit": "BC-THU", "items": desk.numbers}), 422, "receiver_not_eligible")
    assert_error(signed_in(new_api(), "clerk_thu").get(f"/api/v1/items/{desk.numbers[0]}"),
                 404, "unknown_item")


def test_an_agency_cannot_hand_its_result_to_another_provinces_post(app, other_province, new_api):
    officer = signed_in(new_api(), "agency")
    number = officer.post("/api/v1/items", json=result_body()).get_json()["tracking_number"]
    with nothing_written(app):
        for receiver in ({"to_unit": "BC-THU"}, {"to_user": "postman_thu"}):
            response = officer.post("/api/v1/handovers", json={**receiver, "items": [number]})
            assert response.status_code == 422, response.get_json()


def test_a_result_cannot_be_handed_to_another_agency(app, world, new_api):
    desk = clerk_and_postman(new_api, 1)  # police results (CA-CCCD-DOI)
    with nothing_written(app):
        error = assert_error(desk.clerk.post("/api/v1/handovers", json={
            "to_unit": "BHXH-TINH", "items": desk.numbers}), 409, "wrong_agency")
    assert error["details"]["items"] == desk.numbers
    assert_error(signed_in(new_api(), "agency_bhxh").get(f"/api/v1/items/{desk.numbers[0]}"),
                 404, "unknown_item")


def test_a_result_goes_back_to_its_own_agency(app, world, new_api):
    desk = clerk_and_postman(new_api, 1)
    created = desk.clerk.post("/api/v1/handovers", json={"to_unit": "CA-TINH", "items": desk.numbers})
    assert created.status_code == 201, created.get_json()


@pytest.mark.parametrize("named", ["postman_nd", "clerk_nd", "agency", "supervisor"])
def test_only_a_postman_of_ones_own_office_is_named_personally(app, world, new_api, named):
    desk = clerk_and_postman(new_api, 1)
    with nothing_written(app):
        assert_error(desk.clerk.post("/api/v1/handovers", json={
            "to_user": named, "items": desk.numbers}), 422, "receiver_not_eligible")


def test_a_postman_cannot_return_items_to_another_office(app, world, new_api):
    desk = clerk_and_postman(new_api, 1, handed_over=True)
    with nothing_written(app):
        assert_error(desk.postman.post("/api/v1/handovers", json={
            "to_unit": "BC-NAMDINH", "items": desk.numbers}), 422, "receiver_not_eligible")


def test_another_offices_item_scanned_at_acceptance_is_recorded_as_unknown(
        app, world, new_api):
    desk = clerk_and_postman(new_api, 1)
    clerk_nd = signed_in(new_api(), "clerk_nd")
    theirs = clerk_nd.post("/api/v1/items", json=result_body()).get_json()["tracking_number"]
    record = desk.clerk.post("/api/v1/handovers", json={"to_user": "postman", "items": desk.numbers})
    answer = desk.postman.post(f"/api/v1/handovers/{record.get_json()['id']}/accept", json={
        "scanned": [*desk.numbers, theirs], "signature_sha256": upload_image(desk.postman, "s")})
    assert answer.get_json()["unexpected"] == [theirs]
    line = desk.clerk.get(f"/api/v1/handovers/{record.get_json()['id']}").get_json()["lines"][-1]
    assert line == {"tracking_number": theirs, "outcome": "unexpected", "complete": None,
                    "missing_documents": None, "kind": None, "procedure": None,
                    "citizen_initials": None}
    with app.app_context():  # no flag on the other office's item
        assert db.session.execute(select(AuditFlag)).scalars().all() == []
    page = desk.clerk.get(f"/handovers/{record.get_json()['id']}/record").get_data(as_text=True)
    assert theirs in page and "Cấp đổi thẻ căn cước" in page.split(desk.numbers[0])[1].split(theirs)[0]
    assert "Cấp đổi thẻ căn cước" not in page.split(theirs)[1].split("</tr>")[0]


def test_a_record_shows_procedure_and_initials_but_not_the_citizens_name(app, world, new_api):
    desk = clerk_and_postman(new_api, 1)
    record = desk.clerk.post("/api/v1/handovers", json={"to_user": "postman", "items": desk.numbers})
    answer = desk.postman.get(f"/api/v1/handovers/{record.get_json()['id']}").get_json()
    assert answer["lines"][0]["citizen_initials"] == "N.T.M."
    assert answer["lines"][0]["procedure"] == "Cấp đổi thẻ căn cước"
    assert "Nguyễn Thị Mẫu" not in str(answer)
    assert answer["from_name"] == "Bưu cục Trung tâm Ninh Bình" and answer["to_name"] == "Nguyễn Văn Phát"
    assert answer["can_accept"] is True and answer["can_cancel"] is False


# --- withdrawn and expired records -------------------------------------------------------------

def test_the_sender_withdraws_a_pending_record_with_a_reason(app, world, new_api):
    desk = clerk_and_postman(new_api, 2)
    record = desk.clerk.post("/api/v1/handovers", json={"to_user": "postman", "items": desk.numbers})
    record_id = record.get_json()["id"]
    with nothing_written(app):
        assert_error(desk.postman.post(f"/api/v1/handovers/{record_id}/cancel",
                                       json={"reason": "Không muốn nhận"}), 403, "not_sender")
        assert_error(signed_in(new_api(), "clerk_nd").post(
            f"/api/v1/handovers/{record_id}/cancel", json={"reason": "Phá"}), 404, "unknown_handover")
        assert_error(desk.clerk.post(f"/api/v1/handovers/{record_id}/cancel", json={"reason": ""}),
                     422, "validation_failed")
    cancelled = desk.clerk.post(f"/api/v1/handovers/{record_id}/cancel",
                                json={"reason": "Lập nhầm bảng kê"})
    assert cancelled.status_code == 200, cancelled.get_json()
    body = cancelled.get_json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "Lập nhầm bảng kê"
    assert body["cancelled_at"] and body["expired"] is False
    signature = upload_image(desk.postman, "late")
    assert_error(desk.postman.post(f"/api/v1/handovers/{record_id}/accept", json={
        "scanned": desk.numbers, "signature_sha256": signature}), 409, "handover_closed")
    assert_error(desk.clerk.post(f"/api/v1/handovers/{record_id}/cancel",
                                 json={"reason": "Lần hai"}), 409, "handover_closed")
    page = desk.clerk.get(f"/handovers/{record_id}/record").get_data(as_text=True)
    assert "Đã hủy lúc" in page and "bởi Phạm Thu Giao — Lập nhầm bảng kê" in page
    # Nothing is stuck: the same items go on a new record.
    hand_over(desk.clerk, desk.postman, "postman", desk.numbers)


def test_a_pending_record_expires_after_the_configured_hours(app, world, new_api):
    app.config["HANDOVER_PENDING_HOURS"] = 2
    desk = clerk_and_postman(new_api, 1)
    record_id = desk.clerk.post("/api/v1/handovers", json={
        "to_user": "postman", "items": desk.numbers}).get_json()["id"]
    with app.app_context():
        created = db.session.get(HandoverRecord, record_id).created_at
        db.session.execute(update(HandoverRecord).where(HandoverRecord.id == record_id)
                           .values(created_at=created - timedelta(hours=3)))
        db.session.commit()
    assert desk.postman.get("/api/v1/handovers?status=pending").get_json()["handovers"] == []
    seen = desk.clerk.get(f"/api/v1/handovers/{record_id}").get_json()
    assert seen["status"] == "cancelled" and seen["expired"] is True
    assert "2 giờ" in seen["cancel_reason"]
    assert_error(desk.postman.post(f"/api/v1/handovers/{record_id}/accept", json={
        "scanned": desk.numbers, "signature_sha256": upload_image(desk.postman, "x")}),
        409, "handover_closed")
    hand_over(desk.clerk, desk.postman, "postman", desk.numbers)  # the item is free again
    with app.app_context():  # recorded, at creation plus the lifetime
        stored = db.session.get(HandoverRecord, record_id)
        assert stored.status == "cancelled" and stored.cancelled_by_id is None
        assert stored.cancelled_at == created - timedelta(hours=1)


def test_the_expiry_command_records_stale_records(app, world, new_api):
    app.config["HANDOVER_PENDING_HOURS"] = 1
    desk = clerk_and_postman(new_api, 1)
    record_id = desk.clerk.post("/api/v1/handovers", json={
        "to_user": "postman", "items": desk.numbers}).get_json()["id"]
    with app.app_context():
        record = db.session.get(HandoverRecord, record_id)
        record.created_at -= timedelta(hours=2)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["expire-handovers"])
    assert result.exit_code == 0 and '"expired": 1' in result.output
    with app.app_context():
        assert db.session.get(HandoverRecord, record_id).status == "cancelled"


# --- lists to pick from ---------------------------------------------------------------------

def test_the_sender_picks_from_what_it_holds_never_what_is_already_listed(app, world, new_api):
    desk = clerk_and_postman(new_api, 3)
    listed = {i["tracking_number"] for i in desk.clerk.get(
        "/api/v1/handovers/candidates?source=held").get_json()["items"]}
    assert set(desk.numbers) <= listed
    desk.clerk.post("/api/v1/handovers", json={"to_user": "postman", "items": desk.numbers[:1]})
    held = desk.clerk.get("/api/v1/handovers/candidates").get_json()["items"]
    assert desk.numbers[0] not in {i["tracking_number"] for i in held}
    line = next(i for i in held if i["tracking_number"] == desk.numbers[1])
    assert line["procedure"] == "Cấp đổi thẻ căn cước" and line["agency_name"] == "Công an tỉnh Ninh Bình"
    theirs = signed_in(new_api(), "clerk_nd").get("/api/v1/handovers/candidates").get_json()
    assert not set(desk.numbers) & {i["tracking_number"] for i in theirs["items"]}


def test_a_postmans_evening_return_lists_his_failed_attempts(app, world, new_api):
    desk = clerk_and_postman(new_api, 2, handed_over=True)
    failed, kept = desk.numbers
    sync(desk.postman, event(failed, "out_for_delivery"),
         event(failed, "attempt_failed", reason="absent", action="notice_left",
               position={"lat": 20.26, "lon": 105.98, "accuracy_m": 10}))
    evening = {i["tracking_number"] for i in desk.postman.get(
        "/api/v1/handovers/candidates?source=evening_return").get_json()["items"]}
    assert failed in evening and kept not in evening
    assert_error(desk.postman.get("/api/v1/handovers/candidates?source=everything"), 422,
                 "validation_failed")


def test_what_is_due_today_lists_only_items_due_by_tonight(app, world, new_api):
    desk = clerk_and_postman(new_api, 2)
    due, later = desk.numbers
    with app.app_context():
        item = db.session.execute(select(Item).where(Item.tracking_number == due)).scalar_one()
        item.due_at = item.created_at  # due already (created today)
        db.session.commit()
    today = {i["tracking_number"] for i in desk.clerk.get(
        "/api/v1/handovers/candidates?source=due_today").get_json()["items"]}
    assert due in today and later not in today
