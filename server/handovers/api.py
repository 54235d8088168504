"""Handover records: create, read, accept (scan and sign), cancel; whom and what to list."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from server.core.spec import operation
from server.handovers.schemas import (
    CandidateList,
    CandidateOut,
    CandidateQuery,
    HandoverAccept,
    HandoverAccepted,
    HandoverCancel,
    HandoverCreate,
    HandoverCreated,
    HandoverList,
    HandoverOut,
    HandoverQuery,
    ReceiverList,
    ReceiverOut,
)
from server.handovers.serializers import handover_out
from server.handovers.service import (
    accept_handover,
    cancel_handover,
    create_handover,
    eligible_receivers,
    handover_candidates,
    handovers_for,
    status_label,
    visible_handover,
)
from server.models import Role

bp = Blueprint("handovers", __name__, url_prefix="/api/v1/handovers")

PARTIES = {Role.clerk, Role.agency, Role.postman}


@operation(bp, "", "POST", summary="List held items for a receiver", tag="handovers",
           body=HandoverCreate, response=HandoverCreated, status=201, roles=PARTIES,
           errors=(409,))
def open_handover(body: HandoverCreate) -> HandoverCreated:
    """The sender lists items it holds; custody has not moved yet."""
    record = create_handover(current_user, body.to_user, body.to_unit, body.items,
                             sender_signature=body.signature_sha256)
    return HandoverCreated.model_validate(record)


@operation(bp, "", "GET", summary="Handover records the caller sends or receives",
           tag="handovers", query=HandoverQuery, response=HandoverList, roles=PARTIES)
def list_handovers(query: HandoverQuery) -> HandoverList:
    """The morning load check starts here: what waits for the caller's signature."""
    records = handovers_for(current_user, query.status)
    return HandoverList(handovers=[handover_out(record, current_user) for record in records])


@operation(bp, "/<int:handover_id>", "GET", summary="A handover record", tag="handovers",
           response=HandoverOut, errors=(404,))
def read_handover(handover_id: int) -> HandoverOut:
    """The record with each line's outcome."""
    return handover_out(visible_handover(current_user, handover_id), current_user)


@operation(bp, "/<int:handover_id>/accept", "POST", summary="Scan and sign a handover",
           tag="handovers", body=HandoverAccept, response=HandoverAccepted, roles=PARTIES,
           errors=(404, 409))
def sign_handover(handover_id: int, body: HandoverAccept) -> HandoverAccepted:
    """Custody moves for the scanned items only; the rest are recorded discrepancies."""
    outcome = accept_handover(current_user, handover_id, body.scanned, body.signature_sha256,
                              {line.tracking_number: line.missing for line in body.incomplete})
    return HandoverAccepted(id=outcome.record.id, status=outcome.record.status,
                            accepted_at=outcome.record.accepted_at,  # type: ignore[arg-type]
                            received=outcome.received, missing=outcome.missing,
                            unexpected=outcome.unexpected, filed=outcome.filed,
                            supplement_requested=outcome.supplement_requested)


@operation(bp, "/<int:handover_id>/cancel", "POST", summary="Withdraw a pending handover",
           tag="handovers", body=HandoverCancel, response=HandoverOut, roles=PARTIES,
           errors=(403, 404, 409))
def withdraw_handover(handover_id: int, body: HandoverCancel) -> HandoverOut:
    """The sender cancels an unsigned record with a reason; its items may be listed again."""
    record = cancel_handover(current_user, handover_id, body.reason)
    return handover_out(record, current_user)


@operation(bp, "/receivers", "GET", summary="Who can accept a handover from the caller",
           tag="handovers", response=ReceiverList, roles=PARTIES)
def list_receivers() -> ReceiverList:
    """Postmen and desks the caller may name, by name (only those who can accept)."""
    return ReceiverList(receivers=[
        ReceiverOut(field=r.field, key=r.key, name=r.name, unit_name=r.unit_name,  # type: ignore[arg-type]
                    kind=r.unit_kind)
        for r in eligible_receivers(current_user)])


@operation(bp, "/candidates", "GET", summary="Held items the caller may list",
           tag="handovers", query=CandidateQuery, response=CandidateList, roles=PARTIES)
def list_candidates(query: CandidateQuery) -> CandidateList:
    """What the caller holds (or what is due today, or a postman's evening return)."""
    items = handover_candidates(current_user, query.source)
    return CandidateList(items=[CandidateOut(
        tracking_number=item.tracking_number, kind=item.kind, status=item.status,
        status_label=status_label(item), procedure=item.procedure.name,
        agency_unit=item.agency_unit.code, agency_name=item.agency_unit.name, due_at=item.due_at)
        for item in items])
