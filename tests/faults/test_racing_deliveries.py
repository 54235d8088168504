"""Two phones deliver the same item at the same moment.

The field is the truth (docs/design.md §3): both deliveries are recorded, one after the other in a
linear chain, and the second, arriving on a delivered item, raises one `state_conflict`.
The items' rows are locked (PostgreSQL) or the write lock taken up front (SQLite), so the
two requests cannot both append to the same head of the chain.
"""
from __future__ import annotations

import threading

import pytest

from tests.e2e.live_api import LiveSession
from tests.faults.live_items import (
    assert_chain_linear,
    assert_verified,
    event,
    out_for_delivery,
    stored_events,
    upload_image,
)

#: Items delivered twice at once, one pair of phones after another.
ITEMS = 4


def _delivery(number: str, signature: str, name: str) -> dict:
    """A delivery to the citizen in person, with the proof the server requires."""
    return event(number, "delivered", recipient={"name": name, "relation": "self", "id_type": "cccd",
                                                 "id_last4": "4321"},
                 signature_sha256=signature, cash_collected_vnd=0, papers_collected=[])


@pytest.mark.timeout(120)
def test_two_phones_delivering_one_item_at_once_record_both_in_one_chain_and_one_conflict(fault_server):
    numbers = out_for_delivery(fault_server.base_url, "postman", ITEMS, "race")
    phones = [LiveSession(fault_server.base_url, "postman") for _ in range(2)]
    signatures = [upload_image(phone, f"race-signature-{i}") for i, phone in enumerate(phones)]
    sent: dict[str, list[dict]] = {}

    for number in numbers:
        deliveries = [_delivery(number, signatures[i], f"Người Nhận {i}") for i in range(2)]
        start = threading.Barrier(2, timeout=30)
        answers: list[object] = [None, None]

        # The threads are joined before the loop moves on: they see this iteration's values.
        def deliver(index: int) -> None:
            start.wait()  # noqa: B023
            answers[index] = phones[index].post("/sync", json={"events": [deliveries[index]]})  # noqa: B023

        threads = [threading.Thread(target=deliver, args=(i,), daemon=True) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        for answer in answers:
            assert answer.status_code == 200, answer.text  # type: ignore[union-attr]
            assert [r["status"] for r in answer.json()["results"]] == ["accepted"], answer.text  # type: ignore[union-attr]
        sent[number] = deliveries

    supervisor = LiveSession(fault_server.base_url, "supervisor")
    flags = supervisor.get("/audit/flags", params={"status": "open", "code": "state_conflict",
                                                   "limit": 200}).json()["flags"]
    for number in numbers:
        events = stored_events(phones[0], number)
        assert_chain_linear(events)
        last_two = events[-2:]
        assert [e["type"] for e in last_two] == ["delivered", "delivered"], events
        assert {e["id"] for e in last_two} == {d["id"] for d in sent[number]}
        conflicts = [f for f in flags if f["tracking_number"] == number]
        assert len(conflicts) == 1, conflicts
        assert conflicts[0]["event_id"] == last_two[1]["id"]  # the one that found it delivered
        item = phones[0].get(f"/items/{number}").json()
        assert item["status"] == "delivered"
    assert_verified(fault_server.base_url)
