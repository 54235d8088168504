"""A real S3-compatible server for the tests: moto's ThreadedMotoServer on a loopback port.

`moto[server]` is a test requirement (requirements-dev.txt): it answers the S3 HTTP API, so
the S3 backend of the media store is tested over HTTP with boto3, as against a real bucket.
Without moto the S3 tests are skipped, except under CI=true, where they fail: the CI
machine installs requirements-dev.txt, so a missing moto is a broken install.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from tests.live import free_port

#: Credentials moto accepts; invented, never real.
S3_ENV = {"AWS_ACCESS_KEY_ID": "tantay-test", "AWS_SECRET_ACCESS_KEY": "tantay-test-secret",
          "AWS_DEFAULT_REGION": "us-east-1"}


@dataclass(frozen=True)
class S3Server:
    """Where the server listens and the bucket made for the test."""

    endpoint_url: str
    bucket: str

    def settings(self) -> dict[str, str]:
        """The app settings that select this bucket as the media store."""
        return {"MEDIA_STORAGE": "s3", "S3_ENDPOINT_URL": self.endpoint_url,
                "S3_BUCKET": self.bucket, "S3_REGION": "us-east-1", "S3_PREFIX": ""}

    def client(self):  # type: ignore[no-untyped-def]
        """A boto3 client on the server."""
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"])

    def keys(self) -> list[str]:
        """Every object key in the bucket."""
        listing = self.client().list_objects_v2(Bucket=self.bucket)
        return [entry["Key"] for entry in listing.get("Contents", [])]


def require_moto() -> None:
    """Skip without moto, or fail under CI=true."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("moto[server] is missing: under CI the S3 tests must run "
                        "(pip install -r requirements-dev.txt -c constraints.txt).")
        pytest.skip("moto[server] is not installed: S3 backend not tested")


@contextmanager
def moto_s3(bucket: str = "tantay-media") -> Iterator[S3Server]:
    """Start moto on a free loopback port with S3_ENV set and one empty bucket; stop it after."""
    require_moto()
    from moto.server import ThreadedMotoServer

    saved = {name: os.environ.get(name) for name in S3_ENV}
    os.environ.update(S3_ENV)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        s3 = S3Server(f"http://127.0.0.1:{port}", bucket)
        s3.client().create_bucket(Bucket=bucket)
        yield s3
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
