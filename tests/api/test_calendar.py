"""The working calendar API: read by everyone signed in, kept by the administrator (issue #16)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from server.domain.official_calendar import OFFICIAL_DECISIONS
from server.domain.service_time import LOCAL_TZ
from server.extensions import db
from server.models import CalendarDecisionRow, DueDateChange, Item
from server.models.types import utc_now
from tests.api.checks import assert_error, signed_in
from tests.api.scenario import clerk_and_postman

SWAP = {"working": False, "reason": "Nghỉ hoán đổi dịp Quốc khánh",
        "legal_basis": "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"}


def seed_official(app) -> None:
    """The rows the migration seeds (the tests empty every table before each test)."""
    with app.app_context():
        db.session.add_all(CalendarDecisionRow(day=d.day, working=d.working, reason=d.reason,
                                               legal_basis=d.legal_basis)
                           for d in OFFICIAL_DECISIONS)
        db.session.commit()


def test_every_day_of_the_range_with_the_official_swaps(app, world, new_api):
    seed_official(app)
    postman = signed_in(new_api(), "postman")
    answer = postman.get("/api/v1/calendar?from=2026-08-20&to=2026-09-04")
    assert answer.status_code == 200
    days = {day["date"]: day for day in answer.get_json()["days"]}
    assert list(days) == [f"2026-08-{n}" for n in range(20, 32)] + [
        f"2026-09-0{n}" for n in range(1, 5)]
    assert days["2026-08-22"]["working"] is True and "Làm bù" in days["2026-08-22"]["reason"]
    assert days["2026-08-31"]["working"] is False
    assert days["2026-08-31"]["legal_basis"].startswith("Thông báo 9441/TB-BNV")
    assert days["2026-08-29"] == {"date": "2026-08-29", "working": False, "reason": "Thứ Bảy",
                                  "legal_basis": None}
    assert days["2026-09-03"]["working"] is True and days["2026-09-03"]["reason"] is None


def test_the_2025_swap_days(app, world, new_api):
    seed_official(app)
    days = {d["date"]: d["working"] for d in signed_in(new_api(), "clerk").get(
        "/api/v1/calendar?from=2025-04-25&to=2025-05-05").get_json()["days"]}
    assert days["2025-04-26"] is True and days["2025-05-02"] is False
    assert days["2025-04-30"] is False and days["2025-05-05"] is True


def test_the_range_is_at_most_366_days_and_in_order(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    assert len(clerk.get("/api/v1/calendar?from=2028-01-01&to=2028-12-31").get_json()["days"]) == 366
    assert_error(clerk.get("/api/v1/calendar?from=2026-01-01&to=2027-01-02"), 422,
                 "calendar_range_too_long")
    assert_error(clerk.get("/api/v1/calendar?from=2026-02-01&to=2026-01-01"), 422,
                 "calendar_range_reversed")
    assert_error(clerk.get("/api/v1/calendar?from=2026-02-30&to=2026-03-01"), 422,
                 "validation_failed")


def test_anonymous_cannot_read_it(app, new_api):
    assert_error(new_api().get("/api/v1/calendar?from=2026-01-01&to=2026-01-02"), 401,
                 "auth_required")


def test_only_the_admin_keeps_it(app, world, new_api):
    for username in ("clerk", "supervisor", "postman"):
        assert_error(signed_in(new_api(), username).put("/api/v1/calendar/2026-08-31", json=SWAP),
                     403, "forbidden")
    admin = signed_in(new_api(), "admin")
    assert_error(admin.put("/api/v1/calendar/2026-02-30", json=SWAP), 422, "invalid_date")
    assert_error(admin.put("/api/v1/calendar/26-08-31", json=SWAP), 422, "invalid_date")
    assert_error(admin.put("/api/v1/calendar/2026-08-31", json={**SWAP, "reason": ""}), 422,
                 "validation_failed")
    with app.app_context():
        assert db.session.execute(select(CalendarDecisionRow)).first() is None


def _consigned(app, number: str, at: datetime, due: datetime) -> None:
    with app.app_context():
        db.session.execute(update(Item).where(Item.tracking_number == number).values(
            consigned_at=at, due_at=due, route_class="same_area", with_appointment_slip=False))
        db.session.commit()


def test_a_new_decision_moves_open_deadlines_and_keeps_the_printed_one(app, world, new_api):
    desk = clerk_and_postman(new_api, 2)
    spanning, later = desk.numbers
    friday = datetime(2026, 8, 28, 10, tzinfo=LOCAL_TZ)
    printed = datetime(2026, 8, 31, 17, tzinfo=LOCAL_TZ)  # J+1 by the statutes alone
    _consigned(app, spanning, friday, printed)
    # Consigned after the day: the decision does not touch it.
    _consigned(app, later, datetime(2026, 9, 3, 9, tzinfo=LOCAL_TZ),
               datetime(2026, 9, 4, 17, tzinfo=LOCAL_TZ))

    admin = signed_in(new_api(), "admin")
    answer = admin.put("/api/v1/calendar/2026-08-31", json=SWAP)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["deadlines_moved"] == 1

    item = desk.clerk.get(f"/api/v1/items/{spanning}").get_json()
    assert datetime.fromisoformat(item["due_at"]).astimezone(LOCAL_TZ) == datetime(
        2026, 9, 3, 17, tzinfo=LOCAL_TZ)
    with app.app_context():
        change = db.session.execute(select(DueDateChange)).scalar_one()
        assert change.previous_due_at == printed
        assert change.new_due_at.astimezone(LOCAL_TZ) == datetime(2026, 9, 3, 17, tzinfo=LOCAL_TZ)
        assert change.legal_basis == SWAP["legal_basis"] and change.reason == SWAP["reason"]
        untouched = db.session.execute(select(Item).where(Item.tracking_number == later)).scalar_one()
        assert untouched.due_at.astimezone(LOCAL_TZ).day == 4

    # Changing the decision back moves it again, and the first record stays.
    back = admin.put("/api/v1/calendar/2026-08-31", json={**SWAP, "working": True,
                                                           "reason": "Đi làm bình thường"})
    assert back.get_json()["deadlines_moved"] == 1
    with app.app_context():
        changes = db.session.execute(select(DueDateChange).order_by(DueDateChange.id)).scalars().all()
        assert next(c.previous_due_at for c in changes) == printed
        assert changes[-1].new_due_at == printed


def test_an_item_registered_after_the_decision_gets_the_decided_deadline(app, world, new_api):
    admin = signed_in(new_api(), "admin")
    # Two weeks off from tomorrow: an item registered then falls due after them.
    today = utc_now().astimezone(LOCAL_TZ).date()
    before = clerk_and_postman(new_api, 1)
    before_due = before.clerk.get(f"/api/v1/items/{before.numbers[0]}").get_json()["due_at"]
    for offset in range(1, 15):
        admin.put(f"/api/v1/calendar/{today + timedelta(days=offset)}", json=SWAP)
    after = clerk_and_postman(new_api, 1)
    after_due = after.clerk.get(f"/api/v1/items/{after.numbers[0]}").get_json()["due_at"]
    assert datetime.fromisoformat(after_due).astimezone(LOCAL_TZ).date() > today + timedelta(days=14)
    assert datetime.fromisoformat(before_due) < datetime.fromisoformat(after_due)
