"""Content-addressed images: stored under their SHA-256, size- and type-checked (DESIGN §5)."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from server.extensions import db
from server.models import Media, User
from server.services.errors import Invalid, ServiceError

SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
#: Magic numbers: the bytes decide the type, never the client's header alone.
SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


class TooLarge(ServiceError):
    """The image is over the configured size."""

    status = 413


class UnsupportedType(ServiceError):
    """Not a PNG or JPEG."""

    status = 415


def media_path(media_dir: str, sha256: str) -> Path:
    """Where an image lives: fanned out by the first hex digits to keep folders small."""
    return Path(media_dir) / sha256[:2] / sha256[2:4] / sha256


def sniff_type(body: bytes) -> str | None:
    """The image type the bytes really are, or None."""
    for content_type, magic in SIGNATURES.items():
        if body.startswith(magic):
            return content_type
    return None


@dataclass(frozen=True)
class StoredMedia:
    """The stored image, and whether this upload created it."""

    media: Media
    created: bool


def store_media(actor: User, sha256: str, body: bytes, declared_type: str,
                media_dir: str, max_bytes: int) -> StoredMedia:
    """Check and keep an upload; a repeated upload of the same bytes changes nothing."""
    if not SHA256_PATTERN.fullmatch(sha256):
        raise Invalid("invalid_hash", "Địa chỉ ảnh phải là SHA-256 dạng 64 ký tự hex thường.")
    if len(body) > max_bytes:
        raise TooLarge("media_too_large", f"Ảnh quá lớn (tối đa {max_bytes // 1024} KB).",
                       {"max_bytes": max_bytes, "size": len(body)})
    actual_type = sniff_type(body)
    declared = declared_type.split(";")[0].strip().lower()
    if actual_type is None or declared != actual_type:
        raise UnsupportedType("unsupported_media_type", "Chỉ nhận ảnh PNG hoặc JPEG.",
                              {"declared": declared, "detected": actual_type})
    if hashlib.sha256(body).hexdigest() != sha256:
        raise Invalid("hash_mismatch", "Nội dung ảnh không khớp mã SHA-256; hãy gửi lại.")
    existing = db.session.get(Media, sha256)
    path = media_path(media_dir, sha256)
    if not path.exists():
        _write_atomically(path, body)
    if existing is not None:
        return StoredMedia(existing, created=False)
    media = Media(sha256=sha256, content_type=actual_type, size_bytes=len(body),
                  uploaded_by_id=actor.id)
    db.session.add(media)
    db.session.flush()
    return StoredMedia(media, created=True)


def _write_atomically(path: Path, body: bytes) -> None:
    """Write to a temporary file and rename, so a crash never leaves half an image."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(body)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
