"""Appending custody events to an item's hash chain, and verifying every chain."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from server.domain.custody_chain import ChainLink, chain_hash, first_broken_link
from server.domain.errors import DomainError
from server.domain.geo import Position
from server.domain.lifecycle import EventType, ItemKind, ItemStatus, apply_event, field_target
from server.extensions import db
from server.models import CustodyEvent, Item, User
from server.models.types import utc_now
from server.services.flags import FlagContext, RecentFixes, flag_event
from server.services.flags import raise_flag as raise_flag  # re-exported: handovers use it


def iso_utc(moment: datetime) -> str:
    """The one textual form of a time inside a hash: UTC, microseconds, `Z`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_body(event: CustodyEvent, tracking_number: str) -> dict[str, Any]:
    """The fields of an event that its hash covers: every column that carries meaning."""
    position = None
    if event.lat is not None or event.lon is not None or event.accuracy_m is not None:
        # Any of the three set makes the whole position part of the hash: a changed
        # accuracy alone must break the chain too.
        position = {"lat": event.lat, "lon": event.lon, "accuracy_m": event.accuracy_m}
    return {
        "id": event.id,
        "tracking_number": tracking_number,
        "seq": event.seq,
        "type": event.type,
        "actor_user_id": event.actor_user_id,
        "actor_unit_id": event.actor_unit_id,
        "occurred_at": iso_utc(event.occurred_at),
        "received_at": iso_utc(event.received_at),
        "position": position,
        "evidence": event.evidence,
        "status_after": event.status_after,
    }


@dataclass(frozen=True)
class Holder:
    """Who has the item after an event: a person of a unit, or a unit, or nobody (delivered)."""

    user_id: int | None
    unit_id: int | None


def _next_status(item: Item, event_type: EventType, occurred_at: datetime) -> tuple[str, dict[str, Any] | None]:
    """The status after the event, and the conflict evidence when it does not fit.

    The field is the truth (DESIGN §4): an event that no longer fits the item's state is
    recorded anyway; the item takes the state the event reports unless a later event
    already moved it on.
    """
    current = ItemStatus(item.status) if item.status else None
    try:
        return apply_event(ItemKind(item.kind), current, event_type).value, None
    except DomainError as refusal:
        conflict = {"status_before": item.status, "event_type": event_type.value,
                    "reason": refusal.code}
    target = field_target(ItemKind(item.kind), event_type)
    latest = db.session.execute(
        select(CustodyEvent.occurred_at).where(CustodyEvent.item_id == item.id)
        .order_by(CustodyEvent.seq.desc()).limit(1)
    ).scalar_one_or_none()
    if target is None or (latest is not None and latest > occurred_at):
        return item.status, conflict
    return target.value, conflict


def append_event(
    item: Item,
    event_type: EventType,
    actor: User,
    *,
    occurred_at: datetime | None = None,
    position: Position | None = None,
    evidence: dict[str, Any] | None = None,
    event_id: str | None = None,
    holder: Holder | None = None,
    received_at: datetime | None = None,
    sent_at: datetime | None = None,
    fixes: RecentFixes | None = None,
    flush: bool = True,
) -> CustodyEvent:
    """Apply one event to an item: new status, new holder, next link of the chain, flags.

    `sent_at` is the phone's clock when it sent the event (sync), checked for skew.
    A batch (sync) passes the actor's `fixes` it keeps across its events and `flush=False`:
    its events then reach the database together, at its own flush (a query in between still
    autoflushes them, so every check sees the events before it).
    """
    # An explicit server time is only for replaying history (the demo seed); live paths omit it.
    received_at = received_at or utc_now()
    occurred_at = occurred_at or received_at
    status_before = item.status or None  # the checks judge the event against this state
    status_after, conflict = _next_status(item, event_type, occurred_at)
    event = CustodyEvent(
        id=event_id or str(uuid.uuid4()),
        item_id=item.id,
        seq=item.event_count + 1,
        type=event_type.value,
        actor_user_id=actor.id,
        actor_unit_id=actor.unit_id,
        occurred_at=occurred_at,
        received_at=received_at,
        lat=position.lat if position else None,
        lon=position.lon if position else None,
        accuracy_m=position.accuracy_m if position else None,
        evidence=evidence or {},
        status_after=status_after,
        previous_hash=item.head_hash,
        hash="",
    )
    event.hash = chain_hash(event_body(event, item.tracking_number), event.previous_hash)
    item.status = status_after
    item.event_count = event.seq
    item.head_hash = event.hash
    if holder is not None:
        item.holder_user_id, item.holder_unit_id = holder.user_id, holder.unit_id
    db.session.add(event)
    if flush:
        db.session.flush()
    flag_event(item, event, FlagContext(actor=actor, status_before=status_before,
                                        conflict=conflict, sent_at=sent_at, fixes=fixes))
    return event


@dataclass(frozen=True)
class VerificationReport:
    """What `verify_custody` found; `first_broken` is None when every chain holds."""

    ok: bool
    items_checked: int
    events_checked: int
    first_broken: dict[str, Any] | None


def verify_custody(batch_size: int = 500) -> VerificationReport:
    """Walk every item's chain in order and name the first broken link (DESIGN §5)."""
    items_checked = events_checked = 0
    last_id = 0
    while True:
        items = db.session.execute(
            select(Item).where(Item.id > last_id).order_by(Item.id).limit(batch_size)
        ).scalars().all()
        if not items:
            return VerificationReport(True, items_checked, events_checked, None)
        events_by_item: dict[int, list[CustodyEvent]] = {item.id: [] for item in items}
        for event in db.session.execute(
            select(CustodyEvent).where(CustodyEvent.item_id.in_(events_by_item))
            .order_by(CustodyEvent.item_id, CustodyEvent.seq)
        ).scalars():
            events_by_item[event.item_id].append(event)
        for item in items:
            events = events_by_item[item.id]
            items_checked += 1
            events_checked += len(events)
            broken = _first_broken_in_item(item, events)
            if broken is not None:
                return VerificationReport(False, items_checked, events_checked, broken)
        last_id = items[-1].id
        # Only what this walk loaded leaves the session: memory stays flat over millions of
        # events, and anything the caller had pending is left alone.
        for loaded in [*items, *(e for found in events_by_item.values() for e in found)]:
            db.session.expunge(loaded)


def _first_broken_in_item(item: Item, events: list[CustodyEvent]) -> dict[str, Any] | None:
    """Check one chain: links, hashes, numbering and the item's recorded head."""
    links = [ChainLink(e.id, event_body(e, item.tracking_number), e.previous_hash, e.hash)
             for e in events]
    broken = first_broken_link(links, item.head_hash)
    if broken is None:
        for expected_seq, event in enumerate(events, start=1):
            if event.seq != expected_seq:
                broken_id, reason = event.id, "sequence_gap"
                break
        else:
            if len(events) != item.event_count:
                broken_id, reason = (events[-1].id if events else None), "event_count_mismatch"
            else:
                return None
    else:
        broken_id, reason = broken.event_id, broken.reason
    return {"tracking_number": item.tracking_number, "event_id": broken_id, "reason": reason}
