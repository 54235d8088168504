"""Registering items, allocating their S10 numbers, and reading them within one's scope."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from server.core.errors import Forbidden, Invalid
from server.core.scope import (
    find_visible_item,
    path_under,
    province_root_path,
    visible_items,
)
from server.custody.events import Holder, append_event
from server.domain.admin_map import CheckedAddress, check_address, fold
from server.domain.errors import DomainError
from server.domain.geo import distance_m
from server.domain.identity import digest_id_number, validate_id_number
from server.domain.lifecycle import EventType, ItemKind
from server.domain.s10 import make_tracking_number
from server.domain.service_time import RouteClass, service_deadline
from server.domain.unit_tree import same_province
from server.extensions import db
from server.items.schemas import ItemCreate, ItemListQuery
from server.models import (
    Item,
    Procedure,
    Role,
    TrackingSerial,
    Unit,
    UnitKind,
    User,
)
from server.models.item import UNPLACED
from server.models.types import utc_now
from server.workdays.service import working_decisions


def allocate_tracking_number(prefix: str) -> str:
    """Next S10 number of `prefix`: bumped inside the caller's transaction, so no gaps."""
    bump = (
        update(TrackingSerial).where(TrackingSerial.prefix == prefix)
        .values(last_serial=TrackingSerial.last_serial + 1)
        .returning(TrackingSerial.last_serial)
    )
    serial = db.session.execute(bump).scalar_one_or_none()
    if serial is None:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(TrackingSerial).values(prefix=prefix, last_serial=0))
        except IntegrityError:
            pass  # another request created the counter first: bump theirs
        serial = db.session.execute(bump).scalar_one()
    return make_tracking_number(prefix, serial)


def _unit_by_code(code: str, field: str) -> Unit:
    """Resolve a unit code from a request, or refuse naming the field."""
    unit = db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if unit is None:
        raise Invalid("unknown_unit", f"Không có đơn vị mã {code}.", {"field": field})
    return unit


def eligible_procedure(code: str) -> Procedure:
    """The procedure, refused when it may not go by post (QĐ45 Art.1(2), Art.13)."""
    procedure = db.session.execute(
        select(Procedure).where(Procedure.code == code)
    ).scalar_one_or_none()
    if procedure is None:
        raise Invalid("unknown_procedure", f"Không có thủ tục mã {code}.",
                      {"field": "procedure_code"})
    if not procedure.postal_eligible:
        raise Invalid("procedure_not_eligible",
                      f"Thủ tục “{procedure.name}” không được thực hiện qua dịch vụ bưu chính công ích.",
                      {"field": "procedure_code"})
    return procedure


def _nearest_post_office(agency: Unit, lat: float | None, lon: float | None) -> Unit | None:
    """The post office of the agency's province nearest the address (or the first one)."""
    offices = db.session.execute(
        select(Unit).where(Unit.kind == UnitKind.post_office,
                           path_under(province_root_path(agency)))
        .order_by(Unit.id)
    ).scalars().all()
    located = [o for o in offices if o.lat is not None and o.lon is not None]
    if lat is None or lon is None or not located:
        return offices[0] if offices else None
    return min(located, key=lambda o: distance_m((lat, lon), (o.lat, o.lon)))  # type: ignore[arg-type]


def default_route_class(office: Unit, body: ItemCreate) -> RouteClass:
    """Same commune → same area; same province → within the province; else inter-provincial."""
    address = body.citizen.address
    if fold(office.province) != fold(address.province):
        return RouteClass.inter_province
    if fold(office.commune) == fold(address.commune):
        return RouteClass.same_area
    return RouteClass.intra_province


@dataclass(frozen=True)
class Placement:
    """Which agency and post office an item belongs to."""

    agency: Unit
    post_office: Unit


def item_placement(actor: User, body: ItemCreate, procedure: Procedure) -> Placement:
    """Check the units a caller names against its role and unit."""
    agency = (_unit_by_code(body.agency_unit, "agency_unit") if body.agency_unit
              else procedure.agency_unit)
    if agency.id != procedure.agency_unit_id:
        raise Invalid("agency_mismatch", "Thủ tục này không thuộc cơ quan đã chọn.",
                      {"field": "agency_unit"})
    if actor.role == Role.agency:
        if body.kind is not ItemKind.result:
            raise Forbidden("kind_not_allowed", "Cơ quan chỉ đăng ký kết quả để phát.")
        if agency.id != actor.unit_id:
            raise Forbidden("other_unit", "Chỉ đăng ký kết quả của cơ quan mình.")
        office = (_unit_by_code(body.post_office_unit, "post_office_unit") if body.post_office_unit
                  else _nearest_post_office(agency, body.citizen.address.lat, body.citizen.address.lon))
        if office is not None and not same_province(office.path, agency.path):
            # The citizen's data goes only to the post of the agency's own province.
            raise Forbidden("other_unit", "Chỉ giao kết quả cho bưu cục trong tỉnh của cơ quan.")
    else:
        office = actor.unit
        if body.post_office_unit and body.post_office_unit != office.code:
            raise Forbidden("other_unit", "Giao dịch viên chỉ nhận bưu gửi cho bưu cục của mình.")
    if office is None or office.kind != UnitKind.post_office:
        raise Invalid("post_office_required", "Cần chọn bưu cục phát.", {"field": "post_office_unit"})
    return Placement(agency=agency, post_office=office)


def _linked_dossier(actor: User, body: ItemCreate) -> Item | None:
    """The dossier a result answers, when the caller names one it may see."""
    if not body.linked_dossier:
        return None
    dossier = find_visible_item(actor, body.linked_dossier)
    if dossier.kind != ItemKind.dossier:
        raise Invalid("not_a_dossier", "Số hiệu liên kết không phải là hồ sơ.",
                      {"field": "linked_dossier"})
    return dossier


def create_item(actor: User, body: ItemCreate, *, at: datetime | None = None) -> Item:
    """Register a dossier taken at the counter or a result for delivery (QĐ45 Art.6, 9).

    `at`: when it happened, for replaying history (the demo seed); live paths omit it.
    """
    procedure = eligible_procedure(body.procedure_code)
    item = build_item(actor, body, procedure, at=at)
    _record_intake(item, actor, at)
    return item


def checked_address(province: str, commune: str) -> CheckedAddress:
    """The address's province and commune on the 2025 map, or a 422 naming the field."""
    try:
        return check_address(province, commune)
    except DomainError as error:
        raise Invalid(error.code, error.message, error.details) from None


def build_item(actor: User, body: ItemCreate, procedure: Procedure, *,
               at: datetime | None = None) -> Item:
    """The item row with its S10 number and deadline, flushed, before any custody event.

    `at`: when it was consigned, for replaying history (the demo seed); live paths omit it.
    """
    citizen, address = body.citizen, body.citizen.address
    # Before the S10 number is taken: a refused address leaves no trace.
    on_map = checked_address(address.province, address.commune)
    placement = item_placement(actor, body, procedure)
    digest = None
    if citizen.id_number:
        number = validate_id_number(citizen.id_type, citizen.id_number)
        digest = digest_id_number(citizen.id_type, number, current_app.config["ID_HASH_KEY"].encode())
    route_class = body.route_class or default_route_class(placement.post_office, body)
    consigned_at = at or utc_now()
    prefix_key = "TRACKING_PREFIX_DOSSIER" if body.kind is ItemKind.dossier else "TRACKING_PREFIX_RESULT"
    fees = body.fees
    item = Item(
        tracking_number=allocate_tracking_number(current_app.config[prefix_key]),
        kind=body.kind.value, status=UNPLACED, procedure_id=procedure.id,
        dossier_code=body.dossier_code, agency_unit_id=placement.agency.id,
        post_office_unit_id=placement.post_office.id,
        linked_dossier_id=(linked.id if (linked := _linked_dossier(actor, body)) else None),
        citizen_name=citizen.name, citizen_phone=citizen.phone,
        id_type=digest.id_type.value if digest else None,
        id_last4=digest.last4 if digest else None,
        id_keyed_hash=digest.keyed_hash if digest else None,
        address_province=on_map.province.name, address_commune=on_map.commune.name,
        address_province_code=on_map.province.code, address_commune_code=on_map.commune.code,
        address_district=address.district, address_line=address.line,
        address_legacy=address.legacy,
        address_lat=address.lat, address_lon=address.lon,
        documents=[line.model_dump() for line in body.documents],
        postage_vnd=fees.postage_vnd,
        official_fee_vnd=(fees.official_fee_vnd if fees.official_fee_vnd is not None
                          else procedure.official_fee_vnd),
        route_class=route_class.value, with_appointment_slip=body.with_appointment_slip,
        consigned_at=consigned_at,
        due_at=service_deadline(consigned_at, route_class, body.with_appointment_slip,
                                working_decisions()),
        created_by_id=actor.id, created_at=consigned_at,
    )
    db.session.add(item)
    db.session.flush()
    return item


def _record_intake(item: Item, actor: User, at: datetime | None) -> None:
    """The first events: who took the item in, and where it now is."""
    unit = Holder(None, actor.unit_id)
    if actor.role == Role.agency:
        append_event(item, EventType.registered, actor, holder=unit, occurred_at=at,
                     received_at=at)
        return
    first = EventType.collected if item.kind == ItemKind.dossier else EventType.registered
    append_event(item, first, actor, evidence={"channel": "counter"}, holder=unit,
                 occurred_at=at, received_at=at)
    append_event(item, EventType.at_post, actor, holder=unit, occurred_at=at, received_at=at)


def list_items(actor: User, query: ItemListQuery) -> tuple[list[Item], int]:
    """A page of the items `actor` may see, newest first, and how many match in all."""
    conditions = [visible_items(actor)]
    if query.status:
        conditions.append(Item.status == query.status.value)
    if query.kind:
        conditions.append(Item.kind == query.kind.value)
    if query.holder == "me":
        conditions.append(Item.holder_user_id == actor.id)
    if query.q:
        # A prefix search: LIKE's wildcards typed by the user are taken literally.
        needle = query.q.strip().upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(or_(Item.tracking_number.like(needle + "%", escape="\\"),
                              func.upper(Item.dossier_code).like(needle + "%", escape="\\")))
    total = db.session.execute(select(func.count(Item.id)).where(*conditions)).scalar_one()
    items = db.session.execute(
        select(Item).where(*conditions).order_by(Item.id.desc())
        # What the answer shows of each item, loaded in a few queries instead of per item.
        .options(*(selectinload(relation) for relation in (
            Item.procedure, Item.agency_unit, Item.post_office_unit, Item.holder_user,
            Item.holder_unit, Item.linked_dossier)))
        .limit(query.limit).offset(query.offset)
    ).scalars().all()
    return list(items), total
