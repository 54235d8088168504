"""The item lifecycle as one transition table, with UPU codes and screen words (docs/design.md §3)."""

from __future__ import annotations

from enum import StrEnum

from server.domain.errors import DomainError


class ItemKind(StrEnum):
    """Which way an item travels."""

    #: hồ sơ — citizen → agency
    dossier = "dossier"
    #: kết quả (giải quyết TTHC) — agency → citizen
    result = "result"


class ItemStatus(StrEnum):
    """Where an item is, as derived from its custody events."""

    #: yêu cầu thu gom (nhận hồ sơ tại nhà) — the citizen asked for a pickup at home
    requested = "requested"
    #: đã nhận hồ sơ (thu gom tại nhà / tiếp nhận tại bưu cục)
    collected = "collected"
    #: tại bưu cục
    at_post = "at_post"
    #: đang vận chuyển
    in_transit = "in_transit"
    #: đã nộp hồ sơ cho cơ quan — legally filed at the handover signature (QĐ45 Art.7)
    filed = "filed"
    #: cần bổ sung hồ sơ — the officer found the dossier incomplete at the handover; it goes
    #: back with the post toward the citizen, and is filed when the supplement is (QĐ45 Art.7(4))
    supplement_requested = "supplement_requested"
    #: cơ quan đăng ký kết quả — the agency has registered a result for delivery
    registered = "registered"
    #: đang phát
    out_for_delivery = "out_for_delivery"
    #: phát không thành công
    attempt_failed = "attempt_failed"
    #: chờ nhận tại bưu cục
    held_for_pickup = "held_for_pickup"
    #: phát thành công
    delivered = "delivered"
    #: chuyển hoàn (về cơ quan)
    returned = "returned"
    #: đã hủy
    cancelled = "cancelled"


class EventType(StrEnum):
    """What happened to an item; every status change is caused by one of these."""

    requested = "requested"
    collected = "collected"
    at_post = "at_post"
    in_transit = "in_transit"
    filed = "filed"
    supplement_requested = "supplement_requested"
    registered = "registered"
    out_for_delivery = "out_for_delivery"
    attempt_failed = "attempt_failed"
    held_for_pickup = "held_for_pickup"
    delivered = "delivered"
    returned = "returned"
    cancelled = "cancelled"
    #: bàn giao — custody moves between holders; the status stays
    handed_over = "handed_over"
    #: điều chỉnh có kiểm soát — a countersigned correction of an earlier event; the status
    #: stays (docs/design.md §4: a correction is a new event, never an edit)
    corrected = "corrected"


class FailureReason(StrEnum):
    """Why a delivery attempt failed (docs/design.md §3, sent with `attempt_failed`)."""

    absent = "absent"
    address_wrong = "address_wrong"
    moved = "moved"
    not_found = "not_found"
    refused = "refused"
    id_missing = "id_missing"
    proxy_invalid = "proxy_invalid"
    papers_missing = "papers_missing"
    deceased = "deceased"
    force_majeure = "force_majeure"


class FailureAction(StrEnum):
    """What the postman did after a failed attempt (docs/design.md §3)."""

    retry = "retry"
    notice_left = "notice_left"
    return_to_agency = "return_to_agency"


_D, _R = ItemKind.dossier, ItemKind.result
_S, _E = ItemStatus, EventType

# The whole lifecycle. `None` as the status means the item does not exist yet.
# Nothing else in the code base assigns a status.
TRANSITIONS: dict[tuple[ItemKind, ItemStatus | None, EventType], ItemStatus] = {
    # Dossier: citizen → post → agency (QĐ45 Art.6-7).
    (_D, None, _E.requested): _S.requested,
    (_D, None, _E.collected): _S.collected,  # accepted at the counter, no prior request
    (_D, _S.requested, _E.collected): _S.collected,
    (_D, _S.requested, _E.cancelled): _S.cancelled,  # only before collection
    (_D, _S.collected, _E.at_post): _S.at_post,
    (_D, _S.at_post, _E.in_transit): _S.in_transit,
    (_D, _S.in_transit, _E.filed): _S.filed,
    (_D, _S.at_post, _E.filed): _S.filed,  # the post's desk inside the one-stop centre
    # QĐ45 Art.7(4): an incomplete dossier is not filed; the officer's request goes back with
    # the post toward the citizen, whose supplement is collected and carried in again.
    (_D, _S.in_transit, _E.supplement_requested): _S.supplement_requested,
    (_D, _S.at_post, _E.supplement_requested): _S.supplement_requested,
    (_D, _S.supplement_requested, _E.collected): _S.collected,
    **{
        (_D, status, _E.handed_over): status
        for status in (_S.collected, _S.at_post, _S.in_transit, _S.supplement_requested)
    },
    # A pickup at home assigned (or reassigned) to a postman before the visit.
    (_D, _S.requested, _E.handed_over): _S.requested,
    # Result: agency → post → citizen (QĐ45 Art.9; TT17 Art.5(2)).
    (_R, None, _E.registered): _S.registered,
    (_R, _S.registered, _E.at_post): _S.at_post,
    (_R, _S.registered, _E.cancelled): _S.cancelled,
    (_R, _S.at_post, _E.out_for_delivery): _S.out_for_delivery,
    (_R, _S.at_post, _E.held_for_pickup): _S.held_for_pickup,
    (_R, _S.out_for_delivery, _E.delivered): _S.delivered,
    (_R, _S.out_for_delivery, _E.attempt_failed): _S.attempt_failed,
    (_R, _S.attempt_failed, _E.out_for_delivery): _S.out_for_delivery,
    (_R, _S.attempt_failed, _E.held_for_pickup): _S.held_for_pickup,
    # TT17 Art.5(2)(h): after the invitations, or when undeliverable, it goes back.
    (_R, _S.attempt_failed, _E.returned): _S.returned,
    (_R, _S.held_for_pickup, _E.delivered): _S.delivered,
    (_R, _S.held_for_pickup, _E.returned): _S.returned,
    (_R, _S.held_for_pickup, _E.out_for_delivery): _S.out_for_delivery,
    **{
        (_R, status, _E.handed_over): status
        for status in (
            _S.registered,
            _S.at_post,
            _S.out_for_delivery,
            _S.attempt_failed,
            _S.held_for_pickup,
            _S.returned,  # the returned result is handed back to the agency
        )
    },
}

#: The statuses an item of each kind can be in.
KIND_STATUSES: dict[ItemKind, frozenset[ItemStatus]] = {
    kind: frozenset(target for (k, _status, _event), target in TRANSITIONS.items() if k is kind)
    for kind in ItemKind
}

# Events that record something about an item without moving it, in any status of its kind,
# terminal ones included: a delivered result can still have its delivery record corrected.
# Kept apart from TRANSITIONS, which is the movement of an item through its life.
STATUS_KEEPING_TRANSITIONS: dict[tuple[ItemKind, ItemStatus | None, EventType], ItemStatus] = {
    (kind, status, _E.corrected): status
    for kind, statuses in KIND_STATUSES.items()
    for status in statuses
}

#: Statuses no event leaves.
TERMINAL: frozenset[ItemStatus] = frozenset({_S.filed, _S.delivered, _S.cancelled})
#: Statuses that need nothing more from the post: the end of an item's life (TERMINAL), or a
#: result returned to its agency. The dashboard's overdue list and media retention share it.
CLOSED: frozenset[ItemStatus] = TERMINAL | {_S.returned}

#: UPU EMSEVT codes, so the events can be exchanged with postal systems.
UPU_EVENT_CODES: dict[EventType, str] = {
    _E.collected: "EMA",  # posting / collection
    _E.at_post: "EMG",  # arrival at delivery office
    _E.out_for_delivery: "EDG",  # out for delivery
    _E.attempt_failed: "EMH",  # attempted / unsuccessful delivery
    _E.delivered: "EMI",  # final delivery
    _E.held_for_pickup: "EDH",  # arrived at collection point for pickup
}

#: Words of the public tracking page for each event.
EVENT_LABELS_VI: dict[str, str] = {
    _E.requested: "Yêu cầu thu gom tại nhà",
    _E.collected: "Đã nhận hồ sơ",
    _E.at_post: "Đến bưu cục",
    _E.in_transit: "Đang vận chuyển",
    _E.filed: "Đã nộp hồ sơ cho cơ quan",
    _E.supplement_requested: "Cơ quan yêu cầu bổ sung hồ sơ",
    _E.registered: "Cơ quan đăng ký kết quả",
    _E.out_for_delivery: "Đang phát",
    _E.attempt_failed: "Phát không thành công",
    _E.held_for_pickup: "Chờ nhận tại bưu cục",
    _E.delivered: "Phát thành công",
    _E.returned: "Chuyển hoàn về cơ quan",
    _E.cancelled: "Đã hủy",
    _E.handed_over: "Bàn giao",
    _E.corrected: "Điều chỉnh (có kiểm soát)",
}

#: Words of the public tracking page for each status: the word of the event that causes it.
STATUS_LABELS_VI: dict[str, str] = {
    status: EVENT_LABELS_VI[EventType(status.value)] for status in ItemStatus
}

#: How an item's kind is named in a sentence.
KIND_LABELS_VI: dict[ItemKind, str] = {
    ItemKind.dossier: "hồ sơ",
    ItemKind.result: "kết quả",
}

FAILURE_REASON_LABELS_VI: dict[str, str] = {
    FailureReason.absent: "Người nhận đi vắng",
    FailureReason.address_wrong: "Sai địa chỉ / địa chỉ không rõ",
    FailureReason.moved: "Người nhận đã chuyển đi",
    FailureReason.not_found: "Không tìm thấy người nhận",
    FailureReason.refused: "Người nhận từ chối nhận",
    FailureReason.id_missing: "Không xuất trình được giấy tờ tùy thân",
    FailureReason.proxy_invalid: "Giấy ủy quyền không hợp lệ",
    FailureReason.papers_missing: "Thiếu giấy tờ cần thu hồi",
    FailureReason.deceased: "Người nhận đã mất",
    FailureReason.force_majeure: "Bất khả kháng (thiên tai, dịch bệnh…)",
}

FAILURE_ACTION_LABELS_VI: dict[str, str] = {
    FailureAction.retry: "Phát lại",
    FailureAction.notice_left: "Để lại giấy mời",
    FailureAction.return_to_agency: "Chuyển hoàn về cơ quan",
}

#: The accepted reason codes, for validators.
FAILURE_REASONS: frozenset[str] = frozenset(FailureReason)
#: The accepted action codes, for validators.
FAILURE_ACTIONS: frozenset[str] = frozenset(FailureAction)

#: TT17 Art.5(2)(h); Postal Law 49/2010 Art.17: refusal, or a wrong, missing or vacated
#: address, makes a result undeliverable at once; other failures need the invitations first.
UNDELIVERABLE_AT_ONCE: frozenset[FailureReason] = frozenset(
    {FailureReason.refused, FailureReason.address_wrong, FailureReason.moved}
)
#: TT17 Art.5(2)(h): invitations left before a result may go back to the agency.
MIN_INVITATIONS_BEFORE_RETURN = 2
#: TT17 Art.5(2)(h): working days between two invitations.
WORKING_DAYS_BETWEEN_INVITATIONS = 2

# "The field is the truth": each event names one status whatever the item's status was.
_FIELD_TARGETS: dict[tuple[ItemKind, EventType], ItemStatus] = {
    (kind, event_type): target
    for (kind, _status, event_type), target in TRANSITIONS.items()
    if event_type is not EventType.handed_over
}


def apply_event(kind: ItemKind, status: ItemStatus | None, event_type: EventType) -> ItemStatus:
    """Return the status after the event, or raise DomainError `transition_not_allowed`."""
    key = (kind, status, event_type)
    if key in TRANSITIONS:
        return TRANSITIONS[key]
    if key in STATUS_KEEPING_TRANSITIONS:
        return STATUS_KEEPING_TRANSITIONS[key]
    where = (
        "chưa có trong hệ thống"
        if status is None
        else f"đang ở trạng thái “{STATUS_LABELS_VI[ItemStatus(status)]}”"
    )
    raise DomainError(
        "transition_not_allowed",
        f"Không thể ghi nhận “{EVENT_LABELS_VI[EventType(event_type)]}” cho "
        f"{KIND_LABELS_VI[ItemKind(kind)]} {where}. "
        "Kiểm tra lại số hiệu bưu gửi hoặc báo kiểm soát viên.",
        {
            "kind": str(kind),
            "status": None if status is None else str(status),
            "event_type": str(event_type),
        },
    )


def field_target(kind: ItemKind, event_type: EventType) -> ItemStatus | None:
    """Return the status an event puts an item in wherever it was; None if it names none."""
    # None for handed_over and corrected (they keep the status) and for events the kind
    # never has.
    return _FIELD_TARGETS.get((kind, event_type))


def upu_code(event_type: EventType) -> str | None:
    """Return the UPU event code of an event type, or None when UPU has none."""
    return UPU_EVENT_CODES.get(event_type)
