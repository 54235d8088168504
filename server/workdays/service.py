"""The working calendar the administrator keeps, and the deadlines a change of it moves.

The statutes and lunar holidays come from the domain (`server.domain.service_time`); the
State's yearly decisions are rows of `calendar_decisions`. A decision added or changed moves
the due date of every open item whose service time spans that day; the due date printed on
the consignment note is kept in `due_date_changes` beside the new one, never overwritten
silently.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import g
from sqlalchemy import select

from server.domain.deadlines import FINISHED_STATUSES
from server.domain.errors import DomainError
from server.domain.local_time import local_midnight
from server.domain.service_time import (
    CalendarDay,
    RouteClass,
    WorkingDecisions,
    calendar_day,
    service_deadline,
)
from server.extensions import db
from server.models import CalendarDecisionRow, DueDateChange, Item, User
from server.models.types import utc_now
from server.workdays.schemas import MAX_CALENDAR_DAYS


def working_decisions() -> WorkingDecisions:
    """Every decision of the table as `date -> working`, read once per request."""
    if "working_decisions" not in g:
        g.working_decisions = dict(db.session.execute(
            select(CalendarDecisionRow.day, CalendarDecisionRow.working)).tuples().all())
    return g.working_decisions  # type: ignore[no-any-return]


def _forget_decisions() -> None:
    g.pop("working_decisions", None)


def calendar_range(first: date, last: date) -> list[tuple[CalendarDay, str | None]]:
    """Every day from first to last (both included) with the legal basis of its decision."""
    if last < first:
        raise DomainError("calendar_range_reversed",
                          "Ngày kết thúc phải sau hoặc trùng ngày bắt đầu.",
                          {"from": first.isoformat(), "to": last.isoformat()})
    if (last - first).days + 1 > MAX_CALENDAR_DAYS:
        raise DomainError("calendar_range_too_long",
                          f"Chỉ xem được tối đa {MAX_CALENDAR_DAYS} ngày mỗi lần.",
                          {"max_days": MAX_CALENDAR_DAYS})
    rows = {row.day: row for row in db.session.execute(
        select(CalendarDecisionRow).where(CalendarDecisionRow.day.between(first, last))).scalars()}
    decisions = {day: row.working for day, row in rows.items()}
    reasons = {day: row.reason for day, row in rows.items()}
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [(calendar_day(day, decisions, reasons),
             rows[day].legal_basis if day in rows else None) for day in days]


def parse_calendar_date(text: str) -> date:
    """The date of a `PUT /calendar/<date>` path, or DomainError `invalid_date`."""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None or not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise DomainError("invalid_date", "Ngày không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2026-08-31.",
                          {"value": text[:40]})
    return day


def set_decision(actor: User, day: date, working: bool, reason: str,
                 legal_basis: str) -> tuple[CalendarDecisionRow, int]:
    """Record the State's decision about a day and move the open deadlines it affects."""
    row = db.session.get(CalendarDecisionRow, day)
    if row is None:
        row = CalendarDecisionRow(day=day)
        db.session.add(row)
    row.working, row.reason, row.legal_basis = working, reason, legal_basis
    row.updated_by_id, row.updated_at = actor.id, utc_now()
    db.session.flush()
    _forget_decisions()
    return row, _move_deadlines(actor, row)


def _move_deadlines(actor: User, row: CalendarDecisionRow) -> int:
    """Recompute the due date of open items whose service time spans the day; record each move.

    A day matters to an item when it lies after its day J and not after its due day: only
    those days were (or would have been) counted. The printed due date stays in the record.
    """
    decisions = working_decisions()
    affected = db.session.execute(
        select(Item).where(Item.status.not_in(sorted(FINISHED_STATUSES)),
                           Item.consigned_at < local_midnight(row.day),
                           Item.due_at >= local_midnight(row.day))
        .order_by(Item.id).with_for_update()).scalars().all()
    moved = 0
    for item in affected:
        new_due_at = service_deadline(item.consigned_at, RouteClass(item.route_class),
                                      item.with_appointment_slip, decisions)
        if new_due_at == item.due_at:
            continue
        db.session.add(DueDateChange(
            item_id=item.id, calendar_day=row.day, previous_due_at=item.due_at,
            new_due_at=new_due_at, reason=row.reason, legal_basis=row.legal_basis,
            changed_by_id=actor.id))
        item.due_at = new_due_at
        moved += 1
    return moved


def printed_due_at(item: Item) -> datetime:
    """The due date printed on the consignment note: before any calendar change moved it."""
    first = db.session.execute(
        select(DueDateChange.previous_due_at).where(DueDateChange.item_id == item.id)
        .order_by(DueDateChange.id).limit(1)).scalar_one_or_none()
    return first or item.due_at
