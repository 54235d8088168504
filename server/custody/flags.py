"""Raising the audit flags of an event as it is appended (docs/design.md §4): evidence, never errors."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select

from server.custody.invitations import failed_attempt, failed_attempts
from server.domain.fees import cash_due_vnd
from server.domain.flags import (
    DOORSTEP_EVENTS,
    FIELD_EVENTS,
    HAND_TO_HAND_EVENTS,
    Fix,
    FlagCode,
    WorkingHours,
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
from server.domain.invitations import InvitationStatus, invitation_status
from server.domain.lifecycle import EventType, ItemKind, ItemStatus
from server.domain.state_machines import FLAGS, FlagAction
from server.extensions import db
from server.models import AuditFlag, CustodyEvent, Item, Role, Unit, UnitKind, User

#: Whose field work is held to working hours: the post's own staff.
FIELD_ROLES = frozenset({Role.postman, Role.clerk})


class RecentFixes:
    """One actor's positioned events as a writer goes: the fix before each event, from
    memory where it can be (impossible_speed).

    The actor's latest stored fix is read once, when the first positioned event asks. An
    event dated after it is answered from memory: the previous fix is that one or one of
    the writer's own. An event dated before it (an old outbox) asks the database for the
    stored fix before it, and the later of that and the writer's own is taken.
    """

    def __init__(self, actor_id: int) -> None:
        self._actor_id = actor_id
        self._stored: Fix | None = None
        self._stored_read = False
        #: The writer's fixes sorted by time (equal times in the order added), and their times.
        self._batch: list[Fix] = []
        self._times: list[datetime] = []

    def previous(self, event_id: str, at: datetime) -> Fix | None:
        """The fix before the event (`event_id`, `at`), or None: the latest fix no later than
        the event; on equal times a stored fix, then the writer's first one.

        The event's own fix is added after this call, and a writer holds an event id once,
        so no fix of the writer's is the event's own.
        """
        stored = self._latest_stored()
        if stored is not None and stored.at > at:
            stored = _stored_fix_before(self._actor_id, event_id, at)
        elif stored is not None and stored.event_id == event_id:
            stored = None
        index = bisect_right(self._times, at) - 1
        times = self._times
        while index > 0 and times[index - 1] == times[index]:
            index -= 1  # the first of the fixes made at that time
        if index >= 0 and (stored is None or times[index] > stored.at):
            return self._batch[index]
        return stored

    def add(self, fix: Fix) -> None:
        """Remember a fix of the writer's for the events after it."""
        index = bisect_right(self._times, fix.at)
        self._times.insert(index, fix.at)
        self._batch.insert(index, fix)

    def _latest_stored(self) -> Fix | None:
        if not self._stored_read:
            found = db.session.execute(_LATEST_FIX, {"actor_id": self._actor_id}).one_or_none()
            self._stored, self._stored_read = (_fix(found) if found is not None else None), True
        return self._stored


def _stored_fix_before(actor_id: int, event_id: str, at: datetime) -> Fix | None:
    """The actor's latest stored fix no later than `at`, other than the event's own."""
    found = db.session.execute(_FIX_BEFORE, {"actor_id": actor_id, "event_id": event_id,
                                             "at": at}).one_or_none()
    return _fix(found) if found is not None else None


@dataclass(frozen=True)
class FlagLimits:
    """The thresholds of the checks (the app's FLAG_* settings), read once per writer."""

    clock_skew_s: float
    poor_accuracy_m: float
    far_from_address_m: float
    at_post_office_m: float
    max_speed_kmh: float
    working_hours: WorkingHours

    @classmethod
    def current(cls) -> FlagLimits:
        """The app's settings now (tests may change them between requests)."""
        config = current_app.config
        return cls(config["FLAG_CLOCK_SKEW_S"], config["FLAG_POOR_ACCURACY_M"],
                   config["FAR_FROM_ADDRESS_M"], config["FLAG_AT_POST_OFFICE_M"],
                   config["FLAG_MAX_SPEED_KMH"], config["FLAG_WORKING_HOURS"])


@dataclass(frozen=True)
class FlagContext:
    """What the checks need beyond the event: who, the state before it, the phone's clock."""

    actor: User
    #: The item's status before the event was applied (None for a new item).
    status_before: str | None
    #: The actor's fixes across the writer's events (impossible_speed).
    fixes: RecentFixes
    #: The checks' thresholds.
    limits: FlagLimits
    #: The evidence of a state conflict found while applying the event.
    conflict: dict[str, Any] | None = None
    #: The phone's clock when it sent the batch (sync only).
    sent_at: datetime | None = None
    #: The rows of the events applied before this one and not yet written (a sync batch's):
    #: the checks read them beside the database, so no check makes a write.
    pending: Sequence[Mapping[str, Any]] = ()
    #: Flags the caller's own checks found before the event was applied (sync:
    #: `not_holder`, `backdated`, which need what the batch looked up).
    found: tuple[tuple[FlagCode, dict[str, Any]], ...] = ()


def raise_flag(item: Item, code: str, event: CustodyEvent | None, details: dict[str, Any]) -> AuditFlag:
    """Record an audit flag that no event raises (a handover's discrepancy): never an error."""
    flag = AuditFlag(code=code, item_id=item.id, event_id=event.id if event else None,
                     event=event, details=details,
                     status=FLAGS.next_status(None, FlagAction.raise_))
    db.session.add(flag)
    return flag


def found_flags(item: Item, event: Mapping[str, Any],
                context: FlagContext) -> list[tuple[FlagCode, dict[str, Any]]]:
    """Each check that finds evidence against the event, with that evidence; writes nothing.

    `event` is the event's row (`server.domain.custody_step.Step.row`), not yet written;
    `item` is in the state the event left it in. At most two queries: the actor's previous
    positioned event when memory cannot tell (`RecentFixes`) and the item's failed
    attempts (a result's `returned` only); the actor's unit comes from the session.
    """
    return [(code, details) for code, details in _evidence(item, event, context)
            if details is not None]


def _evidence(item: Item, event: Mapping[str, Any],
              context: FlagContext) -> list[tuple[FlagCode, dict[str, Any] | None]]:
    """Each applicable check with what it found (None: nothing)."""
    limits = context.limits
    event_type = EventType(event["type"])
    occurred_at, lat, lon = event["occurred_at"], event["lat"], event["lon"]
    position = (Position(lat, lon, event["accuracy_m"])
                if lat is not None and lon is not None else None)
    address = ((item.address_lat, item.address_lon)
               if item.address_lat is not None and item.address_lon is not None else None)
    counter = _at_the_counter(event_type, event, context)
    checks: list[tuple[FlagCode, dict[str, Any] | None]] = [
        (FlagCode.state_conflict, context.conflict),
        *context.found,
        (FlagCode.clock_skew, clock_skew(occurred_at, event["received_at"], context.sent_at,
                                         limits.clock_skew_s)),
    ]
    if event_type in DOORSTEP_EVENTS and not counter:
        checks.append((FlagCode.poor_accuracy,
                       poor_accuracy(position, limits.poor_accuracy_m)))
        if position is not None:
            checks.append((FlagCode.far_from_address,
                           far_from_address(position, address, limits.far_from_address_m)))
    if position is not None:
        checks.append((FlagCode.impossible_speed, _speed(event, position, context)))
    if event_type in HAND_TO_HAND_EVENTS and position is not None and not counter:
        checks.append((FlagCode.at_post_office,
                       at_post_office(position, _office_of(context.actor), address,
                                      limits.at_post_office_m)))
    if event_type in FIELD_EVENTS and not counter and context.actor.role in FIELD_ROLES:
        checks.append((FlagCode.after_hours,
                       after_hours(occurred_at, limits.working_hours)))
    evidence = event["evidence"]
    if event_type in HAND_TO_HAND_EVENTS and "cash_collected_vnd" in evidence:
        due = cash_due_vnd(item.kind, context.status_before, item.postage_vnd,
                           item.official_fee_vnd)
        checks.append((FlagCode.cash_mismatch,
                       cash_mismatch(evidence["cash_collected_vnd"], due)))
    if event_type in (EventType.delivered, EventType.filed):
        checks.append((FlagCode.late, late(occurred_at, item.due_at)))
    if event_type is EventType.returned and item.kind == ItemKind.result:
        checks.append((FlagCode.early_return, early_return(_invitations(item, context.pending))))
    return checks


def _at_the_counter(event_type: EventType, event: Mapping[str, Any], context: FlagContext) -> bool:
    """Whether the event happened at the post office's counter, not at a door or in the field.

    A dossier taken in at the counter is recorded with the channel `counter` (sync cannot
    send that field); a result held for pickup is handed by a clerk to the citizen who came
    for it (TT17 Art.5(2)(h)). A postman's delivery is a doorstep delivery whatever came before.
    """
    if event_type is EventType.collected:
        return bool(event["evidence"].get("channel") == "counter")
    return (event_type is EventType.delivered and context.actor.role == Role.clerk
            and context.status_before == ItemStatus.held_for_pickup)


_EVENTS = CustodyEvent.__table__
#: The actor's events that carry a position, as fixes (id, lat, lon, accuracy, time), latest
#: first: built once (Core), as building a statement costs more than running it.
_POSITIONED = (select(_EVENTS.c.id, _EVENTS.c.lat, _EVENTS.c.lon, _EVENTS.c.accuracy_m,
                      _EVENTS.c.occurred_at)
               .where(_EVENTS.c.actor_user_id == bindparam("actor_id"),
                      _EVENTS.c.lat.is_not(None), _EVENTS.c.lon.is_not(None))
               # occurred_at alone: the (actor, occurred_at) index then answers with one
               # backward step, where a tie-breaker would sort all of the person's past
               # events first.
               .order_by(_EVENTS.c.occurred_at.desc()).limit(1))
_LATEST_FIX = _POSITIONED
_FIX_BEFORE = _POSITIONED.where(_EVENTS.c.id != bindparam("event_id"),
                                _EVENTS.c.occurred_at <= bindparam("at"))


def _fix(found: Any) -> Fix:
    event_id, lat, lon, accuracy_m, occurred_at = found
    return Fix(event_id, Position(lat, lon, accuracy_m), occurred_at)


def _speed(event: Mapping[str, Any], position: Position,
           context: FlagContext) -> dict[str, Any] | None:
    """Compare the event with the actor's previous positioned event (`RecentFixes`)."""
    fix = Fix(event["id"], position, event["occurred_at"])
    previous = context.fixes.previous(fix.event_id, fix.at)
    context.fixes.add(fix)
    if previous is None:
        return None
    return impossible_speed(previous, fix, context.limits.max_speed_kmh)


def _office_of(actor: User) -> tuple[float, float] | None:
    """The coordinates of the actor's post office, if the actor works at one that has them."""
    unit: Unit = actor.unit  # loaded once per session, then taken from the identity map
    if unit.kind != UnitKind.post_office or unit.lat is None or unit.lon is None:
        return None
    return (unit.lat, unit.lon)


def _invitations(item: Item, pending: Sequence[Mapping[str, Any]]) -> InvitationStatus:
    """The item's two-invitation status: its stored failed attempts (one query) and those of
    the events applied before this one and not yet written."""
    attempts = failed_attempts([item.id])[item.id]
    attempts += [failed_attempt(row["occurred_at"], row["evidence"]) for row in pending
                 if row["item_id"] == item.id and row["type"] == EventType.attempt_failed]
    return invitation_status(attempts)
