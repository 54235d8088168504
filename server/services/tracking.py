"""Public tracking: what anyone holding the number may learn (TT17 Art.12)."""
from __future__ import annotations

from sqlalchemy import select

from server.domain.s10 import parse_tracking_number
from server.extensions import db
from server.models import CustodyEvent, Item, Unit
from server.services.errors import NotFound


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
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).tuples().all()) if unit_ids else {}
    return item, events, names
