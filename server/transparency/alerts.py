"""What the supervisors must see about the witnesses: each configured (or once configured)
witness whose latest answer to one of our checkpoints was a refusal, until that witness
cosigns a checkpoint of ours again.

A witness refuses when what we showed it contradicts what it cosigned before: a fork (a
rewritten history, 422), a rollback (a smaller tree than it already cosigned, 409), or a
checkpoint our key did not sign (403). Any of these means the history this server serves
can no longer be trusted as it stands, so the refusal stays on screen until the witness
is satisfied again; nothing here clears it by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from server.extensions import db
from server.models import LogCosignature, WitnessRefusal
from server.transparency.witness import configured_witnesses

#: The witness's HTTP status → (stable code, what it refused, in Vietnamese).
REFUSAL_KINDS: dict[int, tuple[str, str]] = {
    422: ("fork", ("điểm kiểm không nối tiếp điểm kiểm nhân chứng đã đồng ký trước đó: lịch sử "
                   "sổ giám sát đã bị viết lại (rẽ nhánh)")),
    409: ("rollback", ("sổ giám sát nhỏ hơn cây nhân chứng đã đồng ký: lịch sử bị lùi lại "
                       "(mất bớt mục)")),
    403: ("bad_signature", "chữ ký của điểm kiểm không khớp khoá của sổ mà nhân chứng tin cậy"),
    404: ("unknown_log", "nhân chứng không theo dõi sổ giám sát này"),
    400: ("bad_request", "yêu cầu gửi nhân chứng sai định dạng hoặc bằng chứng nhất quán hỏng"),
}
UNKNOWN_KIND = ("refused", "nhân chứng từ chối điểm kiểm")


@dataclass(frozen=True)
class WitnessAlert:
    """One witness's standing refusal of one of our checkpoints."""

    witness: str
    url: str
    status: int
    kind: str
    words: str
    refused_size: int
    refused_at: datetime
    detail: str


def witness_alerts() -> list[WitnessAlert]:
    """Each witness's latest refusal, unless it cosigned one of our checkpoints after it."""
    names = {w.url: w.verifier.name for w in configured_witnesses()}
    latest_ids = select(func.max(WitnessRefusal.id)).where(
        WitnessRefusal.side == "log").group_by(WitnessRefusal.peer)
    refusals = db.session.execute(
        select(WitnessRefusal).where(WitnessRefusal.id.in_(latest_ids))
        .order_by(WitnessRefusal.created_at.desc())).scalars().all()
    alerts = []
    for refusal in refusals:
        name = names.get(refusal.peer, refusal.peer)
        cosigned_since = db.session.execute(
            select(LogCosignature.id).where(LogCosignature.witness_name == name,
                                            LogCosignature.received_at > refusal.created_at)
            .limit(1)).scalar_one_or_none()
        if cosigned_since is not None:
            continue
        # The witness answers 400 to a checkpoint smaller than the size it was told of.
        status = 409 if refusal.reason.startswith("old size above") else refusal.status
        kind, words = REFUSAL_KINDS.get(status, UNKNOWN_KIND)
        alerts.append(WitnessAlert(witness=name, url=refusal.peer, status=refusal.status,
                                   kind=kind, words=words, refused_size=refusal.tree_size,
                                   refused_at=refusal.created_at, detail=refusal.reason))
    return alerts
