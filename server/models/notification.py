"""The notification outbox: messages written with the custody event that causes them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.domain.state_machines import NotificationStatus
from server.extensions import Model
from server.models.custody import CustodyEvent
from server.models.item import Item
from server.models.types import UtcDateTime, one_of, utc_now
from server.models.unit import Unit


class Notification(Model):
    """One message to send: to an agency (unit) or to the citizen of an item.

    The payload holds no personal data: the citizen's phone is read from the item when the
    message is sent, so a drained outbox keeps nothing a person could be found by.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("recipient IN ('agency', 'citizen')", name="recipient_known"),
        CheckConstraint(one_of("status", NotificationStatus), name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_notifications_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: `agency`: the unit's system or desk; `citizen`: the person of the item.
    recipient: Mapped[str] = mapped_column(String(10))
    recipient_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    #: The custody event that caused it (its id: the event's UUID).
    event_id: Mapped[str] = mapped_column(ForeignKey("custody_events.id"), unique=True)
    #: `system` (the agency's own system or desk) or `sms` (the citizen's phone).
    channel: Mapped[str] = mapped_column(String(10))
    #: The message template, e.g. `result_delivered`.
    template: Mapped[str] = mapped_column(String(40))
    #: Tracking number, dossier code, status, place: never a name, phone, address or ID.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    #: The class of the last sending error (never its text: it may quote an address).
    last_error: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    item: Mapped[Item] = relationship()
    event: Mapped[CustodyEvent] = relationship()
    recipient_unit: Mapped[Unit | None] = relationship()
