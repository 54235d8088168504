"""Daily roll-ups of the summary report: the same answer as the raw events, for any period
and scope, whatever arrives late.

A seeded random world: the demo province, rolled up through yesterday by the seeder, then
random custody events of every figure's kind — offline replays of closed days (some earlier
than the item's first event of their type, so they take "first" away from a rolled-up
event), events of today, and cash with and without the sum collected. For random
periods and units, `summarize` with the roll-ups must equal `summarize(rollups=False)`, the
raw computation that tests/api/test_reports.py checks against plain loops over the rows.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from demo.seed import seed_demo
from server.custody.events import append_event
from server.domain.lifecycle import EventType, FailureAction, FailureReason
from server.domain.local_time import day_bounds, local_day
from server.domain.periods import Period, PeriodKind
from server.extensions import db
from server.models import CustodyEvent, Item, ReportDayPartial, ReportRollup, Unit, User
from server.models.types import utc_now
from server.reporting.reports import summarize
from server.reporting.rollups import last_rollable_day, roll_up, rolled_through
from server.reporting.serializers import summary_out
from tests.conftest import empty_tables

SEED = 20261124
TYPES = [EventType.collected, EventType.filed, EventType.cancelled, EventType.registered,
         EventType.delivered, EventType.returned, EventType.attempt_failed]


@pytest.fixture(scope="module")
def world(session_app: Flask) -> Iterator[Flask]:
    """The demo province (rolled up through yesterday by the seeder)."""
    empty_tables(session_app)
    with session_app.app_context():
        seed_demo(citizen_count=40, seed=5)
        db.session.commit()
    yield session_app
    empty_tables(session_app)


def _figures(summary: Any) -> dict[str, Any]:
    """Every figure of a summary (not the time it was made)."""
    return summary.model_dump(mode="json", exclude={"generated_at"})


def _first_day() -> date:
    return local_day(db.session.scalar(select(func.min(CustodyEvent.occurred_at))))


def _scatter_events(rng: random.Random, count: int, received_at: datetime) -> None:
    """`count` random events: replays of earlier steps, new steps of past days and of today."""
    items = list(db.session.scalars(select(Item).order_by(Item.id)))
    actor = db.session.scalar(select(User).where(User.username == "postman"))
    first, today = _first_day(), local_day(received_at)
    existing = list(db.session.scalars(select(CustodyEvent).where(
        CustodyEvent.type.in_([t.value for t in TYPES])).order_by(CustodyEvent.id)))
    for _ in range(count):
        if rng.random() < 0.4 and existing:
            # An offline replay of a step the item already had, a little before or after it.
            original = rng.choice(existing)
            item, event_type = original.item, EventType(original.type)
            occurred = original.occurred_at + timedelta(minutes=rng.randint(-3000, 3000))
        else:
            item, event_type = rng.choice(items), rng.choice(TYPES)
            day = first + timedelta(days=rng.randint(0, (today - first).days))
            occurred = datetime.combine(day, datetime.min.time()).replace(
                tzinfo=received_at.tzinfo) + timedelta(minutes=rng.randint(-420, 1000))
        occurred = min(occurred, received_at)
        evidence: dict[str, Any] = {}
        if event_type is EventType.attempt_failed:  # the API always asks reason and action
            evidence = {"reason": rng.choice(list(FailureReason)).value,
                        "action": rng.choice(list(FailureAction)).value}
        if event_type in (EventType.collected, EventType.delivered) and rng.random() < 0.6:
            evidence["cash_collected_vnd"] = rng.randint(0, 90) * 1000
        append_event(item, event_type, actor, occurred_at=occurred, evidence=evidence,
                     received_at=received_at)
    db.session.flush()


def _random_period(rng: random.Random, first: date, last: date) -> Period:
    start = first + timedelta(days=rng.randint(-2, (last - first).days))
    end = start + timedelta(days=rng.randint(1, (last - first).days + 3))
    return Period(PeriodKind.custom, start, end)


def _assert_same_as_raw(rng: random.Random, tries: int) -> int:
    """Random periods and units: rolled-up summary == raw summary. Returns non-empty checks."""
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    units = [None, *list(db.session.scalars(select(Unit.code).order_by(Unit.code)))]
    first, last = _first_day(), local_day(utc_now()) + timedelta(days=1)
    busy = 0
    for _ in range(tries):
        period, unit = _random_period(rng, first, last), rng.choice(units)
        rolled = _figures(summary_out(summarize(supervisor, period, unit)))
        raw = _figures(summary_out(summarize(supervisor, period, unit, rollups=False)))
        assert rolled == raw, (period, unit)
        busy += raw["cash"]["events"] > 0
    return busy


def _partials() -> list[tuple[Any, ...]]:
    """Every stored partial, without its row id."""
    p = ReportDayPartial
    columns = [c for c in p.__table__.columns if c.name != "id"]
    return sorted(db.session.execute(select(*columns)).all(), key=repr)


def test_the_seeder_rolls_up_the_closed_days(world: Flask) -> None:
    with world.app_context():
        assert rolled_through() == last_rollable_day()
        days = set(db.session.scalars(select(ReportDayPartial.day)))
        assert days and max(days) < local_day(utc_now())


def test_rolled_up_figures_equal_the_raw_ones_with_late_and_new_events(world: Flask) -> None:
    rng = random.Random(SEED)
    with world.app_context():
        assert _assert_same_as_raw(rng, 12) > 0
        # Late replays of closed days and events of today, received now: after the mark.
        _scatter_events(rng, 120, utc_now())
        assert _assert_same_as_raw(rng, 25) > 0
        # The next nights: the mark moves past them; the touched days are rolled up again.
        later = utc_now() + timedelta(days=2)
        outcome = roll_up(now=later)
        assert outcome.days and not outcome.already
        assert _assert_same_as_raw(rng, 15) > 0
        # More late arrivals after that mark, and a rebuild gives the same partials.
        _scatter_events(rng, 60, later)
        assert _assert_same_as_raw(rng, 15) > 0
        outcome = roll_up(now=later + timedelta(days=1))
        assert _assert_same_as_raw(rng, 15) > 0
        kept = _partials()
        roll_up(now=later + timedelta(days=1), rebuild=True)
        assert _partials() == kept
        db.session.rollback()


def test_rolling_up_twice_changes_nothing(world: Flask) -> None:
    with world.app_context():
        before = _partials()
        runs = db.session.scalar(select(func.count()).select_from(ReportRollup))
        outcome = roll_up()
        assert outcome.already and outcome.days == []
        assert _partials() == before
        assert db.session.scalar(select(func.count()).select_from(ReportRollup)) == runs
        db.session.rollback()


def test_today_is_never_rolled_up(world: Flask) -> None:
    with world.app_context():
        today = local_day(utc_now())
        roll_up(through=today + timedelta(days=30))
        assert rolled_through() == last_rollable_day() < today
        assert db.session.scalar(select(func.max(ReportDayPartial.day))) < today
        db.session.rollback()


def test_a_day_is_rolled_up_only_once_closed_and_its_grace_passed(world: Flask) -> None:
    with world.app_context():
        today = local_day(utc_now())
        db.session.execute(ReportDayPartial.__table__.delete())
        db.session.execute(ReportRollup.__table__.delete())
        # 00:02 of a local day: the day before ended two minutes ago, within the grace.
        just_after = day_bounds(today)[0] + timedelta(minutes=2)
        outcome = roll_up(now=just_after)
        assert outcome.through == today - timedelta(days=2)
        assert db.session.scalar(select(func.max(ReportDayPartial.day))) <= today - timedelta(days=2)
        db.session.rollback()


def test_the_nightly_command_rolls_up_and_says_what_it_did(world: Flask) -> None:
    import json

    with world.app_context():
        db.session.execute(ReportDayPartial.__table__.delete())
        db.session.execute(ReportRollup.__table__.delete())
        db.session.commit()
    runner = world.test_cli_runner()
    first = json.loads(runner.invoke(args=["reports", "roll-up"]).output)
    again = json.loads(runner.invoke(args=["reports", "roll-up"]).output)
    with world.app_context():
        assert first["through"] == last_rollable_day().isoformat()
        assert first["days_rolled"] > 0 and not first["already_rolled"]
        assert again == {**first, "days_rolled": 0, "already_rolled": True}
        assert db.session.scalar(select(func.count()).select_from(ReportDayPartial)) > 0


def test_a_late_replay_before_the_period_takes_the_count_out_of_it(world: Flask) -> None:
    with world.app_context():
        supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
        mark_day = rolled_through()
        assert mark_day is not None
        rolled = db.session.scalars(
            select(CustodyEvent).where(CustodyEvent.type == EventType.collected.value,
                                       CustodyEvent.occurred_at < day_bounds(mark_day)[0])
            .order_by(CustodyEvent.occurred_at.desc())).first()
        assert rolled is not None
        day = local_day(rolled.occurred_at)
        period = Period(PeriodKind.custom, day, day + timedelta(days=1))
        before = summary_out(summarize(supervisor, period, None, rollups=False)).items.dossiers.accepted
        # The phone had collected it three days earlier and only now comes back online.
        append_event(rolled.item, EventType.collected, rolled.actor,
                     occurred_at=rolled.occurred_at - timedelta(days=3), evidence={})
        raw = _figures(summary_out(summarize(supervisor, period, None, rollups=False)))
        assert raw["items"]["dossiers"]["accepted"] == before - 1
        assert _figures(summary_out(summarize(supervisor, period, None))) == raw
        db.session.rollback()
