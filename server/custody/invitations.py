"""The two invitations of a result item, read from its failed attempts (TT17 Art.5(2)(h))."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from server.domain.invitations import FailedAttempt, InvitationStatus, invitation_status
from server.domain.lifecycle import EventType, FailureAction, FailureReason, ItemKind
from server.domain.local_time import local_day
from server.extensions import db
from server.models import CustodyEvent, Item


def invitations_for(items: list[Item]) -> dict[int, InvitationStatus]:
    """The two-invitation status of each result item, from its failed attempts (one query)."""
    found = failed_attempts([item.id for item in items if item.kind == ItemKind.result])
    return {item_id: invitation_status(attempts) for item_id, attempts in found.items()}


def failed_attempts(item_ids: list[int]) -> dict[int, list[FailedAttempt]]:
    """The stored failed attempts of each item (one query)."""
    attempts: dict[int, list[FailedAttempt]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        rows = db.session.execute(
            select(CustodyEvent.item_id, CustodyEvent.occurred_at, CustodyEvent.evidence)
            .where(CustodyEvent.item_id.in_(item_ids), CustodyEvent.type == EventType.attempt_failed)
        )
        for item_id, occurred_at, evidence in rows:
            attempts[item_id].append(failed_attempt(occurred_at, evidence))
    return attempts


def failed_attempt(occurred_at: datetime, evidence: dict[str, Any]) -> FailedAttempt:
    """A failed attempt as the invitation rule reads it: its local day, reason and action."""
    return FailedAttempt(on=local_day(occurred_at),
                         reason=FailureReason(evidence["reason"]),
                         action=FailureAction(evidence["action"]))
