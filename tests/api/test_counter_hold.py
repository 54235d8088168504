"""Failed deliveries at the counter: the two-invitation rule, held for pickup, handed over there.

TT17 Art.5(2)(h): two invitations two working days apart (a refusal or a bad address: at
once) before a result may go back; meanwhile the citizen may collect it at the counter.
"""
from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.media.service import MISSING_MEDIA_MESSAGE
from server.models import AuditFlag, CustodyEvent, Item
from tests.api.checks import assert_error, nothing_written, signed_in
from tests.api.scenario import HOME, clerk_and_postman, event, sync, upload_image

NEAR_HOME = {"lat": HOME["lat"] + 0.0002, "lon": HOME["lon"], "accuracy_m": 12}
RECIPIENT = {"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd", "id_last4": "7890"}


def failed_once(new_api, reason: str = "absent", action: str = "notice_left",  # type: ignore[no-untyped-def]
                back_at_office: bool = True):
    """A result the postman tried to deliver once; answer the desk and its number."""
    desk = clerk_and_postman(new_api, 1, handed_over=True)
    number = desk.numbers[0]
    results = sync(desk.postman, event(number, "out_for_delivery"),
                   event(number, "attempt_failed", reason=reason, action=action,
                         position=NEAR_HOME))
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    if back_at_office:
        back_to_office(desk, number)
    return desk, number


def back_to_office(desk, number: str) -> None:  # type: ignore[no-untyped-def]
    """The postman hands the result back at the end of the round; the clerk signs."""
    listed = desk.postman.post("/api/v1/handovers", json={"to_unit": "BC-TRUNGTAM",
                                                           "items": [number]})
    assert listed.status_code == 201, listed.get_json()
    signed = desk.clerk.post(f"/api/v1/handovers/{listed.get_json()['id']}/accept", json={
        "scanned": [number], "signature_sha256": upload_image(desk.clerk, f"back-{number}")})
    assert signed.status_code == 200, signed.get_json()


def test_a_result_still_with_the_postman_cannot_be_held_at_the_counter(app, world, new_api):
    desk, number = failed_once(new_api, back_at_office=False)
    with nothing_written(app):
        assert_error(desk.clerk.post(f"/api/v1/counter/items/{number}/hold", json={}), 409,
                     "not_held_by_office")


def flags_of(app, number: str) -> list[str]:
    with app.app_context():
        return list(db.session.execute(
            select(AuditFlag.code).join(Item).where(Item.tracking_number == number)).scalars())


def test_the_item_says_it_may_not_go_back_after_one_invitation(app, world, new_api):
    desk, number = failed_once(new_api)
    invitations = desk.clerk.get(f"/api/v1/items/{number}").get_json()["invitations"]
    assert invitations["count"] == 1 and invitations["may_return"] is False
    assert invitations["return_rule"] == "invitations_missing"
    assert "1/2" in invitations["return_rule_vi"]
    assert invitations["next_allowed_on"] is not None


def test_a_refusal_may_go_back_at_once_and_says_why(app, world, new_api):
    desk, number = failed_once(new_api, reason="refused", action="return_to_agency")
    invitations = desk.clerk.get(f"/api/v1/items/{number}").get_json()["invitations"]
    assert invitations["may_return"] is True and invitations["return_rule"] == "undeliverable"
    assert sync(desk.postman, event(number, "returned"))[0]["status"] == "accepted"
    assert "early_return" not in flags_of(app, number)


def test_returned_before_two_invitations_raises_early_return(app, world, new_api):
    desk, number = failed_once(new_api)
    assert sync(desk.postman, event(number, "returned"))[0]["status"] == "accepted"
    assert "early_return" in flags_of(app, number)


def test_the_clerk_holds_a_failed_result_at_the_counter(app, world, new_api):
    desk, number = failed_once(new_api)
    response = desk.clerk.post(f"/api/v1/counter/items/{number}/hold", json={})
    assert response.status_code == 200, response.get_json()
    held = response.get_json()
    assert held["status"] == "held_for_pickup"
    assert held["holder"] == {"user": None, "unit": "BC-TRUNGTAM",
                              "unit_name": held["holder"]["unit_name"]}
    events = desk.clerk.get(f"/api/v1/items/{number}").get_json()["events"]
    assert events[-1]["type"] == "held_for_pickup" and events[-1]["actor"] == "clerk"
    assert events[-1]["upu_code"] == "EDH"


def test_the_citizen_collects_it_at_the_counter_with_id_check_signature_and_cash(app, world, new_api):
    desk, number = failed_once(new_api)
    assert desk.clerk.post(f"/api/v1/counter/items/{number}/hold", json={}).status_code == 200
    due = desk.clerk.get(f"/api/v1/items/{number}").get_json()["cash_due_vnd"]
    assert due > 0
    signature = upload_image(desk.clerk, "citizen-at-counter")
    response = desk.clerk.post(f"/api/v1/counter/items/{number}/deliver", json={
        "recipient": RECIPIENT, "signature_sha256": signature, "cash_collected_vnd": due,
        "papers_collected": ["Giấy hẹn trả kết quả"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "delivered"
    assert response.get_json()["holder"]["unit"] is None
    with app.app_context():
        delivered = db.session.execute(
            select(CustodyEvent).join(Item).where(Item.tracking_number == number)
            .order_by(CustodyEvent.seq.desc())).scalars().first()
        assert delivered.type == "delivered" and delivered.actor.username == "clerk"
        assert delivered.evidence["channel"] == "counter"
        assert delivered.evidence["cash_collected_vnd"] == due
        assert delivered.evidence["recipient"]["id_last4"] == "7890"
        assert delivered.evidence["signature_sha256"] == signature
    # At the counter there is no doorstep to be far from, no GPS fix to be poor.
    assert set(flags_of(app, number)) <= {"after_hours", "clock_skew"}


def test_cash_different_from_what_was_due_is_flagged_at_the_counter_too(app, world, new_api):
    desk, number = failed_once(new_api)
    desk.clerk.post(f"/api/v1/counter/items/{number}/hold", json={})
    desk.clerk.post(f"/api/v1/counter/items/{number}/deliver", json={
        "recipient": RECIPIENT, "signature_sha256": upload_image(desk.clerk, "s"),
        "cash_collected_vnd": 0})
    assert "cash_mismatch" in flags_of(app, number)


def test_handing_over_an_item_not_held_at_the_counter_is_refused(app, world, new_api):
    desk, number = failed_once(new_api)
    signature = upload_image(desk.clerk, "too-early")
    with nothing_written(app):
        error = assert_error(desk.clerk.post(f"/api/v1/counter/items/{number}/deliver", json={
            "recipient": RECIPIENT, "signature_sha256": signature}), 409, "not_held_at_counter")
    assert "Chờ nhận tại bưu cục" in error["message"]


def test_a_proxy_without_a_written_authorisation_is_refused(app, world, new_api):
    desk, number = failed_once(new_api)
    desk.clerk.post(f"/api/v1/counter/items/{number}/hold", json={})
    signature = upload_image(desk.clerk, "proxy")
    with nothing_written(app):
        assert_error(desk.clerk.post(f"/api/v1/counter/items/{number}/deliver", json={
            "recipient": {**RECIPIENT, "relation": "proxy", "relationship": "Con"},
            "signature_sha256": signature}), 422, "validation_failed")


def test_a_signature_not_uploaded_is_refused(app, world, new_api):
    desk, number = failed_once(new_api)
    desk.clerk.post(f"/api/v1/counter/items/{number}/hold", json={})
    with nothing_written(app):
        error = assert_error(desk.clerk.post(f"/api/v1/counter/items/{number}/deliver", json={
            "recipient": RECIPIENT, "signature_sha256": "a" * 64}), 422, "missing_media")
    assert error["message"] == MISSING_MEDIA_MESSAGE


def test_a_delivered_result_cannot_be_held(app, world, new_api):
    desk, number = failed_once(new_api)
    desk.clerk.post(f"/api/v1/counter/items/{number}/hold", json={})
    desk.clerk.post(f"/api/v1/counter/items/{number}/deliver", json={
        "recipient": RECIPIENT, "signature_sha256": upload_image(desk.clerk, "s2")})
    with nothing_written(app):
        assert_error(desk.clerk.post(f"/api/v1/counter/items/{number}/hold", json={}),
                     409, "not_holdable")


def test_a_dossier_is_never_held_for_pickup(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    from tests.api.scenario import result_body
    dossier = clerk.post("/api/v1/items", json=result_body(kind="dossier", dossier_code=None))
    assert dossier.status_code == 201, dossier.get_json()
    with nothing_written(app):
        assert_error(clerk.post(f"/api/v1/counter/items/{dossier.get_json()['tracking_number']}/hold",
                                json={}), 409, "not_a_result")


def test_another_office_cannot_hold_it(app, world, new_api):
    _desk, number = failed_once(new_api)
    with nothing_written(app):
        assert_error(signed_in(new_api(), "clerk_nd").post(
            f"/api/v1/counter/items/{number}/hold", json={}), 404, "unknown_item")
