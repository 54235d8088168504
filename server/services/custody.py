"""Appending custody events to an item's hash chain, and verifying every chain."""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Text, cast, func, select

from server.domain.custody_chain import (
    BrokenLink,
    ChainWalk,
    canonical_json_with_plain,
    chain_hash,
    loads_plain,
)
from server.domain.errors import DomainError
from server.domain.geo import Position
from server.domain.lifecycle import EventType, ItemKind, ItemStatus, apply_event, field_target
from server.extensions import db
from server.models import CustodyEvent, Item, User
from server.models.types import utc_now
from server.services.flags import FlagContext, flag_event
from server.services.notifications import queue_for_event
from server.services.flags import raise_flag as raise_flag  # re-exported: handovers use it


def iso_utc(moment: datetime) -> str:
    """The one textual form of a time inside a hash: UTC, microseconds, `Z`."""
    utc = moment.astimezone(timezone.utc)
    if utc.year < 1000:  # strftime writes such years unpadded: keep its exact text
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # isoformat is several times faster than strftime and, for UTC, ends in "+00:00".
    return utc.isoformat(timespec="microseconds")[:-6] + "Z"


def event_body(event: CustodyEvent, tracking_number: str) -> dict[str, Any]:
    """The fields of an event that its hash covers: every column that carries meaning."""
    return stored_body(event.id, tracking_number, event.seq, event.type, event.actor_user_id,
                       event.actor_unit_id, event.occurred_at, event.received_at, event.lat,
                       event.lon, event.accuracy_m, event.evidence, event.status_after)


def stored_body(event_id: str, tracking_number: str, seq: int, event_type: str,
                actor_user_id: int, actor_unit_id: int, occurred_at: datetime | str,
                received_at: datetime | str, lat: float | None, lon: float | None,
                accuracy_m: float | None, evidence: Any, status_after: str) -> dict[str, Any]:
    """`event_body` from the column values themselves (the verifier reads plain rows)."""
    position = None
    if lat is not None or lon is not None or accuracy_m is not None:
        # Any of the three set makes the whole position part of the hash: a changed
        # accuracy alone must break the chain too.
        position = {"lat": lat, "lon": lon, "accuracy_m": accuracy_m}
    return {
        "id": event_id,
        "tracking_number": tracking_number,
        "seq": seq,
        "type": event_type,
        "actor_user_id": actor_user_id,
        "actor_unit_id": actor_unit_id,
        # A str is `iso_utc`'s text already (the verifier reads it so from SQLite).
        "occurred_at": occurred_at if type(occurred_at) is str else iso_utc(occurred_at),
        "received_at": received_at if type(received_at) is str else iso_utc(received_at),
        "position": position,
        "evidence": evidence,
        "status_after": status_after,
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
) -> CustodyEvent:
    """Apply one event to an item: new status, new holder, next link of the chain, flags.

    `sent_at` is the phone's clock when it sent the event (sync), checked for skew.
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
    _record_filing_time(item, event_type, status_after, occurred_at)
    db.session.add(event)
    db.session.flush()
    queue_for_event(item, event)
    flag_event(item, event, FlagContext(actor=actor, status_before=status_before,
                                        conflict=conflict, sent_at=sent_at))
    return event


def _record_filing_time(item: Item, event_type: EventType, status_after: str,
                        occurred_at: datetime) -> None:
    """Keep the item's legal filing time in step with its events (QĐ45 Art.7, Art.7(4)).

    Filed: the signature time. Found incomplete: not filed; the supplement's filing will be.
    """
    if event_type is EventType.filed and status_after == ItemStatus.filed:
        item.filed_at = occurred_at
    elif event_type is EventType.supplement_requested:
        item.filed_at = None


@dataclass(frozen=True)
class VerificationReport:
    """What `verify_custody` found; `first_broken` is None when every chain holds."""

    ok: bool
    items_checked: int
    events_checked: int
    first_broken: dict[str, Any] | None


#: Events fetched per round trip while walking the chains (a server-side cursor on PostgreSQL).
VERIFY_BATCH = 5000


def verify_custody(visit: Callable[[str, str, dict[str, Any]], None] | None = None,
                   batch_size: int = VERIFY_BATCH,
                   item_ids: tuple[int | None, int | None] = (None, None)) -> VerificationReport:
    """Walk every item's chain in order and name the first broken link (DESIGN §5).

    One streamed query reads every item with its events in chain order (plain rows, never
    ORM objects, so memory stays flat over millions of events); each event is hashed once.
    `visit(event_id, tracking_number, evidence)` sees every checked event, so the images an
    evidence names are collected in the same pass. `item_ids` = (first, end): only the items
    with first <= id < end (None: unbounded), for walks in parallel (`proof.verify_all`).
    """
    dialect = db.session.get_bind().dialect
    # Times read as text in SQLAlchemy's SQLite form and rewritten (`_time_text_reader`):
    # several times faster than parsing into datetimes and printing them again.
    occurred, received = _time_as_text(CustodyEvent.occurred_at, dialect.name), _time_as_text(
        CustodyEvent.received_at, dialect.name)
    statement = (
        select(Item.id.label("item_key"), Item.tracking_number, Item.head_hash,
               Item.event_count, CustodyEvent.id, CustodyEvent.seq, CustodyEvent.type,
               CustodyEvent.actor_user_id, CustodyEvent.actor_unit_id, occurred, received,
               CustodyEvent.lat, CustodyEvent.lon, CustodyEvent.accuracy_m,
               cast(CustodyEvent.evidence, Text), CustodyEvent.status_after,
               CustodyEvent.previous_hash, CustodyEvent.hash)
        .outerjoin(CustodyEvent, CustodyEvent.item_id == Item.id)
        .order_by(Item.id, CustodyEvent.seq)
        .execution_options(yield_per=batch_size)
    )
    first_id, end_id = item_ids
    if first_id is not None:
        statement = statement.where(Item.id >= first_id)
    if end_id is not None:
        statement = statement.where(Item.id < end_id)
    as_time = _time_text_reader(dialect)
    items_checked = events_checked = 0
    walk: ChainWalk | None = None
    current_item = current_number = None
    # Core rather than ORM execution, and tuples unpacked by position: at millions of rows
    # the per-row overhead of ORM rows and attribute access is most of the cost.
    result = db.session.connection().execute(statement)
    try:
        for (item_key, number, head_hash, event_count, event_id, seq, event_type, actor_user_id,
             actor_unit_id, occurred_at, received_at, lat, lon, accuracy_m, evidence_text,
             status_after, previous_hash, stored_hash) in result.tuples():
            if item_key != current_item:
                if walk is not None and (broken := walk.finish()) is not None:
                    return _broken(current_number, broken, items_checked, events_checked)
                current_item, current_number = item_key, number
                walk = ChainWalk(head_hash, event_count)
                items_checked += 1
            if event_id is None:
                continue  # an item without events: only its head and count are checked
            events_checked += 1
            occurred_at, received_at = as_time(occurred_at), as_time(received_at)
            canonical = None
            try:
                evidence = None if evidence_text is None else loads_plain(evidence_text)
            except ValueError:
                pass
            else:
                body = stored_body(event_id, number, seq, event_type, actor_user_id,
                                   actor_unit_id, occurred_at, received_at, lat, lon,
                                   accuracy_m, evidence, status_after)
                canonical = canonical_json_with_plain(body, "evidence")
            if canonical is None:
                # What orjson may decode or write otherwise: the standard library's way.
                evidence = None if evidence_text is None else json.loads(evidence_text)
                body = stored_body(event_id, number, seq, event_type, actor_user_id,
                                   actor_unit_id, occurred_at, received_at, lat, lon,
                                   accuracy_m, evidence, status_after)
            broken = walk.add(event_id, seq, body, previous_hash, stored_hash,  # type: ignore[union-attr]
                              canonical)
            if broken is not None:
                return _broken(number, broken, items_checked, events_checked)
            if visit is not None and evidence:
                visit(event_id, number, evidence)
        if walk is not None and (broken := walk.finish()) is not None:
            return _broken(current_number, broken, items_checked, events_checked)
        return VerificationReport(True, items_checked, events_checked, None)
    finally:
        result.close()


#: How SQLAlchemy writes a time into SQLite (UTC, always microseconds); a year below 1000
#: is left to the slow road, since `iso_utc` writes such years unpadded.
_SQLITE_TIME = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}")


def _time_as_text(column: Any, dialect_name: str) -> Any:
    """The column's time as text: SQLite's stored text; PostgreSQL's UTC time written the
    way SQLAlchemy writes times into SQLite (always six digits of microseconds)."""
    if dialect_name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI:SS.US")
    return cast(column, Text)


def _time_text_reader(dialect: Any) -> Callable[[Any], Any]:
    """From a time read by `_time_as_text` to `iso_utc`'s text of the time it stands for.

    Text in SQLAlchemy's SQLite form becomes `iso_utc`'s text directly; anything else
    (a time written by hand, a year below 1000) is parsed as the column's own type parses
    it (a datetime, which `stored_body` prints with `iso_utc`).
    """
    if dialect.name == "postgresql":
        # What PostgreSQL wrote by `to_char` is the UTC wall time, without the zone.
        def parse(text: Any) -> Any:
            return None if text is None else datetime.fromisoformat(text).replace(
                tzinfo=timezone.utc)
    else:
        parse = CustodyEvent.__table__.c.occurred_at.type.dialect_impl(
            dialect).result_processor(dialect, None)
    fullmatch = _SQLITE_TIME.fullmatch

    def read(text: Any) -> Any:
        if type(text) is str and fullmatch(text):
            return f"{text[:10]}T{text[11:]}Z"
        return parse(text) if parse is not None else text

    return read


def _broken(tracking_number: str | None, broken: BrokenLink, items_checked: int,
            events_checked: int) -> VerificationReport:
    """The report of a walk that stopped at a broken link of an item's chain."""
    return VerificationReport(False, items_checked, events_checked, {
        "tracking_number": tracking_number, "event_id": broken.event_id,
        "reason": str(broken.reason)})
