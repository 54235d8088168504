"""The two invitations of a result item, read from its failed attempts (TT17 Art.5(2)(h))."""
from __future__ import annotations

from sqlalchemy import select

from server.domain.invitations import FailedAttempt, InvitationStatus, invitation_status
from server.domain.lifecycle import EventType, FailureAction, FailureReason, ItemKind
from server.domain.local_time import local_day
from server.extensions import db
from server.models import CustodyEvent, Item


def invitations_for(items: list[Item]) -> dict[int, InvitationStatus]:
    """The two-invitation status of each result item, from its failed attempts (one query)."""
    results = [item.id for item in items if item.kind == ItemKind.result]
    attempts: dict[int, list[FailedAttempt]] = {item_id: [] for item_id in results}
    if results:
        rows = db.session.execute(
            select(CustodyEvent.item_id, CustodyEvent.occurred_at, CustodyEvent.evidence)
            .where(CustodyEvent.item_id.in_(results), CustodyEvent.type == EventType.attempt_failed)
        )
        for item_id, occurred_at, evidence in rows:
            attempts[item_id].append(FailedAttempt(
                on=local_day(occurred_at),
                reason=FailureReason(evidence["reason"]), action=FailureAction(evidence["action"])))
    return {item_id: invitation_status(found) for item_id, found in attempts.items()}
