"""The life of the records beside the item, each as one transition table.

Like the item lifecycle (server/domain/lifecycle.py), every status a handover record, a
correction, a cash remittance, a notification or an audit flag can take, and every move
between two of them, is written once here; the services ask `next_status` and never set a
status by hand. A move the table does not hold is refused with `TransitionError`: a stable
code of the machine, the status the record is in, and a Vietnamese message that says what to
do instead. Such a refusal means someone got there first (the record was signed, cancelled,
applied or resolved meanwhile), so the API answers it with 409 and writes nothing.

`None` as a status means the record does not exist yet: the move from `None` is its creation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from server.domain.errors import DomainError

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


class TransitionError(DomainError):
    """A record asked to move in a way its transition table does not allow (answered 409)."""


class _Blanks(dict[str, str]):
    """The words of a refusal message; a word the caller did not give reads as `…`."""

    def __missing__(self, key: str) -> str:
        return "…"


@dataclass(frozen=True)
class StateMachine(Generic[S, A]):
    """The statuses of one kind of record, the actions that move it, and its refusals."""

    #: The record in words, e.g. "Biên bản giao nhận".
    subject: str
    #: The stable code of every refusal of this machine.
    code: str
    #: (status before — None when the record does not exist yet, action) → status after.
    transitions: Mapping[tuple[S | None, A], S]
    #: What a person reads when the record, in this status, cannot take the action asked:
    #: a `str.format` template whose fields come from `next_status(words=…)`.
    refusals: Mapping[S | None, str] = field(default_factory=dict)

    @property
    def statuses(self) -> frozenset[S]:
        """Every status a record of this kind can be in."""
        return frozenset(self.transitions.values())

    @property
    def terminal(self) -> frozenset[S]:
        """The statuses no action leaves."""
        left = {status for status, _action in self.transitions if status is not None}
        return self.statuses - left

    def allowed(self, status: str | None, action: A) -> bool:
        """Whether a record in `status` may take `action`."""
        # A stored status is a plain string: it equals, and hashes as, its enum member.
        key: tuple[Any, A] = (status, action)
        return key in self.transitions

    def next_status(self, status: str | None, action: A, *,
                    words: Mapping[str, str] | None = None,
                    details: Mapping[str, Any] | None = None) -> S:
        """Return the status after `action`, or raise `TransitionError` with the machine's code.

        `words` fill the refusal message; `details` go with `status` into the refusal's details.
        A status the table does not know (the database's CHECK constraints forbid it) takes no
        action: every move from it is refused.
        """
        key: tuple[Any, A] = (status, action)
        after = self.transitions.get(key)
        if after is not None:
            return after
        before: Any = status
        template = self.refusals.get(
            before, "{subject} có trạng thái không hợp lệ “{status}”; hãy báo quản trị viên.")
        message = template.format_map(_Blanks(
            {"subject": self.subject, "status": str(status), "action": str(action),
             **(words or {})}))
        raise TransitionError(self.code, message,
                                {"status": None if status is None else str(status),
                                 **(details or {})})


# --- handover records (biên bản giao nhận) ---------------------------------------------------


class HandoverStatus(StrEnum):
    """Where a handover record is."""

    #: chờ ký nhận — the sender listed the items (and signed, when filing); custody has not moved
    pending = "pending"
    #: đã ký nhận — the receiver signed; custody moved for what was scanned
    accepted = "accepted"
    #: đã hủy — withdrawn by its sender, or expired unsigned; custody never moved
    cancelled = "cancelled"


class HandoverAction(StrEnum):
    """What happens to a handover record."""

    #: lập biên bản — the sender lists the items
    list_items = "list"
    #: ký nhận — the receiver scans and signs
    accept = "accept"
    #: hủy — the sender withdraws it, saying why
    cancel = "cancel"
    #: hết hạn — nobody signed within HANDOVER_PENDING_HOURS
    expire = "expire"


_H, _HA = HandoverStatus, HandoverAction

#: TT17/2017/TT-BTTTT Art.5 and QĐ45/2016/QĐ-TTg Art.7: custody of a dossier or a result passes
#: from one holder to the next by a handover record (biên bản giao nhận) both sign, at the
#: receiver's signature, once: a signed record is never signed again nor withdrawn. Until then
#: the sender may withdraw it, or it expires after HANDOVER_PENDING_HOURS — the project's
#: choice, not a period the texts fix (docs/design.md §4); either way custody never moved.
HANDOVERS: StateMachine[HandoverStatus, HandoverAction] = StateMachine(
    subject="Biên bản giao nhận",
    code="handover_closed",
    transitions={
        (None, _HA.list_items): _H.pending,
        (_H.pending, _HA.accept): _H.accepted,
        (_H.pending, _HA.cancel): _H.cancelled,
        (_H.pending, _HA.expire): _H.cancelled,
    },
    refusals={
        None: "Biên bản giao nhận chưa được lập.",
        _H.pending: "Biên bản giao nhận đã được lập.",
        _H.accepted: "Biên bản đã được ký nhận; không thể ký lại hay hủy.",
        _H.cancelled: "Biên bản đã bị hủy ({reason}); hãy lập biên bản mới.",
    },
)


# --- corrections (điều chỉnh có kiểm soát) ---------------------------------------------------


class CorrectionStatus(StrEnum):
    """Where a correction of a custody event is."""

    #: chờ ký duyệt — asked by one supervisor; nothing changed yet
    pending = "pending"
    #: đã áp dụng — countersigned by another; a `corrected` event was appended
    applied = "applied"


class CorrectionAction(StrEnum):
    """What happens to a correction."""

    #: đề nghị — a supervisor asks for it, with the reason
    request = "request"
    #: ký duyệt — another supervisor countersigns it
    countersign = "countersign"


#: Custody events are append-only; a mistake is put right by a `corrected` event proposed by one
#: supervisor and countersigned by another, once (docs/design.md §4, the four-eyes rule; the
#: corrections table's `four_eyes` constraint refuses the author's own countersignature).
CORRECTIONS: StateMachine[CorrectionStatus, CorrectionAction] = StateMachine(
    subject="Đề nghị điều chỉnh",
    code="correction_already_applied",
    transitions={
        (None, CorrectionAction.request): CorrectionStatus.pending,
        (CorrectionStatus.pending, CorrectionAction.countersign): CorrectionStatus.applied,
    },
    refusals={
        None: "Đề nghị điều chỉnh chưa được lập.",
        CorrectionStatus.pending: "Đề nghị điều chỉnh đã được lập.",
        CorrectionStatus.applied: "Đề nghị điều chỉnh này đã được ký duyệt.",
    },
)


# --- cash remittances (nộp tiền cuối ngày) ----------------------------------------------------


class RemittanceStatus(StrEnum):
    """Where a cash remittance is."""

    #: chờ giao dịch viên ký — the postman handed the cash over and signed
    open = "open"
    #: đã ký đủ — the clerk counted it and signed; the record is locked
    closed = "closed"


class RemittanceAction(StrEnum):
    """What happens to a cash remittance."""

    #: bưu tá ký nộp tiền
    postman_signs = "postman_signs"
    #: giao dịch viên đếm và ký nhận
    clerk_signs = "clerk_signs"


#: TT17/2017/TT-BTTTT Art.5(2)(g) and QĐ45/2016/QĐ-TTg Art.11-12: the postage and the official
#: fees collected are remitted in full; the postman signs when he hands the cash over and the
#: clerk when she has counted it, once — a closed remittance is never signed again.
REMITTANCES: StateMachine[RemittanceStatus, RemittanceAction] = StateMachine(
    subject="Phiếu nộp tiền",
    code="remittance_closed",
    transitions={
        (None, RemittanceAction.postman_signs): RemittanceStatus.open,
        (RemittanceStatus.open, RemittanceAction.clerk_signs): RemittanceStatus.closed,
    },
    refusals={
        None: "Phiếu nộp tiền chưa được lập.",
        RemittanceStatus.open: "Phiếu nộp tiền số {id} đã có chữ ký bưu tá.",
        RemittanceStatus.closed: "Phiếu nộp tiền số {id} đã được ký đủ và khóa lúc {closed_at}; "
                                 "không thể ký lại.",
    },
)


# --- notifications (thông báo) -----------------------------------------------------------------


class NotificationStatus(StrEnum):
    """Where a notification of the outbox is."""

    #: chờ gửi — queued with the event that causes it, or sent and failed with tries left
    pending = "pending"
    #: đã gửi
    sent = "sent"
    #: gửi không được — every try failed; left for a person to look at
    failed = "failed"


class NotificationAction(StrEnum):
    """What happens to a notification."""

    #: xếp hàng — written in the transaction of the custody event that causes it
    queue = "queue"
    #: gửi được
    deliver = "deliver"
    #: gửi lỗi, còn lượt thử
    retry = "retry"
    #: gửi lỗi, hết lượt thử
    give_up = "give_up"


#: TT17/2017/TT-BTTTT Art.12: the agency learns of each result delivered or returned; the
#: citizen is told a result waits at the counter (docs/design.md §3). A message is sent once:
#: a sent or failed notification is never picked again.
NOTIFICATIONS: StateMachine[NotificationStatus, NotificationAction] = StateMachine(
    subject="Thông báo",
    code="notification_closed",
    transitions={
        (None, NotificationAction.queue): NotificationStatus.pending,
        (NotificationStatus.pending, NotificationAction.deliver): NotificationStatus.sent,
        (NotificationStatus.pending, NotificationAction.retry): NotificationStatus.pending,
        (NotificationStatus.pending, NotificationAction.give_up): NotificationStatus.failed,
    },
    refusals={
        None: "Thông báo chưa được ghi vào hàng đợi.",
        NotificationStatus.pending: "Thông báo này đã nằm trong hàng đợi.",
        NotificationStatus.sent: "Thông báo này đã được gửi; không gửi lại.",
        NotificationStatus.failed: "Thông báo này đã gửi lỗi quá số lần cho phép; "
                                   "hãy báo quản trị viên kiểm tra kênh gửi.",
    },
)


def after_failed_send(attempts: int, max_attempts: int) -> NotificationAction:
    """Return what a failed send does: try again later, or give up after `max_attempts`."""
    return NotificationAction.give_up if attempts >= max_attempts else NotificationAction.retry


# --- audit flags (cảnh báo) ---------------------------------------------------------------------


class FlagStatus(StrEnum):
    """Where an audit flag is."""

    #: chờ xử lý — a check found evidence a supervisor should look at
    open = "open"
    #: đã xử lý — a supervisor looked and wrote what was done
    resolved = "resolved"


class FlagAction(StrEnum):
    """What happens to an audit flag."""

    #: nêu cảnh báo — a check at ingest (server/domain/flags.py) found evidence
    raise_ = "raise"
    #: xử lý — a supervisor resolves it with a note (or by a countersigned correction)
    resolve = "resolve"


#: "The field is the truth" (docs/design.md §4): what happened in the street is recorded, and
#: what does not fit becomes a flag for a supervisor, never a refusal to the postman. A flag is
#: resolved once, by one supervisor, with a note.
FLAGS: StateMachine[FlagStatus, FlagAction] = StateMachine(
    subject="Cảnh báo",
    code="flag_already_resolved",
    transitions={
        (None, FlagAction.raise_): FlagStatus.open,
        (FlagStatus.open, FlagAction.resolve): FlagStatus.resolved,
    },
    refusals={
        None: "Cảnh báo chưa được ghi nhận.",
        FlagStatus.open: "Cảnh báo này đã được ghi nhận.",
        FlagStatus.resolved: "Cảnh báo này đã được xử lý.",
    },
)

#: Every machine, for the tests and the database constraints.
MACHINES: tuple[StateMachine[Any, Any], ...] = (
    HANDOVERS, CORRECTIONS, REMITTANCES, NOTIFICATIONS, FLAGS)
