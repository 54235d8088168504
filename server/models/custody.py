"""Custody events (append-only, hash-chained per item) and the audit flags they raise."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.domain.state_machines import FlagStatus
from server.extensions import Model
from server.models.item import Item
from server.models.types import UtcDateTime, one_of, utc_now
from server.models.unit import Unit
from server.models.user import User


class CustodyEvent(Model):
    """One step of an item's custody. No code path updates or deletes a row (docs/design.md §4)."""

    __tablename__ = "custody_events"
    __table_args__ = (
        UniqueConstraint("item_id", "seq"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        Index("ix_custody_events_actor_occurred", "actor_user_id", "occurred_at"),
        # Reports and the dashboard count events of a type over a period, and the first
        # event of a type per item (TT17 Art.13 figures); `item_id, seq` make both scans
        # index-only, so a quarter over millions of events never reads the wide rows.
        Index("ix_custody_events_type_occurred_item", "type", "occurred_at", "item_id", "seq"),
        Index("ix_custody_events_item_type_occurred_seq", "item_id", "type", "occurred_at",
              "seq"),
    )

    #: The UUID made by the client: the idempotency key of sync.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    #: Position in the item's chain, 1-based; (item_id, seq) unique keeps the chain linear.
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(30))
    actor_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The unit the actor worked for at the time: the "place" of public tracking.
    actor_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    #: Type-specific evidence (recipient, hashes of images, cash, reasons, handover…).
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status_after: Mapped[str] = mapped_column(String(20))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the payload the client sent under this id (`payload_digest`): a resend
    #: with the same payload is a duplicate, another payload under the id is refused
    #: (`id_reused`). None for events made by the server itself (handovers, counter…),
    #: whose ids no client chooses, and for events stored before the digest existed.
    payload_digest: Mapped[str | None] = mapped_column(String(64))

    item: Mapped[Item] = relationship()
    actor: Mapped[User] = relationship()
    actor_unit: Mapped[Unit] = relationship()


class AuditFlag(Model):
    """Something a supervisor should look at; never an error for the postman."""

    __tablename__ = "audit_flags"
    __table_args__ = (
        CheckConstraint(one_of("status", FlagStatus), name="status_known"),
        Index("ix_audit_flags_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    event_id: Mapped[str | None] = mapped_column(ForeignKey("custody_events.id"))
    #: The evidence that raised the flag, e.g. distance and threshold.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_note: Mapped[str | None] = mapped_column(String(1000))

    item: Mapped[Item] = relationship()
    #: Lets a flush that writes an event and its flags together insert the event first.
    event: Mapped[CustodyEvent | None] = relationship()
