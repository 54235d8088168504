"""Who sees what: the one place where role and unit turn into query filters (docs/design.md §2)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from server.core.errors import NotFound
from server.domain.lifecycle import CLOSED, ItemStatus
from server.domain.s10 import parse_tracking_number
from server.domain.state_machines import HandoverStatus
from server.domain.unit_tree import province_root, within
from server.extensions import db
from server.models import (
    CustodyEvent,
    HandoverLine,
    HandoverRecord,
    Item,
    Role,
    Unit,
    User,
)
from server.models.types import utc_now


def path_under(root_path: str) -> ColumnElement[bool]:
    """The filter on `Unit` of the unit at `root_path` and every unit below it: the SQL form
    of `domain.unit_tree.within`."""
    return Unit.path.like(root_path + "%")


def unit_subtree(unit: Unit) -> Select[tuple[int]]:
    """A subquery of the ids of `unit` and every unit below it."""
    return select(Unit.id).where(path_under(unit.path))


def in_subtree(unit: Unit, root: Unit) -> bool:
    """True when `unit` is `root` or lies below it in the province tree (as `unit_subtree`)."""
    return within(unit.path, root.path)


def visible_items(user: User) -> ColumnElement[bool]:
    """The filter on `Item` that limits a query to what `user` may see."""
    match user.role:
        case Role.admin:
            return true()
        case Role.supervisor:
            subtree = unit_subtree(user.unit)
            return or_(
                Item.post_office_unit_id.in_(subtree),
                Item.agency_unit_id.in_(subtree),
                Item.holder_unit_id.in_(subtree),
            )
        case Role.clerk:
            return or_(Item.post_office_unit_id == user.unit_id, Item.holder_unit_id == user.unit_id)
        case Role.postman:
            return postman_items(user)
        case Role.agency:
            return or_(Item.agency_unit_id == user.unit_id, Item.holder_unit_id == user.unit_id)
    return false()


def postman_items(user: User) -> ColumnElement[bool]:
    """What a postman may read (Law 91/2025/QH15 on personal data: the least to each role).

    What he holds; what is listed for him on a handover not yet signed (the morning load
    check); the home pickups his office owes and has given to nobody yet (any postman of the
    office may go); and what he recorded an event on in the last `POSTMAN_RECENT_DAYS` days,
    counted by the server's clock (a phone cannot date its way into more). Never the rest of
    his office's items.
    """
    since = utc_now() - timedelta(days=current_app.config["POSTMAN_RECENT_DAYS"])
    listed_for_him = (select(HandoverLine.item_id)
                      .join(HandoverRecord, HandoverRecord.id == HandoverLine.handover_id)
                      .where(HandoverRecord.to_user_id == user.id,
                             HandoverRecord.status == HandoverStatus.pending,
                             HandoverLine.item_id.is_not(None)))
    handled = select(CustodyEvent.item_id).where(CustodyEvent.actor_user_id == user.id,
                                                 CustodyEvent.received_at >= since)
    return or_(
        Item.holder_user_id == user.id,
        Item.id.in_(listed_for_him),
        and_(Item.holder_unit_id == user.unit_id, Item.holder_user_id.is_(None),
             Item.status == ItemStatus.requested.value),
        Item.id.in_(handled),
    )


def shows_personal_data(user: User, item: Item) -> bool:
    """Whether `user` reads the citizen's name, phone, address and recipient on `item`.

    A postman needs them only while the item is still to be carried; once its life is over
    (filed, delivered, returned, cancelled) he keeps the record of what he did, without the
    person (Law 91/2025/QH15, Decree 356/2025/NĐ-CP: the least personal data).
    """
    return not (user.role == Role.postman and item.status in CLOSED)


def custody_scope(user: User) -> ColumnElement[bool]:
    """The filter on `Item` of what `user` may record a field event on now (sync).

    The post's staff record events on what is in their office's hands now: what they or a
    colleague hold, what the office holds, and the office's own items whose life is over
    (a late event on them is recorded and flagged, never refused). An item handed on to
    another office, another province or an agency before its end is out of reach: the
    field may not write into another unit's custody. Other roles keep their reading scope.
    """
    if user.role in (Role.postman, Role.clerk):
        return or_(
            Item.holder_user_id == user.id,
            Item.holder_unit_id == user.unit_id,
            and_(Item.post_office_unit_id == user.unit_id,
                 Item.status.in_([status.value for status in CLOSED])),
        )
    return visible_items(user)


def province_root_path(unit: Unit) -> str:
    """The path of the province at the top of `unit`'s tree (`domain.unit_tree`)."""
    return province_root(unit.path)


def find_visible_item(actor: User, tracking_number: str) -> Item:
    """The item if `actor` may see it; 404 otherwise, without saying whether it exists."""
    number = parse_tracking_number(tracking_number)
    item = db.session.execute(
        select(Item).where(Item.tracking_number == number, visible_items(actor))
    ).scalar_one_or_none()
    if item is None:
        raise NotFound("unknown_item", f"Không tìm thấy bưu gửi {number} trong phạm vi của bạn.")
    return item
