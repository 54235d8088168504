"""Handover records (biên bản giao nhận) and their lines (bảng kê)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.domain.state_machines import HandoverStatus
from server.extensions import Model
from server.models.item import Item
from server.models.types import UtcDateTime, one_of, utc_now
from server.models.unit import Unit
from server.models.user import User


class HandoverRecord(Model):
    """A batch of items from one holder to another; custody moves when the receiver signs."""

    __tablename__ = "handover_records"
    __table_args__ = (
        CheckConstraint(one_of("status", HandoverStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: A person (the postman of the morning load) or, when None, anyone of `to_unit`.
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The receiver's signature time: for a filing this is the legal filing time (QĐ45 Art.7).
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    receiver_signature_sha256: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"))
    #: The sender's signature, given when listing the items (QĐ45 Art.7: both sign the record).
    #: The service checks the image exists; no foreign key, so that adding the column never
    #: rebuilds this table (SQLite cannot rebuild a table other rows point at).
    sender_signature_sha256: Mapped[str | None] = mapped_column(String(64))
    #: When a pending record was closed without a signature: cancelled by its sender, or
    #: expired (`cancelled_by_id` None) after HANDOVER_PENDING_HOURS; custody never moved.
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The sender who cancelled (no foreign key: added without rebuilding the table).
    cancelled_by_id: Mapped[int | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(500))

    from_user: Mapped[User | None] = relationship(foreign_keys=[from_user_id])
    from_unit: Mapped[Unit] = relationship(foreign_keys=[from_unit_id])
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_user_id])
    to_unit: Mapped[Unit] = relationship(foreign_keys=[to_unit_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    cancelled_by: Mapped[User | None] = relationship(
        primaryjoin="foreign(HandoverRecord.cancelled_by_id) == User.id", viewonly=True)
    lines: Mapped[list[HandoverLine]] = relationship(
        back_populates="handover", order_by="HandoverLine.id"
    )


class HandoverLine(Model):
    """One tracking number on a handover: listed by the sender, scanned or not by the receiver."""

    __tablename__ = "handover_lines"
    __table_args__ = (
        CheckConstraint(
            "outcome IN ('listed', 'received', 'missing', 'unexpected')", name="outcome_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handover_records.id"), index=True)
    #: None for an unexpected scan of a number that is no item of ours.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), index=True)
    tracking_number: Mapped[str] = mapped_column(String(13))
    outcome: Mapped[str] = mapped_column(String(12), default="listed")
    #: For a dossier filed with an agency: whether the officer found it complete (QĐ45 Art.7(4)).
    complete: Mapped[bool | None]
    #: What the officer found missing, when incomplete (the supplement request).
    missing_documents: Mapped[str | None] = mapped_column(String(500))

    handover: Mapped[HandoverRecord] = relationship(back_populates="lines")
    item: Mapped[Item | None] = relationship()
