"""The notification outbox: queued with the custody event that causes it, drained by a CLI.

Who is told what (TT17 Art.12: the agency learns of delivery; docs/design.md §3 held for pickup):
- a result delivered or returned → its agency (`system` channel);
- a result held for pickup at the counter → its citizen (`sms` channel).

`notification_row` is asked by the one custody writer (`custody.events.CustodyWriter`) for
every event, so a trigger works whichever path appends the event (sync, handover, counter).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import select

from server.domain.lifecycle import EventType, ItemKind
from server.domain.state_machines import (
    NOTIFICATIONS,
    NotificationAction,
    NotificationStatus,
    after_failed_send,
)
from server.extensions import db
from server.models import Item, Notification
from server.models.types import utc_now

log = logging.getLogger(__name__)

#: After this many failed attempts a notification is `failed` and left for a person to look at.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Trigger:
    """Whom an event of a kind of item tells, how, and with which template."""

    recipient: str
    channel: str
    template: str


#: (item kind, event type) → the message it causes. One table: add a row to add a trigger.
TRIGGERS: dict[tuple[ItemKind, EventType], Trigger] = {
    (ItemKind.result, EventType.delivered): Trigger("agency", "system", "result_delivered"),
    (ItemKind.result, EventType.returned): Trigger("agency", "system", "result_returned"),
    (ItemKind.result, EventType.held_for_pickup): Trigger("citizen", "sms", "held_for_pickup"),
}


def notification_row(item: Item, event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The columns of the notification an event causes, or None when it causes none.

    `event` is the event's row (its columns by name); `item` is already in the state the
    event left it in.
    """
    trigger = TRIGGERS.get((ItemKind(item.kind), EventType(event["type"])))
    if trigger is None:
        return None
    return {
        "recipient": trigger.recipient,
        "recipient_unit_id": item.agency_unit_id if trigger.recipient == "agency" else None,
        "item_id": item.id, "event_id": event["id"], "channel": trigger.channel,
        "template": trigger.template,
        "payload": {"tracking_number": item.tracking_number, "dossier_code": item.dossier_code,
                    "status": item.status, "occurred_at": event["occurred_at"].isoformat(),
                    "unit_id": event["actor_unit_id"]},
        "status": NOTIFICATIONS.next_status(None, NotificationAction.queue), "attempts": 0,
    }


class NotificationSender(Protocol):
    """Delivers one notification; raises on failure (the outbox counts the attempt)."""

    def send(self, notification: Notification) -> None:
        """Send it now."""


class LogSender:
    """The default sender: one log line per message, with no personal data in it."""

    def send(self, notification: Notification) -> None:
        """Log the notification's id, template, channel and tracking number only."""
        log.info("notification %s template=%s channel=%s tracking_number=%s",
                 notification.id, notification.template, notification.channel,
                 notification.payload.get("tracking_number"))


def configured_sender() -> NotificationSender:
    """The sender named by NOTIFICATION_SENDER (`module:Class`), the log sender by default."""
    name = current_app.config.get("NOTIFICATION_SENDER") or ""
    if not name:
        return LogSender()
    module, _, attribute = name.partition(":")
    return getattr(import_module(module), attribute)()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class DrainReport:
    """What one drain did."""

    sent: int
    failed: int
    pending_left: int


def drain_outbox(sender: NotificationSender, limit: int = 500) -> DrainReport:
    """Send pending notifications oldest first; each one commits on its own.

    Idempotent: a sent notification is never picked again; a failure counts an attempt and
    stays pending until MAX_ATTEMPTS, then becomes `failed`.
    """
    sent = failed = 0
    ids = list(db.session.execute(
        select(Notification.id).where(Notification.status == NotificationStatus.pending)
        .order_by(Notification.id).limit(limit)).scalars())
    for notification_id in ids:
        notification = db.session.execute(
            select(Notification).where(Notification.id == notification_id,
                                       Notification.status == NotificationStatus.pending)
            .with_for_update()
        ).scalar_one_or_none()
        if notification is None:  # another drain sent it meanwhile
            db.session.rollback()
            continue
        notification.attempts += 1
        try:
            sender.send(notification)
        except Exception as error:  # noqa: BLE001 — any sender fault is one failed attempt
            notification.last_error = type(error).__name__[:100]
            notification.status = NOTIFICATIONS.next_status(
                notification.status, after_failed_send(notification.attempts, MAX_ATTEMPTS))
            failed += 1
            log.warning("notification %s not sent (attempt %s): %s", notification.id,
                        notification.attempts, type(error).__name__)
        else:
            notification.status = NOTIFICATIONS.next_status(notification.status,
                                                            NotificationAction.deliver)
            notification.sent_at = utc_now()
            sent += 1
        db.session.commit()
    pending = db.session.execute(
        select(db.func.count(Notification.id))
        .where(Notification.status == NotificationStatus.pending)
    ).scalar_one()
    return DrainReport(sent, failed, pending)
