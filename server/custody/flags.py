"""Raising the audit flags of an event as it is appended (docs/design.md §4): evidence, never errors."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from server.custody.invitations import invitations_for
from server.domain.fees import cash_due_vnd
from server.domain.flags import (
    DOORSTEP_EVENTS,
    FIELD_EVENTS,
    HAND_TO_HAND_EVENTS,
    Fix,
    FlagCode,
    after_hours,
    at_post_office,
    cash_mismatch,
    clock_skew,
    early_return,
    impossible_speed,
    late,
    poor_accuracy,
)
from server.domain.geo import Position, far_from_address
from server.domain.invitations import InvitationStatus
from server.domain.lifecycle import EventType, ItemKind, ItemStatus
from server.domain.state_machines import FLAGS, FlagAction
from server.extensions import db
from server.models import AuditFlag, CustodyEvent, Item, Role, Unit, UnitKind, User

#: Whose field work is held to working hours: the post's own staff.
FIELD_ROLES = frozenset({Role.postman, Role.clerk})


class RecentFixes:
    """One actor's positioned events as a batch goes: the previous fix of each event without
    a query per event (impossible_speed).

    Made before the batch's first event is added: the actor's latest stored fix is read
    then, once. An event is answered from memory when that
    fix is no later than the event (then the previous fix is it or one of the batch's own);
    an event dated before it (an old outbox) returns `ASK_DATABASE`, and the query decides.
    """

    ASK_DATABASE = object()

    def __init__(self, actor: User) -> None:
        found = db.session.execute(
            _positioned_events(actor.id).order_by(CustodyEvent.occurred_at.desc()).limit(1)
        ).one_or_none()
        self._stored: Fix | None = _fix(found) if found is not None else None
        #: The batch's fixes sorted by time (equal times in the order added), and their times.
        self._batch: list[Fix] = []
        self._times: list[datetime] = []

    def previous(self, event: Any) -> Fix | object | None:
        """The fix before `event` (or None), or `ASK_DATABASE` when memory cannot tell.

        The latest fix no later than the event; on equal times the stored fix, then the
        batch's first one, is taken. The event's own fix is added after this call, and a
        batch holds an event id once, so no batch fix is the event's own.
        """
        event_id, at = event.id, event.occurred_at  # read once: ORM attributes cost
        stored = self._stored
        if stored is not None and stored.at > at:
            return self.ASK_DATABASE
        best = stored if stored is not None and stored.event_id != event_id else None
        index = bisect_right(self._times, at) - 1
        times = self._times
        while index > 0 and times[index - 1] == times[index]:
            index -= 1  # the first of the fixes made at that time
        if index >= 0 and (best is None or times[index] > best.at):
            best = self._batch[index]
        return best

    def add(self, fix: Fix) -> None:
        """Remember a fix of this batch for the events after it."""
        index = bisect_right(self._times, fix.at)
        self._times.insert(index, fix.at)
        self._batch.insert(index, fix)


@dataclass(frozen=True)
class FlagContext:
    """What the checks need beyond the event: who, the state before it, the phone's clock."""

    actor: User
    #: The item's status before the event was applied (None for a new item).
    status_before: str | None
    #: The evidence of a state conflict found while applying the event.
    conflict: dict[str, Any] | None = None
    #: The phone's clock when it sent the batch (sync only).
    sent_at: datetime | None = None
    #: The actor's fixes kept across a batch (sync only): spares a query per event.
    fixes: RecentFixes | None = None
    #: Called before a check reads events from the database: a batch whose events are not
    #: written yet writes them then, so that the check sees the events before this one.
    before_query: Callable[[], None] | None = None
    #: Flags the caller's own checks found before the event was applied (sync:
    #: `not_holder`, `backdated`, which need what the batch looked up).
    found: tuple[tuple[FlagCode, dict[str, Any]], ...] = ()

    def about_to_query(self) -> None:
        """Let the events not yet written reach the database before a check reads it."""
        if self.before_query is not None:
            self.before_query()


def raise_flag(item: Item, code: str, event: CustodyEvent | None, details: dict[str, Any]) -> AuditFlag:
    """Record an audit flag for supervisors (never an error for the postman)."""
    # The event itself too: a batch's events are not written yet when their flags are
    # raised, and the relationship makes the flush insert each event before its flags.
    flag = AuditFlag(code=code, item_id=item.id, event_id=event.id if event else None,
                     event=event, details=details,
                     status=FLAGS.next_status(None, FlagAction.raise_))
    db.session.add(flag)
    return flag


def flag_event(item: Item, event: CustodyEvent, context: FlagContext) -> list[AuditFlag]:
    """Run every check on a flushed event and record a flag for each that finds evidence.

    At most two queries: the actor's previous positioned event (positioned events only) and
    the item's failed attempts (`returned` only); the actor's unit comes from the session.
    """
    return [raise_flag(item, code, event, details)
            for code, details in found_flags(item, event, context)]


def found_flags(item: Item, event: Any, context: FlagContext) -> list[tuple[FlagCode, dict[str, Any]]]:
    """Each check that finds evidence against the event, with that evidence; writes nothing.

    `event` is a `CustodyEvent` or any object with its column attributes (a batch's rows).
    """
    return [(code, details) for code, details in _evidence(item, event, context)
            if details is not None]


def _evidence(item: Item, event: CustodyEvent,
              context: FlagContext) -> list[tuple[FlagCode, dict[str, Any] | None]]:
    """Each applicable check with what it found (None: nothing)."""
    config = current_app.config
    event_type = EventType(event.type)
    position = (Position(event.lat, event.lon, event.accuracy_m)
                if event.lat is not None and event.lon is not None else None)
    address = ((item.address_lat, item.address_lon)
               if item.address_lat is not None and item.address_lon is not None else None)
    counter = _at_the_counter(event_type, event, context)
    checks: list[tuple[FlagCode, dict[str, Any] | None]] = [
        (FlagCode.state_conflict, context.conflict),
        *context.found,
        (FlagCode.clock_skew, clock_skew(event.occurred_at, event.received_at, context.sent_at,
                                         config["FLAG_CLOCK_SKEW_S"])),
    ]
    if event_type in DOORSTEP_EVENTS and not counter:
        checks.append((FlagCode.poor_accuracy,
                       poor_accuracy(position, config["FLAG_POOR_ACCURACY_M"])))
        if position is not None:
            checks.append((FlagCode.far_from_address,
                           far_from_address(position, address, config["FAR_FROM_ADDRESS_M"])))
    if position is not None:
        checks.append((FlagCode.impossible_speed, _speed(event, position, context)))
    if event_type in HAND_TO_HAND_EVENTS and position is not None and not counter:
        checks.append((FlagCode.at_post_office,
                       at_post_office(position, _office_of(context.actor), address,
                                      config["FLAG_AT_POST_OFFICE_M"])))
    if event_type in FIELD_EVENTS and not counter and context.actor.role in FIELD_ROLES:
        checks.append((FlagCode.after_hours,
                       after_hours(event.occurred_at, config["FLAG_WORKING_HOURS"])))
    if event_type in HAND_TO_HAND_EVENTS and "cash_collected_vnd" in event.evidence:
        due = cash_due_vnd(item.kind, context.status_before, item.postage_vnd,
                           item.official_fee_vnd)
        checks.append((FlagCode.cash_mismatch,
                       cash_mismatch(event.evidence["cash_collected_vnd"], due)))
    if event_type in (EventType.delivered, EventType.filed):
        checks.append((FlagCode.late, late(event.occurred_at, item.due_at)))
    if event_type is EventType.returned and item.kind == ItemKind.result:
        context.about_to_query()
        checks.append((FlagCode.early_return, early_return(_invitations(item))))
    return checks


def _at_the_counter(event_type: EventType, event: CustodyEvent, context: FlagContext) -> bool:
    """Whether the event happened at the post office's counter, not at a door or in the field.

    A dossier taken in at the counter is recorded with the channel `counter` (sync cannot
    send that field); a result held for pickup is handed by a clerk to the citizen who came
    for it (TT17 Art.5(2)(h)). A postman's delivery is a doorstep delivery whatever came before.
    """
    if event_type is EventType.collected:
        return event.evidence.get("channel") == "counter"
    return (event_type is EventType.delivered and context.actor.role == Role.clerk
            and context.status_before == ItemStatus.held_for_pickup)


def _positioned_events(actor_id: int):  # type: ignore[no-untyped-def]
    """The actor's events that carry a position, as fixes (id, lat, lon, accuracy, time)."""
    return (select(CustodyEvent.id, CustodyEvent.lat, CustodyEvent.lon, CustodyEvent.accuracy_m,
                   CustodyEvent.occurred_at)
            .where(CustodyEvent.actor_user_id == actor_id,
                   CustodyEvent.lat.is_not(None), CustodyEvent.lon.is_not(None)))


def _fix(found: Any) -> Fix:
    event_id, lat, lon, accuracy_m, occurred_at = found
    return Fix(event_id, Position(lat, lon, accuracy_m), occurred_at)


def _speed(event: CustodyEvent, position: Position, context: FlagContext) -> dict[str, Any] | None:
    """Compare the event with the actor's previous positioned event (memory, else one query)."""
    previous: Fix | object | None = RecentFixes.ASK_DATABASE
    if context.fixes is not None:
        previous = context.fixes.previous(event)
        context.fixes.add(Fix(event.id, position, event.occurred_at))
    if previous is RecentFixes.ASK_DATABASE:
        context.about_to_query()
        found = db.session.execute(
            _positioned_events(context.actor.id)
            .where(CustodyEvent.id != event.id, CustodyEvent.occurred_at <= event.occurred_at)
            # occurred_at alone: the (actor, occurred_at) index then answers with one backward
            # step, where a tie-breaker would sort all of the person's past events first.
            .order_by(CustodyEvent.occurred_at.desc()).limit(1)
        ).one_or_none()
        previous = _fix(found) if found is not None else None
    if previous is None:
        return None
    assert isinstance(previous, Fix)
    return impossible_speed(previous, Fix(event.id, position, event.occurred_at),
                            current_app.config["FLAG_MAX_SPEED_KMH"])


def _office_of(actor: User) -> tuple[float, float] | None:
    """The coordinates of the actor's post office, if the actor works at one that has them."""
    unit: Unit = actor.unit  # loaded once per session, then taken from the identity map
    if unit.kind != UnitKind.post_office or unit.lat is None or unit.lon is None:
        return None
    return (unit.lat, unit.lon)


def _invitations(item: Item) -> InvitationStatus:
    """The item's two-invitation status, this event's earlier attempts included (one query)."""
    # services.items appends its first events through custody, which calls this module:
    # importing it at call time keeps the import graph free of cycles.

    return invitations_for([item])[item.id]
