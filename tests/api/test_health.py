"""The health check the load balancer polls, and the pool settings of a server database."""
from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from server import create_app
from server.extensions import db


def test_health_check_answers_ok_when_the_database_answers(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_answers_503_when_the_database_does_not(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"),
                               connection_invalidated=True)

    monkeypatch.setattr(db.session, "execute", unreachable)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "database_unavailable"
    assert response.headers["Retry-After"]


def test_postgresql_engine_takes_its_pool_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"DB_POOL_SIZE": "7", "DB_MAX_OVERFLOW": "3", "DB_POOL_TIMEOUT_S": "4",
                        "DB_POOL_RECYCLE_S": "600"}.items():
        monkeypatch.setenv(name, value)
    # No connection is opened: building the engine only reads the settings.
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}})
    with app.app_context():
        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (7, 3, 4, 600)
        assert pool._pre_ping


def test_sqlite_keeps_sqlalchemys_own_pool() -> None:
    # Its own in-memory app, so both legs of the suite check it (nothing is skipped).
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "LOG_CHECKPOINT_SECONDS": 0})
    assert "pool_size" not in app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})


def _address_seen(hops: int) -> str:
    """The client address an app trusting `hops` proxies sees behind a balancer."""
    # No custody-log integrator: this app's in-memory database has no tables to log into.
    app = create_app({"TRUSTED_PROXY_HOPS": hops, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "LOG_CHECKPOINT_SECONDS": 0})
    from flask import request

    app.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
    answer = app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.9"},
                                   environ_base={"REMOTE_ADDR": "10.0.0.2"})
    return answer.get_data(as_text=True)


def test_behind_a_trusted_balancer_the_client_address_is_the_forwarded_one() -> None:
    assert _address_seen(1) == "203.0.113.9"


def test_without_trusted_proxies_a_forwarded_address_is_ignored() -> None:
    assert _address_seen(0) == "10.0.0.2"
