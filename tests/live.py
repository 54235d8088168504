"""Pieces for a real server run by the tests and the bench scripts: a free port, a database
of its own, and a bounded wait until it answers.

Used by tests/e2e/conftest.py, tests/faults/conftest.py and bench/live_server.py.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def own_database(tmp: Path, suffix: str) -> str:
    """An empty database for one purpose: SQLite file, or `<test db>_<suffix>` on PostgreSQL.

    On PostgreSQL the database is created when missing and its `public` schema emptied when
    found, so a server started on it never touches the session's own test database.
    """
    configured = os.environ.get("TEST_DATABASE_URL")
    if not configured:
        return f"sqlite:///{tmp / f'{suffix}.sqlite3'}"
    url = make_url(configured.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                       {"n": name}).first()
            if not found:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    target = url.set(database=name)
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return target.render_as_string(hide_password=False)


def wait_until_answers(base_url: str, process: subprocess.Popen[bytes], timeout: float,
                       log: Path | None = None, poll_s: float = 0.2) -> None:
    """Wait (bounded) until the server at `base_url` answers its OpenAPI document.

    Raises AssertionError, with the tail of `log` when given, if `process` exits meanwhile
    or the server does not answer within `timeout` seconds.
    """
    def tail() -> str:
        return log.read_text()[-3000:] if log is not None and log.exists() else ""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited during start-up:\n{tail()}")
        try:
            if requests.get(f"{base_url}/api/v1/openapi.json", timeout=5).ok:
                return
        except requests.RequestException:  # not listening yet, or a worker still booting
            pass
        time.sleep(poll_s)
    raise AssertionError(f"server not up within {timeout} s:\n{tail()}")
