"""What the readable custody page needs beside the signed export: the names of the people and
units that the events' evidence names by id (handover parties, a correction's two
supervisors), and where the item's address lies, for the position sketch."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from server.core.scope import find_visible_item
from server.extensions import db
from server.models import Unit, User

#: Evidence fields that name a person or a unit by id.
PERSON_FIELDS = ("from_user_id", "to_user_id", "requested_by_user_id", "countersigned_by_user_id")
UNIT_FIELDS = ("from_unit_id", "to_unit_id")


@dataclass(frozen=True)
class Person:
    """Someone an event names: the name to show and the role it acted in."""

    name: str
    role: str


@dataclass(frozen=True)
class CustodyNames:
    """Names by id of everyone and every unit the events name; the address's position;
    the item's agency and procedure by name; its kind and fees (what was due at the door)."""

    people: dict[int, Person]
    units: dict[int, str]
    address_position: tuple[float, float] | None
    agency_name: str
    procedure_name: str
    kind: str
    postage_vnd: int
    official_fee_vnd: int


def _ids(body: dict[str, Any], actor_key: str, fields: tuple[str, ...]) -> set[int]:
    """The ids an export's events name in `actor_key` and in the evidence `fields`."""
    found: set[int] = set()
    for entry in body["events"]:
        event = entry["body"]
        found.add(event[actor_key])
        evidence = event["evidence"] if isinstance(event["evidence"], dict) else {}
        found.update(value for field in fields
                     if isinstance(value := evidence.get(field), int) and not isinstance(value, bool))
    return found


def custody_names(actor: User, body: dict[str, Any]) -> CustodyNames:
    """Names for an export `actor` was given (its item is in `actor`'s scope, else 404)."""
    item = find_visible_item(actor, body["item"]["tracking_number"])
    user_ids = _ids(body, "actor_user_id", PERSON_FIELDS)
    unit_ids = _ids(body, "actor_unit_id", UNIT_FIELDS)
    people = {user.id: Person(user.full_name or user.username, user.role)
              for user in db.session.execute(select(User).where(User.id.in_(user_ids))).scalars()}
    units = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).tuples().all())
    address = ((item.address_lat, item.address_lon)
               if item.address_lat is not None and item.address_lon is not None else None)
    return CustodyNames(people=people, units=units, address_position=address,
                        agency_name=item.agency_unit.name, procedure_name=item.procedure.name,
                        kind=item.kind, postage_vnd=item.postage_vnd,
                        official_fee_vnd=item.official_fee_vnd)
