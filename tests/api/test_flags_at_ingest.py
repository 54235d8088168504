"""Audit flags raised as the field's events come in (docs/design.md §4).

Each test plants one anomaly through the real API — a clerk registers results at the counter,
hands them to the postman, the postman syncs crafted events — and checks that exactly the
expected flags, with their evidence, were raised for that event, while the postman's phone was
told `accepted` as always. Event times are explicit: the last working day before today, so no
answer depends on the hour the suite runs.
"""
from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy import select

from server.domain.flags import working_hours
from server.domain.service_time import LOCAL_TZ, is_working_day, working_days_between
from server.extensions import db
from server.models import AuditFlag, Item
from tests.api.checks import signed_in
from tests.api.scenario import (
    HOME,
    hand_over,
    register_result,
    server_clock_at,
    upload_image,
)
from tests.conftest import ApiClient

#: Bưu cục Trung tâm Ninh Bình, where the clerk and the postman work (demo units).
OFFICE = {"lat": 20.2539, "lon": 105.9750}
#: Metres per degree of latitude at 20° N.
METRES_PER_DEGREE = 110_750


def last_working_day() -> date:
    """The last working day before today, Vietnamese calendar: every hour of it is past."""
    day = datetime.now(LOCAL_TZ).date() - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


DAY = last_working_day()
#: When the office registers and hands over the tests' items: the morning of DAY, before
#: every field event the tests date on DAY (an event before its item existed is refused).
MORNING = datetime.combine(DAY, time(0, 5), tzinfo=LOCAL_TZ)


def at(hour: int, minute: int = 0, day: date = DAY) -> str:
    """An explicit device time, local wall clock with its offset, as the phone sends it."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).isoformat()


def fix(place: dict[str, float], north_m: float = 0.0, accuracy_m: float = 10.0) -> dict[str, float]:
    """A GPS fix `north_m` metres north of a place."""
    return {"lat": place["lat"] + north_m / METRES_PER_DEGREE, "lon": place["lon"],
            "accuracy_m": accuracy_m}


def field_event(number: str, event_type: str, occurred_at: str,
                position: dict[str, float] | None = None, **fields: Any) -> dict[str, Any]:
    """One event as the phone makes it."""
    body = {"id": str(uuid.uuid4()), "type": event_type, "tracking_number": number,
            "occurred_at": occurred_at, **fields}
    if position is not None:
        body["position"] = position
    return body


@dataclass
class Desk:
    """The clerk, the postman holding what the clerk handed over, the supervisor."""

    app: Flask
    clerk: ApiClient
    postman: ApiClient
    supervisor: ApiClient
    signature: str

    def result(self, **address: float) -> dict[str, Any]:
        """Register a result for HOME (or another address) and hand it to the postman."""
        citizen = {"name": "Nguyễn Thị Mẫu", "phone": "0912 345 678", "id_type": "cccd",
                   "id_number": "001234567890", "address": {**HOME, **address}}
        # The office's morning of DAY: the field events the tests date on DAY come after.
        with server_clock_at(MORNING):
            item = register_result(self.clerk, citizen=citizen)
            hand_over(self.clerk, self.postman, "postman", [item["tracking_number"]])
        return item

    def delivered(self, item: dict[str, Any], occurred_at: str,
                  position: dict[str, float] | None, by: ApiClient | None = None,
                  **fields: Any) -> dict[str, Any]:
        """A delivery to the citizen in person, with the cash due unless told otherwise.

        The recipient signs anew on the phone of whoever delivers (`by`, the postman unless
        told): a signature belongs to one hand-over and to the image's uploader (issue #13).
        """
        recipient = {"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd",
                     "id_last4": "7890"}
        signature = upload_image(by or self.postman, f"signature-{uuid.uuid4()}")
        body = {"recipient": recipient, "signature_sha256": signature,
                "cash_collected_vnd": item["cash_due_vnd"], **fields}
        return field_event(item["tracking_number"], "delivered", occurred_at, position, **body)

    def sync(self, *events: dict[str, Any], sent_at: str | None = None,
             client: ApiClient | None = None) -> None:
        """Send a batch; every event must be accepted, flagged or not."""
        body: dict[str, Any] = {"events": list(events)}
        if sent_at is not None:
            body["sent_at"] = sent_at
        response = (client or self.postman).post("/api/v1/sync", json=body)
        assert response.status_code == 200, response.get_json()
        assert [r["status"] for r in response.get_json()["results"]] == ["accepted"] * len(events)

    def flags(self, number: str) -> list[dict[str, Any]]:
        """The open flags of one item, as a supervisor reads them."""
        response = self.supervisor.get("/api/v1/audit/flags?status=open&limit=1000")
        if response.status_code == 404:  # the audit API is moving; the table is the truth
            with self.app.app_context():
                rows = db.session.execute(
                    select(AuditFlag, Item.tracking_number).join(Item)
                    .where(AuditFlag.status == "open")).all()
                return [{"code": f.code, "tracking_number": n, "event_id": f.event_id,
                         "details": f.details} for f, n in rows if n == number]
        assert response.status_code == 200, response.get_json()
        return [f for f in response.get_json()["flags"] if f["tracking_number"] == number]

    def codes(self, event: dict[str, Any]) -> set[str]:
        """The codes flagged on one event."""
        return {f["code"] for f in self.flags(event["tracking_number"])
                if f["event_id"] == event["id"]}

    def details(self, event: dict[str, Any], code: str) -> dict[str, Any]:
        """The evidence of the one flag `code` on an event."""
        [found] = [f["details"] for f in self.flags(event["tracking_number"])
                   if f["event_id"] == event["id"] and f["code"] == code]
        return found


@pytest.fixture
def desk(app, world, new_api) -> Desk:  # type: ignore[no-untyped-def]
    postman = signed_in(new_api(), "postman")
    return Desk(app, signed_in(new_api(), "clerk"), postman, signed_in(new_api(), "supervisor"),
                upload_image(postman, "signature"))


def phone_clock(offset: timedelta = timedelta()) -> str:
    """The phone's clock as the field app sends it: `new Date().toISOString()`."""
    moment = datetime.now(UTC) + offset
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def out_and_deliver(desk: Desk, item: dict[str, Any], position: dict[str, float] | None,
                    occurred_at: str = at(10), **fields: Any) -> dict[str, Any]:
    """Out for delivery from the office at 09:00, then the delivery; answers the delivery."""
    number = item["tracking_number"]
    delivered = desk.delivered(item, occurred_at, position, **fields)
    desk.sync(field_event(number, "out_for_delivery", at(9), fix(OFFICE)), delivered,
              sent_at=phone_clock())
    return delivered


def test_a_clean_delivery_raises_no_flag(desk):
    item = desk.result()
    delivered = out_and_deliver(desk, item, fix(HOME, north_m=10))
    assert desk.flags(item["tracking_number"]) == []
    assert desk.clerk.get(f"/api/v1/items/{item['tracking_number']}").get_json()["status"] == "delivered"
    assert delivered["cash_collected_vnd"] == 76_000  # postage 26,000 + the card's fee 50,000


def test_a_delivery_far_from_the_address_is_flagged(desk, app):
    delivered = out_and_deliver(desk, desk.result(), fix(HOME, north_m=2_000))
    assert desk.codes(delivered) == {"far_from_address"}
    evidence = desk.details(delivered, "far_from_address")
    assert 1_990 < evidence["distance_m"] < 2_010
    assert evidence["threshold_m"] == app.config["FAR_FROM_ADDRESS_M"]


def test_a_delivery_with_a_poor_fix_is_flagged(desk):
    delivered = out_and_deliver(desk, desk.result(), fix(HOME, accuracy_m=150))
    assert desk.codes(delivered) == {"poor_accuracy"}
    assert desk.details(delivered, "poor_accuracy") == {
        "reason": "poor_accuracy", "accuracy_m": 150, "threshold_m": 100}


def test_a_delivery_without_a_position_is_flagged_poor_accuracy(desk):
    delivered = out_and_deliver(desk, desk.result(), None)
    assert desk.codes(delivered) == {"poor_accuracy"}
    assert desk.details(delivered, "poor_accuracy")["reason"] == "no_position"


def test_the_accuracy_threshold_is_configurable(desk, app, monkeypatch):
    monkeypatch.setitem(app.config, "FLAG_POOR_ACCURACY_M", 200.0)
    delivered = out_and_deliver(desk, desk.result(), fix(HOME, accuracy_m=150))
    assert desk.codes(delivered) == set()


def test_two_deliveries_too_far_apart_for_the_time_between_them_are_flagged(desk):
    # The second citizen lives 5 km north: one minute after the first door, nobody is there.
    across_town = fix(HOME, north_m=5_000)
    near, far = desk.result(), desk.result(lat=across_town["lat"], lon=across_town["lon"])
    first = desk.delivered(near, at(10), fix(HOME))
    second = desk.delivered(far, at(10, 1), across_town)
    desk.sync(field_event(near["tracking_number"], "out_for_delivery", at(9)),
              field_event(far["tracking_number"], "out_for_delivery", at(9)), first, second)
    assert desk.codes(first) == set()
    assert desk.codes(second) == {"impossible_speed"}
    evidence = desk.details(second, "impossible_speed")
    assert (evidence["previous_event_id"], evidence["event_id"]) == (first["id"], second["id"])
    assert evidence["seconds"] == 60 and evidence["margin_m"] == 20
    assert 4_990 < evidence["distance_m"] < 5_010
    assert evidence["speed_kmh"] > 290 and evidence["threshold_kmh"] == 80


def test_the_same_two_deliveries_an_hour_apart_are_possible(desk):
    across_town = fix(HOME, north_m=5_000)
    near, far = desk.result(), desk.result(lat=across_town["lat"], lon=across_town["lon"])
    second = desk.delivered(far, at(11), across_town)
    desk.sync(field_event(near["tracking_number"], "out_for_delivery", at(9)),
              field_event(far["tracking_number"], "out_for_delivery", at(9)),
              desk.delivered(near, at(10), fix(HOME)), second)
    assert desk.codes(second) == set()


def test_a_delivery_recorded_at_the_post_office_is_flagged(desk):
    delivered = out_and_deliver(desk, desk.result(), fix(OFFICE, north_m=20))
    # The office is some 850 m from the citizen's home: far from the address as well.
    assert desk.codes(delivered) == {"at_post_office", "far_from_address"}
    evidence = desk.details(delivered, "at_post_office")
    assert evidence["office_distance_m"] < 25 and evidence["threshold_m"] == 150
    assert evidence["address_office_distance_m"] > 800


def test_a_citizen_next_to_the_post_office_may_be_served_there(desk):
    next_door = fix(OFFICE, north_m=50)
    item = desk.result(lat=next_door["lat"], lon=next_door["lon"])
    delivered = out_and_deliver(desk, item, fix(OFFICE))
    assert desk.codes(delivered) == set()


def test_a_result_picked_up_at_the_counter_is_not_flagged(desk):
    # The clerk keeps the result for pickup; the citizen comes to the counter for it.
    with server_clock_at(MORNING):
        item = register_result(desk.clerk)
    number = item["tracking_number"]
    delivered = desk.delivered(item, at(15), fix(OFFICE), by=desk.clerk)
    desk.sync(field_event(number, "held_for_pickup", at(14)), delivered, client=desk.clerk)
    assert desk.flags(number) == []


def test_a_postman_delivering_a_held_result_at_the_office_is_flagged(desk):
    # Only a clerk's counter hands a held result over; a postman's delivery is at the door.
    item = desk.result()
    delivered = desk.delivered(item, at(15), fix(OFFICE))
    desk.sync(field_event(item["tracking_number"], "held_for_pickup", at(14)), delivered)
    assert desk.codes(delivered) == {"at_post_office", "far_from_address"}


def test_a_phone_clock_far_from_the_server_is_flagged_on_each_event(desk, app):
    item = desk.result()
    number = item["tracking_number"]
    out = field_event(number, "out_for_delivery", at(9), fix(OFFICE))
    delivered = desk.delivered(item, at(10), fix(HOME))
    desk.sync(out, delivered, sent_at=phone_clock(timedelta(hours=1)))
    assert desk.codes(out) == desk.codes(delivered) == {"clock_skew"}
    evidence = desk.details(delivered, "clock_skew")
    assert evidence["reason"] == "device_clock"
    assert 3_500 < evidence["skew_s"] < 3_601 and evidence["threshold_s"] == 300


def test_a_phone_clock_near_the_server_is_not_flagged(desk):
    item = desk.result()
    delivered = desk.delivered(item, at(10), fix(HOME))
    desk.sync(field_event(item["tracking_number"], "out_for_delivery", at(9)), delivered,
              sent_at=phone_clock(-timedelta(seconds=30)))
    assert desk.flags(item["tracking_number"]) == []


def test_an_event_dated_in_the_future_is_flagged(desk):
    item = desk.result()
    tomorrow = datetime.now(LOCAL_TZ).date() + timedelta(days=1)
    while not is_working_day(tomorrow):
        tomorrow += timedelta(days=1)
    out = field_event(item["tracking_number"], "out_for_delivery", at(10, day=tomorrow))
    desk.sync(out)
    assert desk.codes(out) == {"clock_skew"}
    assert desk.details(out, "clock_skew")["reason"] == "event_in_future"


def test_a_clock_years_off_is_flagged_not_refused(desk):
    # Within 2000-2100 a wrong clock is evidence; year 1 or 9999 is refused (issue #13,
    # tests/api/test_bad_input.py).
    item = desk.result()
    out = field_event(item["tracking_number"], "out_for_delivery", at(9))
    desk.sync(out, sent_at="2001-01-01T00:00:00+05:00")
    assert desk.details(out, "clock_skew")["sent_at"] == "2001-01-01T00:00:00+05:00"


def test_a_delivery_at_night_is_flagged_after_hours(desk):
    delivered = out_and_deliver(desk, desk.result(), fix(HOME), occurred_at=at(22))
    assert desk.codes(delivered) == {"after_hours"}
    evidence = desk.details(delivered, "after_hours")
    assert evidence["reason"] == "outside_hours"
    assert evidence["local_time"] == f"{DAY.isoformat()} 22:00"
    assert evidence["working_hours"] == "07:00-19:00"


def test_working_hours_are_configurable(desk, app, monkeypatch):
    monkeypatch.setitem(app.config, "FLAG_WORKING_HOURS", working_hours("06:00-23:00"))
    delivered = out_and_deliver(desk, desk.result(), fix(HOME), occurred_at=at(22))
    assert desk.codes(delivered) == set()


def test_a_delivery_with_the_wrong_cash_is_flagged(desk):
    delivered = out_and_deliver(desk, desk.result(), fix(HOME), cash_collected_vnd=26_000)
    assert desk.codes(delivered) == {"cash_mismatch"}
    assert desk.details(delivered, "cash_mismatch") == {
        "cash_collected_vnd": 26_000, "cash_due_vnd": 76_000, "difference_vnd": -50_000}


def test_a_delivery_after_the_deadline_is_flagged_late(desk, app):
    item = desk.result()
    due = datetime.combine(DAY - timedelta(days=7), time(17), tzinfo=LOCAL_TZ)
    with app.app_context():
        row = db.session.execute(
            select(Item).where(Item.tracking_number == item["tracking_number"])).scalar_one()
        row.due_at = due
        db.session.commit()
    delivered = out_and_deliver(desk, item, fix(HOME))
    assert desk.codes(delivered) == {"late"}
    evidence = desk.details(delivered, "late")
    assert datetime.fromisoformat(evidence["due_at"]) == due
    assert evidence["working_days_late"] == working_days_between(due.date(), DAY)


def test_a_return_after_one_invitation_is_flagged_early(desk):
    item = desk.result()
    number = item["tracking_number"]
    failed = field_event(number, "attempt_failed", at(10), fix(HOME), reason="absent",
                         action="notice_left")
    returned = field_event(number, "returned", at(16))
    desk.sync(field_event(number, "out_for_delivery", at(9)), failed, returned)
    assert desk.codes(failed) == set()
    assert desk.codes(returned) == {"early_return"}
    evidence = desk.details(returned, "early_return")
    assert evidence["invitations"] == 1 and evidence["required"] == 2
    assert evidence["last_on"] == DAY.isoformat() and evidence["next_allowed_on"] > DAY.isoformat()


def test_a_return_after_a_refusal_is_not_early(desk):
    item = desk.result()
    number = item["tracking_number"]
    returned = field_event(number, "returned", at(16))
    desk.sync(field_event(number, "out_for_delivery", at(9)),
              field_event(number, "attempt_failed", at(10), fix(HOME), reason="refused",
                          action="return_to_agency"), returned)
    assert desk.flags(number) == []


def test_an_event_that_no_longer_fits_is_flagged_as_a_state_conflict_only(desk):
    with server_clock_at(MORNING):  # at_post: never handed over, never out for delivery
        item = register_result(desk.clerk)
    delivered = desk.delivered(item, at(10), fix(HOME))
    desk.sync(delivered)
    # Never handed over: the counter holds it, so the postman did not (issue #13).
    assert desk.codes(delivered) == {"state_conflict", "not_holder"}


def test_flags_cost_at_most_one_query_per_positioned_event(desk, app, monkeypatch):
    """The checks read little: a batch with flagging costs few more SELECTs than without."""
    items = [desk.result() for _ in range(6)]

    def batch(part: list[dict[str, Any]], hour: int) -> list[dict[str, Any]]:
        events = []
        for offset, item in enumerate(part):
            number = item["tracking_number"]
            events += [field_event(number, "out_for_delivery", at(hour, offset), fix(OFFICE)),
                       desk.delivered(item, at(hour, 10 + offset), fix(HOME))]
        return events

    def selects_while(events: list[dict[str, Any]]) -> list[str]:
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def listener(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            statements.append(statement)

        sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            desk.sync(*events)
        finally:
            sa_event.remove(engine, "before_cursor_execute", listener)
        return [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    with_flags = selects_while(batch(items[:3], 9))
    # The one writer finds every event's flags with `found_flags`: turn it off.
    monkeypatch.setattr("server.custody.events.found_flags", lambda *args: [])
    without_flags = selects_while(batch(items[3:], 13))
    # Six positioned events: one look-up each of the postman's previous fix, and the post
    # office read once per request.
    extra = Counter(with_flags) - Counter(without_flags)
    assert len(with_flags) - len(without_flags) <= 6 + 1, extra
