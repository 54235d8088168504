"""The working calendar the administrator keeps, and the deadlines it moved."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import Model
from server.models.types import UtcDateTime, utc_now


class CalendarDecisionRow(Model):
    """The State's decision about one day (a swap, a holiday): it overrides the statutes."""

    __tablename__ = "calendar_decisions"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(200))
    #: The decision's number and date, e.g. "Thông báo 9441/TB-BNV ngày 16/10/2025".
    legal_basis: Mapped[str] = mapped_column(String(200))
    #: None for the rows the migration seeded from the published decisions.
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class DueDateChange(Model):
    """A deadline moved by a calendar decision; the printed one is kept here, never lost."""

    __tablename__ = "due_date_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    #: The day whose decision moved the deadline.
    calendar_day: Mapped[date] = mapped_column(Date)
    previous_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    new_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(200))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
