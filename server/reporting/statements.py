"""The SQL that counts a period's figures, shared by the live report and the daily roll-ups.

Counts (an item once per kind of event, at its first event of that type), failed attempts per
reason and action, and the cash taken at collections and deliveries: the report
(server/reporting/reports.py) runs these over the raw events, the roll-ups
(server/reporting/rollups.py) over one closed day each, so both answer the same figures.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from server.domain.lifecycle import EventType, ItemKind
from server.models import CustodyEvent, Item, Procedure

#: (kind, event type) → the counter it feeds in `DirectionCounts`.
COUNTED_EVENTS: dict[tuple[ItemKind, EventType], str] = {
    (ItemKind.dossier, EventType.collected): "accepted",
    (ItemKind.dossier, EventType.filed): "filed",
    (ItemKind.dossier, EventType.cancelled): "cancelled",
    (ItemKind.result, EventType.registered): "registered",
    (ItemKind.result, EventType.delivered): "delivered",
    (ItemKind.result, EventType.returned): "returned",
    (ItemKind.result, EventType.cancelled): "cancelled",
}


#: The events at which the postman takes money from the citizen (QĐ45 Art.11-12).
CASH_EVENTS = (EventType.collected, EventType.delivered)


def occurred_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Events that happened in [start, end)."""
    return and_(CustodyEvent.occurred_at >= start, CustodyEvent.occurred_at < end)


def first_of_its_type(received_before: datetime | None = None) -> ColumnElement[bool]:
    """The event is its item's first of that type (ties broken by chain order).

    With `received_before`, only the events the server had received before that instant are
    looked at: the world as a roll-up saw it.
    """
    earlier = aliased(CustodyEvent)
    conditions = [
        earlier.item_id == CustodyEvent.item_id,
        earlier.type == CustodyEvent.type,
        or_(earlier.occurred_at < CustodyEvent.occurred_at,
            and_(earlier.occurred_at == CustodyEvent.occurred_at, earlier.seq < CustodyEvent.seq)),
    ]
    if received_before is not None:
        conditions.append(earlier.received_at < received_before)
    return ~exists().where(*conditions)


#: The event types whose first occurrence per item the report counts.
COUNTED_TYPES = sorted({event_type.value for _kind, event_type in COUNTED_EVENTS})


@dataclass(frozen=True)
class CountRow:
    """One group of the counting query (negative in a correction)."""

    kind: ItemKind
    field: str
    event_type: EventType
    items: int
    on_time: int


def count_statement(where: ColumnElement[bool], first: ColumnElement[bool]) -> Select[Any]:
    """Items per (kind, field, event type) among the counted events `where` that are `first`."""
    by_deadline = case((CustodyEvent.occurred_at <= Item.due_at, 1), else_=0)
    return (
        select(Item.kind, Procedure.field, CustodyEvent.type, func.count(), func.sum(by_deadline))
        .select_from(CustodyEvent)
        .join(Item, Item.id == CustodyEvent.item_id)
        .join(Procedure, Procedure.id == Item.procedure_id)
        .where(CustodyEvent.type.in_(COUNTED_TYPES), where, first)
        .group_by(Item.kind, Procedure.field, CustodyEvent.type)
    )


FailureRow = tuple[str | None, str | None, int]


def failure_statement(where: ColumnElement[bool], *groups: Any) -> Select[Any]:
    """Failed attempts `where`, per reason and action (and the `groups` of the item)."""
    attempts = (
        select(CustodyEvent.evidence["reason"].as_string().label("reason"),
               CustodyEvent.evidence["action"].as_string().label("action"),
               *groups)
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(CustodyEvent.type == EventType.attempt_failed.value, where)
        .subquery()
    )
    # Grouped outside the subquery: PostgreSQL would see two JSON paths bound apart as two
    # different expressions in SELECT and GROUP BY.
    keys = [attempts.c.reason, attempts.c.action] + [attempts.c[g.key] for g in groups]
    return select(*keys, func.count()).group_by(*keys)


@dataclass(frozen=True)
class CashTally:
    """Cash events added up: how many, how many with a recorded sum, and three sums."""

    events: int = 0
    with_cash: int = 0
    collected_vnd: int = 0
    due_vnd: int = 0
    due_unrecorded_vnd: int = 0

    def __add__(self, other: CashTally) -> CashTally:
        return CashTally(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        """The five figures in order."""
        return (self.events, self.with_cash, self.collected_vnd, self.due_vnd,
                self.due_unrecorded_vnd)


def cash_statement(where: ColumnElement[bool], *groups: Any) -> Select[Any]:
    """Cash events `where`: count, count with cash, collected, due (recorded / not)."""
    taken = (
        select(CustodyEvent.evidence["cash_collected_vnd"].as_integer().label("cash"),
               (Item.postage_vnd + Item.official_fee_vnd).label("due"), *groups)
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(CustodyEvent.type.in_([t.value for t in CASH_EVENTS]), where)
        .subquery()
    )
    recorded = taken.c.cash.is_not(None)
    keys = [taken.c[g.key] for g in groups]
    return select(
        *keys,
        func.count(),
        func.count(taken.c.cash),
        func.coalesce(func.sum(taken.c.cash), 0),
        func.coalesce(func.sum(case((recorded, taken.c.due), else_=0)), 0),
        func.coalesce(func.sum(case((recorded, 0), else_=taken.c.due)), 0),
    ).group_by(*keys)
