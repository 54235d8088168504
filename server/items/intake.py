"""Counter intake, home pickup requests and the fee catalogue (QĐ45 Art.6, 11-12; TT17 Art.5(1), 9).

The clerk prices a dossier (postage by route class, the procedure's official fee, the
citizen's reduction), counts its documents against the procedure's checklist, both sign,
and the item is created with a first custody event that records the cash paid at the counter.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from server.core.errors import Conflict, Invalid, NotFound
from server.core.scope import find_visible_item
from server.custody.events import Holder, append_event
from server.domain.errors import DomainError
from server.domain.fees import (
    CountedDocument,
    FeeQuote,
    Reduction,
    check_counted_documents,
    quote_fees,
)
from server.domain.identity import check_id_document_in_force, validate_id_number
from server.domain.lifecycle import EventType, ItemKind, ItemStatus
from server.domain.local_time import local_day
from server.domain.service_time import (
    ROUTE_CLASS_LABELS_VI,
    RouteClass,
    route_class_between,
    service_deadline,
)
from server.extensions import db
from server.items.intake_schemas import CounterIntake, PickupRequest
from server.items.schemas import DocumentLine, FeesIn, ItemCreate
from server.items.service import build_item, eligible_procedure
from server.media.service import require_own_images
from server.models import (
    CustodyEvent,
    FeeReduction,
    Item,
    PostageTariff,
    Procedure,
    Role,
    Unit,
    User,
)
from server.models.types import utc_now
from server.workdays.service import working_decisions

# --- the fee catalogue ---------------------------------------------------------------------

def postage_tariffs() -> list[PostageTariff]:
    """The postage of every route class that has one, in the order of `RouteClass`."""
    rows = {row.route_class: row for row in db.session.execute(select(PostageTariff)).scalars()}
    return [rows[route.value] for route in RouteClass if route.value in rows]


def active_reductions() -> list[FeeReduction]:
    """The exemptions and reductions a clerk may apply."""
    return list(db.session.execute(
        select(FeeReduction).where(FeeReduction.active.is_(True)).order_by(FeeReduction.code)
    ).scalars())


def set_postage(route_class: str, postage_vnd: int) -> PostageTariff:
    """Set the postage of a route class (an admin's catalogue change)."""
    try:
        route = RouteClass(route_class)
    except ValueError:
        raise Invalid("unknown_route_class",
                      f"Không có tuyến “{route_class}”: chọn same_area, intra_province, "
                      "major_cities hoặc inter_province.") from None
    tariff = db.session.get(PostageTariff, route.value)
    if tariff is None:
        tariff = PostageTariff(route_class=route.value, postage_vnd=postage_vnd)
        db.session.add(tariff)
    tariff.postage_vnd = postage_vnd
    tariff.updated_at = utc_now()
    db.session.flush()
    return tariff


def _postage_of(route_class: RouteClass) -> int:
    """The catalogue's postage for a route class, or a refusal naming what to set."""
    tariff = db.session.get(PostageTariff, route_class.value)
    if tariff is None:
        raise Invalid("postage_not_set",
                      f"Chưa có cước phí cho tuyến “{ROUTE_CLASS_LABELS_VI[route_class]}”; "
                      "quản trị viên cần nhập bảng cước.", {"field": "route_class"})
    return tariff.postage_vnd


def _reduction(code: str | None) -> FeeReduction | None:
    """The reduction named by the clerk, or a refusal when the code is unknown or retired."""
    if not code:
        return None
    row = db.session.execute(
        select(FeeReduction).where(FeeReduction.code == code, FeeReduction.active.is_(True))
    ).scalar_one_or_none()
    if row is None:
        raise Invalid("unknown_reduction",
                      f"Không có đối tượng miễn, giảm mã “{code}”. Chọn lại trong danh sách.",
                      {"field": "reduction_code"})
    return row


def _as_rule(row: FeeReduction | None) -> Reduction | None:
    """The catalogue row as the pure fee rule sees it."""
    if row is None:
        return None
    return Reduction(row.code, row.name, row.postage_percent_off, row.official_fee_percent_off)


# --- quoting -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Quote:
    """A priced dossier: its procedure, route, fees and deadline if taken in at `at`."""

    procedure: Procedure
    route_class: RouteClass
    fees: FeeQuote
    reduction: FeeReduction | None
    due_at: datetime


def _office_of(actor: User) -> Unit:
    """The clerk's post office, where the dossier starts its journey."""
    return actor.unit


def quote_dossier(actor: User, procedure_code: str, route_class: RouteClass | None,
                  reduction_code: str | None) -> Quote:
    """Price a dossier of `procedure_code` and tell its service deadline (TT17 Art.7)."""
    procedure = eligible_procedure(procedure_code)
    office, agency = _office_of(actor), procedure.agency_unit
    route = route_class or route_class_between(office.province, office.commune,
                                               agency.province, agency.commune)
    reduction = _reduction(reduction_code)
    fees = quote_fees(_postage_of(route), procedure.official_fee_vnd, _as_rule(reduction))
    deadline = service_deadline(utc_now(), route, False, working_decisions())
    return Quote(procedure, route, fees, reduction, deadline)


# --- counter intake ------------------------------------------------------------------------

def _require_signatures(actor: User, body: CounterIntake) -> tuple[str, str]:
    """Both signatures of the consignment note (TT17 Art.9), uploaded before the intake
    from the clerk's own screen, where the citizen signs too."""
    for field, who in (("citizen_signature_sha256", "người dân"),
                       ("clerk_signature_sha256", "giao dịch viên")):
        value = getattr(body, field)
        if not value:
            raise Invalid("signature_missing", f"Thiếu chữ ký của {who} trên phiếu gửi.",
                          {"field": field})
    # Both are given by now (checked just above).
    citizen, clerk = body.citizen_signature_sha256 or "", body.clerk_signature_sha256 or ""
    require_own_images(actor, {"citizen_signature_sha256": citizen, "clerk_signature_sha256": clerk})
    return citizen, clerk


def _require_id_number(body: CounterIntake | PickupRequest) -> None:
    """The citizen's identity document is checked at intake (TT17 Art.5(1))."""
    citizen = body.citizen
    if not citizen.id_number:
        raise Invalid("id_number_required", "Cần nhập số giấy tờ tùy thân của người dân (CCCD).",
                      {"field": "citizen.id_number"})
    try:
        validate_id_number(citizen.id_type, citizen.id_number)
        check_id_document_in_force(citizen.id_type, local_day(utc_now()))
    except DomainError as error:
        raise Invalid(error.code, error.message, {"field": "citizen.id_number"}) from None


def take_in_at_counter(actor: User, body: CounterIntake, *, at: datetime | None = None) -> Item:
    """Take a dossier in at the counter: count, price, both sign; the item is created.

    Its first custody event (`collected`, channel `counter`) records the documents, both
    signatures, the fees with the reduction applied and the cash paid, so the day's cash is
    computed from events alone. `at`: when, for replaying history (the demo seed).
    """
    quote = quote_dossier(actor, body.procedure_code, body.route_class, body.reduction_code)
    counted = [CountedDocument(line.name, line.original, line.count) for line in body.documents]
    try:
        check_counted_documents(quote.procedure.documents, counted)
    except DomainError as error:
        raise Invalid(error.code, error.message, error.details) from None
    _require_id_number(body)
    citizen_signature, clerk_signature = _require_signatures(actor, body)
    item = build_item(actor, ItemCreate(
        kind=ItemKind.dossier, procedure_code=quote.procedure.code, dossier_code=body.dossier_code,
        citizen=body.citizen,
        documents=[DocumentLine(name=d.name, original=d.original, count=d.count) for d in counted],
        fees=FeesIn(postage_vnd=quote.fees.postage_vnd, official_fee_vnd=quote.fees.official_fee_vnd),
        route_class=quote.route_class,
    ), quote.procedure, at=at)
    office = Holder(None, actor.unit_id)
    append_event(item, EventType.collected, actor, holder=office, occurred_at=at,
                 received_at=at, evidence={
        "channel": "counter",
        "signature_sha256": citizen_signature,
        "clerk_signature_sha256": clerk_signature,
        "documents": item.documents,
        "fees": quote.fees.as_evidence(),
        "reduction_code": quote.fees.reduction_code,
        "cash_collected_vnd": quote.fees.total_vnd,
    })
    append_event(item, EventType.at_post, actor, holder=office, occurred_at=at, received_at=at)
    return item


# --- pickup at home ------------------------------------------------------------------------

def _assigned_postman(actor: User, username: str | None) -> User | None:
    """The postman of the clerk's own post office who will call at the door."""
    if not username:
        return None
    postman = db.session.execute(
        select(User).where(User.username == username, User.role == Role.postman,
                           User.unit_id == actor.unit_id, User.active.is_(True))
    ).scalar_one_or_none()
    if postman is None:
        raise Invalid("unknown_postman",
                      f"Không có bưu tá “{username}” ở bưu cục của bạn.", {"field": "postman"})
    return postman


def office_postmen(actor: User) -> list[User]:
    """The active postmen of the clerk's post office, by name."""
    return list(db.session.execute(
        select(User).where(User.role == Role.postman, User.unit_id == actor.unit_id,
                           User.active.is_(True)).order_by(User.username)
    ).scalars())


def request_pickup(actor: User, body: PickupRequest, *, at: datetime | None = None) -> Item:
    """Register a citizen's request to have the dossier collected at home (QĐ45 Art.6(1)).

    The item starts `requested`, held by the post office, or by the assigned postman so it
    is in their pickups; the postman counts the documents and takes the fees at the door.
    `at`: when, for replaying history (the demo seed).
    """
    quote = quote_dossier(actor, body.procedure_code, body.route_class, body.reduction_code)
    if body.citizen.id_number:
        _require_id_number(body)
    postman = _assigned_postman(actor, body.postman)
    item = build_item(actor, ItemCreate(
        kind=ItemKind.dossier, procedure_code=quote.procedure.code, citizen=body.citizen,
        documents=[DocumentLine(name=line["name"], original=line["original"], count=line["count"])
                   for line in quote.procedure.documents],
        fees=FeesIn(postage_vnd=quote.fees.postage_vnd, official_fee_vnd=quote.fees.official_fee_vnd),
        route_class=quote.route_class,
    ), quote.procedure, at=at)
    evidence = {"channel": "home_pickup", "requested_via": "phone",
                "fees": quote.fees.as_evidence(), "reduction_code": quote.fees.reduction_code}
    if postman is not None:
        evidence["assigned_to"] = postman.username
    if body.note:
        evidence["note"] = body.note
    append_event(item, EventType.requested, actor, evidence=evidence, occurred_at=at,
                 received_at=at, holder=Holder(postman.id if postman else None, actor.unit_id))
    return item


def assign_pickup(actor: User, tracking_number: str, username: str) -> Item:
    """Give a requested pickup to a postman of the office (a custody event: who, when)."""
    item = find_visible_item(actor, tracking_number)
    if item.kind != ItemKind.dossier or item.status != ItemStatus.requested:
        raise Conflict("not_a_pickup_request",
                       f"Bưu gửi {item.tracking_number} không phải yêu cầu thu gom đang chờ.")
    postman = _assigned_postman(actor, username)
    assert postman is not None  # the username is required by the declaration
    append_event(item, EventType.handed_over, actor,
                 evidence={"channel": "home_pickup", "assigned_to": postman.username},
                 holder=Holder(postman.id, actor.unit_id))
    return item


# --- the consignment note ------------------------------------------------------------------

@dataclass(frozen=True)
class ConsignmentNote:
    """What the consignment note (phiếu gửi, TT17 Art.9) prints for one dossier."""

    item: Item
    intake: CustodyEvent
    reduction: FeeReduction | None
    #: The fees quoted with their reduction: the counter's intake, or a home pickup's request.
    quoted_fees: dict[str, Any] | None = None


def consignment_note(actor: User, tracking_number: str) -> ConsignmentNote:
    """The dossier and the event that took it in, if `actor` may see the item."""
    item = find_visible_item(actor, tracking_number)
    intake = _first_event(item, EventType.collected)
    if intake is None:
        raise NotFound("no_consignment_note",
                       f"Bưu gửi {item.tracking_number} chưa có phiếu gửi: hồ sơ chưa được "
                       "tiếp nhận hoặc thu gom.")
    priced = intake if "fees" in intake.evidence else _first_event(item, EventType.requested) or intake
    code = priced.evidence.get("reduction_code")
    reduction = db.session.execute(
        select(FeeReduction).where(FeeReduction.code == code)).scalar_one_or_none() if code else None
    return ConsignmentNote(item, intake, reduction, priced.evidence.get("fees"))


def _first_event(item: Item, event_type: EventType) -> CustodyEvent | None:
    """The item's first event of a type (a home pickup's request carries its quote)."""
    return db.session.execute(
        select(CustodyEvent).where(CustodyEvent.item_id == item.id,
                                   CustodyEvent.type == event_type.value)
        .order_by(CustodyEvent.seq).limit(1)
    ).scalar_one_or_none()
