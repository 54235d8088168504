"""The notification outbox: written with the custody event that causes it, drained by a CLI.

The agency learns that its result was delivered or returned (TT17 Art.12); the citizen, that
the result waits at the counter. Nothing personal is in a notification's payload or the log.
"""
from __future__ import annotations

import json
import logging

import pytest
from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.models import Notification
from server.notifications.service import MAX_ATTEMPTS, drain_outbox
from tests.api.scenario import HOME, Desk, clerk_and_postman, event, sync, upload_image

CITIZEN = ("Nguyễn Thị Mẫu", "0912345678", "001234567890", HOME["line"])


def _notifications(app: Flask) -> list[dict]:
    with app.app_context():
        return [{"recipient": n.recipient, "unit": n.recipient_unit.code if n.recipient_unit else None,
                 "channel": n.channel, "template": n.template, "status": n.status,
                 "attempts": n.attempts, "payload": n.payload, "event_id": n.event_id,
                 "sent_at": n.sent_at}
                for n in db.session.execute(select(Notification).order_by(Notification.id)).scalars()]


def _deliver(desk: Desk, number: str) -> str:
    signature = upload_image(desk.postman, f"citizen-{number}")
    delivered = event(number, "delivered", signature_sha256=signature,
                      recipient={"name": CITIZEN[0], "relation": "self", "id_type": "cccd",
                                 "id_last4": "7890"}, cash_collected_vnd=26000)
    [out, done] = sync(desk.postman, event(number, "out_for_delivery"), delivered)
    assert out["status"] == done["status"] == "accepted", (out, done)
    return delivered["id"]


@pytest.fixture
def desk(world, new_api) -> Desk:  # type: ignore[no-untyped-def]
    return clerk_and_postman(new_api, 2, handed_over=True)


def test_a_delivered_result_tells_its_agency_in_the_same_transaction(app, desk):
    event_id = _deliver(desk, desk.numbers[0])
    [notification] = _notifications(app)
    assert notification["event_id"] == event_id
    assert (notification["recipient"], notification["unit"], notification["channel"],
            notification["template"], notification["status"], notification["attempts"]) == (
        "agency", "CA-TINH", "system", "result_delivered", "pending", 0)
    assert notification["payload"]["tracking_number"] == desk.numbers[0]


def test_a_payload_holds_no_personal_data(app, desk):
    _deliver(desk, desk.numbers[0])
    text = json.dumps(_notifications(app)[0]["payload"], ensure_ascii=False)
    for personal in CITIZEN:
        assert personal not in text


def test_a_returned_result_tells_its_agency(app, desk):
    number = desk.numbers[1]
    results = sync(desk.postman, event(number, "out_for_delivery"),
                   event(number, "attempt_failed", reason="refused", action="return_to_agency"),
                   event(number, "returned"))
    assert [r["status"] for r in results] == ["accepted"] * 3, results
    assert [(n["template"], n["unit"]) for n in _notifications(app)] == [
        ("result_returned", "CA-TINH")]


def test_a_result_held_for_pickup_tells_the_citizen(app, world, new_api):
    counter = clerk_and_postman(new_api, 1)
    [held] = sync(counter.clerk, event(counter.numbers[0], "held_for_pickup"))
    assert held["status"] == "accepted", held
    [notification] = _notifications(app)
    assert (notification["recipient"], notification["unit"], notification["channel"],
            notification["template"]) == ("citizen", None, "sms", "held_for_pickup")


def test_events_that_tell_nobody_queue_nothing(app, desk):
    sync(desk.postman, event(desk.numbers[0], "out_for_delivery"))
    assert _notifications(app) == []


def test_the_send_command_logs_without_personal_data_and_marks_sent(app, desk, caplog):
    _deliver(desk, desk.numbers[0])
    with caplog.at_level(logging.INFO, logger="server.notifications.service"):
        first = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"sent": 1, "failed": 0, "pending": 0}
    [notification] = _notifications(app)
    assert notification["status"] == "sent" and notification["attempts"] == 1
    assert notification["sent_at"] is not None
    assert f"template=result_delivered channel=system tracking_number={desk.numbers[0]}" in caplog.text
    for personal in CITIZEN:
        assert personal not in caplog.text


def test_sending_again_sends_nothing_twice(app, desk):
    _deliver(desk, desk.numbers[0])
    runner = app.test_cli_runner()
    assert json.loads(runner.invoke(args=["notifications", "send"]).output)["sent"] == 1
    assert json.loads(runner.invoke(args=["notifications", "send"]).output)["sent"] == 0
    assert _notifications(app)[0]["attempts"] == 1


class _BrokenSender:
    """A sender whose gateway is down."""

    def send(self, notification: Notification) -> None:
        raise ConnectionError("gateway down")


def test_a_failed_send_counts_the_attempt_and_stays_pending(app, desk):
    _deliver(desk, desk.numbers[0])
    with app.app_context():
        report = drain_outbox(_BrokenSender())
        assert (report.sent, report.failed, report.pending_left) == (0, 1, 1)
        stored = db.session.execute(select(Notification)).scalar_one()
        assert (stored.status, stored.attempts, stored.last_error) == (
            "pending", 1, "ConnectionError")


def test_after_the_last_attempt_a_notification_is_failed(app, desk):
    _deliver(desk, desk.numbers[0])
    with app.app_context():
        for _ in range(MAX_ATTEMPTS):
            drain_outbox(_BrokenSender())
        stored = db.session.execute(select(Notification)).scalar_one()
        assert (stored.status, stored.attempts) == ("failed", MAX_ATTEMPTS)
        assert drain_outbox(_BrokenSender()).failed == 0  # never tried again


def test_the_sender_is_pluggable_by_configuration(app, desk, monkeypatch):
    sent: list[int] = []

    class Recording:
        def send(self, notification: Notification) -> None:
            sent.append(notification.id)

    monkeypatch.setattr("tests.api.test_notifications.RecordingSender", Recording, raising=False)
    monkeypatch.setitem(app.config, "NOTIFICATION_SENDER", "tests.api.test_notifications:RecordingSender")
    _deliver(desk, desk.numbers[0])
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert len(sent) == 1
