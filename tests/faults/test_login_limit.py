"""The login throttle counts the failures of every gunicorn worker as one.

A real gunicorn with two workers, as `make run` starts it. Each request is sent on a
keep-alive connection known to be served by a given worker (found through /proc: which
worker process holds the server end of the connection), so the failures are split between
the two workers for certain. With a counter in each process (Flask-Limiter's memory
storage), 19 failures passed a limit of 10; the count is now in the database they share.

The client's address is given in X-Forwarded-For (TRUSTED_PROXY_HOPS=1, as behind nginx),
so one test client can be an attacker's address and an office's.
"""
from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.seed import DEMO_USERS, OTHER_UNIT_USERS
from tests.e2e.conftest import _free_port
from tests.faults.conftest import FaultServer, flask_command
from tests.live import own_database

LOGIN = "/api/v1/auth/login"


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultServer]:
    """gunicorn with two workers on a database of its own, with the demo's staff."""
    tmp = tmp_path_factory.mktemp("login-limit")
    (tmp / "pause").mkdir()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": own_database(tmp, "loginlimit"),
           "MEDIA_DIR": str(tmp / "media"), "SECRET_KEY": "login-limit-secret",
           "PASSWORD_HASH_FAST": "1", "BASE_URL": f"http://127.0.0.1:{port}",
           "LOGIN_RATE_LIMIT": "10 per minute", "LOGIN_ADDRESS_RATE_LIMIT": "30 per minute",
           "RATELIMIT_STORAGE_URI": "memory://", "TRUSTED_PROXY_HOPS": "1",
           # Idle keep-alive connections stay open while a test switches between them.
           "GUNICORN_CMD_ARGS": "--keep-alive 60",
           "TANTAY_FAULTS_PAUSE_DIR": str(tmp / "pause")}
    server = FaultServer(tmp, env, port, workers=2)
    for command in (("db", "upgrade"), ("seed-demo", "--citizens", "1")):
        done = flask_command(env, *command)
        assert done.returncode == 0, done.stderr
    try:
        server.start()
        assert len(server.workers()) == 2
        yield server
    finally:
        server.stop()


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server end of the connection from `client_port` (/proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        remote_port = int(fields[2].split(":")[1], 16)
        if local_port == server_port and remote_port == client_port:
            return fields[9]
    return None


def _worker_holding(workers: set[int], inode: str) -> int | None:
    """The worker process with the socket `inode` among its open files."""
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue  # closed meanwhile
    return None


def _one_connection_per_worker(server: FaultServer) -> list[http.client.HTTPConnection]:
    """A served keep-alive connection on each worker (opening more until both took one)."""
    workers, found = server.workers(), {}
    spare = []
    for _ in range(80):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request("GET", "/healthz")
        connection.getresponse().read()  # served: the worker holds the connection now
        inode = _socket_inode(server.port, connection.sock.getsockname()[1])
        pid = _worker_holding(workers, inode) if inode else None
        if pid is not None and pid not in found:
            found[pid] = connection
        else:
            spare.append(connection)
        if len(found) == 2:
            break
    for connection in spare:
        connection.close()
    assert len(found) == 2, f"connections reached only workers {set(found)} of {workers}"
    return list(found.values())


def _login(connection: http.client.HTTPConnection, username: str, password: str,
           address: str) -> int:
    """A sign-in attempt from `address` on that connection; answer the status."""
    connection.request("POST", LOGIN, body=json.dumps({"username": username,
                                                       "password": password}),
                       headers={"Content-Type": "application/json",
                                "X-Forwarded-For": address})
    answer = connection.getresponse()
    answer.read()
    return answer.status


def test_the_login_limit_counts_the_failures_of_every_worker(two_workers: FaultServer) -> None:
    first, second = _one_connection_per_worker(two_workers)
    statuses = [_login((first, second)[attempt % 2], "clerk", f"guess {attempt}", "198.51.100.9")
                for attempt in range(19)]
    assert statuses == [401] * 10 + [429] * 9


def test_a_correct_password_passes_the_account_lock_on_either_worker(
        two_workers: FaultServer) -> None:
    first, second = _one_connection_per_worker(two_workers)
    for attempt in range(10):
        _login((first, second)[attempt % 2], "postman2", "guess", f"203.0.113.{attempt}")
    assert _login(first, "postman2", "guess", "203.0.113.50") == 429  # locked, on both
    assert _login(second, "postman2", "guess", "203.0.113.51") == 429
    assert _login(second, "postman2", "tantay-demo", "10.60.0.1") == 200
    assert _login(first, "postman2", "tantay-demo", "10.60.0.2") == 200


def test_an_office_address_is_not_locked_out_by_one_account(two_workers: FaultServer) -> None:
    first, second = _one_connection_per_worker(two_workers)
    office = "10.70.0.1"
    for attempt in range(10):
        assert _login((first, second)[attempt % 2], "clerk_pl", "typo", office) == 401
    assert _login(first, "clerk_pl", "typo", office) == 429
    assert _login(second, "clerk_pl", "typo", office) == 429
    assert _login(first, "postman_pl", "tantay-demo", office) == 200
    assert _login(second, "postman_pl", "tantay-demo", office) == 200


def test_every_demo_login_signs_in_on_the_make_run_layout(two_workers: FaultServer) -> None:
    """`make run`'s steps (db upgrade, seed-demo, gunicorn with 2 workers): the demo's
    password passes the password policy, so every demo login works."""
    connection = http.client.HTTPConnection("127.0.0.1", two_workers.port, timeout=30)
    for index, (username, _role, _unit) in enumerate(DEMO_USERS + OTHER_UNIT_USERS):
        assert _login(connection, username, "tantay-demo", f"10.80.0.{index}") == 200, username


def test_create_user_from_the_command_line_obeys_the_policy(two_workers: FaultServer) -> None:
    weak = flask_command(two_workers.env, "create-user", "kiemtra_pl", "supervisor", "BC-PHULY",
                         "--password", "kiemtra_pl2026")
    assert weak.returncode != 0 and "tên đăng nhập" in weak.stderr, weak.stderr
    made = flask_command(two_workers.env, "create-user", "kiemtra_pl", "supervisor", "BC-PHULY",
                         "--password", "sông Đáy mùa nước")
    assert made.returncode == 0, made.stderr
    connection = http.client.HTTPConnection("127.0.0.1", two_workers.port, timeout=30)
    assert _login(connection, "kiemtra_pl", "sông Đáy mùa nước", "10.90.0.1") == 200
