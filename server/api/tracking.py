"""Public tracking (no account) and the supervisors' audit calls."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, Response
from sqlalchemy import select

from server.api.serializers import track_out
from server.api.spec import openapi_document, operation
from server.extensions import db, limiter
from server.models import AuditFlag, Item, Role
from server.schemas.tracking import FlagList, FlagOut, FlagQuery, TrackOut, VerifyOut
from server.services.custody import verify_custody
from server.services.scope import visible_items
from server.services.tracking import public_tracking
from flask_login import current_user

bp = Blueprint("tracking", __name__, url_prefix="/api/v1")


@operation(bp, "/track/<tn>", "GET", summary="Public tracking of an item", tag="tracking",
           response=TrackOut, public=True, errors=(404, 422, 429))
@limiter.limit(lambda: current_app.config["TRACKING_RATE_LIMIT"])
def track(tn: str) -> TrackOut:
    """Status and steps, with no personal data."""
    item, events, unit_names = public_tracking(tn)
    return track_out(item, events, unit_names)


@operation(bp, "/audit/flags", "GET", summary="Audit flags within the supervisor's units",
           tag="audit", query=FlagQuery, response=FlagList, roles={Role.supervisor, Role.admin})
def list_flags(query: FlagQuery) -> FlagList:
    """Flags on items the supervisor may see, newest first."""
    statement = (
        select(AuditFlag, Item.tracking_number).join(Item)
        .where(visible_items(current_user))  # type: ignore[arg-type]
        .order_by(AuditFlag.id.desc()).limit(min(max(query.limit, 1), 1000))
    )
    if query.status:
        statement = statement.where(AuditFlag.status == query.status)
    if query.code:
        statement = statement.where(AuditFlag.code == query.code)
    return FlagList(flags=[
        FlagOut(id=flag.id, code=flag.code, tracking_number=number, event_id=flag.event_id,
                details=flag.details, status=flag.status, created_at=flag.created_at)
        for flag, number in db.session.execute(statement)
    ])


@operation(bp, "/audit/verify", "GET", summary="Verify every custody chain", tag="audit",
           response=VerifyOut, roles={Role.supervisor, Role.admin})
def verify() -> VerifyOut:
    """Walk every chain; name the first broken link."""
    report = verify_custody()
    return VerifyOut.model_validate(report, from_attributes=True)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document, built from the same declarations that validate requests."""
    return jsonify(openapi_document("TậnTay API", "1.0.0"))
