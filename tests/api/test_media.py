"""Content-addressed image upload: `PUT /media/<sha256>`, size- and type-checked."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from server.media.service import media_path
from server.models import Media
from tests.api.checks import assert_error, count_where, nothing_written, signed_in
from tests.conftest import ApiClient, jpeg_bytes, png_bytes

JPEG = jpeg_bytes("a photo")
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@pytest.fixture
def postman(world, new_api):  # type: ignore[no-untyped-def]
    return signed_in(new_api(), "postman")


def _put(client: ApiClient, body: bytes, content_type: str = "image/png",
         sha: str | None = None) -> Any:
    return client.put(f"/api/v1/media/{sha or _sha(body)}", data=body, content_type=content_type)


def test_a_new_image_is_stored_under_its_hash(app, postman):
    body = png_bytes("signature")
    response = _put(postman, body)
    assert response.status_code == 201
    assert response.get_json() == {"sha256": _sha(body), "content_type": "image/png",
                                   "size_bytes": len(body)}
    assert media_path(app.config["MEDIA_DIR"], _sha(body)).read_bytes() == body


def test_a_jpeg_is_stored_as_jpeg(app, postman):
    response = _put(postman, JPEG, "image/jpeg")
    assert response.status_code == 201 and response.get_json()["content_type"] == "image/jpeg"


def test_the_same_image_again_answers_200_and_keeps_one_copy(app, postman, new_api):
    body = png_bytes("twice")
    assert _put(postman, body).status_code == 201
    with nothing_written(app):
        assert _put(postman, body).status_code == 200
        assert _put(signed_in(new_api(), "clerk"), body).status_code == 200
    assert count_where(app, Media, Media.sha256 == _sha(body)) == 1


def test_an_image_under_another_hash_is_refused(app, postman):
    body = png_bytes("real")
    claimed = _sha(png_bytes("claimed"))
    with nothing_written(app):
        assert_error(_put(postman, body, sha=claimed), 422, "hash_mismatch")
    assert not media_path(app.config["MEDIA_DIR"], claimed).exists()


def test_an_image_over_the_size_limit_is_refused(app, postman, monkeypatch):
    body = png_bytes("large")
    monkeypatch.setitem(app.config, "MEDIA_MAX_BYTES", len(body) - 1)
    with nothing_written(app):
        error = assert_error(_put(postman, body), 413, "media_too_large")
    assert error["details"] == {"max_bytes": len(body) - 1, "size": len(body)}
    assert not media_path(app.config["MEDIA_DIR"], _sha(body)).exists()


def test_an_image_at_the_size_limit_is_accepted(app, postman, monkeypatch):
    body = png_bytes("exact")
    monkeypatch.setitem(app.config, "MEDIA_MAX_BYTES", len(body))
    assert _put(postman, body).status_code == 201


def test_a_body_over_the_request_limit_is_refused_before_reading(app, postman):
    body = b"\x89PNG\r\n\x1a\n" + b"\x00" * app.config["MAX_CONTENT_LENGTH"]
    with nothing_written(app):
        assert_error(_put(postman, body), 413, "payload_too_large")


@pytest.mark.parametrize(("body", "content_type"), [
    (GIF, "image/png"),
    (GIF, "image/gif"),
    (b"just some text, not an image", "image/png"),
    (png_bytes("declared-jpeg"), "image/jpeg"),
    (JPEG + b"declared-png", "image/png"),
    (png_bytes("declared-text"), "text/plain"),
    (b"", "image/png"),
], ids=["gif-as-png", "gif", "text-as-png", "png-as-jpeg", "jpeg-as-png", "png-as-text", "empty"])
def test_anything_but_a_png_or_jpeg_is_refused_with_415(app, postman, body, content_type):
    with nothing_written(app):
        assert_error(_put(postman, body, content_type), 415, "unsupported_media_type")
    assert not media_path(app.config["MEDIA_DIR"], _sha(body)).exists()


@pytest.mark.parametrize("address", [
    "z" * 64, "A" * 64, "ab" * 31, "ab" * 33, "0x" + "a" * 62, "..." + "a" * 61,
])
def test_an_address_that_is_not_a_hex_sha256_is_refused(app, postman, address):
    with nothing_written(app):
        response = postman.put(f"/api/v1/media/{address}", data=png_bytes("x"),
                               content_type="image/png")
        assert_error(response, 422, "invalid_hash")
    assert not any(Path(app.config["MEDIA_DIR"]).rglob(address))
