"""Who sees what: the one place where role and unit turn into query filters (DESIGN §1)."""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

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


def province_root_path(unit: Unit) -> str:
    """The path of the province at the top of `unit`'s tree."""
    first_id = unit.path.strip("/").split("/")[0]
    return f"/{first_id}/"
