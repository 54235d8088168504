"""Public tracking (no account) and the OpenAPI document."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from server.core.spec import openapi_document, operation
from server.extensions import limiter
from server.items.serializers import track_out
from server.items.tracking import failure_notice, public_tracking
from server.items.tracking_schemas import TrackOut

bp = Blueprint("tracking", __name__, url_prefix="/api/v1")


@operation(bp, "/track/<tn>", "GET", summary="Public tracking of an item", tag="tracking",
           response=TrackOut, public=True, errors=(404, 422, 429))
@limiter.limit(lambda: current_app.config["TRACKING_RATE_LIMIT"])
def track(tn: str) -> TrackOut:
    """Status and steps, with no personal data."""
    item, events, unit_names = public_tracking(tn)
    return track_out(item, events, unit_names, failure_notice(item, events))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document, built from the same declarations that validate requests."""
    return jsonify(openapi_document("TậnTay API", "1.0.0"))
