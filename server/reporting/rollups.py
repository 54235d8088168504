"""Daily roll-ups of the summary report (TT17 Art.13), so that a quarter reads ~100 rows per
day and unit instead of millions of custody events.

What is rolled up. The roll-up "through day S" holds, for every local day D ≤ S
(Asia/Ho_Chi_Minh, by the events' `occurred_at`, as the report places events in periods),
the partial figures of the events of D that the server had RECEIVED before the end of S —
the mark M (`mark_of(S)`). Custody events are append-only, but an offline phone may replay
a step of a closed day later: such an event (received ≥ M) is not in the roll-up and the
report reads it raw. So for a period P:

    report(P) = Σ roll-ups of the days of P up to S               (events occurred < M, received < M)
              + raw figures of the events of P received ≥ M          (late replays of rolled days)
              + raw figures of the events of P that occurred ≥ M     (days not rolled up: today…)
              − correction of first events outranked by a late replay (below)

(the late events are found through the index on `received_at` and then read by id, so a
normal day costs a handful of index probes), and it is EXACTLY the raw computation
(`summarize(..., rollups=False)`); the tests check it on random worlds. Each figure, and how it decomposes:

- **cash** (events, with a recorded sum, collected, due recorded / unrecorded): one term per
  event — additive over days. Rolled per (day, post office, agency).
- **failures** (attempts per reason and action): one term per event — additive. Rolled per
  (day, post office, agency, reason, action); a missing reason/action is kept as NULL and
  shown as "unknown" as in the raw report.
- **counts and on-time** (items per kind × field × event type at their FIRST event of that
  type; how many of those by the item's deadline): not additive as such — "first" looks at
  all of the item's events, outside the period too. It is additive per event once "first" is
  fixed: each item's first event of a type lies in exactly one day. A roll-up counts an event
  if it is first among the events received before M. Raw part: an event received ≥ M or
  occurred ≥ M is counted if first among ALL events (the raw rule). Correction: an event
  received before M (so rolled) that was first before M, but has an earlier event of its
  type received ≥ M, is no longer first — subtracted. That query starts from the late events
  (few), so it costs nothing on a normal day. Rolled per (day, post office, agency, kind,
  field, event type) with the on-time numerator beside the count.
- **incidents.returned** = counts' results.returned; **losses / complaints**: not recorded.
- **by_field**: fields of the unit's agencies, plus fields with a non-zero net count.

Keeping the roll-up right when the mark moves. Each run moves the mark from M0 to M1 and
recomputes, from the raw events with the new mark: every new day, every day that has an
event received in [M0, M1), and every day holding an event of an (item, type) such a late
event belongs to (its arrival may take "first" away from one of them). Every stored partial
therefore always reflects the one current mark. Idempotent: a run through a day already
rolled through changes nothing.

What is assumed stable: an item's kind, procedure (field), post office, agency, fees, and
its deadline `due_at` once its completing event has happened. The deadline of a result is
set when the post picks it up from the agency (handovers.start_result_consignment), before
it can be delivered; a dossier's is set at intake. A change after the completing event would
make the rolled on-time figure stale (the raw report would judge it against the new
deadline): `flask reports roll-up --rebuild` recomputes every day.

When. `flask reports roll-up` runs nightly after `flask custody seal-day`; it never rolls up
today, nor a day that ended less than SEAL_GRACE ago (requests of its last minutes may still
be committing), as a day is sealed.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.orm import aliased

from server.core.scope import unit_subtree
from server.custody.proof import SEAL_GRACE
from server.domain.lifecycle import EventType, ItemKind
from server.domain.local_time import day_bounds, local_day
from server.extensions import db
from server.models import CustodyEvent, Item, ReportDayPartial, ReportRollup, Unit
from server.models.types import utc_now
from server.reporting.statements import (
    COUNTED_TYPES,
    CashTally,
    CountRow,
    FailureRow,
    cash_statement,
    count_statement,
    failure_statement,
    first_of_its_type,
    occurred_between,
)

COUNT, FAILURE, CASH = "count", "failure", "cash"


@dataclass(frozen=True)
class RollupOutcome:
    """What a run did: the day it rolled through (None: nothing closed yet) and the days it
    (re)computed."""

    through: date | None
    days: list[date]
    already: bool


def last_rollable_day(now: datetime | None = None) -> date:
    """The last closed day: yesterday, once SEAL_GRACE has passed since midnight."""
    return local_day((now or utc_now()) - SEAL_GRACE) - timedelta(days=1)


def rolled_through() -> date | None:
    """The last day the roll-ups cover, None before the first run."""
    return db.session.execute(select(func.max(ReportRollup.through_day))).scalar_one_or_none()


def mark_of(day: date) -> datetime:
    """The instant the roll-up through `day` stops at: the end of that local day."""
    return day_bounds(day)[1]


# --- reading ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RolledFigures:
    """The roll-ups of some days added up, in the report's additive shapes."""

    counts: list[CountRow]
    failures: list[FailureRow]
    cash: CashTally


def _partial_scope(unit: Unit) -> ColumnElement[bool]:
    """Partials of items posted at, or handled by an agency of, the unit's subtree."""
    subtree = unit_subtree(unit)
    return or_(ReportDayPartial.post_office_unit_id.in_(subtree),
               ReportDayPartial.agency_unit_id.in_(subtree))


def rolled_figures(unit: Unit, first: date, last: date) -> RolledFigures:
    """The rolled-up figures of the local days first..last (both included) in the unit's scope."""
    p = ReportDayPartial
    scoped = and_(p.day >= first, p.day <= last, _partial_scope(unit))
    counts = [
        CountRow(ItemKind(kind), field, EventType(event_type), int(items), int(on_time))
        for kind, field, event_type, items, on_time in db.session.execute(
            select(p.kind, p.field, p.event_type, func.sum(p.items), func.sum(p.on_time))
            .where(p.figure == COUNT, scoped).group_by(p.kind, p.field, p.event_type))
    ]
    failures = [(reason, action, int(items)) for reason, action, items in db.session.execute(
        select(p.reason, p.action, func.sum(p.items))
        .where(p.figure == FAILURE, scoped).group_by(p.reason, p.action))]
    cash = db.session.execute(select(
        func.coalesce(func.sum(p.items), 0), func.coalesce(func.sum(p.with_cash), 0),
        func.coalesce(func.sum(p.collected_vnd), 0), func.coalesce(func.sum(p.due_vnd), 0),
        func.coalesce(func.sum(p.due_unrecorded_vnd), 0),
    ).where(p.figure == CASH, scoped)).one()
    return RolledFigures(counts, failures, CashTally(*(int(value) for value in cash)))


# --- writing ------------------------------------------------------------------------------------

#: Every column of a partial, so that the rows of one day insert as one batch.
_EMPTY_PARTIAL: dict[str, Any] = {
    "kind": None, "field": None, "event_type": None, "reason": None, "action": None, "items": 0, "on_time": 0,
    "with_cash": 0, "collected_vnd": 0, "due_vnd": 0, "due_unrecorded_vnd": 0}


def _day_partials(day: date, mark: datetime) -> list[dict[str, Any]]:
    """The partial figures of one day over the events received before `mark`."""
    start, end = day_bounds(day)
    where = and_(occurred_between(start, end), CustodyEvent.received_at < mark)
    units = (Item.post_office_unit_id, Item.agency_unit_id)
    rows: list[dict[str, Any]] = []
    counting = (count_statement(where, first_of_its_type(received_before=mark))
                .add_columns(*units).group_by(*units))
    for kind, field, event_type, items, on_time, post_office, agency in db.session.execute(
            counting):
        rows.append({"figure": COUNT, "kind": kind, "field": field, "event_type": event_type,
                         "items": items, "on_time": int(on_time or 0),
                         "post_office_unit_id": post_office, "agency_unit_id": agency})
    for reason, action, post_office, agency, items in db.session.execute(
            failure_statement(where, *units)):
        rows.append({"figure": FAILURE, "reason": reason, "action": action, "items": items,
                         "post_office_unit_id": post_office, "agency_unit_id": agency})
    for post_office, agency, events, with_cash, collected, due, due_unrecorded in \
            db.session.execute(cash_statement(where, *units)):
        rows.append({"figure": CASH, "items": events, "with_cash": with_cash,
                         "collected_vnd": int(collected), "due_vnd": int(due),
                         "due_unrecorded_vnd": int(due_unrecorded),
                         "post_office_unit_id": post_office, "agency_unit_id": agency})
    return [{**_EMPTY_PARTIAL, **row, "day": day} for row in rows]


def _first_event_day() -> date | None:
    """The local day of the earliest custody event, None when there is none."""
    first = db.session.execute(select(func.min(CustodyEvent.occurred_at))).scalar_one_or_none()
    return local_day(first) if first is not None else None


def _days_touched_since(old_mark: datetime, new_mark: datetime) -> set[date]:
    """Rolled days whose partials change when the mark moves: days of the events received in
    [old, new) that happened before `old`, and every day of an event of the same (item, type)
    as such a late counted event (it may no longer be that item's first)."""
    late = (CustodyEvent.received_at >= old_mark, CustodyEvent.received_at < new_mark,
            CustodyEvent.occurred_at < old_mark)
    days = {local_day(moment) for moment in db.session.scalars(
        select(CustodyEvent.occurred_at).where(*late))}
    arrival = aliased(CustodyEvent)
    kin = (select(CustodyEvent.occurred_at)
           .join(arrival, and_(arrival.item_id == CustodyEvent.item_id,
                               arrival.type == CustodyEvent.type))
           .where(arrival.received_at >= old_mark, arrival.received_at < new_mark,
                  arrival.occurred_at < old_mark, arrival.type.in_(COUNTED_TYPES),
                  CustodyEvent.occurred_at < old_mark))
    days |= {local_day(moment) for moment in db.session.scalars(kin)}
    return days


def _days(first: date, last: date) -> Iterable[date]:
    """Every day from first to last, both included."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def roll_up(through: date | None = None, now: datetime | None = None,
            rebuild: bool = False) -> RollupOutcome:
    """Roll up every closed day not rolled up yet, through `through` (default and at most:
    the last closed day). The caller commits."""
    closed = last_rollable_day(now)
    target = closed if through is None else min(through, closed)
    done = rolled_through()
    if rebuild:
        db.session.execute(delete(ReportDayPartial))
        db.session.execute(delete(ReportRollup))
        done = None
    if done is not None and target <= done:
        return RollupOutcome(done, [], already=True)
    mark = mark_of(target)
    if done is None:
        first = _first_event_day()
        days = set(_days(first, target)) if first is not None and first <= target else set()
    else:
        days = set(_days(done + timedelta(days=1), target))
        days |= _days_touched_since(mark_of(done), mark)
    for day in sorted(days):
        db.session.execute(delete(ReportDayPartial).where(ReportDayPartial.day == day))
        rows = _day_partials(day, mark)
        if rows:
            db.session.execute(ReportDayPartial.__table__.insert(), rows)
    db.session.add(ReportRollup(through_day=target, days_rolled=len(days), rolled_at=utc_now()))
    db.session.flush()
    return RollupOutcome(target, sorted(days), already=False)
