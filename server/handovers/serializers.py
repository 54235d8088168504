"""Response models of handover records and their lines."""
from __future__ import annotations

from server.domain.handover_rules import citizen_initials
from server.domain.state_machines import HandoverStatus
from server.handovers.schemas import HandoverLineOut, HandoverOut
from server.handovers.service import is_receiver, is_sender
from server.models import (
    HandoverLine,
    HandoverRecord,
    User,
)


def _person_name(user: User | None) -> str:
    return (user.full_name or user.username) if user else ""


def handover_line_out(line: HandoverLine) -> HandoverLineOut:
    """One line: its outcome and, for an item of the parties, what to check on the paper."""
    item = line.item
    return HandoverLineOut(
        tracking_number=line.tracking_number, outcome=line.outcome, complete=line.complete,
        missing_documents=line.missing_documents,
        kind=item.kind if item else None, procedure=item.procedure.name if item else None,
        citizen_initials=citizen_initials(item.citizen_name) if item else None)


def handover_out(record: HandoverRecord, viewer: User | None = None) -> HandoverOut:
    """A handover record with its lines; `viewer` learns whether he may sign or withdraw it."""
    pending = record.status == HandoverStatus.pending
    return HandoverOut(
        id=record.id, status=record.status,
        from_user=record.from_user.username if record.from_user else None,
        from_unit=record.from_unit.code,
        to_user=record.to_user.username if record.to_user else None, to_unit=record.to_unit.code,
        from_name=_person_name(record.from_user) or record.from_unit.name,
        to_name=_person_name(record.to_user) or record.to_unit.name,
        from_unit_name=record.from_unit.name, to_unit_name=record.to_unit.name,
        created_at=record.created_at, accepted_at=record.accepted_at,
        accepted_by=record.accepted_by.username if record.accepted_by else None,
        sender_signed=record.sender_signature_sha256 is not None,
        receiver_signed=record.receiver_signature_sha256 is not None,
        cancelled_at=record.cancelled_at, cancel_reason=record.cancel_reason,
        expired=record.status == HandoverStatus.cancelled and record.cancelled_by_id is None,
        can_accept=pending and viewer is not None and is_receiver(viewer, record),
        can_cancel=pending and viewer is not None and is_sender(viewer, record),
        lines=[handover_line_out(line) for line in record.lines],
    )
