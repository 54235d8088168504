"""Two-party handovers: the sender lists, the receiver scans and signs (DESIGN §5, QĐ45 Art.7)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.domain.errors import DomainError
from server.domain.lifecycle import TERMINAL, EventType, ItemKind, ItemStatus
from server.domain.s10 import parse_tracking_number
from server.domain.service_time import RouteClass, service_deadline
from server.extensions import db
from server.models import HandoverLine, HandoverRecord, Item, Role, Unit, UnitKind, User
from server.models.types import utc_now
from server.services.custody import Holder, append_event, raise_flag
from server.services.errors import Conflict, Forbidden, Invalid, NotFound
from server.services.scope import in_subtree
from server.services.media import require_own_images


def _tracking_numbers(values: list[str], field: str) -> list[str]:
    """Parse every number; refuse the whole request naming each bad one (nothing recorded).

    The refusal carries the first bad number's own code and message (`wrong_check_digit`,
    `invalid_tracking_format`), as every other input path does (DESIGN §3).
    """
    parsed, bad = [], []
    for position, value in enumerate(values):
        try:
            number = parse_tracking_number(value)
        except DomainError as error:
            bad.append({"index": position, "value": value, "code": error.code,
                        "message": error.message})
            continue
        if number not in parsed:
            parsed.append(number)
    if bad:
        first = bad[0]
        raise Invalid(first["code"], f"{first['message']}: {first['value']}",
                      {"field": field, "invalid": bad})
    return parsed


def _held_by(actor: User):  # type: ignore[no-untyped-def]
    """The filter of items the actor holds: in person, or through the actor's unit."""
    if actor.role == Role.postman:
        return Item.holder_user_id == actor.id
    return (Item.holder_unit_id == actor.unit_id) & Item.holder_user_id.is_(None)


def _receiver(to_user: str | None, to_unit: str | None) -> tuple[User | None, Unit]:
    """Resolve the receiving person or unit."""
    if to_user:
        user = db.session.execute(
            select(User).where(User.username == to_user, User.active.is_(True))
        ).scalar_one_or_none()
        if user is None:
            raise Invalid("unknown_user", f"Không có người dùng {to_user}.", {"field": "to_user"})
        return user, user.unit
    unit = db.session.execute(select(Unit).where(Unit.code == to_unit)).scalar_one_or_none()
    if unit is None or unit.kind == UnitKind.province:
        raise Invalid("unknown_unit", f"Không có đơn vị mã {to_unit}.", {"field": "to_unit"})
    return None, unit


def create_handover(actor: User, to_user: str | None, to_unit: str | None,
                    tracking_numbers: list[str], *,
                    sender_signature: str | None = None) -> HandoverRecord:
    """List the items the actor holds for a receiver, signed by the sender; nothing moves
    until the receiver signs."""
    numbers = _tracking_numbers(tracking_numbers, "items")
    receiver, receiver_unit = _receiver(to_user, to_unit)
    if receiver is not None and receiver.id == actor.id:
        raise Invalid("self_handover", "Không thể bàn giao cho chính mình.", {"field": "to_user"})
    if receiver is None and receiver_unit.id == actor.unit_id and actor.role != Role.postman:
        raise Invalid("self_handover", "Không thể bàn giao cho chính đơn vị của mình.",
                      {"field": "to_unit"})
    held = {item.tracking_number: item for item in db.session.execute(
        select(Item).where(Item.tracking_number.in_(numbers), _held_by(actor))
        .order_by(Item.id).with_for_update()
    ).scalars()}
    not_held = [n for n in numbers if n not in held]
    if not_held:
        raise Conflict("not_holder",
                       "Bạn không giữ các bưu gửi này nên không thể bàn giao: "
                       + ", ".join(not_held) + ". Bỏ chúng khỏi bảng kê hoặc kiểm tra người giữ.",
                       {"items": not_held})
    closed = [n for n in numbers if held[n].status in TERMINAL]
    if closed:
        raise Conflict("item_closed",
                       "Các bưu gửi này đã kết thúc (đã nộp, đã phát hoặc đã hủy) nên không "
                       "bàn giao được nữa: " + ", ".join(closed) + ".", {"items": closed})
    elsewhere = [n for n in numbers if receiver_unit.kind == UnitKind.agency
                 and held[n].kind == ItemKind.dossier and held[n].agency_unit_id != receiver_unit.id]
    if elsewhere:
        # Filing is final (QĐ45 Art.7): a dossier filed with the wrong agency could not be
        # taken back, and that agency would read the citizen's data.
        raise Conflict("wrong_agency",
                       f"Các hồ sơ này không thuộc {receiver_unit.name} nên không nộp ở đó được: "
                       + ", ".join(elsewhere) + ". Bỏ chúng khỏi bảng kê.", {"items": elsewhere})
    filing = receiver_unit.kind == UnitKind.agency and any(
        held[n].kind == ItemKind.dossier for n in numbers)
    if sender_signature is None and filing:
        # QĐ45 Art.7: the post's person and the officer both sign the filing record.
        raise Invalid("sender_signature_required",
                      "Nộp hồ sơ cho cơ quan cần chữ ký của người giao trên biên bản giao nhận.",
                      {"field": "signature_sha256"})
    if sender_signature is not None:
        require_own_images(actor, {"signature_sha256": sender_signature})
    pending = list(db.session.execute(
        select(HandoverLine.tracking_number).join(HandoverRecord)
        .where(HandoverRecord.status == "pending", HandoverLine.tracking_number.in_(numbers))
    ).scalars())
    if pending:
        raise Conflict("already_on_handover", "Bưu gửi đang nằm trong một biên bản chưa ký nhận.",
                       {"items": sorted(set(pending))})
    record = HandoverRecord(
        from_user_id=actor.id if actor.role == Role.postman else None,
        from_unit_id=actor.unit_id, to_user_id=receiver.id if receiver else None,
        to_unit_id=receiver_unit.id, created_by_id=actor.id, status="pending",
        sender_signature_sha256=sender_signature,
    )
    db.session.add(record)
    db.session.flush()
    db.session.add_all(HandoverLine(handover_id=record.id, item_id=held[n].id, tracking_number=n,
                                    outcome="listed") for n in numbers)
    db.session.flush()
    return record


def visible_handover(actor: User, handover_id: int) -> HandoverRecord:
    """A record seen by its sender, its receiver, or a supervisor/admin of the unit."""
    # Ids beyond a 32-bit key cannot exist; asking the database would overflow (a 500).
    record = db.session.get(HandoverRecord, handover_id) if 0 < handover_id < 2**31 else None
    if record is None:
        raise NotFound("unknown_handover", "Không tìm thấy biên bản giao nhận.")
    parties = {record.from_unit_id, record.to_unit_id}
    if actor.role == Role.admin or actor.unit_id in parties or actor.role == Role.supervisor and any(
        _unit_in_subtree(unit_id, actor.unit) for unit_id in parties
    ):
        if actor.role != Role.postman or actor.id in {record.from_user_id, record.to_user_id}:
            return record
    raise NotFound("unknown_handover", "Không tìm thấy biên bản giao nhận.")


def _unit_in_subtree(unit_id: int, root: Unit) -> bool:
    """True when the unit lies under `root` in the province tree."""
    unit = db.session.get(Unit, unit_id)
    return unit is not None and in_subtree(unit, root)


def custody_event_type(item: Item, receiver_unit: Unit, receiver_role: str | None = None) -> EventType:
    """Which event a received item gets: filing, arrival at the post, departure, or a plain handover."""
    if item.kind == ItemKind.dossier and receiver_unit.kind == UnitKind.agency:
        return EventType.filed  # QĐ45 Art.7: filed at the receiving officer's signature
    arriving = {ItemStatus.registered, ItemStatus.collected}
    to_postman = receiver_role == Role.postman
    if item.status in arriving and receiver_unit.kind == UnitKind.post_office and not to_postman:
        return EventType.at_post  # a result from the agency, a dossier back from the door
    if item.kind == ItemKind.dossier and item.status == ItemStatus.at_post and to_postman:
        return EventType.in_transit  # a postman carries the dossier to the agency
    return EventType.handed_over


@dataclass(frozen=True)
class AcceptOutcome:
    """What the receiver took and what did not match the list."""

    record: HandoverRecord
    received: list[str]
    missing: list[str]
    unexpected: list[str]
    filed: list[str]
    supplement_requested: list[str]


def _check_receiver(actor: User, record: HandoverRecord) -> None:
    """Only the named person, or someone of the receiving unit, signs; and only once."""
    receiver = actor.id == record.to_user_id if record.to_user_id else (
        actor.unit_id == record.to_unit_id and actor.role != Role.postman)
    if not receiver:
        raise Forbidden("not_receiver", "Chỉ bên nhận mới được ký nhận biên bản này.")
    if record.status != "pending":
        raise Conflict("handover_closed", "Biên bản đã được ký nhận hoặc đã hủy; không thể ký lại.",
                       {"status": record.status})


def _filing_lines(record: HandoverRecord) -> set[str]:
    """The listed dossiers this record files with an agency (QĐ45 Art.7)."""
    if record.to_unit.kind != UnitKind.agency:
        return set()
    return {line.tracking_number for line in record.lines
            if line.item is not None and line.item.kind == ItemKind.dossier}


def _incomplete_numbers(record: HandoverRecord, incomplete: dict[str, str],
                        scanned: list[str]) -> dict[str, str]:
    """Check the officer's incomplete marks: each names a scanned dossier being filed."""
    marks = {_tracking_numbers([given], "incomplete")[0]: missing
             for given, missing in incomplete.items()}
    filing = _filing_lines(record)
    wrong = [n for n in marks if n not in filing or n not in scanned]
    if wrong:
        raise Invalid("not_a_filing_line",
                      "Chỉ đánh dấu thiếu cho hồ sơ nộp cho cơ quan có trong biên bản và đã "
                      "quét: " + ", ".join(wrong) + ".", {"field": "incomplete", "items": wrong})
    return marks


def accept_handover(actor: User, handover_id: int, scanned: list[str],
                    signature_sha256: str, incomplete: dict[str, str] | None = None
                    ) -> AcceptOutcome:
    """Sign a handover: custody moves for what was scanned; the rest is a discrepancy.

    Filing a dossier, the officer marks it complete (filed at this signature, QĐ45 Art.7) or
    incomplete with what is missing (a supplement is requested, Art.7(4)).
    """
    record = visible_handover(actor, handover_id)
    # Lock the record and read it afresh: of two receivers signing at once, the second
    # finds it accepted (PostgreSQL; SQLite's writers are serialised already).
    record = db.session.execute(
        select(HandoverRecord).where(HandoverRecord.id == record.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()
    _check_receiver(actor, record)
    numbers = _tracking_numbers(scanned, "scanned")
    marks = _incomplete_numbers(record, incomplete or {}, numbers)
    require_own_images(actor, {"signature_sha256": signature_sha256})
    record.status, record.accepted_at = "accepted", utc_now()
    record.accepted_by_id, record.receiver_signature_sha256 = actor.id, signature_sha256
    listed = {line.tracking_number: line for line in record.lines}
    filing = _filing_lines(record)
    items = {item.id: item for item in db.session.execute(
        select(Item).where(Item.id.in_([l.item_id for l in record.lines]))
        .order_by(Item.id).with_for_update().execution_options(populate_existing=True)
    ).scalars()}
    received, missing, filed, supplement = [], [], [], []
    for number, line in listed.items():
        item = items[line.item_id]  # type: ignore[index]
        still_held = (item.holder_unit_id == record.from_unit_id and
                      item.holder_user_id == record.from_user_id)
        if number in numbers and still_held:
            line.outcome = "received"
            received.append(number)
            if number in marks:
                line.complete, line.missing_documents = False, marks[number]
                supplement.append(number)
                _request_supplement(item, record, actor, marks[number])
                continue
            if number in filing:
                line.complete = True
                filed.append(number)
            _move_custody(item, record, actor)
        else:
            line.outcome = "missing"
            missing.append(number)
            raise_flag(item, "handover_discrepancy", None,
                       {"handover_id": record.id, "kind": "missing", "still_held": still_held})
    unexpected = [n for n in numbers if n not in listed]
    _record_unexpected(record, unexpected)
    db.session.flush()
    return AcceptOutcome(record, received, missing, unexpected, filed, supplement)


def _handover_evidence(record: HandoverRecord) -> dict[str, object]:
    """Who handed what to whom, and both signatures: the evidence of a handover's events."""
    return {"handover_id": record.id, "from_user_id": record.from_user_id,
            "from_unit_id": record.from_unit_id, "to_user_id": record.to_user_id,
            "to_unit_id": record.to_unit_id,
            "signature_sha256": record.receiver_signature_sha256,
            "sender_signature_sha256": record.sender_signature_sha256}


def _request_supplement(item: Item, record: HandoverRecord, actor: User, missing: str) -> None:
    """QĐ45 Art.7(4): an incomplete dossier is not filed; the officer's request goes back with
    the post (which keeps custody) toward the citizen; the supplement is filed later."""
    append_event(item, EventType.supplement_requested, actor, occurred_at=record.accepted_at,
                 evidence={**_handover_evidence(record), "missing": missing})


def _move_custody(item: Item, record: HandoverRecord, actor: User) -> None:
    """Append the custody event that moves one item to the receiver."""
    receiver_unit = record.to_unit
    event_type = custody_event_type(item, receiver_unit,
                                    record.to_user.role if record.to_user else None)
    if event_type is EventType.at_post and item.kind == ItemKind.result:
        start_result_consignment(item, record.accepted_at)  # type: ignore[arg-type]
    append_event(
        item, event_type, actor,
        occurred_at=record.accepted_at,
        evidence=_handover_evidence(record),
        holder=Holder(record.to_user_id, record.to_unit_id),
    )


def start_result_consignment(item: Item, picked_up_at: datetime) -> None:
    """A result's consignment note is made when the post picks it up from the agency
    (QĐ45 Art.9), so its service time J starts then, not at the agency's registration."""
    item.consigned_at = picked_up_at
    item.due_at = service_deadline(picked_up_at, RouteClass(item.route_class),
                                   item.with_appointment_slip)


def _record_unexpected(record: HandoverRecord, numbers: list[str]) -> None:
    """Scanned but not listed: recorded on the record, flagged where it is one of our items."""
    known = {item.tracking_number: item for item in db.session.execute(
        select(Item).where(Item.tracking_number.in_(numbers))).scalars()} if numbers else {}
    for number in numbers:
        item = known.get(number)
        db.session.add(HandoverLine(handover_id=record.id, item_id=item.id if item else None,
                                    tracking_number=number, outcome="unexpected"))
        if item is not None:
            raise_flag(item, "handover_discrepancy", None,
                       {"handover_id": record.id, "kind": "unexpected"})


def handovers_for(actor: User, status: str | None, limit: int = 100) -> list[HandoverRecord]:
    """Records the actor sends or receives (a postman: only those naming them), newest first."""
    if actor.role == Role.postman:
        mine = (HandoverRecord.to_user_id == actor.id) | (HandoverRecord.from_user_id == actor.id)
    else:
        mine = (HandoverRecord.to_unit_id == actor.unit_id) | (HandoverRecord.from_unit_id == actor.unit_id)
    statement = select(HandoverRecord).where(mine).order_by(HandoverRecord.id.desc()).limit(limit)
    if status:
        statement = statement.where(HandoverRecord.status == status)
    return list(db.session.execute(statement).scalars())
