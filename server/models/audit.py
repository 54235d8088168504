"""The supervisors' proof and corrections: sealed daily Merkle roots, four-eyes corrections."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.domain.state_machines import CorrectionStatus
from server.extensions import Model
from server.models.custody import CustodyEvent
from server.models.item import Item
from server.models.types import UtcDateTime, one_of, utc_now
from server.models.user import User


class DailyRoot(Model):
    """The Merkle root of one local day's custody events; written once, never rewritten."""

    __tablename__ = "daily_roots"
    __table_args__ = (
        CheckConstraint("event_count >= 0", name="event_count_not_negative"),
    )

    #: The day in Asia/Ho_Chi_Minh; its events are those received within it.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: Merkle root of the day's event hashes ordered by (received_at, id).
    root: Mapped[str] = mapped_column(String(64))
    event_count: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    #: The day's last checkpoint of the custody log (its tree size and hex root) when the
    #: day was sealed; None for a day sealed before the log existed (its `root` still holds).
    log_size: Mapped[int | None] = mapped_column(BigInteger)
    log_root: Mapped[str | None] = mapped_column(String(64))


class Correction(Model):
    """A correction of a custody event: asked by one supervisor, applied when another signs.

    Applying it appends a `corrected` event to the item's chain; the corrected event itself
    is never touched (docs/design.md §4).
    """

    __tablename__ = "corrections"
    __table_args__ = (
        CheckConstraint(one_of("status", CorrectionStatus), name="status_known"),
        # Four eyes: the database itself refuses a correction countersigned by its author.
        CheckConstraint("countersigned_by_id IS NULL OR countersigned_by_id <> requested_by_id",
                        name="four_eyes"),
        CheckConstraint(
            "status = 'pending' OR (countersigned_by_id IS NOT NULL "
            "AND countersigned_at IS NOT NULL AND corrected_event_id IS NOT NULL)",
            name="applied_is_countersigned",
        ),
        Index("ix_corrections_status_requested", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The event being corrected.
    event_id: Mapped[str] = mapped_column(ForeignKey("custody_events.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    reason: Mapped[str] = mapped_column(String(1000))
    #: The corrected fields and their right values, as the requester wrote them.
    correction: Mapped[dict[str, Any]] = mapped_column(JSON)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    countersigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The `corrected` event the countersignature appended.
    corrected_event_id: Mapped[str | None] = mapped_column(ForeignKey("custody_events.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")

    event: Mapped[CustodyEvent] = relationship(foreign_keys=[event_id])
    item: Mapped[Item] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    countersigned_by: Mapped[User | None] = relationship(foreign_keys=[countersigned_by_id])


class VerificationJob(Model):
    """A custody verification run in the background for one caller's scope.

    The row is the job's whole state, so any web worker can answer a poll: the worker that
    started the job writes its progress here as it walks (`updated_at` is its heartbeat).
    """

    __tablename__ = "verification_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'done', 'failed')", name="status_known"),
        Index("ix_verification_jobs_scope_status", "scope_unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The unit whose subtree is verified; None for the whole country (an admin's job).
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(10), default="running")
    items_total: Mapped[int] = mapped_column(default=0)
    items_checked: Mapped[int] = mapped_column(default=0)
    events_checked: Mapped[int] = mapped_column(default=0)
    days_checked: Mapped[int] = mapped_column(default=0)
    media_checked: Mapped[int] = mapped_column(default=0)
    #: None until done; then whether everything held.
    ok: Mapped[bool | None]
    first_broken: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
