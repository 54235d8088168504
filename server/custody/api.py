"""The field app's outbox lands here."""
from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user

from server.core.spec import operation
from server.custody.schemas import SyncRequest, SyncRequestDocument, SyncResponse
from server.custody.sync import sync_events
from server.models import Role

bp = Blueprint("sync", __name__, url_prefix="/api/v1")


@operation(bp, "/sync", "POST", summary="Record events from the field, idempotently", tag="sync",
           body=SyncRequest, document_body=SyncRequestDocument, response=SyncResponse,
           roles={Role.postman, Role.clerk})
def sync(body: SyncRequest) -> SyncResponse:
    """Each event is accepted, a duplicate, or rejected on its own, in the order sent."""
    # The user itself, not the proxy: every event reads the actor's id, unit and role, and
    # each read through `current_user` costs a context lookup.
    actor = current_user._get_current_object()
    results = sync_events(actor, body.events, current_app.config["SYNC_MAX_EVENTS"],
                          sent_at=body.sent_at)
    return SyncResponse.model_validate({"results": results})
