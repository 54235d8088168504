"""Two application servers on one PostgreSQL behave as one: nothing is kept in a server.

The production layout of docs/production.md in miniature: two gunicorn processes on
different ports (as two machines behind a balancer), one PostgreSQL database migrated once,
rate limits counted in one Redis (`RATELIMIT_STORAGE_URI`), images in one S3-compatible
bucket (moto's S3 server, `MEDIA_STORAGE=s3`), each server with a MEDIA_DIR of its own that
must stay unused. A sign-in made on one is valid on the other, a rate limit counts the
requests of both, and an image uploaded to one is read back from the other.

Redis is expected at TEST_REDIS_URL (default redis://127.0.0.1:6379/0): outside CI a
missing Redis skips these tests loudly; under CI=true it fails them.
"""
from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.api.checks import UNKNOWN_NUMBER
from tests.conftest import png_bytes
from tests.e2e.conftest import _free_port
from tests.faults.conftest import FaultServer, flask_command
from tests.live import own_database
from tests.s3 import S3Server, moto_s3

pytestmark = pytest.mark.postgresql_only

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
#: Public tracking allows this many requests per address and minute, on both servers together.
TRACKING_LIMIT = 4


def _require_redis() -> None:
    """Skip when Redis does not answer, or fail under CI=true."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (redis.RedisError, OSError) as error:
        message = f"Redis at {REDIS_URL} does not answer ({type(error).__name__})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: under CI the scale-out tests must run.")
        pytest.skip(f"{message}: scale-out tests NOT run (set TEST_REDIS_URL)")


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    """The bucket both servers keep their images in."""
    with moto_s3("tantay-scale-out") as server:
        yield server


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory,
                s3: S3Server) -> Iterator[tuple[FaultServer, FaultServer]]:
    """Two gunicorn servers sharing the database, the rate-limit store and the bucket."""
    _require_redis()
    tmp = tmp_path_factory.mktemp("scale-out")
    shared = {**os.environ, **s3.settings(),
              "DATABASE_URL": own_database(tmp, "scaleout"),
              "SECRET_KEY": "scale-out-secret", "PASSWORD_HASH_FAST": "1",
              "RATELIMIT_STORAGE_URI": REDIS_URL,
              # Counters of this run only: other runs may share the same Redis.
              "RATELIMIT_KEY_PREFIX": f"tantay-test-{uuid.uuid4().hex}",
              "TRACKING_RATE_LIMIT": f"{TRACKING_LIMIT} per minute",
              "LOGIN_RATE_LIMIT": "1000 per minute"}
    servers = []
    for name in ("a", "b"):
        folder = tmp / name
        (folder / "pause").mkdir(parents=True)
        port = _free_port()
        env = {**shared, "MEDIA_DIR": str(folder / "media"), "BASE_URL": f"http://127.0.0.1:{port}",
               "TANTAY_FAULTS_PAUSE_DIR": str(folder / "pause")}
        servers.append(FaultServer(folder, env, port))
    # Migrations run once per deploy, not by each server.
    for command in (("db", "upgrade"), ("seed-demo", "--citizens", "5")):
        done = flask_command(servers[0].env, *command)
        assert done.returncode == 0, done.stderr
    try:
        for server in servers:
            server.start()
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


def _signed_in(server: FaultServer, username: str = "postman") -> tuple[requests.Session, str]:
    """A browser-like session signed in on `server`, and its CSRF token."""
    session = requests.Session()
    answer = session.post(f"{server.base_url}/api/v1/auth/login",
                          json={"username": username, "password": "tantay-demo"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return session, answer.json()["csrf_token"]


def test_both_servers_are_healthy(two_servers: tuple[FaultServer, FaultServer]) -> None:
    for server in two_servers:
        answer = requests.get(f"{server.base_url}/healthz", timeout=30)
        assert answer.status_code == 200 and answer.json()["database"] == "ok"


def test_a_sign_in_made_on_one_server_is_valid_on_the_other(
        two_servers: tuple[FaultServer, FaultServer]) -> None:
    first, second = two_servers
    session, csrf = _signed_in(first)
    me = session.get(f"{second.base_url}/api/v1/auth/me", timeout=30)
    assert me.status_code == 200 and me.json()["user"]["username"] == "postman"
    # The CSRF token made by one server is accepted by the other for an unsafe call.
    logout = session.post(f"{second.base_url}/api/v1/auth/logout",
                          headers={"X-CSRF-Token": csrf}, timeout=30)
    assert logout.status_code in (200, 204), logout.text
    assert session.get(f"{first.base_url}/api/v1/auth/me", timeout=30).status_code == 401


def test_an_image_uploaded_to_one_server_is_read_back_from_the_other(
        two_servers: tuple[FaultServer, FaultServer], s3: S3Server) -> None:
    first, second = two_servers
    session, csrf = _signed_in(first)
    body = png_bytes(f"scale-out signature {uuid.uuid4()}")
    sha = hashlib.sha256(body).hexdigest()
    stored = session.put(f"{first.base_url}/api/v1/media/{sha}", data=body, timeout=30,
                         headers={"Content-Type": "image/png", "X-CSRF-Token": csrf})
    assert stored.status_code == 201, stored.text
    read = session.get(f"{second.base_url}/api/v1/media/{sha}", timeout=30)
    assert read.status_code == 200 and read.content == body
    assert f"{sha[:2]}/{sha[2:4]}/{sha}" in s3.keys()  # noqa: SIM118 (a listing, not a dict)
    for server in two_servers:  # neither server kept it on its own disk
        assert not any(Path(server.env["MEDIA_DIR"]).rglob(sha))


def test_a_rate_limit_counts_the_requests_of_both_servers(
        two_servers: tuple[FaultServer, FaultServer]) -> None:
    first, second = two_servers
    statuses = [requests.get(f"{server.base_url}/api/v1/track/{UNKNOWN_NUMBER}", timeout=30).status_code
                for server in (first, second, first, second)]
    assert 429 not in statuses and len(statuses) == TRACKING_LIMIT
    # Each server saw only two requests; only a shared count refuses the fifth.
    refused = requests.get(f"{second.base_url}/api/v1/track/{UNKNOWN_NUMBER}", timeout=30)
    assert refused.status_code == 429
    assert requests.get(f"{first.base_url}/api/v1/track/{UNKNOWN_NUMBER}",
                        timeout=30).status_code == 429
