"""What an evidence image is: a PNG or JPEG named by the SHA-256 of its bytes.

A signature, an ID paper or a doorstep photo is kept under the hash of its bytes, and a custody
event names the image by that hash, so the event's own chain hash vouches for the image
(Law 20/2023/QH15 on electronic transactions: a data message stands as an original while its
integrity can be shown). The type is read from the bytes, never from what the sender
declares. Which images an event may cite is `server.domain.evidence_images`.

Pure rules: no Flask, no database, no image decoding (server/media/service.py decodes).
"""
from __future__ import annotations

import re

#: The name of an image: the SHA-256 of its bytes, 64 lower-case hex digits.
SHA256_HEX = r"[0-9a-f]{64}"
_SHA256 = re.compile(SHA256_HEX)
#: Magic numbers: the first bytes of each accepted type.
IMAGE_SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
#: Largest picture accepted, in pixels: a phone's photo is a few million; a small file that
#: unpacks into billions of pixels (a decompression bomb) is refused before it is decoded.
MAX_PIXELS = 40_000_000


def is_sha256(text: object) -> bool:
    """True when `text` is a SHA-256 in the form images are named by (64 lower-case hex)."""
    return isinstance(text, str) and _SHA256.fullmatch(text) is not None


def sniff_type(body: bytes) -> str | None:
    """The image type the bytes really are (by their magic number), or None."""
    for content_type, magic in IMAGE_SIGNATURES.items():
        if body.startswith(magic):
            return content_type
    return None


def fanned_out_key(sha256: str) -> str:
    """The relative key of an image in a store: fanned out by the first hex digits to keep
    folders small (`ab/cd/abcd…`)."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
