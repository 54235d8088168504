"""Content-addressed images: stored under their SHA-256, size- and type-checked (docs/design.md §4)."""
from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import String, cast, select

from server.core.errors import Invalid, NotFound, ServiceError
from server.core.scope import visible_items
from server.domain.evidence_images import media_fields
from server.domain.image_files import MAX_PIXELS, fanned_out_key, is_sha256, sniff_type
from server.extensions import db
from server.media.storage import MediaStorage, as_media_storage
from server.models import CustodyEvent, HandoverRecord, Item, Media, Role, User
from server.models.types import utc_now


class TooLarge(ServiceError):
    """The image is over the configured size."""

    status = 413


class UnsupportedType(ServiceError):
    """Not a PNG or JPEG."""

    status = 415


def media_path(media_dir: str | os.PathLike[str], sha256: str) -> Path:
    """Where an image lives in the local store: fanned out by the first hex digits."""
    return Path(media_dir) / fanned_out_key(sha256)


#: Pillow's name of each accepted type.
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


def decodes_as(body: bytes, content_type: str) -> bool:
    """Whether the bytes decode, every pixel of them, as an image of `content_type`.

    The first bytes only say what a file claims to be; a PNG header before garbage, or a
    truncated JPEG, would be kept as evidence no one can ever look at.
    """
    try:
        with Image.open(io.BytesIO(body)) as image:
            width, height = image.size
            if image.format != PILLOW_FORMATS.get(content_type) or width * height > MAX_PIXELS:
                return False
            image.verify()  # the structure: chunks and their checksums, up to the end
        with Image.open(io.BytesIO(body)) as image:
            image.load()  # every pixel (verify leaves the image unusable, so opened again)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            Image.DecompressionBombError):
        return False
    return True


@dataclass(frozen=True)
class StoredMedia:
    """The stored image, and whether this upload created it."""

    media: Media
    created: bool


def store_media(actor: User, sha256: str, body: bytes, declared_type: str,
                storage: MediaStorage | str, max_bytes: int, *,
                at: datetime | None = None) -> StoredMedia:
    """Check and keep an upload in `storage`; a repeated upload of the same bytes changes nothing.

    `at`: when it was uploaded, for replaying history (the demo seed); live paths omit it.
    """
    if not is_sha256(sha256):
        raise Invalid("invalid_hash", "Địa chỉ ảnh phải là SHA-256 dạng 64 ký tự hex thường.")
    if len(body) > max_bytes:
        raise TooLarge("media_too_large", f"Ảnh quá lớn (tối đa {max_bytes // 1024} KB).",
                       {"max_bytes": max_bytes, "size": len(body)})
    actual_type = sniff_type(body)
    declared = declared_type.split(";", maxsplit=1)[0].strip().lower()
    if actual_type is None or declared != actual_type:
        raise UnsupportedType("unsupported_media_type", "Chỉ nhận ảnh PNG hoặc JPEG.",
                              {"declared": declared, "detected": actual_type})
    if not decodes_as(body, actual_type):
        raise UnsupportedType("undecodable_image",
                              "Ảnh bị hỏng hoặc không đúng định dạng PNG/JPEG đã khai; hãy chụp "
                              "hoặc ký lại rồi gửi.", {"declared": declared})
    if hashlib.sha256(body).hexdigest() != sha256:
        raise Invalid("hash_mismatch", "Nội dung ảnh không khớp mã SHA-256; hãy gửi lại.")
    existing = db.session.get(Media, sha256)
    store = as_media_storage(storage)
    # Stored before the row commits, so every image a row names is in the store.
    if not store.exists(sha256):
        store.put(sha256, body)
    if existing is not None:
        return StoredMedia(existing, created=False)
    media = Media(sha256=sha256, content_type=actual_type, size_bytes=len(body),
                  uploaded_by_id=actor.id, uploaded_at=at or utc_now())
    db.session.add(media)
    db.session.flush()
    return StoredMedia(media, created=True)


# --- citing an image ----------------------------------------------------------------------

#: The one refusal of an act that names an image the server does not hold: the PWA keys its
#: retry on this code (pwa/src/outbox.js) and on `details.missing`.
MISSING_MEDIA = "missing_media"
MISSING_MEDIA_MESSAGE = ("Ảnh (chữ ký, ảnh chụp hoặc giấy tờ) chưa được tải lên máy chủ; hãy "
                         "tải ảnh lên, hoặc ký, chụp lại, rồi gửi lại.")


def missing_media(images: Mapping[str, str], uploaded: Collection[str]) -> Invalid | None:
    """The refusal for the images not among `uploaded`, or None when every one is there.

    `images`: field → SHA-256, as cited; `uploaded`: the hashes the server holds. The
    refusal names the missing hashes and the first field that cites one. Answered, not
    raised, so that a batch can refuse one event and go on (server/custody/sync.py).
    """
    missing = {field: sha256 for field, sha256 in images.items() if sha256 not in uploaded}
    if not missing:
        return None
    return Invalid(MISSING_MEDIA, MISSING_MEDIA_MESSAGE,
                   {"missing": sorted(set(missing.values())), "field": next(iter(missing))})


def uploaders_of(hashes: Iterable[str]) -> dict[str, int | None]:
    """SHA-256 → uploader's id of the images among `hashes` the server holds (one query)."""
    wanted = set(hashes)
    if not wanted:
        return {}
    return dict(db.session.execute(
        select(Media.sha256, Media.uploaded_by_id).where(Media.sha256.in_(wanted))).tuples().all())


def require_uploaded(images: Mapping[str, str]) -> dict[str, int | None]:
    """Refuse an act citing an image not uploaded yet (`MISSING_MEDIA`); answer each cited
    image's uploader. `images`: field → SHA-256."""
    uploaders = uploaders_of(images.values())
    refusal = missing_media(images, uploaders)
    if refusal is not None:
        raise refusal
    return uploaders


def require_own_images(actor: User, images: Mapping[str, str]) -> None:
    """Refuse an act citing an image not uploaded yet, or uploaded by someone else.

    `images`: field → SHA-256. An image is bound to its uploader (docs/design.md §4): a signature or
    a photo is evidence only from the phone or screen it was captured on, so nobody can
    cite another person's upload as their own act (issue #13).
    """
    uploaders = require_uploaded(images)
    foreign = {field: sha for field, sha in images.items() if uploaders[sha] != actor.id}
    if foreign:
        raise Invalid("foreign_media", "Chỉ được dùng ảnh do chính bạn chụp hoặc ký trên máy "
                      "của bạn. Hãy ký lại trên máy này rồi gửi.",
                      {"images": sorted(set(foreign.values())), "field": next(iter(foreign))})


# --- reading an image back -----------------------------------------------------------------

#: Candidate events read per request when looking for one that names the image.
_REFERENCE_CANDIDATES = 50


def _named_in(evidence: object, sha256: str) -> bool:
    """True when an evidence names the image in a `*_sha256` field (at any depth)."""

    return any(value == sha256 for _field, value in media_fields(evidence))


def may_see_media(user: User, media: Media) -> bool:
    """Whether `user` may see an image (signatures and ID papers are personal data).

    Admin; the uploader; anyone who may see an item one of whose custody events names the
    image as its uploader's own act: an event its uploader recorded, or the handover record
    its uploader signed as sender. Citing an image never opens it to the one who cites it
    (issue #13): only the uploader's own citations count. Who may see the item: a
    supervisor over the item's units, the staff of its post office or agency
    (`visible_items`, the one place where role and unit become scope).
    """
    if user.role == Role.admin or media.uploaded_by_id == user.id:
        return True
    if media.uploaded_by_id is None:
        return False
    # The hash is 64 hex digits (checked), so it is safe inside LIKE. The text match only
    # narrows the rows; the evidence itself decides (a field named `*_sha256`).
    candidates = db.session.execute(
        select(CustodyEvent.evidence, CustodyEvent.actor_user_id)
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(cast(CustodyEvent.evidence, String).like(f"%{media.sha256}%"), visible_items(user))
        .limit(_REFERENCE_CANDIDATES)
    ).tuples()
    return any(_named_in(evidence, media.sha256) and _cited_by_uploader(evidence, actor_id, media)
               for evidence, actor_id in candidates)


def _cited_by_uploader(evidence: dict[str, object], actor_id: int, media: Media) -> bool:
    """Whether an event naming the image names it as its uploader's own act."""
    if actor_id == media.uploaded_by_id:
        return True
    handover_id = evidence.get("handover_id")
    if evidence.get("sender_signature_sha256") != media.sha256 or not isinstance(handover_id, int):
        return False
    record = db.session.get(HandoverRecord, handover_id)
    return record is not None and record.created_by_id == media.uploaded_by_id


@dataclass(frozen=True)
class ReadMedia:
    """An image to send back: its stored row and its bytes."""

    media: Media
    body: bytes


def read_media(user: User, sha256: str, storage: MediaStorage | str) -> ReadMedia:
    """The image if `user` may see it; otherwise the same 404 as for an unknown hash."""
    if not is_sha256(sha256):
        # Checked before any path is built: `../../etc/passwd` never reaches the disk.
        raise Invalid("invalid_hash", "Địa chỉ ảnh phải là SHA-256 dạng 64 ký tự hex thường.")
    media = db.session.get(Media, sha256)
    if media is None or not may_see_media(user, media):
        raise NotFound("unknown_media", "Không tìm thấy ảnh trong phạm vi của bạn.")
    try:
        body = as_media_storage(storage).get(sha256)
    except FileNotFoundError:
        # Deleted by `media prune` after the retention period (TT17 Art.14), or lost.
        raise NotFound("media_purged",
                       "Ảnh không còn được lưu (đã quá thời hạn lưu trữ).") from None
    return ReadMedia(media, body)
