"""What the printable custody page shows: an export document turned into rows to print."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.domain.lifecycle import EVENT_LABELS_VI, STATUS_LABELS_VI
from server.domain.service_time import LOCAL_TZ


def _local(iso: str) -> str:
    """An ISO UTC time of an event body, as local time with seconds (evidence is exact)."""
    try:
        return datetime.fromisoformat(iso).astimezone(LOCAL_TZ).strftime("%H:%M:%S %d/%m/%Y")
    except (OverflowError, ValueError):  # a time at the calendar's edge: shown as recorded
        return iso


@dataclass(frozen=True)
class CustodyRow:
    """One event as printed."""

    seq: int
    event_id: str
    label: str
    occurred_at: str
    received_at: str
    actor: str
    unit: str
    position: str
    status_after: str
    evidence: str
    previous_hash: str
    hash: str


def custody_rows(body: dict[str, Any]) -> list[CustodyRow]:
    """The export's events, in chain order, with names and local times for a reader."""
    actors = {a["user_id"]: f'{a["full_name"] or a["username"]} ({a["username"]})'
              for a in body["actors"]}
    units = {u["unit_id"]: u["name"] for u in body["units"]}
    rows = []
    for entry in body["events"]:
        event = entry["body"]
        position = event["position"]
        where = "—"
        if position:
            where = f'{position["lat"]:.6f}, {position["lon"]:.6f}'
            if position["accuracy_m"] is not None:
                where += f' (±{position["accuracy_m"]:.0f} m)'
        rows.append(CustodyRow(
            seq=event["seq"], event_id=event["id"],
            # StrEnum keys: the stored text finds its label; an unknown one shows as it is.
            label=EVENT_LABELS_VI.get(event["type"], event["type"]),
            occurred_at=_local(event["occurred_at"]), received_at=_local(event["received_at"]),
            actor=actors.get(event["actor_user_id"], str(event["actor_user_id"])),
            unit=units.get(event["actor_unit_id"], str(event["actor_unit_id"])),
            position=where,
            status_after=STATUS_LABELS_VI.get(event["status_after"], event["status_after"]),
            evidence=json.dumps(event["evidence"], ensure_ascii=False, indent=1, sort_keys=True),
            previous_hash=entry["previous_hash"], hash=entry["hash"],
        ))
    return rows
