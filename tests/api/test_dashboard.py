"""The supervisors' dashboard API: who may read it, what it covers, and that its figures are
the ones simple direct queries give on the seeded demo."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from demo.seed import seed_demo
from server.accounts.service import create_user
from server.domain.service_time import END_OF_WORKING_DAY, LOCAL_TZ, add_working_days
from server.extensions import db
from server.models import AuditFlag, CustodyEvent, Item, Role, Unit, User
from server.reporting.dashboard import FLAG_LABELS_VI, flag_summary
from tests.api.checks import signed_in
from tests.api.test_counter_intake import intake_body

TERMINAL = {"delivered", "filed", "cancelled", "returned"}
DOORSTEP = {"delivered", "attempt_failed", "collected"}
FLAG_CODES = {"far_from_address", "poor_accuracy", "impossible_speed", "at_post_office",
              "clock_skew", "after_hours", "cash_mismatch", "late", "state_conflict",
              "handover_discrepancy", "early_return", "not_holder", "backdated"}


@pytest.fixture
def demo(app: Flask) -> Flask:
    """The demo province with a small population, committed as the CLI does."""
    with app.app_context():
        seed_demo(citizen_count=40, seed=3)
        db.session.commit()
    return app


def _board(api, username: str = "supervisor") -> dict:  # type: ignore[no-untyped-def]
    assert api.login(username).status_code == 200
    response = api.get("/api/v1/dashboard")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _local_day(moment: datetime):  # type: ignore[no-untyped-def]
    return moment.astimezone(LOCAL_TZ).date()


def _at(board: dict) -> datetime:
    """The moment the dashboard was computed for, so the expectations use the same clock."""
    return datetime.fromisoformat(board["generated_at"])


def _open_flags() -> list[AuditFlag]:
    return list(db.session.scalars(select(AuditFlag).where(AuditFlag.status == "open")))


# --- access -------------------------------------------------------------------------------

def test_anonymous_callers_are_asked_to_sign_in(demo, api):
    response = api.get("/api/v1/dashboard")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "auth_required"


@pytest.mark.parametrize("username", ["clerk", "postman", "agency"])
def test_staff_other_than_supervisors_and_admins_are_refused(demo, api, username):
    assert api.login(username).status_code == 200
    response = api.get("/api/v1/dashboard")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_an_admin_reads_the_dashboard(demo, api):
    board = _board(api, "admin")
    assert board["scope"]["code"] == "TINH" and len(board["daily"]) == 30


def test_the_dashboard_is_documented_in_openapi(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/dashboard"]["get"]
    assert operation["description"] == "Roles: admin, supervisor"
    assert "DashboardOut" in document["components"]["schemas"]


# --- scope --------------------------------------------------------------------------------

def test_the_province_supervisor_sees_every_postman_office_and_open_flag(demo, api):
    board = _board(api)
    with demo.app_context():
        postmen = set(db.session.scalars(select(User.username).where(User.role == Role.postman)))
        offices = set(db.session.scalars(select(Unit.code).where(Unit.kind == "post_office")))
        open_flags = len(_open_flags())
    assert board["scope"] == {"code": "TINH", "name": "Tỉnh Ninh Bình"}
    assert {p["username"] for p in board["postmen"]} == postmen
    assert {o["code"] for o in board["map"]["offices"]} == offices
    assert board["flags"]["open_count"] == open_flags > 0


def test_a_post_office_supervisor_sees_only_its_own_subtree(demo, api):
    with demo.app_context():
        office = db.session.scalar(select(Unit).where(Unit.code == "BC-NAMDINH"))
        create_user("supervisor_nd", "tantay-demo", "supervisor", office.id, "Kiểm soát Nam Định")
        db.session.commit()
    board = _board(api, "supervisor_nd")
    now = _at(board)
    with demo.app_context():
        office_id = db.session.scalar(select(Unit.id).where(Unit.code == "BC-NAMDINH"))
        items = list(db.session.scalars(select(Item)))
        mine = {item.id: item.tracking_number for item in items
                if office_id in (item.post_office_unit_id, item.agency_unit_id, item.holder_unit_id)}
        flags = [flag for flag in _open_flags() if flag.item_id in mine]
        elsewhere = [flag for flag in _open_flags() if flag.item_id not in mine]
        overdue = [item for item in items if item.id in mine and item.status not in TERMINAL
                   and item.due_at < now]
    assert elsewhere, "the demo has flags outside Nam Định, so the scope is really tested"
    assert board["scope"]["code"] == "BC-NAMDINH"
    assert [p["username"] for p in board["postmen"]] == ["postman_nd"]
    assert [o["code"] for o in board["map"]["offices"]] == ["BC-NAMDINH"]
    assert board["flags"]["open_count"] == len(flags)
    assert {row["tracking_number"] for row in board["flags"]["rows"]} <= set(mine.values())
    assert board["overdue"]["count"] == len(overdue)
    assert {row["tracking_number"] for row in board["overdue"]["rows"]} <= set(mine.values())
    assert {p["tracking_number"] for p in board["map"]["points"]} <= set(mine.values())


# --- figures ------------------------------------------------------------------------------

def test_open_flags_are_counted_per_code_with_vietnamese_labels(demo, api):
    board = _board(api)
    with demo.app_context():
        flags = _open_flags()
        expected = Counter(flag.code for flag in flags)
        today = _local_day(_at(board))
        raised_today = sum(1 for flag in flags if _local_day(flag.created_at) == today)
        numbers = {flag.id: flag.item.tracking_number for flag in flags}
    section = board["flags"]
    assert {c["code"]: c["count"] for c in section["by_code"]} == dict(expected)
    assert all(c["label"] == FLAG_LABELS_VI[c["code"]] for c in section["by_code"])
    assert section["raised_today"] == raised_today
    assert len(section["rows"]) == section["open_count"] == len(flags)
    assert {row["id"]: row["tracking_number"] for row in section["rows"]} == numbers
    raised = [row["raised_at"] for row in section["rows"]]
    assert raised == sorted(raised, reverse=True)
    assert all(row["summary"] for row in section["rows"])


def test_postmen_progress_matches_their_bags_and_todays_events(demo, api):
    board = _board(api)
    today = _local_day(_at(board))
    with demo.app_context():
        expected = {}
        for postman in db.session.scalars(select(User).where(User.role == Role.postman)):
            bag = list(db.session.scalars(select(Item).where(Item.holder_user_id == postman.id)))
            done = Counter(event.type for event in db.session.scalars(
                select(CustodyEvent).where(CustodyEvent.actor_user_id == postman.id))
                if _local_day(event.occurred_at) == today)
            expected[postman.username] = {
                "held": len(bag), "waiting": sum(i.status == "out_for_delivery" for i in bag),
                "delivered_today": done["delivered"], "failed_today": done["attempt_failed"],
                "collected_today": done["collected"],
            }
    got = {p["username"]: {k: p[k] for k in expected["postman"]} for p in board["postmen"]}
    assert got == expected
    assert sum(p["held"] for p in got.values()) > 0
    assert board["today"]["waiting"] == sum(p["waiting"] for p in got.values())


def test_overdue_items_are_unfinished_past_their_deadline_oldest_first(demo, api):
    board = _board(api)
    now = _at(board)
    next_close = datetime.combine(add_working_days(_local_day(now), 1), END_OF_WORKING_DAY,
                                  tzinfo=LOCAL_TZ)
    with demo.app_context():
        unfinished = [item for item in db.session.scalars(select(Item))
                      if item.status not in TERMINAL]
        overdue = sorted((i for i in unfinished if i.due_at < now), key=lambda i: (i.due_at, i.id))
        due_today = [i for i in unfinished
                     if i.due_at >= now and _local_day(i.due_at) == _local_day(now)]
        # At risk (server/domain/deadlines.py): due after today, by the next working day's
        # close, and not yet out for delivery.
        at_risk = [i for i in unfinished if _local_day(i.due_at) > _local_day(now)
                   and i.due_at <= next_close and i.status != "out_for_delivery"]
        expected_rows = [(i.tracking_number, i.status) for i in overdue[:500]]
    section = board["overdue"]
    assert section["count"] == len(overdue) > 0
    assert [(r["tracking_number"], r["status"]) for r in section["rows"]] == expected_rows
    assert section["due_today"] == len(due_today)
    assert section["at_risk"] == len(at_risk)


def test_daily_volumes_and_on_time_rate_count_events_per_local_day(demo, api):
    board = _board(api)
    today = _local_day(_at(board))
    first = today - timedelta(days=29)
    with demo.app_context():
        volumes: dict[str, Counter] = defaultdict(Counter)
        completed: Counter = Counter()
        on_time: Counter = Counter()
        for event in db.session.scalars(select(CustodyEvent)):
            day = _local_day(event.occurred_at)
            if not first <= day <= today:
                continue
            volumes[day.isoformat()][event.type] += 1
            if event.type in {"delivered", "filed"}:
                completed[day.isoformat()] += 1
                on_time[day.isoformat()] += event.occurred_at <= event.item.due_at
    daily = board["daily"]
    assert [d["day"] for d in daily] == [(first + timedelta(days=n)).isoformat() for n in range(30)]
    for day in daily:
        for kind in ("delivered", "filed", "registered", "collected"):
            assert day[kind] == volumes[day["day"]][kind], (day["day"], kind)
        assert (day["completed"], day["on_time"]) == (completed[day["day"]], on_time[day["day"]])
        expected_rate = on_time[day["day"]] / completed[day["day"]] if completed[day["day"]] else None
        assert day["on_time_rate"] == pytest.approx(expected_rate, abs=1e-4)
    assert sum(d["registered"] + d["delivered"] for d in daily) > 0
    assert any(d["on_time_rate"] is not None for d in daily)


def test_todays_counts_cover_every_event_of_the_day(demo, api):
    board = _board(api)
    today = _local_day(_at(board))
    with demo.app_context():
        events = [event for event in db.session.scalars(select(CustodyEvent))
                  if _local_day(event.occurred_at) == today]
        done = Counter(event.type for event in events)
        at_counter = sum(1 for event in events if event.type == "collected"
                         and event.evidence.get("channel") == "counter")
    assert {k: board["today"][k] for k in ("delivered", "attempt_failed", "collected",
                                           "collected_at_counter", "filed", "registered")} == {
        "delivered": done["delivered"], "attempt_failed": done["attempt_failed"],
        # The home-pickup card counts doorstep collections; the counter's intakes apart.
        "collected": done["collected"] - at_counter, "collected_at_counter": at_counter,
        "filed": done["filed"], "registered": done["registered"]}


def test_each_card_counts_the_rows_of_the_list_it_opens(demo, api, new_api):
    """The number on a card is the number of rows its list shows (issue 12: the home-pickup
    card counted counter intakes that its list did not show)."""
    # An intake made now: the demo's "today" is the last working day that has begun, which
    # before 8:00 local time (or on a holiday) is not the dashboard's today, so without it the
    # cards could all read 0 and the comparison prove nothing.
    clerk = signed_in(new_api(), "clerk")
    assert clerk.post("/api/v1/intake/counter", json=intake_body(clerk)).status_code == 201
    board = _board(api)
    today, overdue = board["today"], board["overdue"]
    rows = Counter(row["card"] for row in today["events"])
    for card in ("delivered", "attempt_failed", "collected", "collected_at_counter"):
        assert today[card] == rows[card], card
    assert today["collected_at_counter"] > 0
    home = [row for row in today["events"] if row["card"] == "collected"]
    assert not any(row["at_counter"] for row in home)
    assert all(row["at_counter"] for row in today["events"] if row["card"] == "collected_at_counter")
    assert (overdue["due_today"], overdue["at_risk"]) == (
        len(overdue["due_today_rows"]), len(overdue["at_risk_rows"]))
    assert overdue["count"] == len(overdue["rows"]) > 0
    assert today["waiting"] == sum(p["waiting"] for p in board["postmen"])
    assert board["flags"]["open_count"] == len(board["flags"]["rows"]) or len(board["flags"]["rows"]) == 200


def test_the_map_places_todays_doorstep_events_and_flagged_events(demo, api):
    board = _board(api)
    today = _local_day(_at(board))
    with demo.app_context():
        flagged: dict[str, set[str]] = defaultdict(set)
        for flag in _open_flags():
            if flag.event_id:
                flagged[flag.event_id].add(flag.code)
        expected = {}
        for event in db.session.scalars(select(CustodyEvent).where(CustodyEvent.lat.is_not(None))):
            todays = event.type in DOORSTEP and _local_day(event.occurred_at) == today
            if todays or event.id in flagged:
                expected[event.id] = (event.type, event.item.tracking_number,
                                      sorted(flagged.get(event.id, ())), todays)
    points = board["map"]["points"]
    assert {p["event_id"]: (p["type"], p["tracking_number"], sorted(p["flags"]), p["today"])
            for p in points} == expected
    assert any(p["flags"] for p in points), "the demo records deliveries far from the door"
    assert [p["at"] for p in points] == sorted(p["at"] for p in points)


# --- words --------------------------------------------------------------------------------

def test_every_flag_code_has_a_vietnamese_label():
    assert set(FLAG_LABELS_VI) == FLAG_CODES


def test_a_flags_evidence_reads_as_one_vietnamese_line():
    summary = flag_summary({"distance_m": 1925.2, "threshold_m": 300.0, "accuracy_m": 20.0})
    assert summary == "Khoảng cách: 1.925 m · Ngưỡng: 300 m · Độ chính xác: ±20 m"
    assert flag_summary({"due_at": "2026-11-20T10:00:00+00:00", "occurred_at":
                         "2026-11-24T01:46:52+00:00", "working_days_late": 2}) == (
        "Thời hạn: 17:00 20/11/2026 · Thời điểm: 08:46 24/11/2026 · Trễ (ngày làm việc): 2")
    assert flag_summary({"cash_collected_vnd": 0, "cash_due_vnd": 26000, "event_id": "x"}) == (
        "Đã thu: 0 đ · Phải thu: 26.000 đ")


def test_a_counter_intake_is_not_counted_as_a_home_pickup(demo, api, new_api):
    before = _board(api)["today"]
    clerk = signed_in(new_api(), "clerk")
    made = clerk.post("/api/v1/intake/counter", json=intake_body(clerk))
    assert made.status_code == 201, made.get_json()
    after = _board(api)["today"]
    assert after["collected"] == before["collected"]
    assert after["collected_at_counter"] == before["collected_at_counter"] + 1
    counter_rows = [row for row in after["events"] if row["card"] == "collected_at_counter"]
    assert made.get_json()["tracking_number"] in {row["tracking_number"] for row in counter_rows}
    assert all(row["tracking_number"] != made.get_json()["tracking_number"]
               for row in after["events"] if row["card"] == "collected")
