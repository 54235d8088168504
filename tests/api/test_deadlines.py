"""Service deadlines in the API: overdue, due today and at risk, scoped to the caller (TT17 Art.7)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from server.domain.deadlines import deadline_bounds
from server.extensions import db
from server.models import Item
from tests.api.checks import assert_error, signed_in
from tests.api.scenario import clerk_and_postman, event, hand_over, sync, upload_image


def set_due(app, number: str, due_at: datetime) -> None:
    """Move an item's deadline (test set-up: the clock cannot be moved)."""
    with app.app_context():
        db.session.execute(update(Item).where(Item.tracking_number == number).values(due_at=due_at))
        db.session.commit()


def deadline_of(answer: dict, number: str) -> str | None:
    return next((i["deadline"] for i in answer["items"] if i["tracking_number"] == number), None)


def test_the_clerk_sees_overdue_due_today_and_at_risk_items_of_her_office(app, world, new_api):
    desk = clerk_and_postman(new_api, 5)
    late, today, soon, far, on_its_way = desk.numbers
    bounds = deadline_bounds(datetime.now(UTC), app.config["DEADLINE_AT_RISK_WORKING_DAYS"])
    set_due(app, late, bounds.now - timedelta(hours=3))
    set_due(app, today, bounds.end_of_today - timedelta(seconds=1))
    set_due(app, soon, bounds.at_risk_until)
    set_due(app, far, bounds.at_risk_until + timedelta(days=30))
    set_due(app, on_its_way, bounds.at_risk_until)
    sync_out = desk.clerk.post("/api/v1/handovers", json={"to_user": "postman", "items": [on_its_way]})
    assert sync_out.status_code == 201
    accepted = desk.postman.post(f"/api/v1/handovers/{sync_out.get_json()['id']}/accept", json={
        "scanned": [on_its_way], "signature_sha256": upload_image(desk.postman, "load")})
    assert accepted.status_code == 200
    assert sync(desk.postman, event(on_its_way, "out_for_delivery"))[0]["status"] == "accepted"

    answer = desk.clerk.get("/api/v1/deadlines").get_json()
    assert answer["counts"] == {"overdue": 1, "due_today": 1, "at_risk": 1}
    assert [i["tracking_number"] for i in answer["items"]] == [late, today, soon]
    assert deadline_of(answer, late) == "overdue"
    assert deadline_of(answer, today) == "due_today"
    assert deadline_of(answer, soon) == "at_risk"
    assert deadline_of(answer, far) is None and deadline_of(answer, on_its_way) is None
    assert answer["items"][0]["deadline_label"] == "Quá hạn"
    assert answer["at_risk_working_days"] == 1

    only_late = desk.clerk.get("/api/v1/deadlines?deadline=overdue").get_json()
    assert [i["tracking_number"] for i in only_late["items"]] == [late]
    assert only_late["counts"] == answer["counts"]


def test_the_postman_sees_only_the_items_he_holds(app, world, new_api):
    desk = clerk_and_postman(new_api, 2)
    mine, _office = desk.numbers
    hand_over(desk.clerk, desk.postman, "postman", [mine])
    for number in desk.numbers:
        set_due(app, number, datetime.now(UTC) - timedelta(hours=1))
    answer = desk.postman.get("/api/v1/deadlines").get_json()
    assert [i["tracking_number"] for i in answer["items"]] == [mine]
    assert answer["counts"]["overdue"] == 1
    assert answer["items"][0]["holder"]


def test_another_office_sees_none_of_them(app, world, new_api):
    desk = clerk_and_postman(new_api, 1)
    set_due(app, desk.numbers[0], datetime.now(UTC) - timedelta(hours=1))
    other = signed_in(new_api(), "clerk_nd").get("/api/v1/deadlines").get_json()
    assert other["counts"] == {"overdue": 0, "due_today": 0, "at_risk": 0} and other["items"] == []


def test_the_dashboard_counts_with_the_same_rule(app, world, new_api):
    desk = clerk_and_postman(new_api, 3)
    bounds = deadline_bounds(datetime.now(UTC), app.config["DEADLINE_AT_RISK_WORKING_DAYS"])
    set_due(app, desk.numbers[0], bounds.now - timedelta(hours=1))
    set_due(app, desk.numbers[1], bounds.at_risk_until)
    set_due(app, desk.numbers[2], bounds.at_risk_until)
    supervisor = signed_in(new_api(), "supervisor")
    listed = supervisor.get("/api/v1/deadlines").get_json()["counts"]
    board = supervisor.get("/api/v1/dashboard").get_json()["overdue"]
    assert (board["count"], board["due_today"], board["at_risk"]) == (
        listed["overdue"], listed["due_today"], listed["at_risk"]) == (1, 0, 2)


def test_the_at_risk_setting_decides_what_is_at_risk(app, world, new_api):
    desk = clerk_and_postman(new_api, 1)
    bounds = deadline_bounds(datetime.now(UTC), 1)
    set_due(app, desk.numbers[0], bounds.at_risk_until)
    app.config["DEADLINE_AT_RISK_WORKING_DAYS"] = 0
    try:
        closed = desk.clerk.get("/api/v1/deadlines").get_json()
    finally:
        app.config["DEADLINE_AT_RISK_WORKING_DAYS"] = 1
    assert closed["counts"]["at_risk"] == 0 and closed["at_risk_working_days"] == 0
    assert desk.clerk.get("/api/v1/deadlines").get_json()["counts"]["at_risk"] == 1


def test_an_agency_officer_has_no_deadline_list(app, world, new_api):
    assert_error(signed_in(new_api(), "agency").get("/api/v1/deadlines"), 403, "forbidden")


def test_an_unknown_class_is_refused(app, world, new_api):
    assert_error(signed_in(new_api(), "clerk").get("/api/v1/deadlines?deadline=soonish"),
                 422, "validation_failed")
