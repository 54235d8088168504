"""Supervisors reviewing audit flags: listing those of their units, resolving them with a note."""
from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import AuditFlag, Item, User
from server.models.types import utc_now
from server.services.errors import Conflict, NotFound
from server.services.scope import visible_items


def list_flags(actor: User, status: str | None, code: str | None,
               limit: int) -> list[tuple[AuditFlag, str]]:
    """Flags on items `actor` may see, newest first, each with its item's tracking number."""
    statement = (
        select(AuditFlag, Item.tracking_number).join(Item)
        .where(visible_items(actor))
        .order_by(AuditFlag.id.desc()).limit(min(max(limit, 1), 1000))
    )
    if status:
        statement = statement.where(AuditFlag.status == status)
    if code:
        statement = statement.where(AuditFlag.code == code)
    return [(flag, number) for flag, number in db.session.execute(statement).tuples()]


def visible_flag(actor: User, flag_id: int, *, lock: bool = False) -> tuple[AuditFlag, str]:
    """A flag on an item `actor` may see, with the item's number; 404 otherwise."""
    statement = (select(AuditFlag, Item.tracking_number).join(Item)
                 .where(AuditFlag.id == flag_id, visible_items(actor)))
    if lock:
        statement = statement.with_for_update(of=AuditFlag)
    found = db.session.execute(statement).tuples().one_or_none()
    if found is None:
        raise NotFound("unknown_flag", "Không tìm thấy cảnh báo trong phạm vi của bạn.")
    return found


def close_flag(flag: AuditFlag, actor: User, note: str) -> AuditFlag:
    """Mark an open flag resolved by `actor`; 409 when someone already resolved it."""
    if flag.status != "open":
        raise Conflict("flag_already_resolved", "Cảnh báo này đã được xử lý.",
                       {"resolved_at": flag.resolved_at.isoformat() if flag.resolved_at else None})
    flag.status, flag.resolved_by_id, flag.resolved_at = "resolved", actor.id, utc_now()
    flag.resolution_note = note
    db.session.flush()
    return flag


def resolve_flag(actor: User, flag_id: int, note: str) -> tuple[AuditFlag, str]:
    """Resolve a flag within `actor`'s units with a note saying what was checked."""
    flag, number = visible_flag(actor, flag_id, lock=True)
    return close_flag(flag, actor, note), number


def usernames(user_ids: set[int | None]) -> dict[int, str]:
    """The usernames of some users, by id."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(
        select(User.id, User.username).where(User.id.in_(wanted))).tuples().all())
