"""Appending custody events to an item's hash chain (one writer), and verifying every chain."""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    bindparam,
    cast,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from server.custody.flags import FlagContext, FlagLimits, RecentFixes, found_flags
from server.custody.flags import (
    raise_flag as raise_flag,  # re-exported: handovers use it
)
from server.domain.custody_chain import (
    BrokenLink,
    ChainWalk,
    canonical_json_with_plain,
    loads_plain,
    stored_body,
)
from server.domain.custody_chain import (
    iso_utc as iso_utc,  # re-exported: export, corrections
)
from server.domain.custody_step import (
    Holder as Holder,  # re-exported: its callers name it
)
from server.domain.custody_step import ItemHead, Step, step
from server.domain.flags import FlagCode
from server.domain.geo import Position
from server.domain.lifecycle import EventType
from server.extensions import db
from server.models import AuditFlag, CustodyEvent, Item, Notification, User
from server.models.types import utc_now
from server.notifications.service import notification_row


def event_body(event: CustodyEvent, tracking_number: str) -> dict[str, Any]:
    """The fields of an event that its hash covers: every column that carries meaning."""
    return stored_body(event.id, tracking_number, event.seq, event.type, event.actor_user_id,
                       event.actor_unit_id, event.occurred_at, event.received_at, event.lat,
                       event.lon, event.accuracy_m, event.evidence, event.status_after)


def _head(item: Item) -> ItemHead:
    """The item's state and chain head, as the pure step reads them."""
    return ItemHead(item.id, item.tracking_number, item.kind, item.status or None,
                    item.event_count, item.head_hash, item.filed_at)


_EVENTS = CustodyEvent.__table__
#: The statements of the writer, built once: building one costs more than running it.
_LATEST_OCCURRED_AT = (select(_EVENTS.c.occurred_at).where(_EVENTS.c.item_id == bindparam("item_id"))
                       .order_by(_EVENTS.c.seq.desc()).limit(1))
_INSERT_EVENTS = insert(_EVENTS)
_INSERT_FLAGS = insert(AuditFlag.__table__)
_INSERT_NOTIFICATIONS = insert(Notification.__table__)


def _latest_stored_occurred_at(item_id: int) -> datetime | None:
    """When the item's last event (by chain order) happened, as the database has it."""
    return db.session.execute(_LATEST_OCCURRED_AT, {"item_id": item_id}).scalar_one_or_none()


def _move_item(item: Item, applied: Step, holder: Holder | None) -> None:
    """Put the item in the state the event left it in: status, chain head, holder, filing.

    Set as already stored: the writer's one UPDATE stores them, never the session's flush.
    """
    set_committed_value(item, "status", applied.row["status_after"])
    set_committed_value(item, "event_count", applied.row["seq"])
    set_committed_value(item, "head_hash", applied.row["hash"])
    if holder is not None and not applied.kept:  # an event that moved nothing moves no custody
        set_committed_value(item, "holder_user_id", holder.user_id)
        set_committed_value(item, "holder_unit_id", holder.unit_id)
    if applied.filed_at != item.filed_at:
        set_committed_value(item, "filed_at", applied.filed_at)


class CustodyWriter:
    """The one way custody events reach the database, one event or a sync batch alike.

    `add` applies an event to its row-locked item (`server.domain.custody_step.step`: the
    next link of the chain, the status, the holder), then computes everything the event
    causes before anything is written: its audit flags (`found_flags`, which read this
    writer's unwritten rows beside the database, so a check never triggers a write) and its
    notification. `write` then stores all that was added with one statement per table, in
    foreign-key order: one executemany INSERT of the events, of their flags, of their
    notifications, and one executemany UPDATE of the items they moved. The item objects
    take their new state as already stored, so the session never writes those fields.

    A writer writes the events of one actor (`actor`): the speed check remembers that
    person's fixes across its events. `write` raises IntegrityError when a row clashes with
    one another request stored meanwhile (an event id); its caller decides (one event: the
    request fails; a sync batch: `server.custody.sync.sync_events`).
    """

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.fixes = RecentFixes(actor.id)
        self.limits = FlagLimits.current()
        self._events: list[dict[str, Any]] = []
        self._flags: list[dict[str, Any]] = []
        self._notifications: list[dict[str, Any]] = []
        self._items: dict[int, Item] = {}

    def add(self, item: Item, event_type: EventType, *, event_id: str, occurred_at: datetime,
            received_at: datetime, position: Position | None, evidence: dict[str, Any],
            holder: Holder | None, sent_at: datetime | None = None,
            payload_digest: str | None = None, string_keys: bool = False,
            found: tuple[tuple[FlagCode, dict[str, Any]], ...] = ()) -> dict[str, Any]:
        """Apply one event to the row-locked `item`, compute its flags and notification;
        answer the event's row. Nothing is written before `write`.

        `string_keys`: `evidence` is a JSON-mode dump of a model (see `step`). `sent_at`:
        the phone's clock when it sent the event (sync), checked for skew. `payload_digest`:
        what the client sent under `event_id` (sync), so that a reused id is told from a
        resend. `found`: flags the caller's own checks found (sync: `not_holder`, `backdated`).
        """
        actor = self.actor
        status_before = item.status or None  # the checks judge the event against this state
        applied = step(_head(item), event_type, event_id=event_id, actor_user_id=actor.id,
                       actor_unit_id=actor.unit_id, occurred_at=occurred_at,
                       received_at=received_at, position=position, evidence=evidence,
                       latest_occurred_at=lambda: self._latest_occurred_at(item.id),
                       string_keys=string_keys, payload_digest=payload_digest)
        _move_item(item, applied, holder)
        row = applied.row
        context = FlagContext(actor=actor, status_before=status_before, fixes=self.fixes,
                              limits=self.limits, conflict=applied.conflict, sent_at=sent_at,
                              pending=self._events, found=found)
        # The flag is raised when the event comes in (a replayed history keeps its times).
        self._flags.extend({"code": code, "item_id": item.id, "event_id": event_id,
                            "details": details, "created_at": received_at}
                           for code, details in found_flags(item, row, context))
        notification = notification_row(item, row)
        if notification is not None:
            self._notifications.append(notification)
        self._items[item.id] = item
        self._events.append(row)
        return row

    def _latest_occurred_at(self, item_id: int) -> datetime | None:
        """The time of the item's last event, this writer's unwritten ones included."""
        for row in reversed(self._events):
            if row["item_id"] == item_id:
                return row["occurred_at"]  # type: ignore[no-any-return]
        return _latest_stored_occurred_at(item_id)

    def write(self) -> None:
        """Write every row added since the last write (raises IntegrityError on a clash).

        The session is flushed first: the items and whatever else the caller changed are
        in the database before the rows that name them.
        """
        session = db.session
        session.flush()
        if self._events:
            session.execute(_INSERT_EVENTS, self._events)
        if self._flags:
            session.execute(_INSERT_FLAGS, self._flags)
        if self._notifications:
            session.execute(_INSERT_NOTIFICATIONS, self._notifications)
        if self._items:
            session.execute(_ITEM_UPDATE, [
                {"item_key": item.id, "new_status": item.status,
                 "new_event_count": item.event_count, "new_head_hash": item.head_hash,
                 "new_holder_user_id": item.holder_user_id,
                 "new_holder_unit_id": item.holder_unit_id, "new_filed_at": item.filed_at}
                for item in self._items.values()])
        self._events, self._flags, self._notifications, self._items = [], [], [], {}


_ITEMS = Item.__table__
#: The fields an event moves, for every item a writer touched (one executemany).
_ITEM_UPDATE = (
    update(_ITEMS).where(_ITEMS.c.id == bindparam("item_key"))
    .values(status=bindparam("new_status"), event_count=bindparam("new_event_count"),
            head_hash=bindparam("new_head_hash"), holder_user_id=bindparam("new_holder_user_id"),
            holder_unit_id=bindparam("new_holder_unit_id"), filed_at=bindparam("new_filed_at"))
)


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
) -> CustodyEvent:
    """Apply one event to an item and write it at once: a `CustodyWriter` batch of one.

    Answers the stored event, in the session like a loaded one.
    """
    # An explicit server time is only for replaying history (the demo seed); live paths omit it.
    received_at = received_at or utc_now()
    writer = CustodyWriter(actor)
    row = writer.add(item, event_type, event_id=event_id or str(uuid.uuid4()),
                     occurred_at=occurred_at or received_at, received_at=received_at,
                     position=position, evidence=evidence or {}, holder=holder)
    writer.write()
    return _as_stored(row)


def _as_stored(row: dict[str, Any]) -> CustodyEvent:
    """The event `row` describes, already written, as a persistent object of the session."""
    event = CustodyEvent(**row)
    make_transient_to_detached(event)
    db.session.add(event)
    return event


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
                   item_ids: tuple[int | None, int | None] = (None, None),
                   items_where: ColumnElement[bool] | None = None) -> VerificationReport:
    """Walk every item's chain in order and name the first broken link (docs/design.md §4).

    One streamed query reads every item with its events in chain order (plain rows, never
    ORM objects, so memory stays flat over millions of events); each event is hashed once.
    `visit(event_id, tracking_number, evidence)` sees every checked event, so the images an
    evidence names are collected in the same pass. `item_ids` = (first, end): only the items
    with first <= id < end (None: unbounded), for walks in parallel (`proof.verify_all`);
    `items_where`: only the items it holds for (a caller's scope, `scope.visible_items`).
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
    if items_where is not None:
        statement = statement.where(items_where)
    as_time = _time_text_reader(dialect)
    items_checked = events_checked = 0
    walk: ChainWalk | None = None
    current_item = current_number = None
    # Core rather than ORM execution, and tuples unpacked by position: at millions of rows
    # the per-row overhead of ORM rows and attribute access is most of the cost.
    result = db.session.connection().execute(statement)
    try:
        for (item_key, number, head_hash, event_count, event_id, seq, event_type, actor_user_id,
             actor_unit_id, occurred_text, received_text, lat, lon, accuracy_m, evidence_text,
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
            occurred_at, received_at = as_time(occurred_text), as_time(received_text)
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
    parse: Callable[[Any], Any] | None
    if dialect.name == "postgresql":
        # What PostgreSQL wrote by `to_char` is the UTC wall time, without the zone.
        def parse_utc_text(text: Any) -> Any:
            return None if text is None else datetime.fromisoformat(text).replace(
                tzinfo=UTC)
        parse = parse_utc_text
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
