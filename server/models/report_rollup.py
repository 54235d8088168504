"""Daily roll-ups of the summary report: per-day partial figures of closed days."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import Model
from server.models.types import UtcDateTime, utc_now


class ReportDayPartial(Model):
    """One group of one figure of one local day, over the events received before the mark.

    `figure` says which columns mean something: `count` (kind, field, event_type → items,
    on_time), `failure` (reason, action → items) or `cash` (items = events, with_cash and the
    three sums). The item's post office and agency are kept so that a report of any unit's
    subtree can pick its rows, as the raw query scopes items.
    """

    __tablename__ = "report_day_partials"
    __table_args__ = (
        Index("ix_report_day_partials_figure_day", "figure", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The local day (Asia/Ho_Chi_Minh) of the events' `occurred_at`.
    day: Mapped[date] = mapped_column(Date, index=True)
    figure: Mapped[str] = mapped_column(String(10))
    post_office_unit_id: Mapped[int | None]
    agency_unit_id: Mapped[int]
    kind: Mapped[str | None] = mapped_column(String(10))
    field: Mapped[str | None] = mapped_column(String(40))
    event_type: Mapped[str | None] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(String(60))
    action: Mapped[str | None] = mapped_column(String(60))
    items: Mapped[int] = mapped_column(default=0)
    on_time: Mapped[int] = mapped_column(default=0)
    with_cash: Mapped[int] = mapped_column(default=0)
    collected_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    due_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    due_unrecorded_vnd: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportRollup(Model):
    """One run of `flask reports roll-up`: every day through `through_day` is rolled up,
    over the events received before the end of that day (the mark)."""

    __tablename__ = "report_rollups"

    through_day: Mapped[date] = mapped_column(Date, primary_key=True)
    days_rolled: Mapped[int] = mapped_column(default=0)
    rolled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
