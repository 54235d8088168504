"""Where image bytes live: a local folder (the default) or an S3-compatible bucket (docs/design.md §6).

Images are content-addressed, so a store only needs five verbs: put, open (or get), exists,
delete, and iterate over what it holds with sizes. Every module that touches image bytes
(upload and download, verification, retention, backup and restore) goes through a
`MediaStorage`, chosen by `MEDIA_STORAGE`:

- `local` (default): files under `MEDIA_DIR`, fanned out as `ab/cd/<sha256>` and written
  atomically (temporary file, fsync, rename), as before.
- `s3`: objects in `S3_BUCKET` at `S3_ENDPOINT_URL` (any S3-compatible server; AWS when
  unset), under the same `ab/cd/<sha256>` keys after an optional `S3_PREFIX`. Credentials
  come from the environment as boto3 reads them (`AWS_ACCESS_KEY_ID`,
  `AWS_SECRET_ACCESS_KEY`, or an instance role); they are never settings of the app.

With S3 every application server sees the same images, so servers keep no state of their own.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from flask import Flask, current_app

from server.domain.image_files import fanned_out_key, is_sha256


class MediaStorage(Protocol):
    """What every image store does. A missing image raises FileNotFoundError."""

    def put(self, sha256: str, body: bytes) -> None:
        """Store `body` under `sha256` (whole or not at all); replacing the same bytes is harmless."""

    def open(self, sha256: str) -> IO[bytes]:
        """A binary stream of the image; FileNotFoundError when there is none."""

    def get(self, sha256: str) -> bytes:
        """The image's bytes; FileNotFoundError when there is none."""

    def exists(self, sha256: str) -> bool:
        """Whether the image is stored."""

    def delete(self, sha256: str) -> None:
        """Remove the image; nothing happens when it is not there."""

    def iterate(self) -> Iterator[tuple[str, int]]:
        """(sha256, size in bytes) of every stored image, in hash order."""


class LocalMediaStorage:
    """Images as files under a folder: `<root>/ab/cd/<sha256>`."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """The file of an image."""
        return self.root / fanned_out_key(sha256)

    def put(self, sha256: str, body: bytes) -> None:
        """Write to a temporary file and rename, so a crash never leaves half an image."""
        path = self.path(sha256)
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

    def open(self, sha256: str) -> IO[bytes]:
        """The file, opened for reading."""
        return self.path(sha256).open("rb")

    def get(self, sha256: str) -> bytes:
        """The file's bytes."""
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        """Whether the file is there."""
        return self.path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        """Remove the file if it is there."""
        self.path(sha256).unlink(missing_ok=True)

    def iterate(self) -> Iterator[tuple[str, int]]:
        """Files named by a SHA-256 (half-written `.upload-*` temporaries are left out)."""
        if not self.root.is_dir():
            return
        found = sorted((path.name, path) for path in self.root.rglob("*")
                       if path.is_file() and is_sha256(path.name))  # anything else is no image
        for name, path in found:
            yield name, path.stat().st_size


class S3MediaStorage:
    """Images as objects of an S3-compatible bucket: `<prefix>ab/cd/<sha256>`."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket = client, bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def key(self, sha256: str) -> str:
        """The object key of an image."""
        return self.prefix + fanned_out_key(sha256)

    def put(self, sha256: str, body: bytes) -> None:
        """One PUT: S3 makes an object visible whole or not at all."""
        self.client.put_object(Bucket=self.bucket, Key=self.key(sha256), Body=body)

    def open(self, sha256: str) -> IO[bytes]:
        """The object's body as a stream."""
        return self._get_object(sha256)["Body"]  # type: ignore[no-any-return]

    def get(self, sha256: str) -> bytes:
        """The object's bytes."""
        body = self._get_object(sha256)["Body"]
        try:
            return body.read()  # type: ignore[no-any-return]
        finally:
            body.close()

    def exists(self, sha256: str) -> bool:
        """HEAD the object."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except self._client_error() as error:
            if _status(error) == 404:
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        """DELETE the object (S3 answers the same when it is not there)."""
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))

    def iterate(self) -> Iterator[tuple[str, int]]:
        """Every object under the prefix named by a SHA-256 (S3 lists keys in order)."""
        found = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for entry in page.get("Contents", []):
                name = entry["Key"].rsplit("/", 1)[-1]
                if is_sha256(name):
                    found.append((name, int(entry["Size"])))
        yield from sorted(found)

    def _get_object(self, sha256: str) -> dict[str, Any]:
        """GET the object; FileNotFoundError when there is none, like a missing file."""
        try:
            return self.client.get_object(  # type: ignore[no-any-return]
                Bucket=self.bucket, Key=self.key(sha256))
        except self._client_error() as error:
            if _status(error) == 404:
                raise FileNotFoundError(self.key(sha256)) from None
            raise

    @staticmethod
    def _client_error() -> type[Exception]:
        from botocore.exceptions import ClientError  # noqa: PLC0415 (boto3 loads only for S3)

        error_class: type[Exception] = ClientError
        return error_class


def _status(error: Exception) -> int | None:
    """The HTTP status of a botocore ClientError."""
    status: int | None = getattr(error, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status


def s3_storage_from_settings(settings: dict[str, Any]) -> S3MediaStorage:
    """An S3 store built from the app's settings; credentials from boto3's own environment."""
    # boto3 takes a noticeable time to import: only a deployment that stores on S3 pays it.
    import boto3  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    if not settings.get("S3_BUCKET"):
        raise RuntimeError("MEDIA_STORAGE=s3 needs S3_BUCKET.")
    client = boto3.client(
        "s3", endpoint_url=settings.get("S3_ENDPOINT_URL") or None,
        region_name=settings.get("S3_REGION") or None,
        config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3},
                      s3={"addressing_style": "path"}),
    )
    return S3MediaStorage(client, settings["S3_BUCKET"], settings.get("S3_PREFIX", ""))


def storage_from_settings(settings: dict[str, Any]) -> MediaStorage:
    """The store `MEDIA_STORAGE` names: `local` (MEDIA_DIR) or `s3`."""
    kind = str(settings.get("MEDIA_STORAGE", "local")).lower()
    if kind == "local":
        return LocalMediaStorage(settings["MEDIA_DIR"])
    if kind == "s3":
        return s3_storage_from_settings(settings)
    raise RuntimeError(f"MEDIA_STORAGE must be 'local' or 's3', not {kind!r}.")


_SETTINGS = ("MEDIA_STORAGE", "MEDIA_DIR", "S3_ENDPOINT_URL", "S3_BUCKET", "S3_REGION", "S3_PREFIX")


def media_storage(app: Flask | None = None) -> MediaStorage:
    """The image store of `app` (default: the current app), built once per set of settings.

    Kept on the app so an S3 client (and its connection pool) is made once; rebuilt when
    the settings change (tests point MEDIA_DIR elsewhere).
    """
    target = app or current_app
    settings = tuple(target.config.get(name) for name in _SETTINGS)
    cached = target.extensions.get("media_storage")
    if cached is None or cached[0] != settings:
        cached = target.extensions["media_storage"] = (settings, storage_from_settings(target.config))
    return cached[1]


def as_media_storage(media: MediaStorage | str | os.PathLike[str]) -> MediaStorage:
    """A store as given, or a folder path taken as the local store."""
    if isinstance(media, (str, os.PathLike)):
        return LocalMediaStorage(media)
    return media
