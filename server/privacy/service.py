"""Personal data: the log of who opened whose data, its query, and a citizen's own export.

Law 91/2025/QH15 and Decree 356/2025/NĐ-CP (in force since 1/1/2026): the controller must be
able to show who processed a data subject's data, and give the subject their data on
request. Every opening of an item's personal data is written by server.core.access_log; this
module reads that log for a supervisor and builds a citizen's export. The public tracking page
shows nothing personal and logs nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from server.core.access_log import log_access
from server.core.errors import Forbidden, Invalid, NotFound
from server.core.scope import find_visible_item, unit_subtree, visible_items
from server.domain.lifecycle import EVENT_LABELS_VI, EventType
from server.domain.privacy import position_for
from server.extensions import db
from server.models import CustodyEvent, Item, PersonalDataAccess, Role, Unit, User
from server.models.types import utc_now

#: Who may export a citizen's data on request: the clerk at the counter, the supervisor.
EXPORT_ROLES = frozenset({Role.clerk, Role.supervisor})
#: Who may read the access log (within their own units).
LOG_READERS = frozenset({Role.supervisor})
#: The most items one citizen's export carries (a phone number's whole history).
MAX_EXPORT_ITEMS = 500
# --- the supervisor's query ----------------------------------------------------------------

@dataclass(frozen=True)
class AccessPage:
    """A page of the log, newest first, and how many rows match in all."""

    rows: list[PersonalDataAccess]
    total: int


def _user_in_scope(supervisor: User, username: str) -> User:
    """A user of the supervisor's units; 404 for anyone else (never say who exists)."""
    user = db.session.execute(
        select(User).where(User.username == username, User.unit_id.in_(unit_subtree(supervisor.unit)))
    ).scalar_one_or_none()
    if user is None:
        raise NotFound("unknown_user", f"Không có người dùng “{username}” trong đơn vị của bạn.")
    return user


def query_accesses(supervisor: User, item: str | None, username: str | None,
                   limit: int, offset: int) -> AccessPage:
    """Openings of personal data of the items the supervisor oversees, by item and/or user."""
    if supervisor.role not in LOG_READERS:
        raise Forbidden("role_forbidden", "Chỉ kiểm soát viên được xem nhật ký truy cập dữ liệu cá nhân.")
    conditions: list[ColumnElement[bool]] = [
        PersonalDataAccess.item_id.in_(select(Item.id).where(visible_items(supervisor)))]
    if item:
        conditions.append(PersonalDataAccess.item_id == find_visible_item(supervisor, item).id)
    if username:
        conditions.append(PersonalDataAccess.user_id == _user_in_scope(supervisor, username).id)
    total = db.session.execute(
        select(func.count(PersonalDataAccess.id)).where(*conditions)).scalar_one()
    rows = db.session.execute(
        select(PersonalDataAccess).where(*conditions)
        .order_by(PersonalDataAccess.accessed_at.desc(), PersonalDataAccess.id.desc())
        .limit(limit).offset(offset)
    ).scalars().all()
    return AccessPage(list(rows), total)


# --- a citizen's export --------------------------------------------------------------------

def _items_to_export(actor: User, item: str | None, phone: str | None) -> list[Item]:
    """One item, or every item of a phone number, that `actor` may see."""
    if bool(item) == bool(phone):
        raise Invalid("export_scope_required",
                      "Nhập đúng một trong hai: số hiệu bưu gửi, hoặc số điện thoại của người dân.",
                      {"field": "item" if not item else "phone"})
    if item:
        return [find_visible_item(actor, item)]
    found = db.session.execute(
        select(Item).where(Item.citizen_phone == phone, visible_items(actor))
        .order_by(Item.consigned_at).limit(MAX_EXPORT_ITEMS)
    ).scalars().all()
    if not found:
        raise NotFound("no_items_for_phone",
                       "Không có bưu gửi nào của số điện thoại này trong phạm vi của bạn.")
    return list(found)


def _event_entry(event: CustodyEvent, units: dict[int, str], role: str) -> dict[str, Any]:
    lat, lon = position_for(role, event.lat, event.lon)
    return {"type": event.type, "label": EVENT_LABELS_VI[EventType(event.type)],
            "occurred_at": event.occurred_at.isoformat(),
            "unit": units.get(event.actor_unit_id), "status_after": event.status_after,
            "position": {"lat": lat, "lon": lon} if lat is not None else None}


def _item_entry(item: Item, role: str) -> dict[str, Any]:
    """What the service holds about the citizen in one item."""
    events = db.session.execute(
        select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq)
    ).scalars().all()
    units = dict(db.session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_({e.actor_unit_id for e in events}))).tuples().all())
    lat, lon = position_for(role, item.address_lat, item.address_lon)
    return {
        "tracking_number": item.tracking_number, "kind": item.kind, "status": item.status,
        "procedure": item.procedure.name, "dossier_code": item.dossier_code,
        "agency": item.agency_unit.name,
        "citizen": {
            "name": item.citizen_name, "phone": item.citizen_phone, "id_type": item.id_type,
            "id_last4": item.id_last4,
            "address": {"province": item.address_province, "province_code": item.address_province_code,
                        "commune": item.address_commune, "commune_code": item.address_commune_code,
                        "line": item.address_line, "legacy": item.address_legacy,
                        "district": item.address_district, "lat": lat, "lon": lon},
        },
        "documents": item.documents,
        "fees": {"postage_vnd": item.postage_vnd, "official_fee_vnd": item.official_fee_vnd},
        "consigned_at": item.consigned_at.isoformat(), "due_at": item.due_at.isoformat(),
        "events": [_event_entry(event, units, role) for event in events],
    }


def citizen_export(actor: User, item: str | None, phone: str | None) -> dict[str, Any]:
    """A citizen's data on request (Law 91/2025/QH15): one item or all of a phone number.

    Only the clerk or supervisor of the units holding the items; each item's export is
    logged. The full ID number is never held, so it is never exported (type and last four).
    """
    if actor.role not in EXPORT_ROLES:
        raise Forbidden("role_forbidden", "Chỉ giao dịch viên hoặc kiểm soát viên được trích xuất "
                        "dữ liệu cá nhân theo yêu cầu của người dân.")
    items = _items_to_export(actor, item, phone)
    for found in items:
        log_access(actor, found, "citizen_export", "phone" if phone else "item")
    exported_at: datetime = utc_now()
    return {
        "format": "tantay-personal-data-export/1",
        "exported_at": exported_at.isoformat(),
        "exported_by": {"username": actor.username, "unit": actor.unit.name},
        "request": {"item": item, "phone": phone},
        "controller": "Bưu điện tỉnh (dịch vụ bưu chính công ích TậnTay)",
        "purposes": [("Tiếp nhận, vận chuyển hồ sơ và trả kết quả thủ tục hành chính qua dịch vụ "
                      "bưu chính công ích (QĐ 45/2016/QĐ-TTg; TT 17/2017/TT-BTTTT)")],
        "retention": "Hồ sơ lưu vết giữ ít nhất 5 năm (TT17 Điều 14); ảnh chữ ký, giấy tờ xóa "
                     "sau thời hạn lưu trữ khi bưu gửi đã kết thúc.",
        "items": [_item_entry(found, actor.role) for found in items],
    }
