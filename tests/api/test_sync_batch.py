"""Sync writes a batch at once: what it looks up once must give what per-event lookups gave.

The batch reads the stored event ids, the uploaded images and the postman's last fix once,
then writes its events in one flush. These tests pin the cases where memory is not enough:
a fix earlier in the same batch, an event dated before the last stored fix, and a write by
another request that lands between the batch's lookups and its flush.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

import server.custody.sync as sync_service
from server.custody.events import verify_custody
from server.extensions import db
from tests.api.test_flags_at_ingest import HOME, Desk, at, desk, field_event, fix  # noqa: F401

FAR_NORTH_M = 20_000


def _speed_flag(desk_: Desk, event: dict[str, Any]) -> dict[str, Any] | None:
    found = [f["details"] for f in desk_.flags(event["tracking_number"])
             if f["event_id"] == event["id"] and f["code"] == "impossible_speed"]
    return found[0] if found else None


def test_speed_is_judged_against_the_right_fix_in_the_batch_and_before_it(desk):
    first, second = desk.result()["tracking_number"], desk.result()["tracking_number"]
    early = field_event(first, "out_for_delivery", at(7, 30), fix(HOME, north_m=FAR_NORTH_M))
    stored_last = field_event(first, "attempt_failed", at(9), fix(HOME),
                              reason="absent", action="notice_left")
    desk.sync(early, stored_last)
    far_after_last = field_event(second, "out_for_delivery", at(9, 1), fix(HOME, north_m=FAR_NORTH_M))
    # Dated before the last stored fix: only the database knows its previous fix (07:30).
    from_the_outbox = field_event(first, "out_for_delivery", at(7, 35), fix(HOME))
    back_home = field_event(second, "attempt_failed", at(9, 2), fix(HOME),
                            reason="absent", action="notice_left")
    desk.sync(far_after_last, from_the_outbox, back_home)

    assert _speed_flag(desk, far_after_last)["previous_event_id"] == stored_last["id"]
    assert _speed_flag(desk, from_the_outbox)["previous_event_id"] == early["id"]
    # Its previous fix is one of the same batch, not yet in the database when it is judged.
    assert _speed_flag(desk, back_home)["previous_event_id"] == far_after_last["id"]


def test_a_write_landing_before_the_batch_write_is_answered_by_the_resend_rule(desk, app, monkeypatch):
    """The one rule: a clash re-applies the whole batch once from what is stored now."""
    first, second = desk.result()["tracking_number"], desk.result()["tracking_number"]
    stored = field_event(first, "out_for_delivery", at(9), fix(HOME))
    desk.sync(stored)
    load, loads = sync_service._Batch.load, []

    def load_missing_a_concurrent_write(*args: Any, **kwargs: Any) -> Any:
        batch = load(*args, **kwargs)
        loads.append(1)
        if len(loads) == 1:  # as if another request stored `stored` after this lookup
            batch.recorded.pop(stored["id"])
        return batch

    monkeypatch.setattr(sync_service._Batch, "load", load_missing_a_concurrent_write)
    reused = {**field_event(second, "out_for_delivery", at(9, 5), fix(HOME)), "id": stored["id"]}
    fine = field_event(first, "attempt_failed", at(9, 10), fix(HOME),
                       reason="absent", action="notice_left")
    response = desk.postman.post("/api/v1/sync", json={"events": [fine, reused]})

    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[1]["error"]["code"] == "id_reused"
    assert len(loads) == 2  # the batch's write clashed, then the batch was applied again
    items = {n: desk.clerk.get(f"/api/v1/items/{n}").get_json() for n in (first, second)}
    assert [e["id"] for e in items[first]["events"][-2:]] == [stored["id"], fine["id"]]
    assert stored["id"] not in [e["id"] for e in items[second]["events"]]
    with app.app_context():
        report = verify_custody()
        db.session.rollback()
    assert report.ok, report.first_broken


def _clashing(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """Make the batch's first `times` writes clash as if another request had won."""
    write, calls = sync_service._Batch.write, []

    def clash(self: Any) -> None:
        calls.append(1)
        if len(calls) <= times:
            raise IntegrityError("INSERT", {}, Exception("as if another request won"))
        write(self)

    monkeypatch.setattr(sync_service._Batch, "write", clash)
    return calls


def test_a_second_clash_refuses_what_the_batch_would_write_and_writes_nothing(desk, app, monkeypatch):
    """The one rule, its end: one retry only; then each new event is `concurrent_write`."""
    number = desk.result()["tracking_number"]
    stored = field_event(number, "out_for_delivery", at(9), fix(HOME))
    desk.sync(stored)
    before = desk.clerk.get(f"/api/v1/items/{number}").get_json()
    calls = _clashing(monkeypatch, times=2)  # a third write would pass: the rule never tries it
    attempt = field_event(number, "attempt_failed", at(9, 10), fix(HOME),
                          reason="absent", action="notice_left")
    bad = {**field_event(number, "attempt_failed", at(9, 11), fix(HOME)), "reason": "nobody"}
    results = desk.postman.post("/api/v1/sync", json={"events": [stored, attempt, bad]}).get_json()["results"]

    assert [r["status"] for r in results] == ["duplicate", "rejected", "rejected"]
    assert [r["error"]["code"] for r in results[1:]] == ["concurrent_write", "invalid_event"]
    assert len(calls) == 2
    after = desk.clerk.get(f"/api/v1/items/{number}").get_json()
    assert [e["id"] for e in after["events"]] == [e["id"] for e in before["events"]]
    assert (after["status"], after["holder"]) == (before["status"], before["holder"])
    monkeypatch.undo()
    # Sent again, the refused event is stored like any other.
    desk.sync(attempt)  # every event accepted


def test_one_clash_writes_the_batch_on_its_second_pass(desk, monkeypatch):
    """The first pass's state is gone: the item moves once, its chain has each event once."""
    number = desk.result()["tracking_number"]
    calls = _clashing(monkeypatch, times=1)
    out = field_event(number, "out_for_delivery", at(9), fix(HOME))
    attempt = field_event(number, "attempt_failed", at(9, 10), fix(HOME),
                          reason="absent", action="notice_left")
    desk.sync(out, attempt)  # every event accepted
    assert len(calls) == 2
    stored = desk.clerk.get(f"/api/v1/items/{number}").get_json()
    assert [e["id"] for e in stored["events"][-2:]] == [out["id"], attempt["id"]]
    assert [e["seq"] for e in stored["events"]] == list(range(1, len(stored["events"]) + 1))
    assert stored["status"] == "attempt_failed"
    assert desk.codes(attempt) == set()  # no flag raised twice, none from the first pass


@pytest.mark.parametrize("repeat", [2, 3])
def test_one_event_sent_several_times_in_a_batch_is_stored_once(desk, repeat):
    number = desk.result()["tracking_number"]
    once = field_event(number, "out_for_delivery", at(9), fix(HOME))
    response = desk.postman.post("/api/v1/sync", json={"events": [once] * repeat})
    statuses = [r["status"] for r in response.get_json()["results"]]
    assert statuses == ["accepted"] + ["duplicate"] * (repeat - 1)
    events = desk.clerk.get(f"/api/v1/items/{number}").get_json()["events"]
    assert [e["id"] for e in events].count(once["id"]) == 1


def test_a_batch_whose_events_raise_flags_is_written_in_one_write(desk, monkeypatch):
    load, loads = sync_service._Batch.load, []

    def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append(1)
        return load(*args, **kwargs)

    monkeypatch.setattr(sync_service._Batch, "load", counted)
    number = desk.result()["tracking_number"]
    far = field_event(number, "out_for_delivery", at(9), fix(HOME, north_m=FAR_NORTH_M))
    away = field_event(number, "attempt_failed", at(9, 1), fix(HOME, north_m=2_000),
                       reason="absent", action="notice_left")
    desk.sync(far, away)
    # Each flag is written after its event (foreign key) in the batch's one write: no
    # clash, no second pass.
    assert loads == [1]
    assert "impossible_speed" in desk.codes(away) and "far_from_address" in desk.codes(away)


def test_a_batch_costs_the_same_statements_whatever_its_number_of_items(desk, app):
    """Bulk rows: one INSERT per table and one UPDATE of the items however many events and
    items a batch has, and no item column read item by item after the row lock."""
    from sqlalchemy import event as sa_event

    def statements_while(numbers: list[str], hour: int) -> list[str]:
        events = [field_event(number, "out_for_delivery", at(hour, offset), fix(HOME))
                  for offset, number in enumerate(numbers)]
        events += [field_event(number, "attempt_failed", at(hour, 30 + offset), fix(HOME),
                               reason="absent", action="notice_left")
                   for offset, number in enumerate(numbers)]
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def listener(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            statements.append(" ".join(statement.split()[:3]).upper())

        sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            desk.sync(*events)
        finally:
            sa_event.remove(engine, "before_cursor_execute", listener)
        return statements

    numbers = [desk.result()["tracking_number"] for _ in range(8)]
    small, large = statements_while(numbers[:2], 9), statements_while(numbers[2:], 10)

    assert Counter(small) == Counter(large)
    assert Counter(large)["INSERT INTO CUSTODY_EVENTS"] == 1
    assert Counter(large)["UPDATE ITEMS SET"] == 1


def test_a_late_arriving_event_in_the_same_batch_does_not_move_the_item_back(desk):
    """The item's latest event may be one of the batch's own, not yet written: it decides."""
    item = desk.result()
    number = item["tracking_number"]
    # Dated after the item's stored events (made now): only the batch's own events are later.
    later = date.today() + timedelta(days=2)
    out = field_event(number, "out_for_delivery", at(9, day=later), fix(HOME))
    delivered = desk.delivered(item, at(9, 10, day=later), fix(HOME))
    # Recorded offline before the delivery, sent after it: no longer fits a delivered result.
    earlier_attempt = field_event(number, "attempt_failed", at(9, 5, day=later), fix(HOME),
                                  reason="absent", action="notice_left")
    desk.sync(out, delivered, earlier_attempt)

    assert "state_conflict" in desk.codes(earlier_attempt)
    stored = desk.clerk.get(f"/api/v1/items/{number}").get_json()
    assert stored["status"] == "delivered"
    assert [e["id"] for e in stored["events"][-3:]] == [out["id"], delivered["id"],
                                                         earlier_attempt["id"]]
