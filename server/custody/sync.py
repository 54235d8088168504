"""Ingesting the field app's outbox: idempotent by event UUID, one result per event, in order."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

from server.core.errors import Invalid
from server.core.schemas import JSON_BODY
from server.core.scope import custody_scope, visible_items
from server.custody.events import CustodyWriter
from server.custody.schemas import SyncEvent
from server.domain.custody_chain import payload_digest
from server.domain.custody_step import holder_after
from server.domain.errors import DomainError
from server.domain.evidence_images import (
    HANDOVER_IMAGE_FIELDS,
    handover_key,
    reuse_of_handover_image,
)
from server.domain.flags import (
    Custodian,
    FlagCode,
    backdated,
    before_item_existed,
    not_holder,
)
from server.domain.geo import Position
from server.domain.identity import check_id_document_in_force
from server.domain.lifecycle import EventType
from server.domain.local_time import local_day
from server.extensions import db
from server.media.service import missing_media
from server.models import (
    CustodyEvent,
    HandoverLine,
    HandoverRecord,
    Item,
    Media,
    Role,
    Unit,
    User,
)
from server.models.types import utc_now

EVENT_MODEL: TypeAdapter[Any] = TypeAdapter(SyncEvent)
#: Fields of an event model that are columns of the event, not evidence.
ENVELOPE_FIELDS = {"id", "type", "tracking_number", "occurred_at", "position"}
#: The item columns a batch reads (chain, lifecycle, flags, notifications): loading only
#: these spares decoding the personal data and documents of every locked item. Another
#: column read later is still loaded, by one query of its own.
ITEM_FIELDS_USED = (Item.tracking_number, Item.kind, Item.status, Item.event_count,
                    Item.head_hash, Item.filed_at, Item.holder_user_id, Item.holder_unit_id,
                    Item.address_lat, Item.address_lon, Item.postage_vnd,
                    Item.official_fee_vnd, Item.due_at, Item.agency_unit_id, Item.dossier_code,
                    Item.created_at, Item.citizen_phone)
_ONLY_FIELDS_USED = load_only(*ITEM_FIELDS_USED)  # built once: building it costs per request
MEDIA_FIELDS = ("signature_sha256", "photo_sha256", "authorization_sha256",
                "postman_signature_sha256")


def _accepted(event_id: str) -> dict[str, Any]:
    return {"id": event_id, "status": "accepted"}


def _rejected(event_id: str | None, code: str, message: str,
              details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": event_id, "status": "rejected",
            "error": {"code": code, "message": message, "details": details or {}}}


def _parse(raw: Any) -> tuple[Any | None, dict[str, Any] | None]:
    """Validate one raw event; answer the model, or the rejection to report."""
    event_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    try:
        return EVENT_MODEL.validate_python(raw, context=JSON_BODY), None
    except ValidationError as error:
        issue = error.errors(include_url=False, include_context=False)[0]
        location = list(issue["loc"])
        if location and isinstance(raw, dict) and location[0] == raw.get("type"):
            location = location[1:]  # the union's tag: name the field as the phone sent it
        field = ".".join(str(part) for part in location) or "(event)"
        domain_codes = {"wrong_check_digit", "invalid_tracking_format", "invalid_id_last4",
                        "time_out_of_range", "forbidden_character", "json_type"}
        code = issue["type"] if issue["type"] in domain_codes else "invalid_event"
        message = f"Sự kiện không hợp lệ — {field}: {issue['msg']}"
        return None, _rejected(event_id, code, message, {"field": field})


#: The tables the batch's lookups read, as Core: its statements are built once (building
#: an ORM statement and its cache key costs more than running it) and read plain rows.
_EVENTS, _MEDIA, _USERS, _UNITS = (CustodyEvent.__table__, Media.__table__, User.__table__,
                                   Unit.__table__)
_LINES, _HANDOVERS = HandoverLine.__table__, HandoverRecord.__table__
_RECORDED = (select(_EVENTS.c.id, _EVENTS.c.item_id, _EVENTS.c.payload_digest)
             .where(_EVENTS.c.id.in_(bindparam("ids", expanding=True))))
_UPLOADED = (select(_MEDIA.c.sha256, _MEDIA.c.uploaded_by_id, _MEDIA.c.bound_key,
                    _MEDIA.c.bound_at)
             .where(_MEDIA.c.sha256.in_(bindparam("hashes", expanding=True))))
_USERNAMES = select(_USERS.c.id, _USERS.c.username).where(
    _USERS.c.id.in_(bindparam("ids", expanding=True)))
_UNIT_CODES = select(_UNITS.c.id, _UNITS.c.code).where(
    _UNITS.c.id.in_(bindparam("ids", expanding=True)))
_RECEIVED = (select(_LINES.c.item_id, func.max(_HANDOVERS.c.accepted_at))
             .join(_HANDOVERS, _HANDOVERS.c.id == _LINES.c.handover_id)
             .where(_LINES.c.item_id.in_(bindparam("item_ids", expanding=True)),
                    _LINES.c.outcome == "received", _HANDOVERS.c.status == "accepted")
             .group_by(_LINES.c.item_id))
#: Handed to the actor: a postman in person; a clerk's unit, to nobody in person.
_HANDED_TO_POSTMAN = _RECEIVED.where(_HANDOVERS.c.to_user_id == bindparam("user_id"))
_HANDED_TO_UNIT = _RECEIVED.where(_HANDOVERS.c.to_unit_id == bindparam("unit_id"),
                                  _HANDOVERS.c.to_user_id.is_(None))


def _lock_items(actor: User, numbers: set[str]) -> tuple[dict[str, Item], dict[int, datetime]]:
    """Load the batch's items the actor may record events on now (`custody_scope`),
    row-locked in id order (no deadlocks), as stored now (the session's copies overwritten:
    after a clash they may hold what a rolled-back write set); and, in the same query, when
    each one's last event (by chain order) happened."""
    if not numbers:
        return {}, {}
    rows = db.session.execute(
        select(Item, CustodyEvent.occurred_at).options(_ONLY_FIELDS_USED)
        .outerjoin(CustodyEvent, and_(CustodyEvent.item_id == Item.id,
                                      CustodyEvent.seq == Item.event_count))
        .where(Item.tracking_number.in_(numbers), custody_scope(actor))
        .order_by(Item.id).with_for_update(of=Item)
        .execution_options(populate_existing=True)
    ).tuples().all()
    last_at = {item.id: at for item, at in rows if at is not None}
    return {item.tracking_number: item for item, _at in rows}, last_at


def _out_of_reach(actor: User, numbers: set[str]) -> set[str]:
    """Of the numbers not in the actor's custody scope, those the actor may still read
    (an item handed on to another unit): they are refused as such, not as unknown."""
    if not numbers:
        return set()
    return set(db.session.execute(
        select(Item.tracking_number).where(Item.tracking_number.in_(numbers), visible_items(actor))
    ).scalars())


@dataclass
class _Image:
    """An uploaded image as the batch sees it: its uploader and its hand-over, if bound."""

    uploader_id: int | None
    bound_key: str | None
    bound_at: datetime | None
    #: Bound by this batch (written with its rows).
    newly_bound: bool = False


#: Binds an image to its first hand-over, unless a concurrent request bound it first.
_BIND_IMAGE = (update(_MEDIA).where(_MEDIA.c.sha256 == bindparam("image"),
                                   _MEDIA.c.bound_key.is_(None))
               .values(bound_key=bindparam("key"), bound_at=bindparam("at")))


@dataclass
class _Batch:
    """What a batch looks up once, instead of once per event."""

    items: dict[str, Item]
    #: Event id → (item id, payload digest) of every event already stored, and of those
    #: recorded by this batch.
    recorded: dict[str, tuple[int, str | None]]
    #: The uploaded images among those the batch's events name, with their binding.
    uploaded: dict[str, _Image]
    #: The batch's events, flags, notifications and item changes, written at the end.
    writer: CustodyWriter
    #: Numbers the actor may read but not write to now (handed on to another unit).
    out_of_reach: set[str] = field(default_factory=set)
    #: Usernames and unit codes of the holders, to name them in `not_holder` flags.
    usernames: dict[int, str] = field(default_factory=dict)
    unit_codes: dict[int, str] = field(default_factory=dict)
    #: Item id → when its last event (chain order) happened, this batch's included.
    previous_at: dict[int, datetime] = field(default_factory=dict)
    #: Item id → when the last handover to the actor was signed.
    received_at: dict[int, datetime] = field(default_factory=dict)
    #: How far a phone's clock may be off without being evidence (FLAG_CLOCK_SKEW_S).
    tolerance_s: float = 0.0

    @classmethod
    def load(cls, actor: User, events: list[Any], items: dict[str, Item],
             last_at: dict[int, datetime], out_of_reach: set[str]) -> _Batch:
        ids = [str(event.id) for event in events]
        recorded = {event_id: (item_id, digest) for event_id, item_id, digest in
                    db.session.execute(_RECORDED, {"ids": ids})} if ids else {}
        named = sorted({hash_ for event in events for hash_ in _media_cited(event).values()})
        uploaded = {sha256: _Image(uploader, key, at) for sha256, uploader, key, at in
                    db.session.execute(_UPLOADED, {"hashes": named})} if named else {}
        # The actor names himself and his unit: the holders' names are asked only when
        # an item is held by someone else (`custodian`), for its `not_holder` flag.
        unit = actor.unit
        return cls(items, recorded, uploaded, CustodyWriter(actor), out_of_reach,
                   {actor.id: actor.username}, {unit.id: unit.code}, dict(last_at),
                   _handed_to_actor_at(actor, [item.id for item in items.values()]),
                   current_app.config["FLAG_CLOCK_SKEW_S"])

    def write(self) -> None:
        """Write the batch's rows (`CustodyWriter.write`), then the hand-overs it bound
        images to (one executemany)."""
        self.writer.write()
        rows = [{"image": sha256, "key": image.bound_key, "at": image.bound_at}
                for sha256, image in self.uploaded.items() if image.newly_bound]
        if rows:
            db.session.execute(_BIND_IMAGE, rows)

    def custodian(self, item: Item) -> Custodian:
        """Who holds `item` now (as this batch has moved it), named."""
        user_id, unit_id = item.holder_user_id, item.holder_unit_id
        if (user_id not in self.usernames and user_id is not None) or (
                unit_id not in self.unit_codes and unit_id is not None):
            self._name_holders()
        return Custodian(user_id, unit_id,
                         self.usernames.get(user_id) if user_id is not None else None,
                         self.unit_codes.get(unit_id) if unit_id is not None else None)

    def _name_holders(self) -> None:
        """Usernames and unit codes of whoever holds the batch's items (two queries)."""
        items = self.items.values()
        user_ids = list({item.holder_user_id for item in items} - {None} - self.usernames.keys())
        unit_ids = list({item.holder_unit_id for item in items} - {None} - self.unit_codes.keys())
        if user_ids:
            self.usernames.update(db.session.execute(_USERNAMES, {"ids": user_ids}).tuples().all())
        if unit_ids:
            self.unit_codes.update(db.session.execute(_UNIT_CODES, {"ids": unit_ids}).tuples().all())


def _handed_to_actor_at(actor: User, item_ids: list[int]) -> dict[int, datetime]:
    """When each item was last handed to the actor by a signed handover (one query)."""
    if not item_ids:
        return {}
    statement, params = ((_HANDED_TO_POSTMAN, {"user_id": actor.id}) if actor.role == Role.postman
                         else (_HANDED_TO_UNIT, {"unit_id": actor.unit_id}))
    return {item_id: at for item_id, at in
            db.session.execute(statement, {**params, "item_ids": item_ids}) if at is not None}


def _field_findings(actor: User, event: Any, item: Item, batch: _Batch,
                    tolerance_s: float) -> tuple[tuple[FlagCode, dict[str, Any]], ...]:
    """The flags only the batch can judge: who held the item, and what came before."""
    holder = batch.custodian(item)
    found: list[tuple[FlagCode, dict[str, Any]]] = []
    if (evidence := not_holder(actor.id, actor.unit_id, actor.role == Role.clerk,
                               item.status or None, holder)) is not None:
        found.append((FlagCode.not_holder, evidence))
    # The handover counts while it is what put the item in the actor's hands.
    received_at = batch.received_at.get(item.id) if holder.user_id == actor.id or (
        holder.user_id is None and holder.unit_id == actor.unit_id) else None
    if (evidence := backdated(event.occurred_at, batch.previous_at.get(item.id), received_at,
                              tolerance_s)) is not None:
        found.append((FlagCode.backdated, evidence))
    return tuple(found)


def _handover_images(event: Any) -> list[str]:
    """The images an event cites as its recipient's own act over one hand-over."""
    return [hash_ for name in HANDOVER_IMAGE_FIELDS
            if name in type(event).model_fields and (hash_ := getattr(event, name))]


def _handover_key(actor: User, event: Any, item: Item) -> str:
    """The parties of the event's hand-over (`handover_key`)."""
    recipient = getattr(event, "recipient", None)
    return handover_key(actor.id, recipient.model_dump(mode="json") if recipient else None,
                        item.citizen_phone)


def _image_refusal(actor: User, event: Any, item: Item, named: set[str],
                   batch: _Batch) -> dict[str, Any] | None:
    """Why the event may not cite its images, or None (`server.domain.evidence_images`)."""
    foreign = sorted(h for h in named if batch.uploaded[h].uploader_id != actor.id)
    if foreign:
        return _rejected(None, "foreign_media",
                         "Sự kiện chỉ được dùng ảnh do chính bạn chụp và tải lên. Hãy ký hoặc "
                         "chụp lại trên máy của bạn rồi ghi nhận lại.", {"images": foreign})
    cited = _handover_images(event)
    key = _handover_key(actor, event, item) if cited else ""
    for sha256 in cited:
        image = batch.uploaded[sha256]
        reason = reuse_of_handover_image(image.bound_key, image.bound_at, key, event.occurred_at)
        if reason is not None:
            return _rejected(None, "media_reused",
                             "Chữ ký hoặc giấy ủy quyền này đã dùng cho một lần giao khác. Mỗi "
                             "lần giao cần chữ ký riêng của người nhận; hãy ký lại.",
                             {"images": [sha256], "reason": reason})
    return None


def _bind_images(actor: User, event: Any, item: Item, batch: _Batch) -> None:
    """Bind the event's signature and authorisation to its hand-over, where not yet bound."""
    for sha256 in _handover_images(event):
        image = batch.uploaded[sha256]
        if image.bound_key is None:
            image.bound_key, image.bound_at = _handover_key(actor, event, item), event.occurred_at
            image.newly_bound = True


def _media_cited(event: Any) -> dict[str, str]:
    """Field → hash of the images an event names."""
    fields = type(event).model_fields  # only the event types that carry images have them
    return {name: hash_ for name in MEDIA_FIELDS if name in fields and (hash_ := getattr(event, name))}


def _document_refusal(event: Any) -> DomainError | None:
    """Why the identity document an event records was not valid on its day (CMND after 2024)."""
    # Asked of the model's fields first: a pydantic model answers a missing attribute slowly.
    recipient = event.recipient if "recipient" in type(event).model_fields else None
    if recipient is None:
        return None
    try:
        check_id_document_in_force(recipient.id_type, local_day(event.occurred_at))
    except DomainError as error:
        return error
    return None


def _apply(actor: User, event: Any, batch: _Batch, sent_at: datetime | None,
           received_at: datetime) -> dict[str, Any]:
    """Add one valid event to the batch's writer, or say why not."""
    event_id = str(event.id)
    existing = batch.recorded.get(event_id)
    item = batch.items.get(event.tracking_number)
    evidence = event.model_dump(mode="json", exclude=ENVELOPE_FIELDS)
    # mode="json": the fix's own time (`fixed_at`) is a datetime, which canonical JSON refuses.
    position = event.position.model_dump(mode="json") if event.position else None
    digest = payload_digest(event.type, event.tracking_number, actor.id, event.occurred_at,
                            position, evidence)
    if existing is not None:
        return _resent(event_id, existing, item, digest)
    if item is None and event.tracking_number in batch.out_of_reach:
        return _rejected(event_id, "out_of_scope",
                         f"Bưu gửi {event.tracking_number} đã được bàn giao cho đơn vị khác nên "
                         "không thể ghi nhận sự kiện của bạn. Báo kiểm soát viên nếu bạn "
                         "vẫn đang cầm bưu gửi này.")
    if item is None:
        return _rejected(event_id, "unknown_item",
                         f"Không tìm thấy bưu gửi {event.tracking_number} trong phạm vi của bạn.")
    cited = _media_cited(event)
    named = set(cited.values())
    if (missing := missing_media(cited, batch.uploaded)) is not None:
        return _rejected(event_id, missing.code, missing.message, missing.details)
    refusal = _document_refusal(event)
    if refusal is not None:
        return _rejected(event_id, refusal.code, refusal.message, refusal.details)
    image_refusal = _image_refusal(actor, event, item, named, batch) if named else None
    if image_refusal is not None:
        return {**image_refusal, "id": event_id}
    tolerance_s = batch.tolerance_s
    if before_item_existed(event.occurred_at, item.created_at, tolerance_s):
        return _rejected(event_id, "before_item_existed",
                         "Thời điểm của sự kiện sớm hơn lúc bưu gửi được đăng ký. Kiểm tra "
                         "lại ngày giờ của điện thoại rồi ghi nhận lại sự kiện.",
                         {"field": "occurred_at"})
    found = _field_findings(actor, event, item, batch, tolerance_s)
    event_type = EventType(event.type)
    position = (Position(event.position.lat, event.position.lon, event.position.accuracy_m)
                if event.position else None)
    if event.position and event.position.fixed_at:
        # The fix's own time and accuracy belong to the evidence: they show how fresh the
        # position was when the postman confirmed.
        evidence["position_fix"] = {"fixed_at": event.position.fixed_at.isoformat(),
                                    "accuracy_m": event.position.accuracy_m}
    batch.writer.add(item, event_type, event_id=event_id, occurred_at=event.occurred_at,
                     received_at=received_at, position=position, evidence=evidence,
                     holder=holder_after(event_type, actor.id, actor.unit_id), sent_at=sent_at,
                     payload_digest=digest, string_keys=True, found=found)
    if named:
        _bind_images(actor, event, item, batch)
    batch.recorded[event_id] = (item.id, digest)
    batch.previous_at[item.id] = event.occurred_at
    return _accepted(event_id)


def _resent(event_id: str, existing: tuple[int, str | None], item: Item | None,
            digest: str) -> dict[str, Any]:
    """An id already recorded: a resend of the same event, or another event under its id.

    Stripe's idempotency-key rule: the same id with the same payload is answered as the
    first time (`duplicate`, the phone drops it from its outbox); with another payload —
    another type, time, evidence, item or sender — it is refused (`id_reused`), so the phone
    never drops an event it believes stored. An event stored before digests were kept is
    judged by its item alone.
    """
    item_id, stored_digest = existing
    same_item = item is not None and item_id == item.id
    if same_item and stored_digest in (None, digest):
        return {"id": event_id, "status": "duplicate"}
    return _rejected(event_id, "id_reused",
                     "Mã sự kiện này đã được dùng cho một sự kiện khác. Ứng dụng sẽ tạo mã "
                     "mới cho sự kiện; nếu vẫn lỗi, hãy báo kiểm soát viên.",
                     )


def sync_events(actor: User, raw_events: list[Any], max_events: int,
                sent_at: datetime | None = None,
                received_at: datetime | None = None) -> list[dict[str, Any]]:
    """Apply a batch in order; each event is accepted, a duplicate, or rejected on its own.

    `sent_at` is the phone's clock when it sent the batch; a skew is flagged, never refused.
    `received_at`: the server's time of receipt, only for replaying history (the demo seed).
    The batch's items are row-locked, its lookups made once, and its rows written at the end
    by one `CustodyWriter` (a few executemany statements), in a savepoint.

    The one rule for a concurrent write: should the write clash with a row another request
    stored after the batch's lookups (IntegrityError: an event id, an item's link), the
    savepoint is rolled back and the whole batch applied again, once, from what is stored
    now (items re-read, lookups made again). The events the other request stored are then
    answered by the resend rule (`_resent`: duplicate or id_reused) and the others written.
    Should that second write clash too, nothing of the batch is written and each event it
    would have written is refused as `concurrent_write`: the phone sends it again.
    """
    if len(raw_events) > max_events:
        raise Invalid("batch_too_large", f"Mỗi lần đồng bộ tối đa {max_events} sự kiện.",
                      {"max_events": max_events})
    parsed = [_parse(raw) for raw in raw_events]
    valid = [model for model, _ in parsed if model is not None]
    numbers = {model.tracking_number for model in valid}
    results: list[dict[str, Any]] = []
    for _attempt in range(2):
        items, last_at = _lock_items(actor, numbers)
        out_of_reach = _out_of_reach(actor, numbers - items.keys())
        try:
            with db.session.begin_nested():
                batch = _Batch.load(actor, valid, items, last_at, out_of_reach)
                now = received_at or utc_now()
                # Each parsed event is a model or its rejection, never both.
                results = [_apply(actor, model, batch, sent_at, now) if rejection is None else rejection
                           for model, rejection in parsed]
                batch.write()
            return results
        except IntegrityError:
            continue
    return [_refused_as_concurrent(result) for result in results]


def _refused_as_concurrent(result: dict[str, Any]) -> dict[str, Any]:
    """An event the batch would have written, refused since its write clashed twice."""
    if result["status"] != "accepted":
        return result
    return _rejected(result["id"], "concurrent_write",
                     "Máy chủ đang ghi cùng bưu gửi này; ứng dụng sẽ gửi lại.")
