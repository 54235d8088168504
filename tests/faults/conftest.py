"""Fixtures of the fault tests: a gunicorn server of their own, on databases of their own.

A database here is `<TEST_DATABASE_URL's database>_<suffix>` on PostgreSQL (created when
missing, emptied when found) or an SQLite file in a temporary folder, so these tests never
touch the database of the e2e server that may be running in the same session. Every wait
is bounded and every process started here is killed in a `finally`.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import PROJECT, _free_port
from tests.live import own_database, wait_until_answers

PAUSE_CONFIG = Path(__file__).with_name("gunicorn_pause.py")


def flask_command(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `flask --app wsgi ARGS` as an operator would, with `env`."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=PROJECT,
                          env=env, capture_output=True, text=True, timeout=timeout, check=False)


def child_pids(parent: int) -> set[int]:
    """The processes whose parent is `parent` (gunicorn's workers, for its master)."""
    children = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # Fields after the command (which may hold spaces) in parentheses: state, ppid, …
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            children.add(int(entry.name))
    return children


class FaultServer:
    """gunicorn with gthread workers (one unless told), its logs, and the pause switch of
    gunicorn_pause.py."""

    def __init__(self, tmp: Path, env: dict[str, str], port: int, workers: int = 1) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        self.env = env
        self.port = port
        self.worker_count = workers
        self.pause_dir = Path(env["TANTAY_FAULTS_PAUSE_DIR"])
        self.access_log = tmp / "access.log"
        self.error_log = tmp / "error.log"
        self.app_log = tmp / "app.log"  # the app's own logging goes to the process's stderr
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the master (which starts the workers) and wait until it answers."""
        with self.app_log.open("ab") as app_log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(PAUSE_CONFIG),
                 "--workers", str(self.worker_count), "--worker-class", "gthread",
                 "--threads", "4", "--bind", f"127.0.0.1:{self.port}",
                 "--graceful-timeout", "5", "--access-logfile", str(self.access_log),
                 "--error-logfile", str(self.error_log), "wsgi:app"],
                cwd=PROJECT, env=self.env, stdout=subprocess.DEVNULL, stderr=app_log)
        self.wait_until_up(60)

    def stop(self) -> None:
        """Stop the master and its workers; kill them if they do not go within 15 s."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = child_pids(self.process.pid)
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        for pid in workers:  # a worker that outlived its master
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def workers(self) -> set[int]:
        """The master's worker processes now."""
        assert self.process is not None
        return child_pids(self.process.pid)

    def wait_until_up(self, timeout: float) -> None:
        """Wait until the server answers a request (bounded)."""
        assert self.process is not None
        wait_until_answers(self.base_url, self.process, timeout, self.error_log, poll_s=0.1)

    def arm_pause(self, after_events: int) -> None:
        """Freeze the next sync request after its `after_events`-th event (see gunicorn_pause.py)."""
        (self.pause_dir / "paused").unlink(missing_ok=True)
        (self.pause_dir / "armed").write_text(str(after_events))

    def wait_until_paused(self, timeout: float) -> int:
        """Wait until a request froze; answer the pid of the worker running it."""
        paused = self.pause_dir / "paused"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if paused.exists() and paused.read_text().strip():
                return int(paused.read_text())
            time.sleep(0.02)
        raise AssertionError(f"no sync request paused within {timeout} s")

    def disarm(self) -> None:
        """Leave no pause behind for the next test."""
        for name in ("armed", "paused"):
            (self.pause_dir / name).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def fault_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultServer]:
    """One gthread worker on a migrated database with the demo's structure and staff."""
    tmp = tmp_path_factory.mktemp("faults")
    (tmp / "pause").mkdir()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": own_database(tmp, "faults"), "MEDIA_DIR": str(tmp / "media"),
           "SECRET_KEY": "faults-secret", "PASSWORD_HASH_FAST": "1",
           "BASE_URL": f"http://127.0.0.1:{port}", "LOGIN_RATE_LIMIT": "1000 per minute",
           "TANTAY_FAULTS_PAUSE_DIR": str(tmp / "pause")}
    server = FaultServer(tmp, env, port)
    for command in (("db", "upgrade"), ("seed-demo", "--citizens", "10")):
        done = flask_command(env, *command)
        assert done.returncode == 0, done.stderr
    try:
        server.start()
        yield server
    finally:
        server.stop()
