"""The supervisors' audit calls: flags, four-eyes corrections, proof and signed exports."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, after_this_request, jsonify
from flask_login import current_user

from server.audit.corrections import (
    countersign_correction,
    list_corrections,
    request_correction,
)
from server.audit.export import (
    EXPORT_ROLES,
    configured_signing_key,
    custody_export,
    public_key_pem,
)
from server.audit.flag_review import (
    EventProof,
    flag_proof,
    list_flags,
    resolve_flag,
    usernames,
)
from server.audit.schemas import (
    BrokenLinkOut,
    CorrectionCreate,
    CorrectionList,
    CorrectionOut,
    CorrectionQuery,
    CountersignIn,
    CustodyExportOut,
    DayRootOut,
    EventProofOut,
    FlagDetailOut,
    FlagList,
    FlagOut,
    FlagQuery,
    FlagResolve,
    PositionOut,
    VerifyJobOut,
)
from server.audit.verification_jobs import (
    is_stale,
    job_words,
    launch,
    start_job,
    visible_job,
)
from server.core.errors import Invalid, NotFound
from server.core.spec import operation
from server.custody.proof import sealed_day, verify_sealed_day
from server.domain.local_time import day_text
from server.extensions import db
from server.models import AuditFlag, Correction, Role, Unit, VerificationJob

bp = Blueprint("audit", __name__, url_prefix="/api/v1")

AUDIT_ROLES = {Role.supervisor, Role.admin}
_DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


def _flag_out(flag: AuditFlag, tracking_number: str, names: dict[int, str]) -> FlagOut:
    """A flag as the API shows it."""
    return FlagOut(id=flag.id, code=flag.code, tracking_number=tracking_number,
                   event_id=flag.event_id, details=flag.details, status=flag.status,
                   created_at=flag.created_at,
                   resolved_by=names.get(flag.resolved_by_id) if flag.resolved_by_id else None,
                   resolved_at=flag.resolved_at, resolution_note=flag.resolution_note)


def _correction_out(correction: Correction) -> CorrectionOut:
    """A correction as the API shows it."""
    return CorrectionOut(
        id=correction.id, tracking_number=correction.item.tracking_number,
        event_id=correction.event_id, reason=correction.reason, correction=correction.correction,
        status=correction.status, requested_by=correction.requested_by.username,
        requested_at=correction.requested_at,
        countersigned_by=correction.countersigned_by.username if correction.countersigned_by else None,
        countersigned_at=correction.countersigned_at,
        corrected_event_id=correction.corrected_event_id,
    )


@operation(bp, "/audit/flags", "GET", summary="Audit flags within the supervisor's units",
           tag="audit", query=FlagQuery, response=FlagList, roles=AUDIT_ROLES)
def browse_flags(query: FlagQuery) -> FlagList:
    """Flags on items the supervisor may see, newest first."""
    found = list_flags(current_user, query.status, query.code, query.limit)
    names = usernames({flag.resolved_by_id for flag, _number in found})
    return FlagList(flags=[_flag_out(flag, number, names) for flag, number in found])


def _proof_out(proof: EventProof) -> EventProofOut:
    """An event's proof as the API shows it."""
    def position(point: tuple[float, float] | None) -> PositionOut | None:
        return PositionOut(lat=point[0], lon=point[1]) if point else None

    return EventProofOut(
        event_id=proof.event_id, event_type=proof.event_type, event_label=proof.event_label,
        occurred_at=proof.occurred_at, actor=proof.actor, position=position(proof.position),
        accuracy_m=proof.accuracy_m, address_position=position(proof.address_position),
        distance_m=proof.distance_m, id_type=proof.id_type, id_type_label=proof.id_type_label,
        id_last4=proof.id_last4, recipient_relation=proof.recipient_relation,
        cash_collected_vnd=proof.cash_collected_vnd, images=proof.images)


@operation(bp, "/audit/flags/<int:flag_id>", "GET",
           summary="A flag with the proof of delivery of its event", tag="audit",
           response=FlagDetailOut, roles=AUDIT_ROLES, errors=(404,))
def flag_detail(flag_id: int) -> FlagDetailOut:
    """What a supervisor looks at before resolving: images, position, identity, cash."""
    found = flag_proof(current_user, flag_id)
    flag = found.flag
    base = _flag_out(flag, found.tracking_number, usernames({flag.resolved_by_id}))
    return FlagDetailOut(**base.model_dump(), label=found.label, summary=found.summary,
                         proof=_proof_out(found.proof) if found.proof else None)


@operation(bp, "/audit/flags/<int:flag_id>/resolve", "POST", summary="Resolve a flag with a note",
           tag="audit", body=FlagResolve, response=FlagOut, roles=AUDIT_ROLES, errors=(404, 409))
def resolve(flag_id: int, body: FlagResolve) -> FlagOut:
    """Open → resolved, with who, when and the note saying what was checked."""
    flag, number = resolve_flag(current_user, flag_id, body.note)
    return _flag_out(flag, number, usernames({flag.resolved_by_id}))


@operation(bp, "/audit/corrections", "GET", summary="Corrections within the supervisor's units",
           tag="audit", query=CorrectionQuery, response=CorrectionList, roles=AUDIT_ROLES)
def browse_corrections(query: CorrectionQuery) -> CorrectionList:
    """Corrections, pending ones by default, newest first."""
    found = list_corrections(current_user, query.status, query.limit)
    return CorrectionList(corrections=[_correction_out(c) for c in found])


@operation(bp, "/audit/corrections", "POST", summary="Ask for a correction of a custody event",
           tag="audit", body=CorrectionCreate, response=CorrectionOut, status=201,
           roles=AUDIT_ROLES, errors=(404,))
def ask_correction(body: CorrectionCreate) -> CorrectionOut:
    """A pending correction; it changes nothing until another supervisor countersigns."""
    correction = request_correction(current_user, body.event_id, body.reason,
                                    body.correction)
    return _correction_out(correction)


@operation(bp, "/audit/corrections/<int:correction_id>/countersign", "POST",
           summary="Countersign a correction (four eyes): appends a `corrected` event",
           tag="audit", body=CountersignIn, response=CorrectionOut, roles=AUDIT_ROLES,
           errors=(403, 404, 409))
def countersign(correction_id: int, body: CountersignIn) -> CorrectionOut:
    """Another supervisor applies the correction; the author may not."""
    correction = countersign_correction(current_user, correction_id, body.flag_id)
    return _correction_out(correction)


def _job_out(job: VerificationJob) -> VerifyJobOut:
    """A verification job as the API shows it."""
    unit = db.session.get(Unit, job.scope_unit_id) if job.scope_unit_id is not None else None
    stale = is_stale(job)
    return VerifyJobOut(
        id=job.id, status="failed" if stale else job.status,  # type: ignore[arg-type]
        scope=unit.name if unit else "Toàn quốc",
        items_total=job.items_total, items_checked=job.items_checked,
        events_checked=job.events_checked, days_checked=job.days_checked,
        media_checked=job.media_checked, ok=job.ok,
        first_broken=BrokenLinkOut.model_validate(job.first_broken) if job.first_broken else None,
        message=job_words(job), created_at=job.created_at, finished_at=job.finished_at)


@operation(bp, "/audit/verify", "POST",
           summary="Start verifying the chains and images of the caller's scope (background)",
           tag="audit", response=VerifyJobOut, status=202, roles=AUDIT_ROLES)
def start_verification() -> tuple[VerifyJobOut, int]:
    """A job over the caller's units (an admin: the whole country, sealed days included);
    the one already running for the scope if any. Poll `GET /audit/verify/<job_id>`."""
    job, created = start_job(current_user)
    if created:
        job_id, actor_id = job.id, current_user.id

        @after_this_request
        def _launch(response: Response) -> Response:
            # After the request's commit: the thread must find the job's row.
            if response.status_code == 202:
                launch(job_id, actor_id)
            return response
    return _job_out(job), 202


@operation(bp, "/audit/verify/<int:job_id>", "GET",
           summary="A custody verification's progress and answer", tag="audit",
           response=VerifyJobOut, roles=AUDIT_ROLES, errors=(404,))
def verification_job(job_id: int) -> VerifyJobOut:
    """How far the job got; when done, whether everything held and the first broken link."""
    return _job_out(visible_job(current_user, job_id))


@operation(bp, "/audit/days/<day>", "GET", summary="A sealed day's Merkle root, re-verified",
           tag="audit", response=DayRootOut, roles=AUDIT_ROLES, errors=(404, 422))
def day_root(day: str) -> DayRootOut:
    """The stored root of a day (YYYY-MM-DD) and whether its events still give it."""
    try:
        if not _DAY_PATTERN.fullmatch(day):
            raise ValueError(day)
        wanted = date.fromisoformat(day)
    except ValueError:
        raise Invalid("invalid_day", "Ngày phải có dạng YYYY-MM-DD.", {"day": day}) from None
    sealed = sealed_day(wanted)
    if sealed is None:
        raise NotFound("day_not_sealed", f"Ngày {day_text(wanted)} chưa được niêm phong.")
    return DayRootOut(day=sealed.day, root=sealed.root, event_count=sealed.event_count,
                      computed_at=sealed.computed_at, verified=verify_sealed_day(sealed),
                      log_size=sealed.log_size, log_root=sealed.log_root)


@operation(bp, "/audit/export-key", "GET", summary="Public key of custody exports (PEM)",
           tag="audit", public=True, produces="text/plain")
def export_key() -> Response:
    """The Ed25519 public key that checks the signature of every custody export."""
    return Response(public_key_pem(configured_signing_key()), mimetype="text/plain")


@operation(bp, "/items/<tn>/custody-export.json", "GET",
           summary="An item's whole custody, signed (Ed25519)", tag="audit",
           response=CustodyExportOut, roles=EXPORT_ROLES, errors=(404, 422))
def custody_export_json(tn: str) -> Response:
    """Every event body exactly as hashed, the hashes, the images; and a detached signature."""
    document = custody_export(current_user, tn, configured_signing_key())
    response = jsonify(document)
    number = document["body"]["item"]["tracking_number"]
    response.headers["Content-Disposition"] = f'attachment; filename="{number}-custody.json"'
    return response
