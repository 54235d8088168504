"""Phones that resend the same outbox at the same moment: every event is stored once."""
from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

from tests.e2e.live_api import LiveSession, verify_in_background

PHONES = 6


def _batch(numbers: list[str]) -> list[dict]:
    """A failed attempt and a new round for each item, as one outbox would hold them."""
    now = datetime.now(UTC).isoformat()
    events = []
    for number in numbers:
        events.append({"id": str(uuid.uuid4()), "type": "attempt_failed", "tracking_number": number,
                       "occurred_at": now, "reason": "absent", "action": "notice_left"})
        events.append({"id": str(uuid.uuid4()), "type": "out_for_delivery",
                       "tracking_number": number, "occurred_at": now})
    return events


def test_concurrent_replays_of_one_batch_store_each_event_exactly_once(live_server):
    postman = LiveSession(live_server.base_url, "postman")
    held = postman.get("/items", params={"holder": "me", "status": "out_for_delivery", "limit": 5}).json()
    numbers = [item["tracking_number"] for item in held["items"]]
    assert len(numbers) >= 2, "the demo gives the postman items out for delivery"
    batch = _batch(numbers)
    sessions = [LiveSession(live_server.base_url, "postman") for _ in range(PHONES)]
    start = threading.Barrier(PHONES)
    answers: list[list[dict]] = [[] for _ in range(PHONES)]

    def send(index: int) -> None:
        start.wait()
        response = sessions[index].post("/sync", json={"events": batch})
        assert response.status_code == 200, response.text
        answers[index] = response.json()["results"]

    threads = [threading.Thread(target=send, args=(i,)) for i in range(PHONES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    for position, event in enumerate(batch):
        statuses = [answer[position]["status"] for answer in answers]
        assert statuses.count("accepted") == 1, (event["id"], statuses)
        assert statuses.count("duplicate") == PHONES - 1, (event["id"], statuses)

    stored_ids = []
    for number in numbers:
        events = postman.get(f"/items/{number}").json()["events"]
        stored_ids += [e["id"] for e in events]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    for event in batch:
        assert stored_ids.count(event["id"]) == 1

    verified = verify_in_background(LiveSession(live_server.base_url, "supervisor"))
    assert verified["ok"] is True, verified
