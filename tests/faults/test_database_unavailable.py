"""The database out of reach for a while: 503 `database_unavailable` with Retry-After,
nothing half-written, and the app back by itself when the database is, with no restart.

PostgreSQL is never stopped here (the machine's server is shared with other test runs): the
app reaches it through a TCP proxy in the test (tests/faults/tcp_proxy.py), and a PostgreSQL
stop is simulated by stopping the proxy (its listening socket closed, every open connection
cut), a start by starting it again on the same port. SQLite is made unreachable for writing
the way it is in production: another connection holds the write lock longer than the busy
timeout.
"""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url

import server.custody.sync as sync_service
from server import create_app
from server.custody.proof import verify_all
from server.extensions import db
from server.models import CustodyEvent
from tests.api.checks import assert_error, nothing_written, signed_in
from tests.api.scenario import event, hand_over, register_result, sync
from tests.conftest import ApiClient
from tests.faults.tcp_proxy import TcpProxy

ON_POSTGRESQL = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres")
#: Each fault belongs to one database; the other leg of `make test` deselects it (never a
#: skip: under CI nothing may be skipped). See tests/faults/conftest.py.
postgresql_only = pytest.mark.postgresql_only
sqlite_only = pytest.mark.sqlite_only
#: The busy timeout of the app under test: short, so a held write lock shows at once.
BUSY_TIMEOUT_MS = 400
#: Settings copied from the test session's app to the app under test.
SHARED_SETTINGS = ("TESTING", "MEDIA_DIR", "PASSWORD_HASH_FAST", "SECRET_KEY", "ID_HASH_KEY",
                   "BASE_URL", "RATELIMIT_ENABLED", "SQLALCHEMY_DATABASE_URI")


def _app_like(app: Flask, **overrides: Any) -> Flask:
    """Another app on the same database as the session's, with some settings changed."""
    return create_app({**{key: app.config[key] for key in SHARED_SETTINGS}, **overrides})


def _postman_with_items(app: Flask, count: int) -> tuple[ApiClient, list[str]]:
    """Results registered and handed to `postman`, out for delivery; the postman's client."""
    clerk = signed_in(ApiClient(app.test_client()), "clerk")
    postman = signed_in(ApiClient(app.test_client()), "postman")
    numbers = [register_result(clerk)["tracking_number"] for _ in range(count)]
    hand_over(clerk, postman, "postman", numbers)
    sync(postman, *(event(number, "out_for_delivery") for number in numbers))
    return postman, numbers


def _round(numbers: list[str]) -> list[dict[str, Any]]:
    """A failed attempt and a new round for each item: one phone's outbox."""
    batch = []
    for number in numbers:
        batch.append(event(number, "attempt_failed", reason="absent", action="notice_left"))
        batch.append(event(number, "out_for_delivery"))
    return batch


def _stored(app: Flask, batch: list[dict[str, Any]]) -> list[str]:
    """The batch's events the database holds, read without going through the fault."""
    with app.app_context():
        ids = [e["id"] for e in batch]
        found = db.session.execute(select(CustodyEvent.id).where(CustodyEvent.id.in_(ids))).scalars().all()
        db.session.remove()
    return list(found)


def _verified(app: Flask) -> None:
    """Every chain of the database checks out, read without going through the fault."""
    with app.app_context():
        report = verify_all(app.config["MEDIA_DIR"])
        db.session.remove()
    assert report.ok, report.first_broken


def _assert_unavailable(response: Any) -> None:
    """503 in the envelope, with a Vietnamese message and Retry-After."""
    error = assert_error(response, 503, "database_unavailable")
    assert "thử lại" in error["message"]
    assert response.headers["Retry-After"] == "5"


def _through_proxy(app: Flask, proxy: TcpProxy) -> Flask:
    """The app, its database reached through the proxy."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(host="127.0.0.1", port=proxy.port)
    return _app_like(app, SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False))


def _upstream(app: Flask) -> tuple[str, int]:
    """Where the session's PostgreSQL listens."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.host or "127.0.0.1", url.port or 5432


def _disconnect(app: Flask) -> None:
    """Close the app's pooled connections (before the proxy they go through is stopped)."""
    with app.app_context():
        db.engine.dispose()


@contextmanager
def _behind_proxy(app: Flask) -> Iterator[tuple[TcpProxy, Flask]]:
    """A started proxy to the session's PostgreSQL and an app that reaches it through it.

    On the way out the app's connections are closed and the proxy stopped, whatever happened.
    """
    proxy = TcpProxy(_upstream(app))
    proxy.start()
    proxied = _through_proxy(app, proxy)
    try:
        yield proxy, proxied
    finally:
        _disconnect(proxied)
        proxy.stop()


@postgresql_only
@pytest.mark.timeout(90)
def test_postgresql_stopped_answers_503_with_retry_after_and_recovers_without_restart(app, world):
    with _behind_proxy(app) as (proxy, proxied):
        postman, numbers = _postman_with_items(proxied, 2)
        batch = _round(numbers)

        # Restarted while the app was idle: the pooled connections are dead, yet the next
        # request is answered (each is pinged before use and replaced).
        proxy.stop()
        proxy.start()
        assert postman.get(f"/api/v1/items/{numbers[0]}").status_code == 200

        proxy.stop()  # PostgreSQL stops: pooled connections die, new ones are refused
        with nothing_written(app):
            _assert_unavailable(postman.post("/api/v1/sync", json={"events": batch}))
            _assert_unavailable(postman.get(f"/api/v1/items/{numbers[0]}"))
            _assert_unavailable(postman.post("/api/v1/sync", json={"events": batch}))
        assert _stored(app, batch) == []

        proxy.start()  # PostgreSQL is back; the app was not restarted
        assert postman.get(f"/api/v1/items/{numbers[0]}").status_code == 200
        results = sync(postman, *batch)
        assert [r["status"] for r in results] == ["accepted"] * len(batch), results
        assert sorted(_stored(app, batch)) == sorted(e["id"] for e in batch)
    _verified(app)


@postgresql_only
@pytest.mark.timeout(90)
def test_postgresql_lost_mid_batch_writes_nothing_and_the_resend_stores_the_batch_once(
        app, world, monkeypatch):
    with _behind_proxy(app) as (proxy, proxied):
        postman, numbers = _postman_with_items(proxied, 3)
        batch = _round(numbers)
        apply_event, applied = sync_service._apply, []

        def apply_then_lose_the_database(*args: Any, **kwargs: Any) -> Any:
            answer = apply_event(*args, **kwargs)
            applied.append(answer)
            if len(applied) == 3:
                proxy.stop()  # PostgreSQL goes with three events recorded, none committed
            return answer

        monkeypatch.setattr(sync_service, "_apply", apply_then_lose_the_database)
        with nothing_written(app):
            _assert_unavailable(postman.post("/api/v1/sync", json={"events": batch}))
        # The batch is written in one flush after its events are applied in memory, so the
        # events after the third are applied too before the lost database is met.
        assert len(applied) >= 3 and all(a["status"] == "accepted" for a in applied)
        monkeypatch.undo()
        assert _stored(app, batch) == []

        proxy.start()
        results = sync(postman, *batch)
        assert [r["status"] for r in results] == ["accepted"] * len(batch), results
        again = sync(postman, *batch)
        assert [r["status"] for r in again] == ["duplicate"] * len(batch), again
    assert sorted(_stored(app, batch)) == sorted(e["id"] for e in batch)
    _verified(app)


@sqlite_only
@pytest.mark.timeout(60)
def test_sqlite_write_lock_held_past_the_busy_timeout_answers_503_then_recovers(app, world):
    impatient = _app_like(app, SQLITE_BUSY_TIMEOUT_MS=BUSY_TIMEOUT_MS)
    postman, numbers = _postman_with_items(impatient, 2)
    batch = _round(numbers)
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    holder = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        with nothing_written(app):
            holder.execute("BEGIN IMMEDIATE")  # another writer (a backup, a migration) holds on
            started = time.monotonic()
            refused = postman.post("/api/v1/sync", json={"events": batch})
            waited = time.monotonic() - started
            reading = postman.get("/api/v1/items")
            opening = postman.get(f"/api/v1/items/{numbers[0]}")
            holder.execute("ROLLBACK")
        _assert_unavailable(refused)
        # It waited the configured busy timeout, not the default 15 s.
        assert BUSY_TIMEOUT_MS / 1000 * 0.9 <= waited < 5, waited
        assert reading.status_code == 200  # reads never wait for a writer (WAL)
        # Opening an item's details is on record before it is shown: with the log's write
        # refused, the details are refused too, never shown unlogged.
        _assert_unavailable(opening)
    finally:
        holder.close()
        _disconnect(impatient)
    assert _stored(app, batch) == []

    results = sync(postman, *batch)
    assert [r["status"] for r in results] == ["accepted"] * len(batch), results
    _verified(app)
