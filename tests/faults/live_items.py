"""Items of a fault test's own, put in a postman's hands on a live server."""
from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.conftest import png_bytes
from tests.e2e.live_api import LiveSession, verify_in_background

OFFICE = (20.2539, 105.9750)


def upload_image(session: LiveSession, seed: str) -> str:
    """PUT a small PNG; answer its SHA-256."""
    body = png_bytes(seed)
    sha = hashlib.sha256(body).hexdigest()
    answer = session.http.put(f"{session.base_url}/api/v1/media/{sha}", data=body, timeout=30,
                              headers={"Content-Type": "image/png", "X-CSRF-Token": session.csrf})
    assert answer.status_code in (200, 201), answer.text
    return sha


def handed_to(base_url: str, postman: str, count: int, tag: str) -> list[str]:
    """Register `count` results at the counter and hand them to `postman`; answer their numbers."""
    clerk = LiveSession(base_url, "clerk")
    numbers = []
    for index in range(count):
        body = {
            "kind": "result", "procedure_code": "CA-CCCD-DOI",
            "citizen": {"name": f"Người Nhận {tag} {index}", "phone": f"0913{index:06d}",
                        "address": {"province": "Ninh Bình", "commune": "Phường Hoa Lư",
                                    "line": f"Số {index + 1} đường Thử Lỗi",
                                    "lat": OFFICE[0] + 0.002 * (index + 1),
                                    "lon": OFFICE[1] + 0.001 * (index + 1)}},
            "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}],
            "fees": {"postage_vnd": 26000},
        }
        answer = clerk.post("/items", json=body)
        assert answer.status_code == 201, answer.text
        numbers.append(answer.json()["tracking_number"])
    receiver = LiveSession(base_url, postman)
    record = clerk.post("/handovers", json={"to_user": postman, "items": numbers})
    assert record.status_code == 201, record.text
    signature = upload_image(receiver, f"load-check-{tag}-{record.json()['id']}")
    accepted = receiver.post(f"/handovers/{record.json()['id']}/accept",
                             json={"scanned": numbers, "signature_sha256": signature})
    assert accepted.status_code == 200, accepted.text
    return numbers


def out_for_delivery(base_url: str, postman: str, count: int, tag: str) -> list[str]:
    """As `handed_to`, then the postman starts the round with them."""
    numbers = handed_to(base_url, postman, count, tag)
    results = sync(LiveSession(base_url, postman), [event(n, "out_for_delivery") for n in numbers])
    assert [r["status"] for r in results] == ["accepted"] * count, results
    return numbers


def event(tracking_number: str, event_type: str, **fields: Any) -> dict[str, Any]:
    """A field event as the phone makes it: its own UUID, the device time with offset."""
    return {"id": str(uuid.uuid4()), "type": event_type, "tracking_number": tracking_number,
            "occurred_at": datetime.now(UTC).isoformat(), **fields}


def sync(session: LiveSession, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send a batch; answer the per-event results."""
    answer = session.post("/sync", json={"events": events})
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def stored_events(session: LiveSession, number: str) -> list[dict[str, Any]]:
    """The item's events as the server has them, in chain order."""
    answer = session.get(f"/items/{number}")
    assert answer.status_code == 200, answer.text
    return answer.json()["events"]


def assert_chain_linear(events: list[dict[str, Any]]) -> None:
    """Numbered 1..n with no gap or repeat."""
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), events


def assert_verified(base_url: str) -> None:
    """Every chain, sealed day and image of the server checks out."""
    report = verify_in_background(LiveSession(base_url, "supervisor"))
    assert report["ok"] is True, report
