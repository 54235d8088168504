"""A gunicorn worker killed with SIGKILL in the middle of a sync batch.

The request commits once (docs/design.md §6): the events it had already recorded die with the
worker's transaction, the phone sees a broken connection, gunicorn starts a new worker,
and the phone's resend stores every event exactly once.
"""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import requests

from tests.e2e.live_api import LiveSession
from tests.faults.live_items import (
    assert_chain_linear,
    assert_verified,
    event,
    out_for_delivery,
    stored_events,
    sync,
)

ITEMS = 3
#: The worker is frozen after recording this many of the batch's six events, then killed.
KILLED_AFTER = 4


@pytest.mark.timeout(150)
def test_worker_killed_mid_batch_rolls_the_batch_back_and_the_resend_stores_it_once(fault_server):
    numbers = out_for_delivery(fault_server.base_url, "postman", ITEMS, "kill")
    phone = LiveSession(fault_server.base_url, "postman")
    before = {number: stored_events(phone, number) for number in numbers}
    batch = []
    for number in numbers:
        batch.append(event(number, "attempt_failed", reason="absent", action="notice_left"))
        batch.append(event(number, "out_for_delivery"))
    outcome: dict[str, object] = {}

    def send_batch() -> None:
        try:
            outcome["response"] = phone.post("/sync", json={"events": batch})
        except requests.ConnectionError as error:
            outcome["error"] = error

    fault_server.arm_pause(after_events=KILLED_AFTER)
    sender = threading.Thread(target=send_batch, daemon=True)
    try:
        sender.start()
        worker = fault_server.wait_until_paused(timeout=30)
        assert worker in fault_server.workers(), "the frozen request runs in a worker of ours"
        os.kill(worker, signal.SIGKILL)
        sender.join(timeout=30)
    finally:
        fault_server.disarm()
    assert not sender.is_alive()
    assert "error" in outcome, f"the phone got an answer instead of a broken connection: {outcome}"

    # gunicorn replaces the worker by itself.
    deadline = time.monotonic() + 30
    while not (fault_server.workers() - {worker}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert fault_server.workers() - {worker}, "gunicorn did not start a new worker"
    fault_server.wait_until_up(30)

    # The first try left nothing: not the four events it had recorded, not half an item.
    for number in numbers:
        assert stored_events(phone, number) == before[number]

    resent = sync(phone, batch)
    assert [r["status"] for r in resent] == ["accepted"] * len(batch), resent
    again = sync(phone, batch)
    assert [r["status"] for r in again] == ["duplicate"] * len(batch), again

    batch_ids = [e["id"] for e in batch]
    for number in numbers:
        events = stored_events(phone, number)
        assert_chain_linear(events)
        ids = [e["id"] for e in events]
        assert all(ids.count(i) == 1 for i in batch_ids if i in ids)
        assert [e["type"] for e in events[len(before[number]):]] == ["attempt_failed", "out_for_delivery"]
    stored = [e["id"] for number in numbers for e in stored_events(phone, number)]
    assert sorted(i for i in stored if i in batch_ids) == sorted(batch_ids)
    assert_verified(fault_server.base_url)
