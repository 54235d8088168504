"""Who sees what: the one place where role and unit turn into query filters (DESIGN §1)."""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from server.domain.lifecycle import CLOSED
from server.models import Item, Role, Unit, User


def unit_subtree(unit: Unit):  # type: ignore[no-untyped-def]
    """A subquery of the ids of `unit` and every unit below it."""
    return select(Unit.id).where(Unit.path.like(unit.path + "%"))


def in_subtree(unit: Unit, root: Unit) -> bool:
    """True when `unit` is `root` or lies below it in the province tree (as `unit_subtree`)."""
    return unit.path.startswith(root.path)


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
            # A post office's postmen share its round: each sees the office's items.
            return or_(Item.holder_user_id == user.id, Item.post_office_unit_id == user.unit_id)
        case Role.agency:
            return or_(Item.agency_unit_id == user.unit_id, Item.holder_unit_id == user.unit_id)
    return false()


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
    """The path of the province at the top of `unit`'s tree."""
    first_id = unit.path.strip("/").split("/")[0]
    return f"/{first_id}/"
