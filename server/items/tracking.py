"""Public tracking: what anyone holding the number may learn (TT17 Art.12)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from server.core.errors import NotFound
from server.domain.invitations import FailedAttempt, invitation_status
from server.domain.lifecycle import EventType, FailureAction, FailureReason, ItemKind
from server.domain.local_time import local_day
from server.domain.s10 import parse_tracking_number
from server.domain.service_time import add_working_days
from server.domain.tracking_notice import AfterFailure, after_failure
from server.extensions import db
from server.models import CustodyEvent, Item, Unit, UnitKind

#: Statuses after which the page explains a failed attempt.
_AFTER_FAILURE = frozenset({"attempt_failed", "held_for_pickup"})


def public_tracking(tracking_number: str) -> tuple[Item, list[CustodyEvent], dict[int, str]]:
    """The item, its events and the names of the units involved; nothing personal."""
    number = parse_tracking_number(tracking_number)
    item = db.session.execute(select(Item).where(Item.tracking_number == number)).scalar_one_or_none()
    if item is None:
        raise NotFound("unknown_item", f"Không tìm thấy bưu gửi {number}.")
    events = list(db.session.execute(
        select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq)
    ).scalars())
    unit_ids = {event.actor_unit_id for event in events}
    names = dict(db.session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).tuples().all()) if unit_ids else {}
    return item, events, names


def failure_notice(item: Item, events: list[CustodyEvent]) -> AfterFailure | None:
    """After a failed attempt: what happened, what next, which post office holds the item."""
    if item.kind != ItemKind.result or item.status not in _AFTER_FAILURE:
        return None
    attempts = [FailedAttempt(on=local_day(e.occurred_at),
                              reason=FailureReason(e.evidence["reason"]),
                              action=FailureAction(e.evidence["action"]))
                for e in events if e.type == EventType.attempt_failed]
    if not attempts:
        return None
    invitations = invitation_status(attempts)
    base = invitations.last_on or attempts[-1].on
    collect_until = add_working_days(base, current_app.config["PICKUP_HOLD_WORKING_DAYS"])
    return after_failure(item.status, attempts[-1], invitations, _holding_office(item),
                         collect_until)


def _holding_office(item: Item) -> str | None:
    """The post office that has the item: its holder unit, or the postman's office."""
    unit = item.holder_unit or (item.holder_user.unit if item.holder_user else None)
    if unit is None or unit.kind != UnitKind.post_office:
        unit = item.post_office_unit
    return unit.name if unit is not None else None
