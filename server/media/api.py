"""Content-addressed images: upload, and read back by those allowed to see them."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from server.core.access_log import log_image_access
from server.core.schemas import ResponseModel
from server.core.spec import operation
from server.domain.image_files import IMAGE_SIGNATURES
from server.media.service import read_media, store_media
from server.media.storage import media_storage

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
        current_user, sha256, request.get_data(cache=False), request.content_type or "",
        media_storage(), current_app.config["MEDIA_MAX_BYTES"],
    )
    return MediaOut.model_validate(stored.media), 201 if stored.created else 200


@operation(bp, "/<sha256>", "GET", summary="An image, to those who may see an item naming it",
           tag="media", produces=",".join(IMAGE_SIGNATURES), errors=(404, 422))
def download_media(sha256: str) -> Response:
    """The stored bytes with their stored type; 404 to anyone outside the image's scope."""
    user = current_user._get_current_object()
    found = read_media(user, sha256, media_storage())
    log_image_access(user, found.media.sha256)
    return Response(found.body, mimetype=found.media.content_type, headers={
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
        # Personal data: no shared cache may keep it (the bytes never change: content-addressed).
        "Cache-Control": "private",
    })
