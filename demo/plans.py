"""The demo's history as plans: each item's steps on working days, then their times of day.

Two passes: plan each item as steps on working-day offsets (`Planner`), then schedule the
steps (`schedule`: batched handovers share one time, a postman's doorstep stops are spaced
along the day). `demo.replay` then plays them through the services.
"""
from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from demo.people import OFFICE_SHARES, Citizen, weighted
from server.domain.lifecycle import FailureAction, FailureReason, ItemKind
from server.domain.service_time import LOCAL_TZ, is_working_day
from server.models import Item, Procedure, Unit, User

#: The office whose clerk also works the post's desk inside the one-stop centre.
DESK_OFFICE = "BC-TRUNGTAM"
#: Agencies whose results that desk registers at the counter (the others register their own).
DESK_AGENCIES = frozenset({"TTHCC", "SO-TP"})
PROCEDURE_WEIGHTS = {"CA-CCCD-DOI": 30, "CA-GPLX-DOI": 15, "TP-LLTP": 20, "BHXH-SO-CAPLAI": 8,
                     "BHXH-THE-CAPLAI": 12, "TTHCC-DATDAI": 15}


# ---------------------------------------------------------------------------------------------
# The calendar: working days of the last month, "today" being the last one started
# ---------------------------------------------------------------------------------------------

#: Nominal working day; today's history is squeezed into the part of it already past.
DAY_START, DAY_END = 7 * 3600, 17 * 3600 + 30 * 60
#: Today counts once the office has been open a while; earlier, yesterday is "today".
TODAY_FROM = time(8, 0)
HISTORY_DAYS = 30


@dataclass(frozen=True)
class Calendar:
    """Working days, oldest first; the last one is "today" of the demo."""

    days: tuple[date, ...]
    now: datetime

    @classmethod
    def ending_at(cls, now: datetime) -> Calendar:
        """The working days of the last month up to the last one that has begun."""
        local = now.astimezone(LOCAL_TZ)
        last = local.date()
        if not (is_working_day(last) and local.time() >= TODAY_FROM):
            last -= timedelta(days=1)
            while not is_working_day(last):
                last -= timedelta(days=1)
        first = local.date() - timedelta(days=HISTORY_DAYS)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return cls(tuple(d for d in days if is_working_day(d)), now)

    @property
    def today(self) -> int:
        """The index of the demo's today."""
        return len(self.days) - 1

    def is_live(self, day: int) -> bool:
        """Whether `day` is the real current date."""
        return self.days[day] == self.now.astimezone(LOCAL_TZ).date()

    def moment(self, day: int, seconds: int) -> datetime:
        """The UTC time of `seconds` after local midnight on working day `day`, in the past."""
        if self.is_live(day):
            # Scale today's nominal day into what has passed of it, keeping the order.
            local_now = self.now.astimezone(LOCAL_TZ)
            passed = (local_now.hour * 3600 + local_now.minute * 60 + local_now.second
                      - 120 - DAY_START)
            if passed < DAY_END - DAY_START:
                seconds = DAY_START + round((seconds - DAY_START) * passed / (DAY_END - DAY_START))
        local = datetime.combine(self.days[day], time(), tzinfo=LOCAL_TZ) + timedelta(seconds=seconds)
        return local.astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# Plans: each item's steps on working-day offsets
# ---------------------------------------------------------------------------------------------

class Action(StrEnum):
    """One thing a person does to an item in the demo's history."""

    intake = "intake"  # counter: collected/registered then at_post
    register = "register"  # the agency officer registers a result
    request = "request"  # the citizen asks for a pickup at home
    cancel = "cancel"
    collect = "collect"  # doorstep: dossier taken from the citizen
    handover = "handover"  # custody moves at the receiver's signature (a dossier loaded by
    # the carrier is in_transit, one brought back to the desk at_post: the handover says so)
    out = "out"  # out_for_delivery
    attempt = "attempt"  # doorstep: attempt_failed
    deliver = "deliver"  # doorstep delivery
    deliver_counter = "deliver_counter"  # the citizen collects a held result at the counter
    hold = "hold"  # held_for_pickup
    give_back = "give_back"  # returned (to the agency)


@dataclass(frozen=True)
class Batch:
    """One handover record: its kind and day, who lists, who signs, from whom to whom."""

    day: int
    kind: str
    sender_id: int
    receiver_id: int
    from_user_id: int | None
    from_unit_id: int
    to_user_id: int | None
    to_unit_id: int


@dataclass
class Step:
    """One action of a plan; `seconds` (after local midnight) is set by the scheduler."""

    day: int
    action: Action
    actor: User
    batch: Batch | None = None
    reason: FailureReason | None = None
    then: FailureAction | None = None
    far: bool = False
    seconds: int = 0


@dataclass
class OfficeStaff:
    """The people of one post office: its clerk and postmen (the last one also carries bags)."""

    office: Unit
    clerk: User
    postmen: list[User]

    @property
    def carrier(self) -> User:
        """Who takes the dossiers to the agencies."""
        return self.postmen[-1]


@dataclass
class Plan:
    """Everything about one future item, then the item itself once replayed."""

    kind: ItemKind
    staff: OfficeStaff
    procedure: Procedure
    officer: User
    citizen: Citizen
    postman: User
    slip: bool
    day: int = 0
    steps: list[Step] = field(default_factory=list)
    proxy: bool = False
    linked: Plan | None = None
    dossier_code: str | None = None
    item: Item | None = None

    @property
    def agency(self) -> Unit:
        """The agency the item goes to or comes from."""
        return self.procedure.agency_unit

    @property
    def made(self) -> Item:
        """The item, once its first step has been replayed."""
        if self.item is None:
            raise RuntimeError("the plan's item does not exist yet")
        return self.item


class End(StrEnum):
    """Where a plan's last step lies."""

    today = "today"
    recent = "recent"  # today or yesterday
    yesterday = "yesterday"
    hold = "hold"  # one to four working days ago
    past = "past"  # within the month, before today


#: (scenario, share of an office's items). Every (kind, status) pair has its scenario.
SCENARIOS: tuple[tuple[str, float], ...] = (
    ("requested", 0.03), ("dossier_cancelled", 0.015), ("collected", 0.03),
    ("dossier_at_post", 0.05), ("in_transit", 0.03), ("filed", 0.20),
    ("registered", 0.05), ("result_cancelled", 0.015), ("result_at_post", 0.05),
    ("out_for_delivery", 0.08), ("attempt_failed", 0.05), ("held_for_pickup", 0.03),
    ("delivered", 0.33), ("returned", 0.04),
)
FIRST_ATTEMPT_REASONS = {
    FailureReason.absent: 60, FailureReason.not_found: 10, FailureReason.id_missing: 10,
    FailureReason.papers_missing: 8, FailureReason.proxy_invalid: 7,
    FailureReason.force_majeure: 5,
}
#: TT17 Art.5(2)(h): these make a result undeliverable at once.
UNDELIVERABLE = [FailureReason.refused, FailureReason.address_wrong, FailureReason.moved]


class Planner:
    """Draws the plans of one seed: which items, for whom, and their steps."""

    def __init__(self, rng: random.Random, calendar: Calendar, offices: dict[str, OfficeStaff],
                 officers: dict[int, User], procedures: list[Procedure],
                 citizens: list[Citizen]) -> None:
        self.rng, self.calendar, self.offices = rng, calendar, offices
        self.officers = officers
        self.procedures = procedures
        self.citizens: dict[str, list[Citizen]] = defaultdict(list)
        for citizen in citizens:
            self.citizens[citizen.office_code].append(citizen)
        self.far_left = 2  # the first deliveries made far from the door, so flags exist
        # The first postman of an office walks the longer round: two items in three.
        self.rotas: dict[tuple[str, str], Iterator[User]] = {
            (code, scenario): itertools.cycle([staff.postmen[0], *staff.postmen])
            for code, staff in offices.items() for scenario, _share in SCENARIOS
        }

    def plans(self, item_count: int) -> list[Plan]:
        """All plans, in every scenario, for every office with citizens."""
        plans: list[Plan] = []
        shares = {code: OFFICE_SHARES.get(code, 0.1) for code in self.offices if self.citizens[code]}
        total = sum(shares.values())
        for index, (code, share) in enumerate(shares.items()):
            for scenario, fraction in SCENARIOS:
                count = round(fraction * item_count * share / total)
                # The main office shows every state even in a tiny seed.
                plans.extend(self._plan(scenario, self.offices[code])
                             for _ in range(max(count, 1) if index == 0 else count))
        self._link_results(plans)
        return plans

    def _plan(self, scenario: str, staff: OfficeStaff) -> Plan:
        """One plan of a scenario, its steps anchored in the calendar."""
        kind = ItemKind.dossier if scenario in {
            "requested", "dossier_cancelled", "collected", "dossier_at_post", "in_transit",
            "filed"} else ItemKind.result
        procedure = self.rng.choices(
            self.procedures, weights=[PROCEDURE_WEIGHTS.get(p.code, 5) for p in self.procedures])[0]
        postman = next(self.rotas[(staff.office.code, scenario)])
        plan = Plan(kind=kind, staff=staff, procedure=procedure,
                    officer=self.officers[procedure.agency_unit_id],
                    citizen=self.rng.choice(self.citizens[staff.office.code]), postman=postman,
                    slip=kind is ItemKind.result and self.rng.random() < 0.6)
        end = getattr(self, f"_{scenario}")(plan)
        self._anchor(plan, end)
        return plan

    # -- anchoring and linking ----------------------------------------------------------------

    def _anchor(self, plan: Plan, end: End) -> None:
        """Shift the plan's days so its last step falls where the scenario says."""
        today = self.calendar.today
        target = {
            End.today: today, End.recent: today - self.rng.randint(0, 1),
            End.yesterday: today - 1, End.hold: today - self.rng.randint(1, 4),
            End.past: today - self.rng.randint(1, min(18, today)),
        }[end]
        shift = max(target - plan.steps[-1].day, 0)
        if plan.steps[-1].day + shift > today:
            raise RuntimeError("demo history longer than the calendar; raise HISTORY_DAYS")
        for step in plan.steps:
            step.day += shift
            if step.batch is not None:
                step.batch = replace(step.batch, day=step.day)

    def _link_results(self, plans: list[Plan]) -> None:
        """Let about half the results answer a dossier filed earlier by the same citizen."""
        filed = [p for p in plans if p.kind is ItemKind.dossier
                 and p.steps[-1].action is Action.handover and p.steps[-1].batch
                 and p.steps[-1].batch.kind in {"filing", "transit_filing"}]
        for result in (p for p in plans if p.kind is ItemKind.result):
            if self.rng.random() >= 0.5:
                continue
            start = result.steps[0].day
            candidates = [d for d in filed if d.staff is result.staff
                          and d.procedure.agency_unit_id == result.procedure.agency_unit_id
                          and d.steps[-1].day + 2 <= start]
            if candidates:
                dossier = self.rng.choice(candidates)
                filed.remove(dossier)
                result.linked, result.citizen, result.procedure = dossier, dossier.citizen, dossier.procedure

    # -- building blocks ----------------------------------------------------------------------

    def _add(self, plan: Plan, action: Action, actor: User, **details: Any) -> None:
        """Append a step on the plan's current day."""
        plan.steps.append(Step(plan.day, action, actor, **details))

    def _wait(self, plan: Plan, low: int, high: int) -> None:
        """Move the plan on by some working days."""
        plan.day += self.rng.randint(low, high)

    def _wait_usually_next_day(self, plan: Plan) -> None:
        """The next working day, as the service times expect (TT17 Art.7); now and then a day
        more, so the demo has some late items to show."""
        plan.day += 1 if self.rng.random() < 0.9 else 2

    def _handover(self, plan: Plan, kind: str, sender: User, receiver: User, *,
                  from_user: User | None, from_unit: Unit, to_user: User | None,
                  to_unit: Unit) -> None:
        """A handover step, signed by the receiver, batched with the day's others alike."""
        batch = Batch(plan.day, kind, sender.id, receiver.id, from_user.id if from_user else None,
                      from_unit.id, to_user.id if to_user else None, to_unit.id)
        self._add(plan, Action.handover, receiver, batch=batch)

    def _morning(self, plan: Plan, postman: User) -> None:
        """The morning load check: the clerk lists, the postman scans and signs."""
        office = plan.staff.office
        self._handover(plan, "morning", plan.staff.clerk, postman, from_user=None,
                       from_unit=office, to_user=postman, to_unit=office)

    def _evening(self, plan: Plan, postman: User) -> None:
        """The evening return: the postman brings back what he still holds."""
        office = plan.staff.office
        self._handover(plan, "evening", postman, plan.staff.clerk, from_user=postman,
                       from_unit=office, to_user=None, to_unit=office)

    def _home_pickup(self, plan: Plan) -> None:
        """A pickup asked for, then the postman collects at the door."""
        self._add(plan, Action.request, plan.staff.clerk)
        self._wait(plan, 1, 2)
        self._add(plan, Action.collect, plan.postman)

    def _dossier_intake(self, plan: Plan) -> None:
        """At the counter, or collected at home and brought back that evening."""
        if self.rng.random() < 0.55:
            self._add(plan, Action.intake, plan.staff.clerk)
            return
        self._home_pickup(plan)
        self._evening(plan, plan.postman)

    def _file(self, plan: Plan) -> None:
        """Filing with the agency (QĐ45 Art.7): from the desk, or carried there by a postman."""
        staff, agency = plan.staff, plan.agency
        self._wait_usually_next_day(plan)
        if staff.office.code == DESK_OFFICE and self.rng.random() < 0.5:
            self._handover(plan, "filing", staff.clerk, plan.officer, from_user=None,
                           from_unit=staff.office, to_user=None, to_unit=agency)
            return
        self._morning(plan, staff.carrier)
        self._handover(plan, "transit_filing", staff.carrier, plan.officer,
                       from_user=staff.carrier, from_unit=staff.office, to_user=None,
                       to_unit=agency)

    def _result_intake(self, plan: Plan) -> None:
        """Registered at the desk's counter, or by the agency and picked up by the post."""
        staff = plan.staff
        if (staff.office.code == DESK_OFFICE and plan.agency.code in DESK_AGENCIES
                and self.rng.random() < 0.6):
            self._add(plan, Action.intake, staff.clerk)
            return
        self._add(plan, Action.register, plan.officer)
        self._wait(plan, 1, 2)
        self._handover(plan, "pickup", plan.officer, staff.clerk, from_user=None,
                       from_unit=plan.agency, to_user=None, to_unit=staff.office)

    def _go_out(self, plan: Plan, low: int | None = None, high: int | None = None) -> None:
        """Some working days later: loaded in the morning and out for delivery."""
        if low is None or high is None:
            self._wait_usually_next_day(plan)
        else:
            self._wait(plan, low, high)
        self._morning(plan, plan.postman)
        self._add(plan, Action.out, plan.postman)

    def _failed(self, plan: Plan, reason: FailureReason, then: FailureAction,
                back: bool = True) -> None:
        """A failed attempt, and the evening return of the envelope."""
        self._add(plan, Action.attempt, plan.postman, reason=reason, then=then)
        if back:
            self._evening(plan, plan.postman)

    def _far(self, plan: Plan) -> bool:
        """Whether this delivery is recorded far from the door (an audit flag to look at)."""
        if self.far_left > 0 and plan.staff.office.code == DESK_OFFICE:
            self.far_left -= 1
            return True
        return self.rng.random() < 0.03

    def _first_reason(self) -> FailureReason:
        """Why a first attempt failed."""
        return FailureReason(weighted(self.rng, FIRST_ATTEMPT_REASONS))

    # -- dossier scenarios ----------------------------------------------------------------------

    def _requested(self, plan: Plan) -> End:
        """A pickup asked for in the last day or two, not yet made."""
        self._add(plan, Action.request, plan.staff.clerk)
        return End.recent

    def _dossier_cancelled(self, plan: Plan) -> End:
        """A pickup the citizen called off before the postman came."""
        self._add(plan, Action.request, plan.staff.clerk)
        self._wait(plan, 1, 3)
        self._add(plan, Action.cancel, plan.staff.clerk)
        return End.past

    def _collected(self, plan: Plan) -> End:
        """Collected at the door today; the postman still has it."""
        self._home_pickup(plan)
        return End.today

    def _dossier_at_post(self, plan: Plan) -> End:
        """Taken at the counter lately, or collected and brought back yesterday."""
        if self.rng.random() < 0.6:
            self._add(plan, Action.intake, plan.staff.clerk)
            return End.recent
        self._home_pickup(plan)
        self._evening(plan, plan.postman)
        return End.yesterday

    def _in_transit(self, plan: Plan) -> End:
        """On its way to the agency with the carrier today."""
        self._dossier_intake(plan)
        self._wait(plan, 1, 2)
        self._morning(plan, plan.staff.carrier)
        return End.today

    def _filed(self, plan: Plan) -> End:
        """Filed with the agency, legally at the officer's signature (QĐ45 Art.7)."""
        self._dossier_intake(plan)
        self._file(plan)
        return End.past

    # -- result scenarios -----------------------------------------------------------------------

    def _registered(self, plan: Plan) -> End:
        """Registered by the agency lately, not yet picked up."""
        self._add(plan, Action.register, plan.officer)
        return End.recent

    def _result_cancelled(self, plan: Plan) -> End:
        """Registered, then recalled by the agency before pickup."""
        self._add(plan, Action.register, plan.officer)
        self._wait(plan, 1, 2)
        self._add(plan, Action.cancel, plan.officer)
        return End.past

    def _result_at_post(self, plan: Plan) -> End:
        """At the post office, waiting for tomorrow's morning load."""
        self._result_intake(plan)
        return End.today

    def _out_for_delivery(self, plan: Plan) -> End:
        """Out with the postman today, sometimes on the second invitation."""
        self._result_intake(plan)
        if self.rng.random() < 0.25:
            # The second invitation, two working days after the first (TT17 Art.5(2)(h)).
            self._go_out(plan)
            self._failed(plan, self._first_reason(), FailureAction.notice_left)
            self._go_out(plan, 2, 2)
        else:
            self._go_out(plan)
        return End.today

    def _attempt_failed(self, plan: Plan) -> End:
        """Not delivered: still with the postman today, or back since yesterday."""
        self._result_intake(plan)
        self._go_out(plan)
        still_out = self.rng.random() < 0.5
        action = FailureAction.notice_left if self.rng.random() < 0.8 else FailureAction.retry
        self._failed(plan, self._first_reason(), action, back=not still_out)
        return End.today if still_out else End.yesterday

    def _held_for_pickup(self, plan: Plan) -> End:
        """After an invitation, waiting at the counter for the citizen."""
        self._result_intake(plan)
        self._go_out(plan)
        self._failed(plan, FailureReason.absent, FailureAction.notice_left)
        self._add(plan, Action.hold, plan.staff.clerk)
        return End.hold

    def _delivered(self, plan: Plan) -> End:
        """Delivered at the door (or at the counter), sometimes after an invitation."""
        self._result_intake(plan)
        self._go_out(plan)
        roll = self.rng.random()
        if roll < 0.12:
            self._failed(plan, FailureReason.absent, FailureAction.notice_left)
            self._add(plan, Action.hold, plan.staff.clerk)
            self._wait(plan, 1, 3)
            self._add(plan, Action.deliver_counter, plan.staff.clerk)
            return End.past
        if roll < 0.30:
            self._failed(plan, self._first_reason(), FailureAction.notice_left)
            self._go_out(plan, 2, 2)
        plan.proxy = self.rng.random() < 0.15
        self._add(plan, Action.deliver, plan.postman, far=self._far(plan))
        return End.today if self.rng.random() < 0.1 else End.past

    def _returned(self, plan: Plan) -> End:
        """Back to the agency: after two invitations, or undeliverable at once."""
        self._result_intake(plan)
        self._go_out(plan)
        if self.rng.random() < 0.6:
            # Two invitations two working days apart; unclaimed at the counter, it goes back
            # (TT17 Art.5(2)(h)).
            self._failed(plan, FailureReason.absent, FailureAction.notice_left)
            self._go_out(plan, 2, 2)
            self._failed(plan, self.rng.choice([FailureReason.absent, FailureReason.not_found]),
                         FailureAction.notice_left)
            self._add(plan, Action.hold, plan.staff.clerk)
            self._wait(plan, 2, 3)
        else:
            self._failed(plan, self.rng.choice(UNDELIVERABLE), FailureAction.return_to_agency)
        self._add(plan, Action.give_back, plan.staff.clerk)
        if self.rng.random() < 0.5:
            self._wait(plan, 1, 2)
            self._handover(plan, "return_agency", plan.staff.clerk, plan.officer, from_user=None,
                           from_unit=plan.staff.office, to_user=None, to_unit=plan.agency)
        return End.past


# ---------------------------------------------------------------------------------------------
# Scheduling: the time of day of every step
# ---------------------------------------------------------------------------------------------

def _hm(hours: int, minutes: int = 0) -> int:
    """Seconds after midnight."""
    return hours * 3600 + minutes * 60


#: Handover batches: first one of the kind on a day, then one every gap seconds.
BATCH_TIMES = {"morning": (_hm(7, 30), 120), "pickup": (_hm(9, 30), 300),
               "transit_filing": (_hm(10, 30), 300), "filing": (_hm(14), 300),
               "return_agency": (_hm(15), 300), "evening": (_hm(16, 15), 180)}
#: Counter and desk hours.
OFFICE_HOURS = ((_hm(7, 40), _hm(11, 30)), (_hm(13, 30), _hm(16, 20)))
#: A postman's doorstep round, lunch excluded.
ROUND_HOURS = ((_hm(8, 20), _hm(11, 30)), (_hm(13, 30), _hm(16)))
OUT_START, OUT_GAP = _hm(7, 50), 40
AFTER_RETURN_START, AFTER_RETURN_GAP = _hm(16, 35), 20
RANDOM_TIME_ACTIONS = frozenset({Action.intake, Action.register, Action.request, Action.cancel,
                                 Action.deliver_counter})
ROUND_ACTIONS = frozenset({Action.collect, Action.attempt, Action.deliver})
AFTER_RETURN_ACTIONS = frozenset({Action.hold, Action.give_back})


def _along(hours: tuple[tuple[int, int], ...], offset: float) -> int:
    """The time `offset` seconds into a set of opening hours."""
    for start, end in hours:
        if offset <= end - start:
            return int(start + offset)
        offset -= end - start
    return hours[-1][1]


def _opening_length(hours: tuple[tuple[int, int], ...]) -> int:
    """How many seconds the opening hours last."""
    return sum(end - start for start, end in hours)


def schedule(plans: list[Plan], rng: random.Random) -> None:
    """Give every step its time of day, in an order that keeps each item's history sorted."""
    batches: dict[Batch, int] = {}
    batches_per_day: dict[tuple[int, str], int] = defaultdict(int)
    sequence: dict[tuple[str, int, int], int] = defaultdict(int)
    rounds: dict[tuple[int, int], list[Step]] = defaultdict(list)
    for step in (s for plan in plans for s in plan.steps):
        if step.batch is not None:
            if step.batch not in batches:
                start, gap = BATCH_TIMES[step.batch.kind]
                kind_of_day = (step.day, step.batch.kind)
                batches[step.batch] = start + gap * batches_per_day[kind_of_day]
                batches_per_day[kind_of_day] += 1
            step.seconds = batches[step.batch]
        elif step.action in RANDOM_TIME_ACTIONS:
            step.seconds = _along(OFFICE_HOURS, rng.uniform(0, _opening_length(OFFICE_HOURS)))
        elif step.action in ROUND_ACTIONS:
            rounds[(step.actor.id, step.day)].append(step)
        else:
            late = step.action in AFTER_RETURN_ACTIONS
            key = ("after" if late else "out", step.actor.id, step.day)
            start, gap = (AFTER_RETURN_START, AFTER_RETURN_GAP) if late else (OUT_START, OUT_GAP)
            step.seconds = start + gap * sequence[key]
            sequence[key] += 1
    for stops in rounds.values():
        _space_round(stops, rng)


def _space_round(stops: list[Step], rng: random.Random) -> None:
    """Spread a postman's doorstep stops of a day evenly over the round, in a random order."""
    rng.shuffle(stops)
    length = _opening_length(ROUND_HOURS) / len(stops)
    for index, stop in enumerate(stops):
        stop.seconds = _along(ROUND_HOURS, length * (index + 0.2 + 0.6 * rng.random()))
