"""The media store's contract, on the local folder and on a real S3-compatible server (moto).

Every test of the contract runs on both backends; the API tests then upload and read a
signature with MEDIA_STORAGE=s3, and move the images of a backup from one store to another.
"""
from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.media.backup import _archive_media, _unpack_media
from server.media.storage import (
    LocalMediaStorage,
    MediaStorage,
    S3MediaStorage,
    media_storage,
    storage_from_settings,
)
from server.models import Media
from tests.api.checks import count_where, signed_in
from tests.conftest import png_bytes
from tests.s3 import S3Server, moto_s3


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    """One moto server for the module."""
    with moto_s3() as server:
        yield server


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MediaStorage]:
    """An empty store of each kind."""
    if request.param == "local":
        yield LocalMediaStorage(tmp_path / "media")
        return
    server: S3Server = request.getfixturevalue("s3_server")
    client = server.client()
    prefix = f"t-{tmp_path.name}"  # one prefix per test: the bucket is shared by the module
    yield S3MediaStorage(client, server.bucket, prefix)


# --- the contract ---------------------------------------------------------------------------

def test_a_stored_image_reads_back_byte_for_byte(storage: MediaStorage) -> None:
    body = png_bytes("contract-put")
    storage.put(_sha(body), body)
    assert storage.exists(_sha(body))
    assert storage.get(_sha(body)) == body
    with storage.open(_sha(body)) as stream:
        assert stream.read() == body


def test_an_image_never_stored_is_missing(storage: MediaStorage) -> None:
    missing = _sha(b"never stored")
    assert not storage.exists(missing)
    with pytest.raises(FileNotFoundError):
        storage.get(missing)
    with pytest.raises(FileNotFoundError):
        storage.open(missing)


def test_storing_the_same_bytes_twice_keeps_one_image(storage: MediaStorage) -> None:
    body = png_bytes("contract-twice")
    storage.put(_sha(body), body)
    storage.put(_sha(body), body)
    assert list(storage.iterate()) == [(_sha(body), len(body))]


def test_a_deleted_image_is_gone_and_deleting_again_is_harmless(storage: MediaStorage) -> None:
    kept, gone = png_bytes("contract-kept"), png_bytes("contract-gone")
    storage.put(_sha(kept), kept)
    storage.put(_sha(gone), gone)
    storage.delete(_sha(gone))
    storage.delete(_sha(gone))
    assert not storage.exists(_sha(gone)) and storage.exists(_sha(kept))


def test_iterate_lists_every_image_with_its_size_in_hash_order(storage: MediaStorage) -> None:
    bodies = [png_bytes(f"contract-{n}") + b"x" * n for n in range(5)]
    for body in bodies:
        storage.put(_sha(body), body)
    assert list(storage.iterate()) == sorted((_sha(body), len(body)) for body in bodies)


def test_iterate_of_an_empty_store_is_empty(storage: MediaStorage) -> None:
    assert list(storage.iterate()) == []


def test_the_local_store_ignores_half_written_uploads(tmp_path: Path) -> None:
    store = LocalMediaStorage(tmp_path)
    body = png_bytes("contract-local")
    store.put(_sha(body), body)
    (store.path(_sha(body)).parent / ".upload-abc").write_bytes(b"half")
    assert list(store.iterate()) == [(_sha(body), len(body))]
    assert store.path(_sha(body)) == tmp_path / _sha(body)[:2] / _sha(body)[2:4] / _sha(body)


def test_an_unknown_media_storage_setting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        storage_from_settings({"MEDIA_STORAGE": "ftp", "MEDIA_DIR": str(tmp_path)})
    with pytest.raises(RuntimeError):
        storage_from_settings({"MEDIA_STORAGE": "s3", "MEDIA_DIR": str(tmp_path), "S3_BUCKET": ""})


# --- backups move images between stores ------------------------------------------------------

@pytest.mark.parametrize("target_kind", ["local", "s3"])
def test_a_backup_archive_carries_every_image_into_another_store(
        storage: MediaStorage, target_kind: str, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    bodies = [png_bytes(f"backup-{n}") for n in range(3)]
    for body in bodies:
        storage.put(_sha(body), body)
    archive = tmp_path / "media.tar"
    assert _archive_media(storage, archive) == 3
    if target_kind == "local":
        target: MediaStorage = LocalMediaStorage(tmp_path / "restored")
    else:
        server: S3Server = request.getfixturevalue("s3_server")
        target = S3MediaStorage(server.client(), server.bucket, f"r-{tmp_path.name}")
    assert _unpack_media(archive, target) == 3
    assert sorted(target.get(_sha(body)) for body in bodies) == sorted(bodies)


def test_restoring_an_archive_writes_no_stray_member(tmp_path: Path) -> None:
    archive = tmp_path / "media.tar"
    body = png_bytes("stray")
    with tarfile.open(archive, "w") as tar:
        for name in ("../escape.png", f"{_sha(body)}", "ab/cd/not-a-hash"):
            member = tarfile.TarInfo(name)
            member.size = len(body)
            tar.addfile(member, io.BytesIO(body))
    target = LocalMediaStorage(tmp_path / "restored")
    assert _unpack_media(archive, target) == 0
    assert list(target.iterate()) == [] and not (tmp_path / "escape.png").exists()


# --- the API on S3 ---------------------------------------------------------------------------

@pytest.fixture
def s3_app(app, s3_server: S3Server):  # type: ignore[no-untyped-def]
    """The test app with MEDIA_STORAGE=s3 on the moto bucket, put back to local after."""
    saved = {name: app.config.get(name) for name in s3_server.settings()}
    app.config.update(s3_server.settings())
    yield app
    app.config.update(saved)


def test_a_signature_uploaded_with_s3_storage_is_in_the_bucket_and_reads_back(
        s3_app, world, new_api, s3_server: S3Server) -> None:  # type: ignore[no-untyped-def]
    postman = signed_in(new_api(), "postman")
    body = png_bytes("signature on s3")
    sha = _sha(body)
    assert postman.put(f"/api/v1/media/{sha}", data=body, content_type="image/png").status_code == 201
    assert f"{sha[:2]}/{sha[2:4]}/{sha}" in s3_server.keys()  # noqa: SIM118 (a listing, not a dict)
    assert not any(Path(s3_app.config["MEDIA_DIR"]).rglob(sha))
    assert count_where(s3_app, Media, Media.sha256 == sha) == 1
    answer = postman.get(f"/api/v1/media/{sha}")
    assert answer.status_code == 200 and answer.data == body
    with s3_app.app_context():
        assert isinstance(media_storage(), S3MediaStorage)
