"""Fixtures shared by the API and end-to-end tests: an app on a real database.

The database comes from TEST_DATABASE_URL (SQLite in a temporary folder when unset); the
schema is built by the migrations themselves, and every test starts from empty tables.
"""
from __future__ import annotations

import hashlib
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis.internal import lambda_sources
from sqlalchemy import inspect, text

from server import create_app
from server.extensions import db

# Property tests judge results, not the speed of drawing inputs: on a shared 2-core machine
# loaded by other runs, Hypothesis's "input generation is slow" check fails tests whose every
# answer was right. Every other health check stays on.
settings.register_profile("shared-machine", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")

# The app reads these at start-up; without them it would write keys into instance/.
os.environ.setdefault("SECRET_KEY", "test-secret")
os.environ.setdefault("EXPORT_SIGNING_KEY", (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIBxvsDm3sCGBqU6nAkCRP2i0ybG6c7YVqjWgWvrVcyg2\n"
    "-----END PRIVATE KEY-----\n"))
# The custody log's checkpoint key and this deployment's witness key (synthetic, tests only).
os.environ.setdefault("LOG_SIGNING_KEY", (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIKLlQfRRp0vBydgFma8irMGyiTE6MZIulfQ3Z5EJgzfv\n"
    "-----END PRIVATE KEY-----\n"))
os.environ.setdefault("WITNESS_SIGNING_KEY", (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIMWtwHp5OyhgIkE4d+RGE4vz0cXTTHD/xtaex0JtZ70Y\n"
    "-----END PRIVATE KEY-----\n"))


def _describe_lambda_despite_cpython_ast_bug(describe: Any) -> Any:
    """Hypothesis's lambda describer, answering "unknown" when CPython's parser trips.

    CPython 3.11 before 3.11.8 can raise a spurious ``SystemError: AST constructor recursion
    depth mismatch`` from ``ast.parse`` in a threaded process (cpython gh-106905, fixed in
    3.11.8). Hypothesis parses a lambda's source to describe it or to rewrite a numeric filter,
    and that error then failed a schemathesis run in CI with a FlakyFailure. A description is
    only cosmetic (an unknown lambda is filtered the slow way), so the workaround is exact.
    """
    def describe_or_unknown(f: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return describe(f, *args, **kwargs)
        except SystemError:
            return "lambda: <unknown>"
    return describe_or_unknown


lambda_sources._lambda_description = _describe_lambda_despite_cpython_ast_bug(
    lambda_sources._lambda_description)


def test_database_url(tmp_dir: Path) -> str:
    """The database under test."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


def reset_schema(app: Flask) -> None:
    """Drop whatever a previous run left and migrate an empty database to head."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        else:
            # The session's SQLite file keeps what earlier tests left (rows a downgrade could not
            # drop a table under, or a half-downgraded schema): drop every table, as PostgreSQL's
            # DROP SCHEMA does, with the foreign keys off while they go.
            names = inspect(db.engine).get_table_names()
            raw = db.engine.raw_connection()  # autocommit: PRAGMA foreign_keys is a no-op in a BEGIN
            try:
                raw.execute("PRAGMA foreign_keys=OFF")
                for name in names:
                    raw.execute(f'DROP TABLE "{name}"')
                raw.execute("PRAGMA foreign_keys=ON")
            finally:
                raw.close()
        upgrade()


def empty_tables(app: Flask) -> None:
    """Delete every row, children first, and restart the counters."""
    with app.app_context():
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(t.name for t in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
        db.session.remove()



def pytest_configure(config: pytest.Config) -> None:
    """Markers of tests that exist on one database only."""
    config.addinivalue_line("markers", "postgresql_only: a test of PostgreSQL behaviour")
    config.addinivalue_line("markers", "sqlite_only: a test of SQLite behaviour")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the other database's tests: they run in the other leg of `make test`.

    Deselected, not skipped: under CI nothing may be skipped, and each such test does run
    in one of the two legs.
    """
    on_postgresql = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres")
    foreign = "sqlite_only" if on_postgresql else "postgresql_only"
    kept = [item for item in items if item.get_closest_marker(foreign) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept

@pytest.fixture(scope="session")
def app_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the session's database and media."""
    return tmp_path_factory.mktemp("tantay")


@pytest.fixture(scope="session")
def session_app(app_root: Path) -> Flask:
    """One app per test session, its schema built by the migrations."""
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": test_database_url(app_root).replace(
            "postgresql://", "postgresql+psycopg://"),
        "MEDIA_DIR": str(app_root / "media"),
        "PASSWORD_HASH_FAST": True,
        "SECRET_KEY": "test-secret",
        "ID_HASH_KEY": "test-id-key",
        "BASE_URL": "http://tantay.test",
        "RATELIMIT_ENABLED": True,
    })
    reset_schema(app)
    return app


@pytest.fixture
def app(session_app: Flask) -> Iterator[Flask]:
    """The app with empty tables and fresh rate limits."""
    from server.extensions import limiter

    empty_tables(session_app)
    limiter.reset()
    yield session_app
    with session_app.app_context():
        db.session.remove()


class ApiClient:
    """A test client that signs in and sends the CSRF header like the PWA does."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf = ""

    def login(self, username: str, password: str = "tantay-demo") -> Any:
        """Sign in and keep the CSRF token."""
        response = self.client.post("/api/v1/auth/login",
                                    json={"username": username, "password": password})
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf_token"]
        return response

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        merged.update(headers or {})
        return merged

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self._headers(headers), **kwargs)

    def put(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.put(url, headers=self._headers(headers), **kwargs)


@pytest.fixture
def api(app: Flask) -> ApiClient:
    """An anonymous API client; `.login(name)` signs it in."""
    return ApiClient(app.test_client())


@pytest.fixture
def new_api(app: Flask):  # type: ignore[no-untyped-def]
    """A factory of further clients, one per person in a scenario."""
    return lambda: ApiClient(app.test_client())


def png_bytes(seed: str) -> bytes:
    """A tiny valid PNG whose pixel depends on `seed`, so each call can differ."""
    colour = hashlib.sha256(seed.encode()).digest()[:3]
    raw = b"\x00" + colour

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg_bytes(seed: str) -> bytes:
    """A tiny valid JPEG whose colour depends on `seed` (Pillow decodes it whole)."""
    import io

    from PIL import Image

    colour = tuple(hashlib.sha256(seed.encode()).digest()[:3])
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def world(app: Flask):  # type: ignore[no-untyped-def]
    """The demo province's units, procedures and staff (no items), committed."""
    from demo.seed import seed_structure

    with app.app_context():
        created = seed_structure()
        db.session.commit()
        return {"units": list(created.units), "procedures": list(created.procedures),
                 "users": list(created.users)}
