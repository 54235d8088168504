"""The post office's counter: results held for pickup, and handed over to the citizen there.

TT17 Art.5(2)(h): a result that could not be delivered may wait at the post office for the
citizen, who collects it at the counter with the same identity check and signature as at the
door. These are office acts, not field events: a transition the lifecycle does not allow is
refused here rather than recorded as a conflict.
"""
from __future__ import annotations

from datetime import datetime

from server.core.errors import Conflict
from server.core.scope import find_visible_item
from server.custody.events import Holder, append_event
from server.domain.errors import DomainError
from server.domain.identity import check_id_document_in_force
from server.domain.lifecycle import (
    STATUS_LABELS_VI,
    EventType,
    ItemKind,
    ItemStatus,
    apply_event,
)
from server.domain.local_time import local_day
from server.items.counter_schemas import CounterDelivery
from server.media.service import require_own_images
from server.models import CustodyEvent, Item, User
from server.models.types import utc_now

#: Where a result must be for the counter to take it in for pickup.
HOLDABLE = frozenset({ItemStatus.at_post, ItemStatus.attempt_failed})


def _check_transition(item: Item, event_type: EventType) -> None:
    """Refuse, with the item's status in words, an act the lifecycle does not allow."""
    if item.kind != ItemKind.result:
        raise Conflict("not_a_result", f"Bưu gửi {item.tracking_number} là hồ sơ, không phải "
                       "kết quả: chỉ kết quả mới chờ nhận tại bưu cục.")
    try:
        apply_event(ItemKind(item.kind), ItemStatus(item.status), event_type)
    except DomainError as refusal:
        raise Conflict(refusal.code, refusal.message, refusal.details) from None


def hold_for_pickup(clerk: User, tracking_number: str, *,
                    at: datetime | None = None) -> CustodyEvent:
    """Take a result in at the counter: `held_for_pickup`, held by the clerk's post office.

    The agency's notification of the citizen follows from the event (outbox, issue 4).
    `at`: when, for replaying history (the demo seed); live paths omit it.
    """
    item = find_visible_item(clerk, tracking_number)
    if item.kind == ItemKind.result and item.status not in HOLDABLE:
        raise Conflict("not_holdable", f"Không thể giữ bưu gửi {item.tracking_number} chờ nhận "
                       f"tại bưu cục khi đang ở trạng thái “{STATUS_LABELS_VI[ItemStatus(item.status)]}”.",
                       {"status": item.status})
    _check_transition(item, EventType.held_for_pickup)
    if item.holder_unit_id != clerk.unit_id or item.holder_user_id is not None:
        # Custody moves only hand to hand: a result still with a postman (or at another
        # office) comes back on a signed handover first.
        raise Conflict("not_held_by_office",
                       f"Bưu gửi {item.tracking_number} chưa ở bưu cục của bạn. Bưu tá cần bàn "
                       "giao lại (ký nhận) trước khi giữ chờ nhận tại quầy.",
                       {"status": item.status})
    return append_event(item, EventType.held_for_pickup, clerk, evidence={"channel": "counter"},
                        holder=Holder(None, clerk.unit_id), occurred_at=at, received_at=at)


def deliver_at_counter(clerk: User, tracking_number: str, body: CounterDelivery, *,
                       at: datetime | None = None) -> CustodyEvent:
    """Hand a held result to the citizen at the counter: a `delivered` event by the clerk.

    `at`: when, for replaying history (the demo seed); live paths omit it.
    """
    item = find_visible_item(clerk, tracking_number)
    if item.status != ItemStatus.held_for_pickup or item.holder_unit_id != clerk.unit_id:
        raise Conflict("not_held_at_counter",
                       f"Bưu gửi {item.tracking_number} không chờ nhận tại quầy của bưu cục bạn. "
                       "Hãy ghi nhận “Chờ nhận tại bưu cục” trước khi phát tại quầy.",
                       {"status": item.status})
    _check_transition(item, EventType.delivered)
    check_id_document_in_force(body.recipient.id_type, local_day(at or utc_now()))
    evidence = body.model_dump(mode="json", exclude_none=True)
    require_own_images(clerk, {key: value for key, value in evidence.items()
                               if key.endswith("_sha256")})
    evidence["channel"] = "counter"
    return append_event(item, EventType.delivered, clerk, evidence=evidence,
                        holder=Holder(None, None), occurred_at=at, received_at=at)


