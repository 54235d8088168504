"""Proof that nothing was changed: sealed daily Merkle roots, and one verification of it all.

A day's root covers every custody event received that local day (Asia/Ho_Chi_Minh), the
leaves being the events' hashes ordered by (received_at, id). A root is written once and
never rewritten, so the one number printed for the day (`custody seal-day`) keeps vouching for
the day (docs/design.md §4). `verify_all` checks every chain, every sealed day and every image an
event or a handover record names, and reports the first thing that fails.
"""
from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, func, select, true

from server.core.errors import Conflict
from server.custody.events import VerificationReport, verify_custody
from server.domain.custody_chain import merkle_root
from server.domain.evidence_images import media_fields
from server.domain.image_files import is_sha256
from server.domain.local_time import day_bounds, day_text, local_day
from server.domain.s10 import make_tracking_number
from server.domain.signed_note import (
    NoteError,
    parse_checkpoint,
    sealed_day_of,
    split_note,
)
from server.extensions import SQLITE_READ_ONLY, db
from server.media.retention import past_retention
from server.media.storage import MediaStorage, as_media_storage
from server.models import (
    CustodyEvent,
    DailyRoot,
    HandoverRecord,
    Item,
    LogCheckpoint,
    LogEntry,
    TrackingSerial,
)
from server.models.types import utc_now
from server.transparency.audit import LogReport, verify_log
from server.transparency.log import LOGGING_GRACE, latest_checkpoint

#: A day is sealed only this long after it ends: requests that took their server time just
#: before midnight have committed by then, so the root covers every event of the day.
SEAL_GRACE = timedelta(minutes=5)


def last_closed_day(now: datetime | None = None) -> date:
    """Yesterday in Asia/Ho_Chi_Minh: the default day to seal."""
    return local_day(now or utc_now()) - timedelta(days=1)


@dataclass(frozen=True)
class DayDigest:
    """A day's root as recomputed from the events now stored."""

    day: date
    root: str | None
    event_count: int


def compute_day_root(day: date) -> DayDigest:
    """Recompute a day's Merkle root from its events; root None when a stored hash is not one."""
    start, end = day_bounds(day)
    # Ids compare by code point, as Python would: PostgreSQL's "C" collation, SQLite's
    # default BINARY (a language collation may skip the hyphens of a UUID).
    event_id = (CustodyEvent.id.collate("C")
                if db.session.get_bind().dialect.name == "postgresql" else CustodyEvent.id)
    # Core execution: the ORM's result costs more than the hashing over a busy day.
    leaves = list(db.session.connection().execute(
        select(CustodyEvent.hash)
        .where(CustodyEvent.received_at >= start, CustodyEvent.received_at < end)
        .order_by(CustodyEvent.received_at, event_id)
    ).scalars())
    try:
        return DayDigest(day, merkle_root(leaves), len(leaves))
    except ValueError:  # a hash column rewritten with something that is not a SHA-256
        return DayDigest(day, None, len(leaves))


@dataclass(frozen=True)
class SealOutcome:
    """The day's stored root, whether this call wrote it, and whether the events still match."""

    sealed: DailyRoot
    created: bool
    verified: bool
    recomputed: DayDigest


def _matches(sealed: DailyRoot, digest: DayDigest) -> bool:
    """True when the recomputed root and count are the stored ones."""
    return sealed.root == digest.root and sealed.event_count == digest.event_count


def seal_day(day: date, now: datetime | None = None) -> SealOutcome:
    """Store the day's root once; a day already sealed is only verified, never rewritten."""
    now = now or utc_now()
    if now < day_bounds(day)[1] + SEAL_GRACE:
        raise Conflict("day_open",
                       f"Ngày {day_text(day)} chưa kết thúc nên chưa thể niêm phong.",
                       {"day": day.isoformat()})
    digest = compute_day_root(day)
    sealed = db.session.get(DailyRoot, day)
    if sealed is not None:
        return SealOutcome(sealed, created=False, verified=_matches(sealed, digest),
                           recomputed=digest)
    if digest.root is None:
        raise Conflict("day_unverifiable",
                       f"Ngày {day_text(day)} có sự kiện mang mã băm hỏng; chạy kiểm tra chuỗi.",
                       {"day": day.isoformat()})
    checkpoint = _days_last_checkpoint(day, digest.event_count)
    sealed = DailyRoot(day=day, root=digest.root, event_count=digest.event_count,
                       computed_at=now,
                       log_size=checkpoint.tree_size if checkpoint is not None else None,
                       log_root=checkpoint.root.hex() if checkpoint is not None else None)
    db.session.add(sealed)
    db.session.flush()
    return SealOutcome(sealed, created=True, verified=True, recomputed=digest)


def _days_last_checkpoint(day: date, event_count: int) -> LogCheckpoint | None:
    """The custody log's first checkpoint that holds every event of the day: what the
    supervisor's daily report prints. None while some event of the day is not logged yet."""
    start, end = day_bounds(day)
    logged, last_index = db.session.execute(
        select(func.count(LogEntry.log_index), func.max(LogEntry.log_index))
        .join(CustodyEvent, CustodyEvent.id == LogEntry.event_id)
        .where(CustodyEvent.received_at >= start, CustodyEvent.received_at < end)).one()
    if logged != event_count:
        return None
    return db.session.execute(
        select(LogCheckpoint).where(LogCheckpoint.tree_size >= (last_index or -1) + 1)
        .order_by(LogCheckpoint.tree_size).limit(1)).scalar_one_or_none()


def sealed_day(day: date) -> DailyRoot | None:
    """The stored root of a day, or None when the day was never sealed."""
    return db.session.get(DailyRoot, day)


def verify_sealed_day(sealed: DailyRoot) -> bool:
    """True when the day's events still give its stored root."""
    return _matches(sealed, compute_day_root(sealed.day))


# --- images -----------------------------------------------------------------------------

def media_file_problem(storage: MediaStorage | str, sha256: str) -> str | None:
    """`media_missing` or `media_hash_mismatch` for a stored image; None when it is intact."""
    if not is_sha256(sha256):
        return "media_missing"  # not a hash, so no file can be named by it
    try:
        with as_media_storage(storage).open(sha256) as stream:
            # Typed IO lacks `readinto`, which the stores' files and streams have.
            digest = hashlib.file_digest(stream, "sha256").hexdigest()  # type: ignore[arg-type]
    except OSError:
        return "media_missing"
    return None if digest == sha256 else "media_hash_mismatch"


@dataclass(frozen=True)
class MediaReference:
    """Where an image is named: an event's evidence field, or a handover's signature."""

    sha256: str
    field: str
    tracking_number: str | None = None
    event_id: str | None = None
    handover_id: int | None = None


class MediaReferences:
    """The first place each image is named: events as the chain walk visits them, then the
    signed handover records. Collected during the walk, so the evidence is read only once.
    """

    def __init__(self) -> None:
        self.first: dict[str, MediaReference] = {}

    def visit_event(self, event_id: str, tracking_number: str, evidence: Any) -> None:
        """Record the images an event's evidence names (a `visit` of `verify_custody`)."""
        if not evidence:
            return
        for field, sha256 in media_fields(evidence):
            if sha256 not in self.first:
                self.first[sha256] = MediaReference(sha256, field, tracking_number, event_id)

    def in_order(self, batch_size: int = 1000,
                 with_handovers: bool = True) -> Iterator[MediaReference]:
        """Every image once: those events name (chain order), then handover signatures
        (unless `with_handovers` is False: a scoped walk checks its events' images only)."""
        yield from self.first.values()
        if not with_handovers:
            return
        for column in (HandoverRecord.receiver_signature_sha256,
                       HandoverRecord.sender_signature_sha256):
            handovers = db.session.execute(
                select(HandoverRecord.id, column).where(column.is_not(None))
                .order_by(HandoverRecord.id).execution_options(yield_per=batch_size)
            )
            for handover_id, sha256 in handovers:
                if sha256 not in self.first:
                    yield MediaReference(sha256, column.key, handover_id=handover_id)


# --- everything at once -----------------------------------------------------------------

@dataclass(frozen=True)
class ProofReport:
    """What `verify_all` found; `first_broken` is None when everything holds."""

    ok: bool
    items_checked: int
    events_checked: int
    days_checked: int
    media_checked: int
    first_broken: dict[str, Any] | None
    log_entries_checked: int = 0
    checkpoints_checked: int = 0


def _first_unsealed_gap() -> dict[str, Any] | None:
    """The first sealed day missing: the last sealed day named by the latest signed
    checkpoint (its extension line) must still be there with the same root, and no day may
    be missing between the first and the last sealed day (sealing is nightly, so a hole is
    a sealed day deleted)."""
    latest = latest_checkpoint()
    if latest is not None:
        try:
            named = sealed_day_of(parse_checkpoint(split_note(latest.note)[0]))
        except NoteError:
            named = None  # a note that does not parse is named by the log's own checks
        if named is not None:
            day, root, event_count = named
            kept = db.session.get(DailyRoot, day)
            if kept is None:
                return {"tracking_number": None, "event_id": None, "reason": "day_not_sealed",
                        "day": day.isoformat(), "tree_size": latest.tree_size}
            if (kept.root, kept.event_count) != (root, event_count):
                return {"tracking_number": None, "event_id": None,
                        "reason": "day_seal_changed", "day": day.isoformat(),
                        "tree_size": latest.tree_size}
    days = list(db.session.execute(select(DailyRoot.day).order_by(DailyRoot.day)).scalars())
    for before, after in itertools.pairwise(days):
        if after - before > timedelta(days=1):
            return {"tracking_number": None, "event_id": None, "reason": "day_not_sealed",
                    "day": (before + timedelta(days=1)).isoformat()}
    return None


def _first_unlogged_event(items_where: ColumnElement[bool] | None = None
                          ) -> dict[str, Any] | None:
    """The first event (of the items `items_where` holds for) that the custody log should
    hold but does not, or holds twice. An event deleted and its chain re-hashed leaves a
    missing entry (`logged_event_missing`); this is the other way round: an event written
    into the database behind the integrator's back, or its entry deleted."""
    latest = latest_checkpoint()
    if latest is None:
        return None  # no log yet: nothing can be asked of it
    event_id = (CustodyEvent.id.collate("C")
                if db.session.get_bind().dialect.name == "postgresql" else CustodyEvent.id)
    unlogged = (select(Item.tracking_number, CustodyEvent.id)
                .join(Item, Item.id == CustodyEvent.item_id)
                .outerjoin(LogEntry, LogEntry.event_id == CustodyEvent.id)
                .where(LogEntry.log_index.is_(None),
                       CustodyEvent.received_at < latest.signed_at - LOGGING_GRACE)
                .order_by(CustodyEvent.received_at, event_id).limit(1))
    if items_where is not None:
        unlogged = unlogged.where(items_where)
    found = db.session.execute(unlogged).first()
    if found is not None:
        return {"tracking_number": found[0], "event_id": found[1], "reason": "event_not_logged",
                "tree_size": latest.tree_size}
    twice = (select(Item.tracking_number, LogEntry.event_id)
             .join(CustodyEvent, CustodyEvent.id == LogEntry.event_id)
             .join(Item, Item.id == CustodyEvent.item_id)
             .group_by(Item.tracking_number, LogEntry.event_id)
             .having(func.count(LogEntry.log_index) > 1).limit(1))
    if items_where is not None:
        twice = twice.where(items_where)
    found = db.session.execute(twice).first()
    if found is not None:
        return {"tracking_number": found[0], "event_id": found[1], "reason": "event_logged_twice"}
    return None


def _first_serial_gap() -> dict[str, Any] | None:
    """The first S10 number handed out (1 to the prefix's last serial) whose item is gone:
    serials are bumped in the item's own transaction, so a hole is an item deleted."""
    for prefix, last_serial in db.session.execute(
            select(TrackingSerial.prefix, TrackingSerial.last_serial)
            .order_by(TrackingSerial.prefix)).tuples().all():
        present = {int(number[2:10]) for number in db.session.execute(
            select(Item.tracking_number).where(Item.tracking_number.like(f"{prefix}%"))
        ).scalars() if number[2:10].isdigit()}
        for serial in range(1, last_serial + 1):
            if serial not in present:
                return {"tracking_number": make_tracking_number(prefix, serial),
                        "event_id": None, "reason": "serial_gap", "prefix": prefix,
                        "serial": serial}
    return None


def _log_checks(items_where: ColumnElement[bool] | None = None
                ) -> tuple[LogReport, dict[str, Any] | None]:
    """The custody log's checks, in order: the log itself (entries, tiles, every kept and
    cosigned checkpoint, witness refusals, sealed days' checkpoints), every event (of the
    scope) logged exactly once, then no S10 number missing. A scoped walk names an event
    of another scope by its log index only."""
    log = verify_log()
    broken = log.first_broken
    if broken is not None and items_where is not None and broken.get("event_id"):
        in_scope = db.session.execute(
            select(CustodyEvent.id).join(Item, Item.id == CustodyEvent.item_id)
            .where(CustodyEvent.id == broken["event_id"], items_where)).first()
        if in_scope is None:
            broken = {**broken, "event_id": None}
    if broken is None:
        broken = _first_unlogged_event(items_where)
    if broken is None:
        broken = _first_serial_gap()
    return log, broken


def _first_broken_day(days: tuple[date, date] | None = None) -> tuple[int, dict[str, Any] | None]:
    """Recompute every sealed day (or those from days[0] to days[1]), oldest first; answer
    how many held and the first that did not."""
    checked = 0
    query = select(DailyRoot).order_by(DailyRoot.day)
    if days is not None:
        query = query.where(DailyRoot.day >= days[0], DailyRoot.day <= days[1])
    for sealed in db.session.execute(query).scalars().all():
        digest = compute_day_root(sealed.day)
        checked += 1
        if not _matches(sealed, digest):
            return checked, {
                "tracking_number": None, "event_id": None, "reason": "day_root_mismatch",
                "day": sealed.day.isoformat(), "stored_root": sealed.root,
                "recomputed_root": digest.root, "stored_event_count": sealed.event_count,
                "recomputed_event_count": digest.event_count,
            }
    return checked, None


def _first_broken_media(storage: MediaStorage, references: MediaReferences,
                        with_handovers: bool = True) -> tuple[int, dict[str, Any] | None]:
    """Hash every named image's file once; answer how many and the first missing or changed.

    A file deleted by the retention rule (past MEDIA_RETENTION_DAYS, every item closed) is
    expected to be gone; a changed file is a break whatever its age.
    """
    purged = past_retention(current_app.config["MEDIA_RETENTION_DAYS"])
    seen: set[str] = set()
    for reference in references.in_order(with_handovers=with_handovers):
        if reference.sha256 in seen:
            continue
        seen.add(reference.sha256)
        problem = media_file_problem(storage, reference.sha256)
        if problem == "media_missing" and reference.sha256 in purged:
            continue
        if problem is not None:
            broken: dict[str, Any] = {
                "tracking_number": reference.tracking_number, "event_id": reference.event_id,
                "reason": problem, "media_sha256": reference.sha256, "field": reference.field,
            }
            if reference.handover_id is not None:
                broken["handover_id"] = reference.handover_id
            return len(seen), broken
    return len(seen), None


def verify_all(storage: MediaStorage | str, jobs: int = 1) -> ProofReport:
    """Every chain, then every sealed day, then every image in `storage`; stops at the first break.

    `jobs` > 1 walks the chains in that many worker processes (forked, each its own
    connection); the report is the one a single process gives. Not for a request handler.
    """
    if not db.session().in_transaction():
        # Only reading: on SQLite a plain BEGIN, not the write lock a command takes.
        db.session.connection(execution_options={SQLITE_READ_ONLY: True})
    days: tuple[int, dict[str, Any] | None] | None = None
    if jobs > 1 and _can_fork():
        chains, references, days = _in_parallel(jobs)
    else:
        references = MediaReferences()
        chains = verify_custody(visit=references.visit_event)
    days_checked = media_checked = 0
    broken = chains.first_broken
    log = None
    if broken is None:
        log, broken = _log_checks()
    if broken is None:
        days_checked, broken = days if days is not None else _first_broken_day()
    if broken is None:
        broken = _first_unsealed_gap()
    if broken is None:
        media_checked, broken = _first_broken_media(as_media_storage(storage), references)
    return ProofReport(ok=broken is None, items_checked=chains.items_checked,
                       events_checked=chains.events_checked, days_checked=days_checked,
                       media_checked=media_checked, first_broken=broken,
                       log_entries_checked=log.entries_checked if log else 0,
                       checkpoints_checked=log.checkpoints_checked if log else 0)


# --- one scope, in steps (the background job of the supervisors' screen) ----------------

#: How many steps a scoped walk takes at least: each step reports progress.
SCOPE_STEPS = 20


def _scoped_ranges(items_where: ColumnElement[bool], steps: int) -> tuple[int, list[tuple[
        int | None, int | None]]]:
    """How many items the scope holds, and (first, end) id ranges of about equal size."""
    total = db.session.execute(select(func.count()).select_from(Item).where(items_where)
                               ).scalar_one()
    bounds: list[int] = []
    for part in range(1, steps):
        bound = db.session.execute(select(Item.id).where(items_where).order_by(Item.id)
                                   .offset(total * part // steps).limit(1)).scalar_one_or_none()
        if bound is not None and (not bounds or bound > bounds[-1]):
            bounds.append(bound)
    edges: list[int | None] = [None, *bounds, None]
    return total, list(itertools.pairwise(edges))


def verify_scope(storage: MediaStorage | str, items_where: ColumnElement[bool] | None,
                 progress: Callable[[ProofReport, int], None]) -> ProofReport:
    """`verify_all` limited to the items `items_where` holds for (None: every item), in
    steps; `progress(report so far, items in scope)` runs between steps, each step its own
    read transaction (so progress can be written in between).

    A scoped walk checks its items' chains, the custody log (whole: it is one tree for
    every province) with every event of its items logged exactly once, the S10 serials and
    the holes between sealed days, then the images its events name; recomputing sealed
    days reads every province's events, so only the whole country's walk (None) does it.
    """
    where = items_where if items_where is not None else true()
    db.session.connection(execution_options={SQLITE_READ_ONLY: True})
    total, ranges = _scoped_ranges(where, SCOPE_STEPS)
    db.session.rollback()
    references = MediaReferences()
    items = events = 0
    broken: dict[str, Any] | None = None
    for item_ids in ranges:
        db.session.connection(execution_options={SQLITE_READ_ONLY: True})
        step = verify_custody(visit=references.visit_event, item_ids=item_ids,
                              items_where=items_where)
        db.session.rollback()
        items, events = items + step.items_checked, events + step.events_checked
        broken = step.first_broken
        progress(ProofReport(False, items, events, 0, 0, None), total)
        if broken is not None:
            break
    days_checked = media_checked = 0
    log = None
    db.session.connection(execution_options={SQLITE_READ_ONLY: True})
    if broken is None:
        log, broken = _log_checks(items_where)
    if broken is None and items_where is None:
        days_checked, broken = _first_broken_day()
    if broken is None:
        broken = _first_unsealed_gap()
    if broken is None:
        media_checked, broken = _first_broken_media(
            as_media_storage(storage), references, with_handovers=items_where is None)
    db.session.rollback()
    return ProofReport(ok=broken is None, items_checked=items, events_checked=events,
                       days_checked=days_checked, media_checked=media_checked,
                       first_broken=broken,
                       log_entries_checked=log.entries_checked if log else 0,
                       checkpoints_checked=log.checkpoints_checked if log else 0)


# --- in parallel ------------------------------------------------------------------------

#: Worker processes `flask custody verify` starts at most by default (one per CPU up to this).
MAX_VERIFY_JOBS = 8

#: The application the forked workers verify with (set just before they are forked).
_WORKER_APP: Any = None


def default_jobs() -> int:
    """Worker processes by default: one per CPU, at most MAX_VERIFY_JOBS."""
    return max(1, min(os.cpu_count() or 1, MAX_VERIFY_JOBS))


def _item_ranges(parts: int) -> list[tuple[int | None, int | None]]:
    """(first, end) item-id ranges, in id order, each about the same number of items."""
    total = db.session.execute(select(func.count()).select_from(Item)).scalar_one()
    bounds: list[int] = []
    for part in range(1, parts):
        bound = db.session.execute(select(Item.id).order_by(Item.id)
                                   .offset(total * part // parts).limit(1)).scalar_one_or_none()
        if bound is not None and (not bounds or bound > bounds[-1]):
            bounds.append(bound)
    edges: list[int | None] = [None, *bounds, None]
    return list(itertools.pairwise(edges))


def _forget_parent_connections() -> None:
    """In a freshly forked worker: never touch the parent's pooled connections."""
    with _WORKER_APP.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def _walk_range(item_ids: tuple[int | None, int | None]
                ) -> tuple[VerificationReport, dict[str, MediaReference]]:
    """In a worker: the chains of one item-id range, and the images their events name."""
    with _WORKER_APP.app_context():
        db.session.connection(execution_options={SQLITE_READ_ONLY: True})
        references = MediaReferences()
        try:
            return verify_custody(visit=references.visit_event, item_ids=item_ids), references.first
        finally:
            db.session.remove()


def _can_fork() -> bool:
    """Workers need fork (they inherit the app) and a database another process can open."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    url = db.engine.url
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def _day_spans(parts: int) -> list[tuple[date, date]]:
    """(first, last) spans of the sealed days, in order, each about the same number of days."""
    days = list(db.session.execute(select(DailyRoot.day).order_by(DailyRoot.day)).scalars())
    size = max(1, -(-len(days) // parts))
    return [(chunk[0], chunk[-1]) for chunk in (days[at:at + size]
                                                for at in range(0, len(days), size))]


def _check_days(span: tuple[date, date]) -> tuple[int, dict[str, Any] | None]:
    """In a worker: `_first_broken_day` over one span of sealed days."""
    with _WORKER_APP.app_context():
        db.session.connection(execution_options={SQLITE_READ_ONLY: True})
        try:
            return _first_broken_day(span)
        finally:
            db.session.remove()


def _in_parallel(jobs: int) -> tuple[VerificationReport, MediaReferences,
                                     tuple[int, dict[str, Any] | None]]:
    """`verify_custody` over item-id ranges and `_first_broken_day` over spans of days, in
    `jobs` forked processes, merged into what one process walking them all would answer
    (the images in the same order too)."""
    global _WORKER_APP  # noqa: PLW0603 (what the forked workers inherit)
    ranges = _item_ranges(jobs * 2)  # more parts than workers: a slow part delays less
    spans = _day_spans(jobs)
    _WORKER_APP = current_app._get_current_object()  # type: ignore[attr-defined]
    references = MediaReferences()
    items = events = days_checked = 0
    broken: dict[str, Any] | None = None
    day_broken: dict[str, Any] | None = None
    with multiprocessing.get_context("fork").Pool(
            jobs, initializer=_forget_parent_connections) as pool:
        day_results = [pool.apply_async(_check_days, (span,)) for span in spans]
        # In id order: the first range that breaks holds the first break of them all, and
        # a walk through everything would have stopped there.
        for report, first in pool.imap(_walk_range, ranges):
            items += report.items_checked
            events += report.events_checked
            if report.first_broken is not None:
                broken = report.first_broken
                break
            for sha256, reference in first.items():
                references.first.setdefault(sha256, reference)
        if broken is None:  # the days count only when every chain held
            for result in day_results:
                checked, day_broken = result.get()
                days_checked += checked
                if day_broken is not None:
                    break
        pool.terminate()
    return (VerificationReport(broken is None, items, events, broken), references,
            (days_checked, day_broken))
