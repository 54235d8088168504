"""Supervisors reviewing audit flags: listing those of their units, resolving them with a note."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from server.core.errors import NotFound
from server.core.scope import visible_items
from server.domain.flags import FLAG_LABELS_VI
from server.domain.geo import distance_m
from server.domain.identity import ID_TYPE_LABELS_VI
from server.domain.lifecycle import EVENT_LABELS_VI
from server.domain.state_machines import FLAGS, FlagAction
from server.extensions import db
from server.models import AuditFlag, CustodyEvent, Item, User
from server.models.types import utc_now
from server.reporting.dashboard import flag_summary


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
    flag.status = FLAGS.next_status(flag.status, FlagAction.resolve, details={
        "resolved_at": flag.resolved_at.isoformat() if flag.resolved_at else None})
    flag.resolved_by_id, flag.resolved_at = actor.id, utc_now()
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


# --- one flag with the proof of its event -----------------------------------------------

@dataclass(frozen=True)
class EventProof:
    """What a supervisor looks at before resolving a flag: the flagged event's proof of
    delivery (TT17 Art.5(2): identity checked, signature, photo; the cash taken), its
    position against the address's, and nothing more personal than that."""

    event_id: str
    event_type: str
    event_label: str
    occurred_at: datetime
    actor: str | None
    position: tuple[float, float] | None
    accuracy_m: float | None
    address_position: tuple[float, float] | None
    distance_m: float | None
    id_type: str | None
    id_type_label: str | None
    id_last4: str | None
    recipient_relation: str | None
    cash_collected_vnd: int | None
    images: dict[str, str]


@dataclass(frozen=True)
class FlagProof:
    """A flag, in words, with the proof of the event that raised it (None for item flags)."""

    flag: AuditFlag
    tracking_number: str
    label: str
    summary: str
    proof: EventProof | None


#: Evidence fields naming an image a supervisor may look at, in the order shown.
PROOF_IMAGE_FIELDS = ("signature_sha256", "photo_sha256", "authorization_sha256",
                      "postman_signature_sha256")


def _text(value: Any) -> str | None:
    """A recorded text, or None when the evidence holds something else there."""
    return value if isinstance(value, str) else None


def _event_proof(event: CustodyEvent, item: Item, actor_name: str | None) -> EventProof:
    """The proof of one event, from its evidence as recorded."""
    evidence: dict[str, Any] = event.evidence if isinstance(event.evidence, dict) else {}
    position = (event.lat, event.lon) if event.lat is not None and event.lon is not None else None
    address = ((item.address_lat, item.address_lon)
               if item.address_lat is not None and item.address_lon is not None else None)
    recipient = given if isinstance(given := evidence.get("recipient"), dict) else {}
    id_type = _text(recipient.get("id_type"))
    cash = evidence.get("cash_collected_vnd")
    return EventProof(
        event_id=event.id, event_type=event.type,
        event_label=EVENT_LABELS_VI.get(event.type, event.type),
        occurred_at=event.occurred_at, actor=actor_name, position=position,
        accuracy_m=event.accuracy_m, address_position=address,
        distance_m=round(distance_m(position, address), 1) if position and address else None,
        id_type=id_type,
        id_type_label=ID_TYPE_LABELS_VI.get(id_type) if id_type else None,
        id_last4=_text(recipient.get("id_last4")),
        recipient_relation=_text(recipient.get("relation")),
        cash_collected_vnd=cash if isinstance(cash, int) and not isinstance(cash, bool) else None,
        images={field: evidence[field] for field in PROOF_IMAGE_FIELDS
                if isinstance(evidence.get(field), str)},
    )


def flag_proof(actor: User, flag_id: int) -> FlagProof:
    """A flag within `actor`'s units with its event's proof; 404 outside them."""
    flag, number = visible_flag(actor, flag_id)
    proof = None
    if flag.event_id is not None:
        event = db.session.get(CustodyEvent, flag.event_id)
        if event is not None:
            item = db.session.get(Item, event.item_id)
            person = db.session.get(User, event.actor_user_id)
            proof = _event_proof(event, item,  # type: ignore[arg-type]
                                 (person.full_name or person.username) if person else None)
    return FlagProof(flag=flag, tracking_number=number,
                     label=FLAG_LABELS_VI.get(flag.code, flag.code),
                     summary=flag_summary(flag.details or {}), proof=proof)
