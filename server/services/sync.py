"""Ingesting the field app's outbox: idempotent by event UUID, one result per event, in order."""
from __future__ import annotations

from datetime import datetime
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import load_only
from sqlalchemy.exc import IntegrityError

from server.domain.errors import DomainError
from server.domain.geo import Position
from server.domain.identity import check_id_document_in_force
from server.domain.lifecycle import EventType
from server.domain.service_time import LOCAL_TZ
from server.extensions import db
from server.models import CustodyEvent, Item, Media, User
from server.schemas.sync import SyncEvent
from server.services.custody import BatchAppender, Holder, append_event
from server.services.flags import RecentFixes
from server.services.errors import Invalid
from server.services.scope import visible_items

EVENT_MODEL: TypeAdapter[Any] = TypeAdapter(SyncEvent)
#: Fields of an event model that are columns of the event, not evidence.
ENVELOPE_FIELDS = {"id", "type", "tracking_number", "occurred_at", "position"}
#: The item columns a batch reads (chain, lifecycle, flags, notifications): loading only
#: these spares decoding the personal data and documents of every locked item. Another
#: column read later is still loaded, by one query of its own.
ITEM_FIELDS_USED = (Item.tracking_number, Item.kind, Item.status, Item.event_count,
                    Item.head_hash, Item.filed_at, Item.holder_user_id, Item.holder_unit_id,
                    Item.address_lat, Item.address_lon, Item.postage_vnd,
                    Item.official_fee_vnd, Item.due_at, Item.agency_unit_id, Item.dossier_code)
_ONLY_FIELDS_USED = load_only(*ITEM_FIELDS_USED)  # built once: building it costs per request
MEDIA_FIELDS = ("signature_sha256", "photo_sha256", "authorization_sha256",
                "postman_signature_sha256")


def _accepted(event_id: str) -> dict[str, Any]:
    return {"id": event_id, "status": "accepted"}


def _rejected(event_id: str | None, code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": event_id, "status": "rejected",
            "error": {"code": code, "message": message, "details": details or {}}}


def _parse(raw: Any) -> tuple[Any | None, dict[str, Any] | None]:
    """Validate one raw event; answer the model, or the rejection to report."""
    event_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    try:
        return EVENT_MODEL.validate_python(raw), None
    except ValidationError as error:
        issue = error.errors(include_url=False, include_context=False)[0]
        location = list(issue["loc"])
        if location and isinstance(raw, dict) and location[0] == raw.get("type"):
            location = location[1:]  # the union's tag: name the field as the phone sent it
        field = ".".join(str(part) for part in location) or "(event)"
        domain_codes = {"wrong_check_digit", "invalid_tracking_format", "invalid_id_last4"}
        code = issue["type"] if issue["type"] in domain_codes else "invalid_event"
        message = f"Sự kiện không hợp lệ — {field}: {issue['msg']}"
        return None, _rejected(event_id, code, message, {"field": field})


def _lock_items(actor: User, numbers: set[str]) -> dict[str, Item]:
    """Load the batch's items the actor may see, row-locked in id order (no deadlocks)."""
    if not numbers:
        return {}
    items = db.session.execute(
        select(Item).options(_ONLY_FIELDS_USED)
        .where(Item.tracking_number.in_(numbers), visible_items(actor))
        .order_by(Item.id).with_for_update()
    ).scalars().all()
    return {item.tracking_number: item for item in items}


@dataclass
class _Batch:
    """What a batch looks up once, instead of once per event."""

    items: dict[str, Item]
    #: Event id → item id of every event already stored, and of those recorded by this batch.
    recorded: dict[str, int]
    #: The uploaded images among those the batch's events name.
    uploaded: set[str]
    #: The actor's fixes across the batch (None: ask the database per event).
    fixes: RecentFixes | None
    #: The batch's events, flags, notifications and item changes, written at the end.
    appender: BatchAppender = field(default_factory=BatchAppender)

    @classmethod
    def load(cls, actor: User, events: list[Any], items: dict[str, Item], *,
             remember_fixes: bool) -> _Batch:
        ids = {str(event.id) for event in events}
        recorded = dict(db.session.execute(
            select(CustodyEvent.id, CustodyEvent.item_id).where(CustodyEvent.id.in_(ids))
        ).tuples().all()) if ids else {}
        named = {hash_ for event in events for hash_ in _media_named(event)}
        uploaded = set(db.session.execute(
            select(Media.sha256).where(Media.sha256.in_(named))).scalars()) if named else set()
        # The actor's unit (the at_post_office check) is loaded now: loaded mid-batch, its
        # query would first flush the events recorded so far, one more round trip.
        _ = actor.unit
        return cls(items, recorded, uploaded, RecentFixes(actor) if remember_fixes else None)


def _media_named(event: Any) -> set[str]:
    """Hashes of the images an event names."""
    fields = type(event).model_fields  # only the event types that carry images have them
    return {hash_ for name in MEDIA_FIELDS if name in fields and (hash_ := getattr(event, name))}


def _document_refusal(event: Any) -> DomainError | None:
    """Why the identity document an event records was not valid on its day (CMND after 2024)."""
    recipient = getattr(event, "recipient", None)
    if recipient is None:
        return None
    try:
        check_id_document_in_force(recipient.id_type, event.occurred_at.astimezone(LOCAL_TZ).date())
    except DomainError as error:
        return error
    return None


def _holder_after(event_type: EventType, actor: User) -> Holder | None:
    """Custody follows the field: the collector holds a dossier, nobody holds a delivered result."""
    if event_type is EventType.collected:
        return Holder(actor.id, actor.unit_id)
    if event_type is EventType.delivered:
        return Holder(None, None)
    return None


def _apply(actor: User, event: Any, batch: _Batch, sent_at: datetime | None,
           alone: bool = False) -> dict[str, Any]:
    """Record one valid event, or say why not; a failure writes nothing of it.

    `alone`: the event is written at once (ORM, `append_event`) in a savepoint of its own,
    so that a concurrent write refuses it alone; otherwise it joins the batch's bulk rows.
    """
    event_id = str(event.id)
    existing = batch.recorded.get(event_id)
    item = batch.items.get(event.tracking_number)
    if existing is not None:
        if item is not None and existing == item.id:
            return {"id": event_id, "status": "duplicate"}
        return _rejected(event_id, "event_id_reused",
                         "Mã sự kiện đã được dùng cho bưu gửi khác. Hãy tạo lại sự kiện.")
    if item is None:
        return _rejected(event_id, "unknown_item",
                         f"Không tìm thấy bưu gửi {event.tracking_number} trong phạm vi của bạn.")
    missing = sorted(_media_named(event) - batch.uploaded)
    if missing:
        return _rejected(event_id, "missing_media",
                         "Ảnh chưa được tải lên máy chủ; ứng dụng sẽ tải ảnh rồi gửi lại.",
                         {"missing": missing})
    refusal = _document_refusal(event)
    if refusal is not None:
        return _rejected(event_id, refusal.code, refusal.message, refusal.details)
    event_type = EventType(event.type)
    position = (Position(event.position.lat, event.position.lon, event.position.accuracy_m)
                if event.position else None)
    evidence = event.model_dump(mode="json", exclude=ENVELOPE_FIELDS)
    if event.position and event.position.fixed_at:
        # The fix's own time and accuracy belong to the evidence: they show how fresh the
        # position was when the postman confirmed.
        evidence["position_fix"] = {"fixed_at": event.position.fixed_at.isoformat(),
                                    "accuracy_m": event.position.accuracy_m}
    holder = _holder_after(event_type, actor)
    if not alone:
        batch.appender.append(item, event_type, actor, occurred_at=event.occurred_at,
                              position=position, evidence=evidence, event_id=event_id,
                              holder=holder, sent_at=sent_at, fixes=batch.fixes)
    else:
        try:
            with db.session.begin_nested():
                append_event(item, event_type, actor, occurred_at=event.occurred_at,
                             position=position, evidence=evidence, event_id=event_id,
                             holder=holder, sent_at=sent_at)
        except IntegrityError:
            db.session.refresh(item)
            return _rejected(event_id, "concurrent_write",
                             "Máy chủ đang ghi cùng bưu gửi này; ứng dụng sẽ gửi lại.")
    batch.recorded[event_id] = item.id
    return _accepted(event_id)


def sync_events(actor: User, raw_events: list[Any], max_events: int,
                sent_at: datetime | None = None) -> list[dict[str, Any]]:
    """Apply a batch in order; each event is accepted, a duplicate, or rejected on its own.

    `sent_at` is the phone's clock when it sent the batch; a skew is flagged, never refused.
    The batch's lookups are made once and its rows written in bulk at the end (a few
    executemany statements, `BatchAppender`), in a savepoint. Should that write meet a concurrent write (another request storing one of these event
    ids at the same moment), the savepoint is rolled back and the batch applied again event
    by event, each in a savepoint of its own, so that only the event concerned is refused.
    """
    if len(raw_events) > max_events:
        raise Invalid("batch_too_large", f"Mỗi lần đồng bộ tối đa {max_events} sự kiện.",
                      {"max_events": max_events})
    parsed = [_parse(raw) for raw in raw_events]
    valid = [model for model, _ in parsed if model is not None]
    items = _lock_items(actor, {model.tracking_number for model in valid})

    def apply_all(alone: bool) -> tuple[list[dict[str, Any]], _Batch]:
        batch = _Batch.load(actor, valid, items, remember_fixes=not alone)
        return [rejection if model is None else _apply(actor, model, batch, sent_at, alone)
                for model, rejection in parsed], batch

    try:
        with db.session.begin_nested():
            results, batch = apply_all(alone=False)
            batch.appender.write()
    except IntegrityError:
        for item in items.values():  # back to what is stored; the row locks are still held
            db.session.refresh(item)
        results, _ = apply_all(alone=True)
    return results
