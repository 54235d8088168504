"""The server's own integrator: a daemon thread per process that logs new events and signs a
checkpoint at least every LOG_CHECKPOINT_SECONDS. Several processes may each run one: the
integrator lock lets one at a time work, and the others find nothing left to log."""
from __future__ import annotations

import threading
from typing import Any

from flask import Flask

from server.extensions import db
from server.transparency.log import integrate
from server.transparency.witness import push_to_witnesses

_started: set[int] = set()
_start_lock = threading.Lock()


def integrate_once(app: Flask) -> None:
    """One integration in its own transaction (errors logged, never raised: the next tick
    tries again; an inconsistent log stays unsigned and shows in `custody verify`)."""
    with app.app_context():
        try:
            outcome = integrate()
            db.session.commit()
            if outcome.signed:
                push_to_witnesses(outcome.checkpoint.id)
        except Exception:
            db.session.rollback()
            app.logger.exception("custody log integration failed")
        finally:
            db.session.remove()


def _loop(app: Flask, seconds: float, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        integrate_once(app)


def start_integrator(app: Flask) -> threading.Event | None:
    """Start this process's integrator thread once (None when disabled or already running)."""
    seconds = float(app.config.get("LOG_CHECKPOINT_SECONDS", 0) or 0)
    if seconds <= 0:
        return None
    with _start_lock:
        if id(app) in _started:
            return None
        _started.add(id(app))
    stop = threading.Event()
    threading.Thread(target=_loop, args=(app, seconds, stop), name="custody-log-integrator",
                     daemon=True).start()
    return stop


def register_integrator(app: Flask) -> None:
    """Start the integrator with the first request the process serves (never in a CLI
    command, which builds the app too)."""

    @app.before_request
    def _ensure_integrator() -> Any:
        if not app.config.get("TESTING"):
            start_integrator(app)
        return None
