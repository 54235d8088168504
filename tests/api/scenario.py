"""Reusable steps of API scenarios: the calls a clerk, postman or agency officer makes."""
from __future__ import annotations

import hashlib
import itertools
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from server.models import types as model_types
from tests.api.checks import signed_in
from tests.conftest import ApiClient, png_bytes

#: A citizen's address near the central post office, with coordinates.
HOME = {"province": "Ninh Bình", "commune": "Phường Hoa Lư", "line": "Số 12 đường Lê Hồng Phong",
        "lat": 20.2600, "lon": 105.9800}


def result_body(**overrides: Any) -> dict[str, Any]:
    """A valid result registration (an ID card to deliver), with invented citizen data."""
    body: dict[str, Any] = {
        "kind": "result",
        "procedure_code": "CA-CCCD-DOI",
        "dossier_code": "000.00.04.H51-260105-0001",
        "citizen": {"name": "Nguyễn Thị Mẫu", "phone": "0912 345 678", "id_type": "cccd",
                    "id_number": "001234567890", "address": dict(HOME)},
        "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}],
        "fees": {"postage_vnd": 26000},
    }
    body.update(overrides)
    return body


def register_result(clerk: ApiClient, **overrides: Any) -> dict[str, Any]:
    """Register a result at the counter; answer the created item."""
    response = clerk.post("/api/v1/items", json=result_body(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def upload_image(client: ApiClient, seed: str) -> str:
    """Upload a small PNG; answer its SHA-256."""
    body = png_bytes(seed)
    sha = hashlib.sha256(body).hexdigest()
    response = client.put(f"/api/v1/media/{sha}", data=body, content_type="image/png")
    assert response.status_code in (200, 201), response.get_json()
    return sha


def hand_over(sender: ApiClient, receiver: ApiClient, to_user: str, numbers: list[str],
              scanned: list[str] | None = None) -> dict[str, Any]:
    """Sender lists, receiver scans (all by default) and signs."""
    created = sender.post("/api/v1/handovers", json={"to_user": to_user, "items": numbers})
    assert created.status_code == 201, created.get_json()
    signature = upload_image(receiver, f"signature-{created.get_json()['id']}")
    accepted = receiver.post(f"/api/v1/handovers/{created.get_json()['id']}/accept",
                             json={"scanned": numbers if scanned is None else scanned,
                                   "signature_sha256": signature})
    assert accepted.status_code == 200, accepted.get_json()
    return accepted.get_json()


def event(tracking_number: str, event_type: str, **fields: Any) -> dict[str, Any]:
    """A field event as the phone makes it: own UUID, device time with offset."""
    return {"id": str(uuid.uuid4()), "type": event_type, "tracking_number": tracking_number,
            "occurred_at": datetime.now(UTC).isoformat(), **fields}


def sync(client: ApiClient, *events: dict[str, Any]) -> list[dict[str, Any]]:
    """Send a batch; answer the per-event results."""
    response = client.post("/api/v1/sync", json={"events": list(events)})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


@dataclass
class Desk:
    """The demo clerk and postman, signed in, and the results the clerk registered."""

    clerk: ApiClient
    postman: ApiClient
    numbers: list[str]


def clerk_and_postman(new_api: Any, results: int, *, handed_over: bool = False) -> Desk:
    """Sign in the clerk and the postman; register `results` results, handed over if asked."""
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    numbers = [register_result(clerk)["tracking_number"] for _ in range(results)]
    if handed_over:
        hand_over(clerk, postman, "postman", numbers)
    return Desk(clerk, postman, numbers)


def two_chains(new_api: Any) -> list[dict[str, Any]]:
    """Two results, each with four events: registered, at_post, handed_over, out_for_delivery."""
    desk = clerk_and_postman(new_api, 2, handed_over=True)
    sync(desk.postman, *(event(number, "out_for_delivery") for number in desk.numbers))
    return [desk.postman.get(f"/api/v1/items/{number}").get_json() for number in desk.numbers]


@contextmanager
def server_clock_at(moment: datetime) -> Iterator[None]:
    """Run the block with the server's clock (`utc_now`) at `moment`, a millisecond later
    at each reading: the office's morning (registration, handover) made on the day the test
    dates its field events, which must not come before the item existed."""
    real = model_types.utc_now
    ticks = itertools.count()

    def clock() -> datetime:
        return moment.astimezone(UTC) + timedelta(milliseconds=next(ticks))

    patched = [module for name, module in list(sys.modules.items())
               if name.startswith("server") and getattr(module, "utc_now", None) is real]
    for module in patched:
        module.utc_now = clock  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in patched:
            module.utc_now = real  # type: ignore[attr-defined]
