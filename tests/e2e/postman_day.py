"""Items put in a postman's hands through the API, for the field app's browser tests."""
from __future__ import annotations

import hashlib
import io
import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from tests.e2e.live_api import LiveSession

OFFICE = (20.2539, 105.9750)
_serial = itertools.count(1)


def register_result(clerk: LiveSession, *, name: str | None = None, id_number: str | None = None,
                    spot: int | None = None, fees: int = 26000) -> str:
    """A result registered at the counter, its address a few hundred metres from the office."""
    index = next(_serial)
    spot = index if spot is None else spot
    citizen: dict[str, Any] = {
        "name": name or f"Người Nhận Tin Cậy {uuid.uuid4().hex[:6]}",
        "phone": f"0913{uuid.uuid4().int % 10**6:06d}",
        "address": {"province": "Ninh Bình", "commune": "Phường Hoa Lư", "line": f"Số {30 + spot} đường Tin Cậy",
                    "lat": OFFICE[0] + 0.001 * spot, "lon": OFFICE[1] + 0.001 * spot}}
    if id_number:
        citizen["id_number"] = id_number
    body = {"kind": "result", "procedure_code": "CA-CCCD-DOI", "with_appointment_slip": True, "citizen": citizen,
            "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}], "fees": {"postage_vnd": fees}}
    answer = clerk.post("/items", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["tracking_number"]


def signature_png() -> bytes:
    """A signature never made before: 128 random bits drawn as dots (one random dot among 60
    made two tests sign with the same image, which the server refuses as another's)."""
    image = Image.new("RGB", (64, 20), "white")
    bits = uuid.uuid4().int
    for index in range(128):
        if bits >> index & 1:
            image.putpixel((index % 64, 2 + 8 * (index // 64)), (0, 0, 64))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def hand_to(base_url: str, username: str, numbers: list[str], *, out_for_delivery: bool = True) -> LiveSession:
    """The clerk hands `numbers` to `username`, who scans and signs for them (and sets out)."""
    clerk = LiveSession(base_url, "clerk")
    handover = clerk.post("/handovers", json={"to_user": username, "items": numbers})
    assert handover.status_code == 201, handover.text
    postman = LiveSession(base_url, username)
    png = signature_png()
    sha = hashlib.sha256(png).hexdigest()
    put = postman.http.put(f"{base_url}/api/v1/media/{sha}", data=png,
                           headers={"X-CSRF-Token": postman.csrf, "Content-Type": "image/png"}, timeout=30)
    assert put.status_code in (200, 201), put.text
    accepted = postman.post(f"/handovers/{handover.json()['id']}/accept", json={"scanned": numbers, "signature_sha256": sha})
    assert accepted.status_code == 200, accepted.text
    if out_for_delivery:
        now = datetime.now(UTC).isoformat()
        events = [{"id": str(uuid.uuid4()), "type": "out_for_delivery", "tracking_number": n, "occurred_at": now} for n in numbers]
        answer = postman.post("/sync", json={"events": events})
        assert all(r["status"] == "accepted" for r in answer.json()["results"]), answer.text
    return postman
