"""gunicorn settings for the fault tests: a sync request can be frozen half-way, on demand.

Loaded with `gunicorn -c tests/faults/gunicorn_pause.py` by the fault server only; nothing
of it is in the app. When the test writes a number N into `<TANTAY_FAULTS_PAUSE_DIR>/armed`,
the next sync request, after recording its N-th event (flushed, not committed), writes its
worker's pid into `paused` and sleeps, so the test can SIGKILL that worker at a known point
in the middle of a batch. Unarmed, requests run as usual.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

#: How long a paused request sleeps if nobody kills it (the test's own timeouts are shorter).
PAUSE_S = 60


def post_worker_init(worker: Any) -> None:
    """Wrap the sync service's per-event step in this worker (the app is loaded by now)."""
    pause_dir = os.environ.get("TANTAY_FAULTS_PAUSE_DIR")
    if not pause_dir:
        return
    from flask import g

    import server.custody.sync as sync

    armed, paused = Path(pause_dir) / "armed", Path(pause_dir) / "paused"
    apply_event = sync._apply

    def apply_then_pause_when_armed(*args: Any, **kwargs: Any) -> Any:
        answer = apply_event(*args, **kwargs)
        g.fault_events_applied = g.get("fault_events_applied", 0) + 1
        if armed.exists() and g.fault_events_applied == int(armed.read_text()):
            armed.unlink()
            paused.write_text(str(os.getpid()))
            time.sleep(PAUSE_S)
        return answer

    sync._apply = apply_then_pause_when_armed
