"""Synthetic citizens and items in every state, their histories played through the services.

Every name, phone number, ID number and address here is invented. Histories lie on the working
days of the last month, in working hours (Asia/Ho_Chi_Minh): planned (`demo.plans`), then
played step by step through the functions the API calls (`demo.replay`), so items, chains,
holders, handover records and audit flags are those the live paths make.
"""
from __future__ import annotations

import random

from sqlalchemy import select, update

from demo.people import OFFICE_SHARES, make_citizens
from demo.plans import Calendar, OfficeStaff, Planner, schedule
from demo.replay import Replayer
from demo.world import DemoWorld
from server.extensions import db
from server.models import AuditFlag, CustodyEvent, Role, User
from server.models.types import utc_now

ITEMS_PER_CITIZEN = 1.3


def _office_staff(world: DemoWorld) -> dict[str, OfficeStaff]:
    """Each post office that has a clerk and a postman, main office first."""
    staff = {}
    ordered = sorted(world.units.values(), key=lambda u: (-OFFICE_SHARES.get(u.code, 0), u.id))
    for unit in (u for u in ordered if u.kind == "post_office"):
        people = sorted((u for u in world.users.values() if u.unit_id == unit.id and u.active),
                        key=lambda u: u.username)
        clerks = [u for u in people if u.role == Role.clerk]
        postmen = [u for u in people if u.role == Role.postman]
        if clerks and postmen:
            staff[unit.code] = OfficeStaff(unit, clerks[0], postmen)
    return staff


def _officers(world: DemoWorld) -> dict[int, User]:
    """One agency officer per agency unit id, by username order."""
    officers: dict[int, User] = {}
    for user in sorted(world.users.values(), key=lambda u: u.username):
        if user.role == Role.agency:
            officers.setdefault(user.unit_id, user)
    return officers


def _date_flags_by_their_events() -> None:
    """A replayed event's flags were raised when it came in, not when the demo was seeded."""
    db.session.execute(
        update(AuditFlag).where(AuditFlag.event_id.is_not(None))
        .values(created_at=select(CustodyEvent.received_at)
                .where(CustodyEvent.id == AuditFlag.event_id).scalar_subquery())
        .execution_options(synchronize_session=False))


def seed_items(world: DemoWorld, citizen_count: int, seed: int) -> None:
    """Synthetic citizens and items in every state with coherent histories; flushes only."""
    rng = random.Random(seed)
    offices = _office_staff(world)
    officers = _officers(world)
    procedures = [p for p in world.procedures.values()
                  if p.postal_eligible and p.agency_unit_id in officers]
    if not offices or not procedures or citizen_count < 1:
        return
    citizens = make_citizens(rng, citizen_count, {c: s.office for c, s in offices.items()})
    calendar = Calendar.ending_at(utc_now())
    plans = Planner(rng, calendar, offices, officers, procedures, citizens).plans(
        max(1, round(citizen_count * ITEMS_PER_CITIZEN)))
    schedule(plans, rng)
    # Oldest first: equal times are played in this order.
    plans.sort(key=lambda p: (p.steps[0].day, p.steps[0].seconds))
    Replayer(rng, calendar, world.users.values(), world.units.values()).replay(plans)
    _date_flags_by_their_events()
    db.session.flush()
