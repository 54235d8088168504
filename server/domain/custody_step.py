"""One custody event applied to an item: the event's link of the chain and the item after it.

Pure: the one custody writer (`server.custody.events.CustodyWriter`) applies every event
through `step`, whether it comes alone (handovers, counter, intake, corrections…) or in a
sync batch, so the chain, the status and the holder are computed in one place.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.domain.custody_chain import chain_hash, chain_hash_of_decoded, stored_body
from server.domain.errors import DomainError
from server.domain.geo import Position
from server.domain.lifecycle import (
    CLOSED,
    EventType,
    ItemKind,
    ItemStatus,
    apply_event,
    field_target,
)


@dataclass(frozen=True)
class Holder:
    """Who has the item after an event: a person of a unit, or a unit, or nobody (delivered)."""

    user_id: int | None
    unit_id: int | None


def holder_after(event_type: EventType, actor_user_id: int, actor_unit_id: int) -> Holder | None:
    """Who holds the item after an event from the field; None: the holder does not change.

    Custody follows the field: the collector holds the dossier he collected (QĐ45 Art.7:
    the post answers for it from collection); nobody holds a delivered result.
    """
    if event_type is EventType.collected:
        return Holder(actor_user_id, actor_unit_id)
    if event_type is EventType.delivered:
        return Holder(None, None)
    return None


@dataclass(frozen=True)
class ItemHead:
    """What applying an event needs to know of the item: its state and its chain's head."""

    item_id: int
    tracking_number: str
    kind: str
    status: str | None
    event_count: int
    head_hash: str
    filed_at: datetime | None


@dataclass(frozen=True)
class Step:
    """An event applied: its columns (hash included), and the item's fields after it."""

    #: The event's columns, ready to be stored.
    row: dict[str, Any]
    #: The evidence of a state conflict (the event did not fit the item's state), or None.
    conflict: dict[str, Any] | None
    #: The item's filing time after the event (QĐ45 Art.7).
    filed_at: datetime | None
    #: The event did not fit and left the item where it was: nothing of the item moves
    #: (status, holder, filing time); the event is recorded and the conflict flagged.
    kept: bool = False


def next_status(kind: str, status: str | None, event_type: EventType, occurred_at: datetime,
                latest_occurred_at: Callable[[], datetime | None]) -> tuple[str, dict[str, Any] | None]:
    """The status after the event, and the conflict evidence when it does not fit.

    The field is the truth (docs/design.md §3): an event that no longer fits the item's state is
    recorded anyway; the item takes the state the event reports unless a later event
    already moved it on, or its life is over: a filed dossier (QĐ45 Art.7: filed at the
    signature), a delivered result, a result returned to its agency or a cancelled item
    keeps its status, since no late event from the field may rewrite that end silently
    (`state_conflict` says it came). `latest_occurred_at` (the time of the item's last
    event) is only asked on a conflict.
    """
    current = ItemStatus(status) if status else None
    try:
        return apply_event(ItemKind(kind), current, event_type).value, None
    except DomainError as refusal:
        conflict = {"status_before": status, "event_type": event_type.value,
                    "reason": refusal.code}
    if current in CLOSED:
        return status, {**conflict, "item_finished": True}  # type: ignore[return-value]
    target = field_target(ItemKind(kind), event_type)
    latest = latest_occurred_at()
    if target is None or (latest is not None and latest > occurred_at):
        return status, conflict  # type: ignore[return-value]  # a conflict needs a status
    return target.value, conflict


def filing_time_after(event_type: EventType, status_after: str, occurred_at: datetime,
                      filed_at: datetime | None) -> datetime | None:
    """The item's legal filing time after the event (QĐ45 Art.7, Art.7(4)).

    Filed: the signature time. Found incomplete: not filed; the supplement's filing will be.
    """
    if event_type is EventType.filed and status_after == ItemStatus.filed:
        return occurred_at
    if event_type is EventType.supplement_requested:
        return None
    return filed_at


def step(head: ItemHead, event_type: EventType, *, event_id: str, actor_user_id: int,
         actor_unit_id: int, occurred_at: datetime, received_at: datetime,
         position: Position | None, evidence: dict[str, Any],
         latest_occurred_at: Callable[[], datetime | None],
         string_keys: bool = False, payload_digest: str | None = None) -> Step:
    """Apply one event to the item `head` describes: the next link of its chain.

    `string_keys`: every mapping in `evidence` is known to have string keys only (a
    JSON-mode dump of a model), so the hash skips the walk that refuses other keys; the
    hash is the same (`chain_hash_of_decoded`). `payload_digest`: the digest of what a
    client sent under `event_id` (sync), kept beside the event, outside its hash.
    """
    status_after, conflict = next_status(head.kind, head.status, event_type, occurred_at,
                                         latest_occurred_at)
    seq = head.event_count + 1
    lat, lon, accuracy_m = ((position.lat, position.lon, position.accuracy_m)
                            if position else (None, None, None))
    body = stored_body(event_id, head.tracking_number, seq, event_type.value, actor_user_id,
                       actor_unit_id, occurred_at, received_at, lat, lon, accuracy_m, evidence,
                       status_after)
    row = {
        "id": event_id, "item_id": head.item_id, "seq": seq, "type": event_type.value,
        "actor_user_id": actor_user_id, "actor_unit_id": actor_unit_id,
        "occurred_at": occurred_at, "received_at": received_at,
        "lat": lat, "lon": lon, "accuracy_m": accuracy_m, "evidence": evidence,
        "status_after": status_after, "previous_hash": head.head_hash,
        "hash": (chain_hash_of_decoded if string_keys else chain_hash)(body, head.head_hash),
        "payload_digest": payload_digest,
    }
    kept = conflict is not None and status_after == head.status
    filed_at = head.filed_at if kept else filing_time_after(event_type, status_after,
                                                            occurred_at, head.filed_at)
    return Step(row, conflict, filed_at, kept)
