"""Content-addressed image upload."""
from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_login import current_user

from server.api.spec import operation
from server.schemas.common import ResponseModel
from server.services.media import store_media

bp = Blueprint("media", __name__, url_prefix="/api/v1/media")


class MediaOut(ResponseModel):
    """A stored image."""

    sha256: str
    content_type: str
    size_bytes: int


@operation(bp, "/<sha256>", "PUT", summary="Upload an image under its SHA-256", tag="media",
           raw_body="image/png,image/jpeg", response=MediaOut, status=201,
           extra_responses={200: "Already stored"}, errors=(422,))
def upload_media(sha256: str) -> tuple[MediaOut, int]:
    """201 when new, 200 when the same bytes were already there."""
    stored = store_media(
        current_user, sha256, request.get_data(cache=False), request.content_type or "",  # type: ignore[arg-type]
        current_app.config["MEDIA_DIR"], current_app.config["MEDIA_MAX_BYTES"],
    )
    media = stored.media
    answer = MediaOut(sha256=media.sha256, content_type=media.content_type, size_bytes=media.size_bytes)
    return answer, 201 if stored.created else 200
