"""Corrections of custody events under four eyes: one supervisor asks, another countersigns.

Nothing is ever edited (docs/design.md §4): the countersignature appends a `corrected` event to the
item's chain that names the corrected event, the reason, the corrected values and both
people. The item's status does not move.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.audit.flag_review import close_flag, visible_flag
from server.core.errors import Forbidden, Invalid, NotFound
from server.core.scope import visible_items
from server.custody.events import append_event, iso_utc
from server.domain.evidence_images import media_fields
from server.domain.lifecycle import EventType
from server.domain.state_machines import CORRECTIONS, CorrectionAction
from server.extensions import db
from server.media.service import require_uploaded
from server.models import Correction, CustodyEvent, Item, User


def _visible_event(actor: User, event_id: str) -> CustodyEvent:
    """An event of an item `actor` may see; 404 otherwise."""
    event = db.session.execute(
        select(CustodyEvent).join(Item, Item.id == CustodyEvent.item_id)
        .where(CustodyEvent.id == event_id, visible_items(actor))
    ).scalar_one_or_none()
    if event is None:
        raise NotFound("unknown_event", "Không tìm thấy sự kiện trong phạm vi của bạn.")
    return event


def request_correction(actor: User, event_id: str, reason: str,
                       correction: dict[str, Any]) -> Correction:
    """Record a pending correction of an event; nothing changes until another countersigns."""
    event = _visible_event(actor, event_id)
    # A corrected image field must name an uploaded image, as an event's own fields must.
    require_uploaded(dict(media_fields(correction)))
    pending = Correction(event_id=event.id, item_id=event.item_id, reason=reason,
                         correction=correction, requested_by_id=actor.id,
                         status=CORRECTIONS.next_status(None, CorrectionAction.request))
    db.session.add(pending)
    db.session.flush()
    return pending


def visible_correction(actor: User, correction_id: int, *, lock: bool = False) -> Correction:
    """A correction of an item `actor` may see; 404 otherwise."""
    statement = (select(Correction).join(Item, Item.id == Correction.item_id)
                 .where(Correction.id == correction_id, visible_items(actor)))
    if lock:
        statement = statement.with_for_update(of=Correction)
    correction = db.session.execute(statement).scalar_one_or_none()
    if correction is None:
        raise NotFound("unknown_correction", "Không tìm thấy đề nghị điều chỉnh trong phạm vi của bạn.")
    return correction


def countersign_correction(actor: User, correction_id: int,
                           flag_id: int | None = None) -> Correction:
    """Apply a pending correction by appending a `corrected` event; the author may not sign."""
    correction = visible_correction(actor, correction_id, lock=True)
    applied = CORRECTIONS.next_status(correction.status, CorrectionAction.countersign,
                                      details={"corrected_event_id": correction.corrected_event_id})
    if correction.requested_by_id == actor.id:
        raise Forbidden("four_eyes_required",
                        "Người đề nghị điều chỉnh không được tự ký duyệt; cần một kiểm soát viên khác.")
    flag = None
    if flag_id is not None:
        flag, _number = visible_flag(actor, flag_id, lock=True)
        if flag.item_id != correction.item_id:
            raise Invalid("flag_other_item", "Cảnh báo này thuộc một bưu gửi khác.",
                          {"field": "flag_id"})
    item = db.session.execute(
        select(Item).where(Item.id == correction.item_id).with_for_update()
    ).scalar_one()
    event = append_event(item, EventType.corrected, actor, evidence={
        "correction_id": correction.id,
        "corrects_event_id": correction.event_id,
        "reason": correction.reason,
        "correction": correction.correction,
        "requested_by_user_id": correction.requested_by_id,
        "requested_at": iso_utc(correction.requested_at),
        "countersigned_by_user_id": actor.id,
    })
    correction.status, correction.corrected_event_id = applied, event.id
    correction.countersigned_by_id, correction.countersigned_at = actor.id, event.received_at
    if flag is not None:
        note = f"Đã điều chỉnh có kiểm soát (đề nghị #{correction.id}): {correction.reason}"
        close_flag(flag, actor, note[:1000])
    db.session.flush()
    return correction


def list_corrections(actor: User, status: str | None, limit: int) -> list[Correction]:
    """Corrections of items `actor` may see, newest first."""
    statement = (select(Correction).join(Item, Item.id == Correction.item_id)
                 .where(visible_items(actor))
                 .order_by(Correction.id.desc()).limit(min(max(limit, 1), 1000)))
    if status:
        statement = statement.where(Correction.status == status)
    return list(db.session.execute(statement).scalars())
