"""The summary report (TT17 Art.13): every figure checked against the raw custody events.

The demo province is seeded once for the module (reading never writes). The expected figures
are computed here with plain loops over the rows of `custody_events`, `items`, `procedures`
and `units` (subtrees by walking parent links, periods by local dates), a different method
from the service's GROUP BY over path prefixes and UTC instants.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select

from demo.seed import seed_demo
from server.accounts.service import create_user
from server.custody.events import append_event
from server.domain.lifecycle import EventType, FailureAction, FailureReason
from server.domain.periods import add_months, parse_period
from server.domain.service_time import LOCAL_TZ
from server.extensions import db
from server.models import CustodyEvent, Item, Procedure, Unit, UnitKind, User
from server.models.types import utc_now
from server.reporting.reports import summarize
from server.reporting.serializers import summary_out
from tests.api.checks import assert_error, nothing_written
from tests.conftest import ApiClient, empty_tables

SUMMARY = "/api/v1/reports/summary"
#: (kind, event type) → (direction, counter) of the report.
COUNTERS = {
    ("dossier", "collected"): ("dossiers", "accepted"),
    ("dossier", "filed"): ("dossiers", "filed"),
    ("dossier", "cancelled"): ("dossiers", "cancelled"),
    ("result", "registered"): ("results", "registered"),
    ("result", "delivered"): ("results", "delivered"),
    ("result", "returned"): ("results", "returned"),
    ("result", "cancelled"): ("results", "cancelled"),
}
FIGURE_SECTIONS = ("items", "by_field", "on_time", "failures", "incidents", "cash")


@pytest.fixture(scope="module")
def demo(session_app: Flask) -> Iterator[Flask]:
    """The demo province (60 citizens, seed 7) and a second province with its supervisor."""
    empty_tables(session_app)
    with session_app.app_context():
        seed_demo(citizen_count=60, seed=7)
        other = Unit(code="TINH-KHAC", name="Tỉnh Thanh Hóa", kind=UnitKind.province.value,
                     province="Thanh Hóa")
        db.session.add(other)
        db.session.flush()
        other.path = f"/{other.id}/"  # as demo/seed.py::seed_structure sets it
        create_user("supervisor_th", "tantay-demo", "supervisor", other.id, "Lê Văn Khác")
        db.session.commit()
    yield session_app
    empty_tables(session_app)


@pytest.fixture
def client(demo: Flask):  # type: ignore[no-untyped-def]
    """A factory of clients signed in as a demo user."""

    def signed_in(username: str) -> ApiClient:
        """A new client signed in as `username`."""
        api = ApiClient(demo.test_client())
        response = api.login(username)
        assert response.status_code == 200, response.get_json()
        return api

    return signed_in


# --- the independent computation ----------------------------------------------------------------

def _subtree(unit_code: str) -> set[int]:
    """Ids of the unit and all below it, by walking every unit's parents."""
    parents = dict(db.session.execute(select(Unit.id, Unit.parent_id)).tuples().all())
    root = db.session.scalar(select(Unit.id).where(Unit.code == unit_code))
    inside = set()
    for unit_id in parents:
        cursor: int | None = unit_id
        while cursor is not None:
            if cursor == root:
                inside.add(unit_id)
                break
            cursor = parents[cursor]
    return inside


def _zero_counts() -> dict[str, dict[str, int]]:
    """The direction counts of nothing."""
    return {"dossiers": {"accepted": 0, "filed": 0, "cancelled": 0},
            "results": {"registered": 0, "delivered": 0, "returned": 0, "cancelled": 0}}


def _on_time(total: int, on_time: int) -> dict[str, Any]:
    """An on-time block as the report shows it."""
    return {"total": total, "on_time": on_time, "late": total - on_time,
            "rate": None if total == 0 else round(on_time / total, 4)}


def expected_figures(app: Flask, unit_code: str, first: date, last: date) -> dict[str, Any]:
    """The report's figures, recomputed from the raw rows with loops."""
    with app.app_context():
        units = _subtree(unit_code)
        fields = dict(db.session.execute(select(Procedure.id, Procedure.field)).tuples().all())
        items = {row.id: row for row in db.session.execute(select(
            Item.id, Item.kind, Item.procedure_id, Item.agency_unit_id, Item.post_office_unit_id,
            Item.due_at, Item.postage_vnd, Item.official_fee_vnd))}
        events = db.session.execute(select(
            CustodyEvent.item_id, CustodyEvent.seq, CustodyEvent.type, CustodyEvent.occurred_at,
            CustodyEvent.evidence)).all()
    events.sort(key=lambda e: (e.item_id, e.occurred_at, e.seq))

    totals, by_field = _zero_counts(), defaultdict(_zero_counts)
    on_time = {"dossiers_filed": [0, 0], "results_delivered": [0, 0]}
    reasons = {reason.value: 0 for reason in FailureReason}
    actions = {action.value: 0 for action in FailureAction}
    cash = {"events": 0, "collected_vnd": 0, "due_vnd": 0, "events_without_cash_record": 0,
            "due_without_cash_record_vnd": 0}
    seen: set[tuple[int, str]] = set()
    for event in events:
        item = items[event.item_id]
        first_of_type = (event.item_id, event.type) not in seen
        seen.add((event.item_id, event.type))
        if item.agency_unit_id not in units and item.post_office_unit_id not in units:
            continue
        if not first <= event.occurred_at.astimezone(LOCAL_TZ).date() <= last:
            continue
        counter = COUNTERS.get((item.kind, event.type))
        if counter and first_of_type:
            direction, name = counter
            totals[direction][name] += 1
            by_field[fields[item.procedure_id]][direction][name] += 1
            group = {"filed": "dossiers_filed", "delivered": "results_delivered"}.get(name)
            if group:
                on_time[group][0] += 1
                on_time[group][1] += event.occurred_at <= item.due_at
        if event.type == "attempt_failed":
            reasons[event.evidence["reason"]] += 1
            actions[event.evidence["action"]] += 1
        if event.type in ("collected", "delivered"):
            due = item.postage_vnd + item.official_fee_vnd
            cash["events"] += 1
            if "cash_collected_vnd" in event.evidence:
                cash["collected_vnd"] += event.evidence["cash_collected_vnd"]
                cash["due_vnd"] += due
            else:
                cash["events_without_cash_record"] += 1
                cash["due_without_cash_record_vnd"] += due
    cash["difference_vnd"] = cash["collected_vnd"] - cash["due_vnd"]
    filed, delivered = on_time["dossiers_filed"], on_time["results_delivered"]
    return {
        "items": totals,
        "by_field": dict(by_field),
        "on_time": {"all": _on_time(filed[0] + delivered[0], filed[1] + delivered[1]),
                    "dossiers_filed": _on_time(*filed),
                    "results_delivered": _on_time(*delivered)},
        "failures": {"attempts": sum(reasons.values()), "by_reason": reasons,
                     "by_action": actions},
        "incidents": {"returned": totals["results"]["returned"], "losses": None,
                      "complaints": None},
        "cash": cash,
    }


def reported_figures(summary: dict[str, Any]) -> dict[str, Any]:
    """The figures of an answer, fields with nothing left out (the catalogue lists them at 0)."""
    by_field = {entry["field"]: {"dossiers": entry["dossiers"], "results": entry["results"]}
                for entry in summary["by_field"]}
    return {
        "items": summary["items"],
        "by_field": {name: counts for name, counts in by_field.items()
                     if counts != _zero_counts()},
        **{section: summary[section] for section in ("on_time", "failures", "incidents", "cash")},
    }


def _demo_today(app: Flask) -> date:
    """The local date of the newest event: the demo's "today"."""
    with app.app_context():
        newest = db.session.scalar(select(func.max(CustodyEvent.occurred_at)))
    return newest.astimezone(LOCAL_TZ).date()


def _month_start(day: date) -> date:
    """The first day of the day's month."""
    return day.replace(day=1)


def _quarter_start(day: date) -> date:
    """The first day of the day's quarter."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_month(day: date) -> date:
    """The first day of the month after the day's."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _periods(app: Flask) -> dict[str, tuple[dict[str, str], date, date]]:
    """The month and quarter of the demo's today, and the month before (the demo spans both)."""
    today = _demo_today(app)
    month = _month_start(today)
    previous = _month_start(month - timedelta(days=1))
    quarter = _quarter_start(today)
    quarter_end = _next_month(_next_month(_next_month(quarter))) - timedelta(days=1)
    return {
        "month": ({"period": "month", "start": month.isoformat()}, month,
                  _next_month(month) - timedelta(days=1)),
        "previous_month": ({"period": "month", "start": previous.isoformat()}, previous,
                           month - timedelta(days=1)),
        "quarter": ({"period": "quarter", "start": quarter.isoformat()}, quarter, quarter_end),
    }


# --- the figures ------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["month", "previous_month", "quarter"])
def test_every_figure_matches_the_custody_events(demo: Flask, client, which: str) -> None:  # type: ignore[no-untyped-def]
    params, first, last = _periods(demo)[which]
    response = client("supervisor").get(SUMMARY, query_string=params)
    assert response.status_code == 200, response.get_json()
    summary = response.get_json()
    expected = expected_figures(demo, "TINH", first, last)
    assert reported_figures(summary) == expected
    assert summary["period"]["start"] == first.isoformat()
    assert summary["period"]["end"] == last.isoformat()
    if which != "previous_month":  # the demo's today lies in these: the figures are not empty
        assert sum(expected["items"]["results"].values()) > 0
        assert expected["cash"]["events"] > 0


def test_the_quarter_shows_every_kind_of_figure(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    today = _demo_today(demo)
    first = min(_quarter_start(today), _month_start(today - timedelta(days=31)))
    figures = expected_figures(demo, "TINH", first, today)
    # So that the comparisons above cannot pass on zeros alone.
    assert all(figures["items"]["dossiers"].values()) and all(figures["items"]["results"].values())
    assert figures["failures"]["attempts"] > 0 and figures["on_time"]["all"]["total"] > 0
    # Every demo collection and delivery records its cash, so events without a cash record
    # (older counter intakes) may be none in the period; they are still compared below.
    assert figures["cash"]["events"] > 0 and figures["cash"]["collected_vnd"] > 0


def test_a_custom_range_gives_the_figures_of_the_same_days(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    today = _demo_today(demo)
    first = today - timedelta(days=12)
    response = client("supervisor").get(SUMMARY, query_string={
        "start": first.isoformat(), "end": today.isoformat()})
    assert response.status_code == 200, response.get_json()
    summary = response.get_json()
    assert summary["period"]["kind"] == "custom"
    assert reported_figures(summary) == expected_figures(demo, "TINH", first, today)


def test_the_default_is_the_current_month_of_the_callers_unit(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    summary = client("supervisor").get(SUMMARY).get_json()
    today = utc_now().astimezone(LOCAL_TZ).date()
    assert summary["unit"] == {"code": "TINH", "name": "Tỉnh Ninh Bình", "kind": "province"}
    assert summary["period"]["kind"] == "month"
    assert summary["period"]["start"] == _month_start(today).isoformat()
    assert summary["period"]["timezone"] == "Asia/Ho_Chi_Minh"


def test_losses_and_complaints_are_not_invented(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    summary = client("supervisor").get(SUMMARY, query_string={"period": "quarter"}).get_json()
    assert summary["not_recorded"] == ["losses", "complaints"]
    assert summary["incidents"]["losses"] is None
    assert summary["incidents"]["complaints"] is None


def test_a_post_office_report_covers_only_its_items(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    params, first, last = _periods(demo)["quarter"]
    summary = client("supervisor").get(
        SUMMARY, query_string={**params, "unit": "BC-NAMDINH"}).get_json()
    assert summary["unit"]["code"] == "BC-NAMDINH"
    expected = expected_figures(demo, "BC-NAMDINH", first, last)
    assert reported_figures(summary) == expected
    assert expected != expected_figures(demo, "TINH", first, last)


def test_a_replayed_event_counts_its_item_once(demo: Flask) -> None:
    params, first, _last = _periods(demo)["month"]
    with demo.app_context():
        supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
        month = parse_period("month", params["start"], None, first)
        before = summary_out(summarize(supervisor, month, None))
        originals = [db.session.scalars(
            select(CustodyEvent).where(CustodyEvent.type == kind,
                                       CustodyEvent.occurred_at >= month.starts_at)
            .order_by(CustodyEvent.occurred_at)).first() for kind in ("collected", "delivered")]
        # The same steps sent again later from an offline phone: recorded (the field is the
        # truth), flagged as a state conflict, and still the same one item in the figures.
        for original in originals:
            assert original is not None
            append_event(original.item, EventType(original.type), original.actor,
                         occurred_at=original.occurred_at + timedelta(minutes=1),
                         evidence=dict(original.evidence))
        after = summary_out(summarize(supervisor, month, None))
        db.session.rollback()
    assert after.items == before.items
    assert after.on_time == before.on_time
    assert after.cash.events == before.cash.events + 2


def test_events_fall_in_the_period_of_their_local_date(demo: Flask) -> None:
    params, first, _last = _periods(demo)["month"]
    with demo.app_context():
        supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
        postman = db.session.scalar(select(User).where(User.username == "postman"))
        month = parse_period("month", params["start"], None, first)
        previous = parse_period("month", add_months(month.start, -1).isoformat(), None, first)
        before = [summary_out(summarize(supervisor, p, None)).failures.by_reason for p in (previous, month)]
        item = db.session.scalars(select(Item).where(Item.kind == "result")).first()
        # 00:30 on the 1st in Vietnam is still the previous day in UTC; 23:59 the day before
        # is already the previous month.
        for at, reason in ((month.starts_at + timedelta(minutes=30), "deceased"),
                           (month.starts_at - timedelta(minutes=1), "force_majeure")):
            append_event(item, EventType.attempt_failed, postman, occurred_at=at,
                         evidence={"reason": reason, "action": "return_to_agency"})
        after = [summary_out(summarize(supervisor, p, None)).failures.by_reason for p in (previous, month)]
        db.session.rollback()
    assert after[1]["deceased"] == before[1]["deceased"] + 1
    assert after[1]["force_majeure"] == before[1]["force_majeure"]
    assert after[0]["force_majeure"] == before[0]["force_majeure"] + 1
    assert after[0]["deceased"] == before[0]["deceased"]


# --- scoping ----------------------------------------------------------------------------------

def test_the_province_supervisor_sees_every_item(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    params, first, last = _periods(demo)["quarter"]
    summary = client("supervisor").get(SUMMARY, query_string=params).get_json()
    with demo.app_context():
        registered_in_quarter = {
            item_id for item_id, occurred in db.session.execute(
                select(CustodyEvent.item_id, CustodyEvent.occurred_at)
                .where(CustodyEvent.type == "registered")).tuples()
            if first <= occurred.astimezone(LOCAL_TZ).date() <= last}
    assert summary["items"]["results"]["registered"] == len(registered_in_quarter) > 0


def test_the_admin_sees_the_subtree_of_their_unit(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    params, first, last = _periods(demo)["quarter"]
    api = client("admin")
    summary = api.get(SUMMARY, query_string=params).get_json()
    assert summary["unit"]["code"] == "TINH"
    assert reported_figures(summary) == expected_figures(demo, "TINH", first, last)
    assert_error(api.get(SUMMARY, query_string={"unit": "TINH-KHAC"}), 404, "unit_out_of_scope")


def test_the_agency_officer_sees_only_their_own_agency(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    params, first, last = _periods(demo)["quarter"]
    summary = client("agency").get(SUMMARY, query_string=params).get_json()
    assert summary["unit"]["code"] == "CA-TINH"
    expected = expected_figures(demo, "CA-TINH", first, last)
    assert reported_figures(summary) == expected
    assert set(expected["by_field"]) == {"police"}
    assert [entry["field"] for entry in summary["by_field"]] == ["police"]
    province = expected_figures(demo, "TINH", first, last)
    assert expected["items"]["results"]["registered"] < province["items"]["results"]["registered"]


def test_the_agency_officer_may_name_their_own_agency(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    response = client("agency").get(SUMMARY, query_string={"unit": "CA-TINH"})
    assert response.status_code == 200
    assert response.get_json()["unit"]["code"] == "CA-TINH"


@pytest.mark.parametrize("unit", ["TINH", "BHXH-TINH", "BC-TRUNGTAM"])
def test_the_agency_officer_may_not_ask_for_another_unit(demo: Flask, client, unit: str) -> None:  # type: ignore[no-untyped-def]
    api = client("agency")
    with nothing_written(demo):
        error = assert_error(api.get(SUMMARY, query_string={"unit": unit}), 404,
                             "unit_out_of_scope")
    assert unit in error["message"]


def test_a_supervisor_of_another_province_cannot_see_this_one(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    api = client("supervisor_th")
    with nothing_written(demo):
        assert_error(api.get(SUMMARY, query_string={"unit": "TINH"}), 404, "unit_out_of_scope")
        assert_error(api.get(SUMMARY + ".csv", query_string={"unit": "BC-PHULY"}), 404,
                     "unit_out_of_scope")


def test_a_supervisor_of_another_province_sees_none_of_this_ones_items(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    params, _first, _last = _periods(demo)["quarter"]
    summary = client("supervisor_th").get(SUMMARY, query_string=params).get_json()
    assert summary["unit"]["code"] == "TINH-KHAC"
    assert summary["items"] == _zero_counts()
    assert summary["by_field"] == []
    assert summary["failures"]["attempts"] == 0 and summary["cash"]["events"] == 0
    assert summary["on_time"]["all"] == {"total": 0, "on_time": 0, "late": 0, "rate": None}


@pytest.mark.parametrize("username", ["clerk", "postman"])
def test_counter_and_field_staff_get_no_reports(demo: Flask, client, username: str) -> None:  # type: ignore[no-untyped-def]
    assert_error(client(username).get(SUMMARY), 403, "forbidden")


def test_reports_need_a_sign_in(demo: Flask) -> None:
    assert_error(demo.test_client().get(SUMMARY + ".xlsx"), 401, "auth_required")


# --- bad input ----------------------------------------------------------------------------------

def _bad_queries() -> list[tuple[dict[str, str], str]]:
    """Queries refused with 422, and the code of each refusal."""
    year = utc_now().astimezone(LOCAL_TZ).year
    return [
        ({"start": f"{year}-03-01", "end": f"{year}-02-01"}, "range_reversed"),
        ({"start": "1999-12-01", "end": "2000-01-31"}, "date_too_early"),
        ({"period": "year", "start": "1990-01-01"}, "date_too_early"),
        ({"period": "year", "start": f"{year + 2}-01-01"}, "date_too_late"),
        ({"start": f"{year}-01-01", "end": f"{year + 3}-12-31"}, "date_too_late"),
        ({"start": "2010-01-01", "end": "2016-06-30"}, "range_too_long"),
        ({"period": "quarter", "start": f"{year}-02-01"}, "period_misaligned"),
        ({"period": "month", "start": f"{year}-05-15"}, "period_misaligned"),
        ({"period": "week"}, "unknown_period"),
        ({"period": "day", "start": f"{year}-02-30"}, "invalid_date"),
        ({"period": "day", "start": f"01/10/{year}"}, "invalid_date"),
        ({"period": "day", "start": f"{year}-10-01T00:00:00+07:00"}, "invalid_date"),
        ({"period": "quarter", "start": f"{year}-10-01", "end": f"{year}-12-31"},
         "end_not_allowed"),
        ({"start": f"{year}-10-01"}, "period_required"),
        ({"unit": "KHONG-CO"}, "unknown_unit"),
        ({"period": "month", "format": "pdf"}, "validation_failed"),
    ]


@pytest.mark.parametrize(("params", "code"), _bad_queries(),
                         ids=[code for _params, code in _bad_queries()])
def test_bad_input_is_refused_clearly_and_writes_nothing(demo: Flask, client,  # type: ignore[no-untyped-def]
                                                         params: dict[str, str], code: str) -> None:
    api = client("supervisor")
    with nothing_written(demo):
        for url in (SUMMARY, SUMMARY + ".csv", SUMMARY + ".xlsx"):
            error = assert_error(api.get(url, query_string=params), 422, code)
            assert any(letter in error["message"] for letter in "ạảấầẩậắằẳặđếềểệịỏốồổộớờởợụủứừửựỳỷ")


# --- exports ------------------------------------------------------------------------------------

def _flatten(summary: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """Every figure of the JSON as (section, key) → value, the way the exports name them."""
    rows: dict[tuple[str, str], Any] = {}

    def counts(section: str, prefix: str, group: dict[str, Any]) -> None:
        """The seven direction counts of one group."""
        for direction in ("dossiers", "results"):
            for name, value in group[direction].items():
                rows[(section, f"{prefix}{direction}.{name}")] = value

    counts("items", "", summary["items"])
    for entry in summary["by_field"]:
        counts("by_field", f"{entry['field']}.", entry)
    for group, values in summary["on_time"].items():
        for name, value in values.items():
            rows[("on_time", f"{group}.{name}")] = value
    failures = summary["failures"]
    rows[("failures", "attempts")] = failures["attempts"]
    rows.update({("failures", f"reason.{k}"): v for k, v in failures["by_reason"].items()})
    rows.update({("failures", f"action.{k}"): v for k, v in failures["by_action"].items()})
    rows.update({("incidents", k): v for k, v in summary["incidents"].items()})
    rows.update({("cash", k): v for k, v in summary["cash"].items()})
    return rows


def _number(text: str) -> int | float | None:
    """A CSV cell back to the JSON value."""
    if text == "":
        return None
    return float(text) if "." in text else int(text)


def test_csv_and_xlsx_carry_the_same_figures_as_the_json(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    params, _first, _last = _periods(demo)["quarter"]
    api = client("supervisor")
    summary = api.get(SUMMARY, query_string=params).get_json()
    expected = _flatten(summary)
    assert expected[("items", "results.delivered")] > 0

    response = api.get(SUMMARY + ".csv", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    assert "attachment" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert lines[0] == ["Phần", "Mã chỉ tiêu", "Giá trị", "Chỉ tiêu"]
    csv_rows = {(s, k): _number(v) for s, k, v, _label in lines[1:] if s in FIGURE_SECTIONS}
    labels = {(s, k): label for s, k, _v, label in lines[1:]}
    assert csv_rows == expected
    assert labels[("items", "dossiers.filed")] == "Hồ sơ đã nộp cho cơ quan"
    assert labels[("failures", "reason.absent")] == "Lý do: Người nhận đi vắng"
    report = {k: v for s, k, v, _label in lines[1:] if s == "report"}
    assert (report["unit"], report["period"]) == ("TINH", "quarter")

    response = api.get(SUMMARY + ".xlsx", query_string=params)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Báo cáo", "Dữ liệu"]
    report = list(workbook["Báo cáo"].iter_rows(values_only=True))
    cells = [c for row in report for c in row if c is not None]
    assert "Đơn vị: Tỉnh Ninh Bình" in cells
    assert any(str(c).startswith("Kỳ báo cáo: Quý") for c in cells), cells[:8]
    figures = {row[0]: row[1] for row in report if row and row[0] and len(row) > 1}
    assert figures["Kết quả đã phát"] == expected[("items", "results.delivered")]
    [total] = [row for row in report if row[0] == "Tổng cộng"]
    assert total[1:6] == tuple(expected[("items", key)] for key in (
        "dossiers.accepted", "dossiers.filed", "results.registered", "results.delivered",
        "results.returned"))
    table = list(workbook["Dữ liệu"].iter_rows(values_only=True))
    assert table[0] == ("Phần", "Mã chỉ tiêu", "Giá trị", "Chỉ tiêu")
    xlsx_rows = {(s, k): v for s, k, v, _label in table[1:] if s in FIGURE_SECTIONS}
    assert xlsx_rows == expected
    assert [row[:2] for row in table[1:]] == [tuple(line[:2]) for line in lines[1:]]


def test_an_agency_export_holds_only_its_own_figures(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    params, _first, _last = _periods(demo)["quarter"]
    api = client("agency")
    summary = api.get(SUMMARY, query_string=params).get_json()
    lines = list(csv.reader(io.StringIO(
        api.get(SUMMARY + ".csv", query_string=params).data.decode("utf-8-sig"))))
    assert {(s, k): _number(v) for s, k, v, _l in lines[1:] if s in FIGURE_SECTIONS} \
        == _flatten(summary)
    assert lines[1][:3] == ["report", "unit", "CA-TINH"]


def test_the_report_is_in_the_openapi_document(demo: Flask) -> None:
    paths = demo.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    for suffix in ("", ".csv", ".xlsx"):
        operation = paths[SUMMARY + suffix]["get"]
        assert {p["name"] for p in operation["parameters"]} == {"period", "start", "end", "unit"}
        assert {"401", "403", "404", "422"} <= set(operation["responses"])


# --- the receiving authority (issue 16) ------------------------------------------------------

def test_the_report_is_addressed_to_the_provincial_department_of_science_and_technology(
        demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    api = client("supervisor")
    summary = api.get(SUMMARY).get_json()
    assert summary["submitted_to"]["name"] == "Sở Khoa học và Công nghệ Ninh Bình"
    assert "Điều 13" in summary["submitted_to"]["legal_basis"]
    csv_text = api.get(SUMMARY + ".csv").data.decode("utf-8-sig")
    report = {k: (v, label) for s, k, v, label in csv.reader(io.StringIO(csv_text)) if s == "report"}
    assert report["submitted_to"][0] == "Sở Khoa học và Công nghệ Ninh Bình"
    assert report["submitted_to"][1].startswith("Kính gửi: Sở Khoa học và Công nghệ Ninh Bình")
    # The merged ministry's old name appears nowhere as the receiver.
    assert "Thông tin và Truyền thông" not in summary["submitted_to"]["name"]
    assert "Sở Thông tin" not in csv_text


def test_another_province_reports_to_its_own_department(demo: Flask, client) -> None:  # type: ignore[no-untyped-def]
    summary = client("supervisor_th").get(SUMMARY).get_json()
    assert summary["submitted_to"]["name"] == "Sở Khoa học và Công nghệ Thanh Hóa"
