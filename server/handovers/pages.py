"""The printable handover record (biên bản giao nhận), in Vietnamese, for A4 paper."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from server.core.errors import NotFound
from server.domain.lifecycle import KIND_LABELS_VI, ItemKind
from server.domain.local_time import local_time_text
from server.handovers.service import visible_handover
from server.models import HandoverRecord, UnitKind, User

bp = Blueprint("records", __name__)

#: What the receiver's count found for each line, as printed.
OUTCOME_LABELS_VI = {
    "listed": "Chờ kiểm đếm",
    "received": "Đã nhận",
    "missing": "Không nhận được",
    "unexpected": "Ngoài bảng kê",
}


@dataclass(frozen=True)
class RecordLine:
    """One printed line of the handover list (bảng kê)."""

    number: int
    tracking_number: str
    kind: str
    dossier_code: str
    procedure: str
    outcome: str
    completeness: str


def _exact(moment: datetime | None) -> str:
    """A signing time as evidence: local time with seconds."""
    return local_time_text(moment, seconds=True) if moment else ""


def _person(user: User | None) -> str:
    """A signer's name as printed."""
    return f"{user.full_name or user.username}" if user else ""


def record_lines(record: HandoverRecord) -> list[RecordLine]:
    """Every consignment number on the record with its count and completeness."""
    lines = []
    for number, line in enumerate(record.lines, start=1):
        item = line.item
        completeness = ""
        if line.complete is True:
            completeness = "Đầy đủ"
        elif line.complete is False:
            completeness = f"Chưa đầy đủ — cần bổ sung: {line.missing_documents}"
        lines.append(RecordLine(
            number=number, tracking_number=line.tracking_number,
            kind=KIND_LABELS_VI[ItemKind(item.kind)].capitalize() if item else "—",
            dossier_code=(item.dossier_code or "") if item else "",
            procedure=item.procedure.name if item else "",
            outcome=OUTCOME_LABELS_VI.get(line.outcome, line.outcome), completeness=completeness,
        ))
    return lines


@bp.get("/handovers/<int:handover_id>/record")
def handover_record_page(handover_id: int) -> ResponseReturnValue:
    """The record both parties sign: every number, the count, both signatures, the time."""
    if not current_user.is_authenticated:
        return redirect(url_for("pages.pwa_shell"))
    try:
        record = visible_handover(current_user, handover_id)
    except NotFound as error:
        return render_template("handover_record.html", record=None, error=error.message), 404
    filing = record.to_unit.kind == UnitKind.agency and any(
        line.item is not None and line.item.kind == ItemKind.dossier for line in record.lines)
    lines = record_lines(record)
    return render_template(
        "handover_record.html", record=record, error=None, lines=lines, filing=filing,
        sender=_person(record.from_user or record.created_by),
        receiver=_person(record.accepted_by or record.to_user),
        created_at=_exact(record.created_at), signed_at=_exact(record.accepted_at),
        cancelled_at=_exact(record.cancelled_at),
        received=sum(1 for line in record.lines if line.outcome == "received"),
        incomplete=sum(1 for line in record.lines if line.complete is False),
    )
