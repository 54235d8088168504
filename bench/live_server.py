"""gunicorn started by a bench script: start it, wait until it answers, stop it.

Shared by bench/load.py and bench/pwa_budget.py; the free port and the wait come from
tests/live.py, as for the e2e and fault servers. Every wait is bounded; `stop()` ends only
the process this helper started, forcefully if it lingers.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from tests.live import free_port, wait_until_answers  # noqa: E402

__all__ = ["Gunicorn", "free_port"]


class Gunicorn:
    """gunicorn (gthread workers) serving `app_module` (`wsgi:app`) with `env` on 127.0.0.1:`port`."""

    def __init__(self, env: dict[str, str], port: int, log: Path, *, workers: int = 2,
                 threads: int = 4, extra_args: tuple[str, ...] = (),
                 start_timeout_s: float = 60, app_module: str = "wsgi:app") -> None:
        self.env, self.port, self.log = env, port, log
        self.workers, self.threads, self.extra_args = workers, threads, extra_args
        self.start_timeout_s = start_timeout_s
        self.app_module = app_module
        self.base_url = f"http://127.0.0.1:{port}"
        self._process: subprocess.Popen[bytes] | None = None

    def flask(self, *command: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run a `flask --app wsgi` command on the same database."""
        return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command],
                              cwd=PROJECT, env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)

    def start(self) -> None:
        """Start gunicorn and wait until it answers."""
        with open(self.log, "w") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                 "--worker-class", "gthread", "--threads", str(self.threads), *self.extra_args,
                 "--bind", f"127.0.0.1:{self.port}", self.app_module],
                cwd=PROJECT, env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_until_answers(self.base_url, self._process, self.start_timeout_s, self.log)
        except AssertionError as failure:
            self.stop()
            raise RuntimeError(str(failure)) from None

    def stop(self) -> None:
        """Stop the gunicorn this helper started, forcefully if it lingers."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)
