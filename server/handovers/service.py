"""Two-party handovers: the sender lists, the receiver scans and signs (docs/design.md §4, QĐ45 Art.7)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, or_, select

from server.core.errors import Conflict, Forbidden, Invalid, NotFound
from server.core.scope import (
    custody_scope,
    in_subtree,
    path_under,
    province_root_path,
    visible_items,
)
from server.custody.events import Holder, append_event, raise_flag
from server.domain.errors import DomainError
from server.domain.handover_rules import (
    ItemFacts,
    UnitFacts,
    item_may_go_to,
    person_may_receive,
    unit_may_sign,
)
from server.domain.lifecycle import (
    STATUS_LABELS_VI,
    TERMINAL,
    EventType,
    ItemKind,
    ItemStatus,
)
from server.domain.local_time import day_bounds, local_day
from server.domain.s10 import parse_tracking_number
from server.domain.service_time import RouteClass, service_deadline
from server.domain.state_machines import HANDOVERS, HandoverAction, HandoverStatus
from server.extensions import db
from server.media.service import require_own_images
from server.models import HandoverLine, HandoverRecord, Item, Role, Unit, UnitKind, User
from server.models.types import utc_now
from server.workdays.service import working_decisions


def _tracking_numbers(values: list[str], field: str) -> list[str]:
    """Parse every number; refuse the whole request naming each bad one (nothing recorded).

    The refusal carries the first bad number's own code and message (`wrong_check_digit`,
    `invalid_tracking_format`), as every other input path does (docs/design.md §9).
    """
    parsed: list[str] = []
    bad: list[dict[str, Any]] = []
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


def _held_by(actor: User) -> ColumnElement[bool]:
    """The filter of items the actor holds: in person, or through the actor's unit."""
    if actor.role == Role.postman:
        return Item.holder_user_id == actor.id
    return (Item.holder_unit_id == actor.unit_id) & Item.holder_user_id.is_(None)


@dataclass(frozen=True)
class Receiver:
    """Someone who can accept a record from the caller: a postman, or a unit's desk."""

    #: `to_user` (a username) or `to_unit` (a unit code): what the record names.
    field: str
    key: str
    name: str
    unit_name: str
    unit_kind: str


def _signing_roles_by_unit(unit_ids: set[int]) -> dict[int, set[str]]:
    """The roles of the active staff of each unit (one query)."""
    roles: dict[int, set[str]] = {unit_id: set() for unit_id in unit_ids}
    if unit_ids:
        for unit_id, role in db.session.execute(
                select(User.unit_id, User.role).where(User.unit_id.in_(unit_ids),
                                                      User.active.is_(True)).distinct()):
            roles[unit_id].add(role)
    return roles


def _agencies_of_held_items(actor: User) -> set[int]:
    """The agencies of the items the actor holds: a dossier may go to another province's agency."""
    return set(db.session.execute(
        select(Item.agency_unit_id).where(_held_by(actor), Item.status.not_in(list(TERMINAL)))
        .distinct()).scalars())


def eligible_receivers(actor: User) -> list[Receiver]:
    """Everyone who can accept a record from `actor`, by name (issue 12, issue 13 point 6).

    Units of the caller's province whose desk has someone to sign (QĐ45 Art.7), the agencies
    of the items the caller holds, and the postmen of the post offices the caller hands to:
    a clerk's own postmen, or — for an agency — the postmen of its province, who pick results up.
    """
    if actor.role not in {Role.clerk, Role.postman, Role.agency}:
        return []
    root = province_root_path(actor.unit)
    units = list(db.session.execute(select(Unit).where(
        (path_under(root) | Unit.id.in_(_agencies_of_held_items(actor))),
        Unit.kind.in_([UnitKind.post_office, UnitKind.agency])).order_by(Unit.kind, Unit.name)
    ).scalars())
    roles = _signing_roles_by_unit({unit.id for unit in units})
    receivers = []
    for unit in units:
        own = unit.id == actor.unit_id
        if (own and actor.role != Role.postman) or (not own and actor.role == Role.postman \
                and unit.kind == UnitKind.post_office):
            continue  # a desk does not hand to itself; a postman returns to his own office
        if actor.role == Role.agency and unit.kind == UnitKind.agency:
            continue  # an agency hands results to the post, never to another agency
        if unit_may_sign(unit.kind, roles[unit.id]):
            receivers.append(Receiver("to_unit", unit.code, unit.name, unit.name, unit.kind))
    postmen_of = {actor.unit_id} if actor.role == Role.clerk else (
        {unit.id for unit in units if unit.kind == UnitKind.post_office}
        if actor.role == Role.agency else set())
    receivers.extend(
        Receiver("to_user", postman.username, postman.full_name or postman.username,
                 postman.unit.name, "postman")
        for postman in db.session.execute(
            select(User).where(User.unit_id.in_(postmen_of), User.role == Role.postman,
                               User.active.is_(True)).order_by(User.full_name, User.username)
        ).scalars())
    return receivers


def _receiver(actor: User, to_user: str | None, to_unit: str | None) -> tuple[User | None, Unit]:
    """Resolve the receiving person or unit; only someone who can accept may be named."""
    eligible = {(r.field, r.key) for r in eligible_receivers(actor)}
    if to_user:
        user = db.session.execute(
            select(User).where(User.username == to_user, User.active.is_(True))
        ).scalar_one_or_none()
        if user is None or not in_subtree(user.unit, _province_of(actor.unit)):
            # Another province's staff are not even said to exist.
            raise Invalid("unknown_user", f"Không có người dùng {to_user}.", {"field": "to_user"})
        named_ok = person_may_receive(user.role, user.unit.kind)
        if user.id != actor.id and (not named_ok or ("to_user", user.username) not in eligible):
            raise Invalid("receiver_not_eligible",
                          f"{user.full_name or user.username} không nhận bàn giao từ bạn được: chỉ "
                          "bưu tá của bưu cục được ghi tên trên biên bản; bưu cục và cơ quan nhận "
                          "qua bàn giao dịch viên hoặc cán bộ một cửa của họ.", {"field": "to_user"})
        return user, user.unit
    unit = db.session.execute(select(Unit).where(Unit.code == to_unit)).scalar_one_or_none()
    if unit is None or unit.kind == UnitKind.province:
        raise Invalid("unknown_unit", f"Không có đơn vị mã {to_unit}.", {"field": "to_unit"})
    own_desk = unit.id == actor.unit_id and actor.role != Role.postman
    if not own_desk and ("to_unit", unit.code) not in eligible:
        raise Invalid("receiver_not_eligible",
                      f"{unit.name} không nhận bàn giao từ bạn được (đơn vị ngoài tỉnh, không có "
                      "người ký nhận, hoặc không phải nơi nhận của bạn).", {"field": "to_unit"})
    return None, unit


def _province_of(unit: Unit) -> Unit:
    """The province unit at the top of `unit`'s tree."""
    root = province_root_path(unit)
    return db.session.execute(select(Unit).where(Unit.path == root)).scalar_one()


def _unit_facts(unit: Unit) -> UnitFacts:
    return UnitFacts(id=unit.id, kind=unit.kind, province_path=province_root_path(unit))


def _post_office_province(post_office: Unit | None) -> str:
    """The province path of an item's post office; none (no post office of any province
    matches it) for an item that has no post office yet."""
    return province_root_path(post_office) if post_office is not None else ""


def _check_item_scope(held: dict[str, Item], receiver_unit: Unit) -> None:
    """Each item goes only to its own agency or to the post of its province (issue 13 point 6)."""
    receiver = _unit_facts(receiver_unit)
    outside = [number for number, item in held.items() if not item_may_go_to(
        ItemFacts(item.agency_unit_id, _post_office_province(item.post_office_unit)), receiver)]
    if not outside:
        return
    if receiver_unit.kind == UnitKind.agency:
        # Filing is final (QĐ45 Art.7): a dossier filed with the wrong agency could not be
        # taken back, and that agency would read the citizen's data.
        raise Conflict("wrong_agency",
                       f"Các bưu gửi này không thuộc {receiver_unit.name} nên không giao cho cơ quan "
                       "này được: " + ", ".join(outside) + ". Bỏ chúng khỏi bảng kê.",
                       {"items": outside})
    raise Conflict("other_province",
                   f"Các bưu gửi này thuộc bưu điện tỉnh khác nên không giao cho {receiver_unit.name} "
                   "được: " + ", ".join(outside) + ". Bỏ chúng khỏi bảng kê.", {"items": outside})


def create_handover(actor: User, to_user: str | None, to_unit: str | None,
                    tracking_numbers: list[str], *,
                    sender_signature: str | None = None,
                    at: datetime | None = None) -> HandoverRecord:
    """List the items the actor holds for a receiver, signed by the sender; nothing moves
    until the receiver signs. `at`: when, for replaying history (the demo seed)."""
    numbers = _tracking_numbers(tracking_numbers, "items")
    expire_stale_handovers(at)
    # What the sender holds is checked first: another unit's caller learns nothing more
    # (about receivers or items) than that it does not hold these numbers.
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
    receiver, receiver_unit = _receiver(actor, to_user, to_unit)
    if receiver is not None and receiver.id == actor.id:
        raise Invalid("self_handover", "Không thể bàn giao cho chính mình.", {"field": "to_user"})
    if receiver is None and receiver_unit.id == actor.unit_id and actor.role != Role.postman:
        raise Invalid("self_handover", "Không thể bàn giao cho chính đơn vị của mình.",
                      {"field": "to_unit"})
    closed = [n for n in numbers if held[n].status in TERMINAL]
    if closed:
        raise Conflict("item_closed",
                       "Các bưu gửi này đã kết thúc (đã nộp, đã phát hoặc đã hủy) nên không "
                       "bàn giao được nữa: " + ", ".join(closed) + ".", {"items": closed})
    _check_item_scope(held, receiver_unit)
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
        .where(HandoverRecord.status == HandoverStatus.pending,
               HandoverLine.tracking_number.in_(numbers))
    ).scalars())
    if pending:
        raise Conflict("already_on_handover", "Bưu gửi đang nằm trong một biên bản chưa ký nhận.",
                       {"items": sorted(set(pending))})
    record = HandoverRecord(
        from_user_id=actor.id if actor.role == Role.postman else None,
        from_unit_id=actor.unit_id, to_user_id=receiver.id if receiver else None,
        to_unit_id=receiver_unit.id, created_by_id=actor.id,
        status=HANDOVERS.next_status(None, HandoverAction.list_items),
        sender_signature_sha256=sender_signature, created_at=at or utc_now(),
    )
    db.session.add(record)
    db.session.flush()
    db.session.add_all(HandoverLine(handover_id=record.id, item_id=held[n].id, tracking_number=n,
                                    outcome="listed") for n in numbers)
    db.session.flush()
    return record


def visible_handover(actor: User, handover_id: int, now: datetime | None = None) -> HandoverRecord:
    """A record seen by its sender, its receiver, or a supervisor/admin of the unit
    (a record left unsigned too long at `now` is seen expired)."""
    expire_stale_handovers(now)
    # Ids beyond a 32-bit key cannot exist; asking the database would overflow (a 500).
    record = db.session.get(HandoverRecord, handover_id) if 0 < handover_id < 2**31 else None
    if record is None:
        raise NotFound("unknown_handover", "Không tìm thấy biên bản giao nhận.")
    parties = {record.from_unit_id, record.to_unit_id}
    sees_units = actor.role == Role.admin or actor.unit_id in parties or (
        actor.role == Role.supervisor and any(_unit_in_subtree(unit_id, actor.unit) for unit_id in parties))
    a_party = actor.role != Role.postman or actor.id in {record.from_user_id, record.to_user_id}
    if sees_units and a_party:
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


def is_receiver(actor: User, record: HandoverRecord) -> bool:
    """The named person, or — for a unit's record — someone of its desk (not its postmen)."""
    return actor.id == record.to_user_id if record.to_user_id else (
        actor.unit_id == record.to_unit_id and actor.role in {Role.clerk, Role.agency})


def _check_receiver(actor: User, record: HandoverRecord) -> HandoverStatus:
    """Only the named person, or someone of the receiving unit, signs; and only once.

    Answers the record's status once signed.
    """
    if not is_receiver(actor, record):
        raise Forbidden("not_receiver", "Chỉ bên nhận mới được ký nhận biên bản này.")
    return _next_status(record, HandoverAction.accept)


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
                    signature_sha256: str, incomplete: dict[str, str] | None = None, *,
                    at: datetime | None = None) -> AcceptOutcome:
    """Sign a handover: custody moves for what was scanned; the rest is a discrepancy.

    Filing a dossier, the officer marks it complete (filed at this signature, QĐ45 Art.7) or
    incomplete with what is missing (a supplement is requested, Art.7(4)). `at`: when it
    was signed, for replaying history (the demo seed); live paths omit it.
    """
    record = visible_handover(actor, handover_id, at)
    # Lock the record and read it afresh: of two receivers signing at once, the second
    # finds it accepted (PostgreSQL; SQLite's writers are serialised already).
    record = db.session.execute(
        select(HandoverRecord).where(HandoverRecord.id == record.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()
    signed = _check_receiver(actor, record)
    numbers = _tracking_numbers(scanned, "scanned")
    marks = _incomplete_numbers(record, incomplete or {}, numbers)
    require_own_images(actor, {"signature_sha256": signature_sha256})
    record.status, record.accepted_at = signed, at or utc_now()
    record.accepted_by_id, record.receiver_signature_sha256 = actor.id, signature_sha256
    listed = {line.tracking_number: line for line in record.lines}
    filing = _filing_lines(record)
    items = {item.id: item for item in db.session.execute(
        select(Item).where(Item.id.in_([line.item_id for line in record.lines]))
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
                _request_supplement(item, record, actor, marks[number], at)
                continue
            if number in filing:
                line.complete = True
                filed.append(number)
            _move_custody(item, record, actor, at)
        else:
            line.outcome = "missing"
            missing.append(number)
            raise_flag(item, "handover_discrepancy", None,
                       {"handover_id": record.id, "kind": "missing", "still_held": still_held})
    unexpected = [n for n in numbers if n not in listed]
    _record_unexpected(record, unexpected, actor)
    db.session.flush()
    return AcceptOutcome(record, received, missing, unexpected, filed, supplement)


def _handover_evidence(record: HandoverRecord) -> dict[str, object]:
    """Who handed what to whom, and both signatures: the evidence of a handover's events."""
    return {"handover_id": record.id, "from_user_id": record.from_user_id,
            "from_unit_id": record.from_unit_id, "to_user_id": record.to_user_id,
            "to_unit_id": record.to_unit_id,
            "signature_sha256": record.receiver_signature_sha256,
            "sender_signature_sha256": record.sender_signature_sha256}


def _request_supplement(item: Item, record: HandoverRecord, actor: User, missing: str,
                        at: datetime | None) -> None:
    """QĐ45 Art.7(4): an incomplete dossier is not filed; the officer's request goes back with
    the post (which keeps custody) toward the citizen; the supplement is filed later."""
    append_event(item, EventType.supplement_requested, actor, occurred_at=record.accepted_at,
                 received_at=at, evidence={**_handover_evidence(record), "missing": missing})


def _move_custody(item: Item, record: HandoverRecord, actor: User, at: datetime | None) -> None:
    """Append the custody event that moves one item to the receiver (`at`: replayed)."""
    receiver_unit = record.to_unit
    event_type = custody_event_type(item, receiver_unit,
                                    record.to_user.role if record.to_user else None)
    if event_type is EventType.at_post and item.kind == ItemKind.result:
        start_result_consignment(item, record.accepted_at)  # type: ignore[arg-type]
    append_event(
        item, event_type, actor,
        occurred_at=record.accepted_at, received_at=at,
        evidence=_handover_evidence(record),
        holder=Holder(record.to_user_id, record.to_unit_id),
    )


def start_result_consignment(item: Item, picked_up_at: datetime) -> None:
    """A result's consignment note is made when the post picks it up from the agency
    (QĐ45 Art.9), so its service time J starts then, not at the agency's registration."""
    item.consigned_at = picked_up_at
    item.due_at = service_deadline(picked_up_at, RouteClass(item.route_class),
                                   item.with_appointment_slip, working_decisions())


def _record_unexpected(record: HandoverRecord, numbers: list[str], actor: User) -> None:
    """Scanned but not listed: recorded on the record, flagged where it is one of our items.

    A number outside the receiver's scope (another office's or province's item) is recorded
    as unknown: no link to the item, no flag on it, nothing of it printed (issue 13 point 6).
    """
    # A postman reads only what he holds or handled, yet an item his office holds is still
    # his office's discrepancy (`custody_scope`): flagged, as before, for its supervisor.
    in_reach = or_(visible_items(actor), custody_scope(actor))
    known = {item.tracking_number: item for item in db.session.execute(
        select(Item).where(Item.tracking_number.in_(numbers), in_reach)
    ).scalars()} if numbers else {}
    for number in numbers:
        item = known.get(number)
        db.session.add(HandoverLine(handover_id=record.id, item_id=item.id if item else None,
                                    tracking_number=number, outcome="unexpected"))
        if item is not None:
            raise_flag(item, "handover_discrepancy", None,
                       {"handover_id": record.id, "kind": "unexpected"})


def handovers_for(actor: User, status: str | None, limit: int = 100) -> list[HandoverRecord]:
    """Records the actor sends or receives (a postman: only those naming them), newest first."""
    expire_stale_handovers()
    if actor.role == Role.postman:
        mine = (HandoverRecord.to_user_id == actor.id) | (HandoverRecord.from_user_id == actor.id)
    else:
        mine = (HandoverRecord.to_unit_id == actor.unit_id) | (HandoverRecord.from_unit_id == actor.unit_id)
    statement = select(HandoverRecord).where(mine).order_by(HandoverRecord.id.desc()).limit(limit)
    if status:
        statement = statement.where(HandoverRecord.status == status)
    return list(db.session.execute(statement).scalars())


# --- cancelled and expired records ---------------------------------------------------------

def pending_lifetime() -> timedelta:
    """How long a record waits for the receiver's signature (setting HANDOVER_PENDING_HOURS)."""
    return timedelta(hours=current_app.config["HANDOVER_PENDING_HOURS"])


def expired_reason() -> str:
    """The reason written on a record nobody signed in time."""
    hours = current_app.config["HANDOVER_PENDING_HOURS"]
    return f"Hết hạn: bên nhận không ký nhận trong {hours} giờ."


def expire_stale_handovers(now: datetime | None = None) -> int:
    """Close every pending record older than the pending lifetime: its items are free again.

    Runs before each read and write of handovers (and from `flask expire-handovers`), so no
    item stays stuck on a record nobody will sign. The expiry time is the record's creation
    plus the lifetime, whenever the sweep notices it. Answers how many records expired.
    """
    lifetime = pending_lifetime()
    cutoff = (now or utc_now()) - lifetime
    stale = list(db.session.execute(
        select(HandoverRecord).where(HandoverRecord.status == HandoverStatus.pending,
                                     HandoverRecord.created_at < cutoff)).scalars())
    for record in stale:
        record.status = _next_status(record, HandoverAction.expire)
        record.cancel_reason = expired_reason()
        record.cancelled_at = record.created_at + lifetime
    if stale:
        db.session.flush()
    return len(stale)


def is_sender(actor: User, record: HandoverRecord) -> bool:
    """The person who listed the items, or — for a unit's record — a colleague at its desk."""
    if record.from_user_id is not None:
        return actor.id == record.from_user_id
    return actor.unit_id == record.from_unit_id and actor.role in {Role.clerk, Role.agency}


def cancel_handover(actor: User, handover_id: int, reason: str) -> HandoverRecord:
    """The sender withdraws a pending record, saying why; custody never moved, so nothing else
    changes and its items may be listed again."""
    record = visible_handover(actor, handover_id)
    record = db.session.execute(
        select(HandoverRecord).where(HandoverRecord.id == record.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()
    if not is_sender(actor, record):
        raise Forbidden("not_sender", "Chỉ bên giao mới được hủy biên bản này.")
    record.status, record.cancelled_at = _next_status(record, HandoverAction.cancel), utc_now()
    record.cancelled_by_id, record.cancel_reason = actor.id, reason.strip()
    db.session.flush()
    return record


def _next_status(record: HandoverRecord, action: HandoverAction) -> HandoverStatus:
    """The record's status after `action` (server/domain/state_machines.py); 409
    `handover_closed` once signed or cancelled, saying why."""
    return HANDOVERS.next_status(
        record.status, action, words={"reason": record.cancel_reason or "không rõ lý do"})


# --- what the sender can list ----------------------------------------------------------------

#: The lists a sender picks items from (issue 12).
CANDIDATE_SOURCES = ("held", "due_today", "evening_return")
#: What a postman brings back in the evening: failed attempts and collected dossiers.
EVENING_RETURN = frozenset({ItemStatus.attempt_failed, ItemStatus.collected,
                            ItemStatus.supplement_requested, ItemStatus.out_for_delivery})


def handover_candidates(actor: User, source: str, now: datetime | None = None) -> list[Item]:
    """Items the actor holds and may list now: not closed, not already on a pending record.

    `due_today`: due by the end of today (local time); `evening_return`: what a postman
    brings back — failed attempts, collected dossiers, dossiers sent back for a supplement.
    """
    expire_stale_handovers()
    on_pending = select(HandoverLine.item_id).join(HandoverRecord).where(
        HandoverRecord.status == HandoverStatus.pending, HandoverLine.item_id.is_not(None))
    statement = select(Item).where(_held_by(actor), Item.status.not_in(list(TERMINAL)),
                                   Item.id.not_in(on_pending))
    if source == "due_today":
        end_of_day = day_bounds(local_day(now or utc_now()))[1]
        statement = statement.where(Item.due_at < end_of_day)
    elif source == "evening_return":
        statement = statement.where(Item.status.in_(list(EVENING_RETURN)))
    return list(db.session.execute(statement.order_by(Item.due_at, Item.id).limit(500)).scalars())


def status_label(item: Item) -> str:
    """The item's status in words."""
    return STATUS_LABELS_VI[ItemStatus(item.status)]
