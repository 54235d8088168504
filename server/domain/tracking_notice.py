"""What the public tracking page tells a citizen after a failed delivery (TT17 Art.5(2)(h), Art.12).

After a failed attempt a citizen holding the number needs three things, in plain words: what
happened (the reason), what comes next (the next try, or where to collect the item and until
when, or that it goes back to the agency), and which post office holds it. Nothing personal:
never the postman, the address or the recipient (Law 91/2025/QH15).

Pure rules: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.domain.invitations import FailedAttempt, InvitationStatus
from server.domain.lifecycle import FailureAction, FailureReason
from server.domain.local_time import day_text

#: The reason of a failed attempt as a citizen reads it (no codes, no jargon).
REASON_PLAIN_VI: dict[FailureReason, str] = {
    FailureReason.absent: "Bưu tá đến nhưng không có ai ở nhà để nhận.",
    FailureReason.address_wrong: "Bưu tá không tìm được địa chỉ (địa chỉ sai hoặc chưa rõ).",
    FailureReason.moved: "Người nhận không còn ở địa chỉ này.",
    FailureReason.not_found: "Bưu tá không gặp được người nhận.",
    FailureReason.refused: "Người nhận đã từ chối nhận.",
    FailureReason.id_missing: "Người nhận chưa xuất trình được giấy tờ tùy thân.",
    FailureReason.proxy_invalid: "Giấy ủy quyền của người nhận thay chưa hợp lệ.",
    FailureReason.papers_missing: "Chưa có giấy tờ cần nộp lại khi nhận kết quả.",
    FailureReason.deceased: "Người nhận đã mất; cần người thừa kế liên hệ bưu cục.",
    FailureReason.force_majeure: "Chưa phát được vì thiên tai, dịch bệnh hoặc sự cố bất khả kháng.",
}


@dataclass(frozen=True)
class AfterFailure:
    """The three answers of the tracking page after a failed attempt."""

    what_happened: str
    what_next: str
    #: The post office holding the item (a unit's name, never a person's).
    held_at: str | None


def after_failure(status: str, last: FailedAttempt, invitations: InvitationStatus,
                  office_name: str | None, collect_until: date | None) -> AfterFailure:
    """Say what happened, what comes next and where the item is.

    `collect_until` is the last day the post keeps the result for collection at the counter
    (the post's own holding period after the last invitation; None when unknown).
    """
    happened = REASON_PLAIN_VI[last.reason]
    office = office_name or "bưu cục phát"
    until = f" đến hết ngày {day_text(collect_until)}" if collect_until else ""
    bring = " Mang theo giấy tờ tùy thân (hoặc giấy ủy quyền nếu nhận thay)."
    if status == "held_for_pickup":
        following = f"Kết quả đang chờ bạn đến nhận tại {office}{until}.{bring}"
    elif invitations.may_return or last.action == FailureAction.return_to_agency:
        following = (f"Kết quả sẽ được chuyển hoàn về cơ quan đã giải quyết hồ sơ. Nếu vẫn muốn "
                     f"nhận, hãy liên hệ ngay {office}.")
    elif last.action == FailureAction.retry:
        following = f"Bưu tá sẽ quay lại phát trong ngày. Bạn cũng có thể đến nhận tại {office}."
    else:
        next_try = (f" từ ngày {day_text(invitations.next_allowed_on)}"
                    if invitations.next_allowed_on else "")
        following = (f"Bưu tá sẽ phát lại lần sau{next_try} (giấy mời lần "
                     f"{invitations.count}/2). Bạn cũng có thể đến nhận tại {office}{until}.{bring}")
    return AfterFailure(what_happened=happened, what_next=following, held_at=office_name)
