"""Public tracking at a fixed rate: `GET /api/v1/track/<tn>` against a bare Flask endpoint.

gunicorn (`--workers` gthread workers × `--threads`) serves bench/parse_only_app.py — the real
app plus `GET /bench/hello`, a bare Flask JSON endpoint — on a fresh SQLite database (or, with
`--engine postgresql`, on the scratch PostgreSQL database of `--postgres URL`), seeded with
the demo's structure and `--items` results, each with a realistic history (received at the
post, out for delivery, failed attempt, out for delivery again).

An open-loop client sends `--rate` requests per second (200 by default) for `--seconds`
(20 by default), first to `/bench/hello` (the baseline), then to the tracking of random
seeded numbers. Send times are scheduled in advance; each request's latency is measured from
its scheduled time, not from when a free thread picked it up, so a server that falls behind
shows its queueing (no coordinated omission). The tracking rate limit is raised for the run.
It stops by itself within about a minute (`--quick`: 5 s per phase); it asserts nothing.

    .venv/bin/python bench/tracking_bench.py [--quick] [--rate 200] [--seconds 20]
"""
from __future__ import annotations

import argparse
import queue
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench.common import (  # noqa: E402
    app_context,
    complete_args,
    engine_label,
    percentile,
    postgres_reachable,
    postgres_url,
    reset_postgres,
    server_env,
)
from bench.live_server import Gunicorn, free_port  # noqa: E402
from bench.table import note_row, print_rows, row  # noqa: E402

BENCHMARK = "public tracking"
TARGET_RATIO = 3.0
REQUEST_TIMEOUT_S = 10
#: Threads that send; enough that 200 req/s never waits for a free sender unless the server
#: itself is slow (and then the wait is counted, from the scheduled time).
SENDERS = 48


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s per phase")
    parser.add_argument("--rate", type=float, default=200, help="requests per second")
    parser.add_argument("--seconds", type=float, default=20, help="duration of each phase")
    parser.add_argument("--items", type=int, default=300, help="seeded results")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn gthread workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default=None, help="scratch PostgreSQL database URL")
    return parser


def seed(env: dict[str, str], count: int) -> list[str]:
    """The demo's structure and `count` results with four events each; their numbers."""
    from demo.seed import seed_structure
    from server.custody.events import append_event
    from server.domain.lifecycle import EventType
    from server.extensions import db
    from server.items.schemas import ItemCreate
    from server.items.service import create_item
    from server.models import Role

    numbers = []
    with app_context(env):
        world = seed_structure("bench-password")
        clerks = [u for u in world.users.values() if u.role == Role.clerk]
        postmen = {u.unit_id: u for u in world.users.values() if u.role == Role.postman}
        for index in range(count):
            clerk = clerks[index % len(clerks)]
            body = ItemCreate.model_validate({
                "kind": "result", "procedure_code": "CA-CCCD-DOI",
                "citizen": {"name": f"Công dân tra cứu {index}", "phone": f"091{index:07d}",
                            "address": {"province": "Ninh Bình", "commune": clerk.unit.commune,
                                        "line": f"Số {index} đường tra cứu"}},
                "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}],
                "fees": {"postage_vnd": 26000}})
            item = create_item(clerk, body)
            postman = postmen.get(clerk.unit_id, clerk)
            for event_type in (EventType.out_for_delivery, EventType.attempt_failed,
                               EventType.out_for_delivery):
                evidence = ({"reason": "absent", "action": "notice_left"}
                            if event_type is EventType.attempt_failed else {})
                append_event(item, event_type, postman, evidence=evidence)
            numbers.append(item.tracking_number)
        db.session.commit()
    return numbers


@dataclass
class Phase:
    """Latencies from the scheduled send time, and what went wrong."""

    latencies_s: list[float]
    errors: list[str]
    sent: int
    elapsed_s: float


def open_loop(base_url: str, paths: list[str], rate: float, seconds: float) -> Phase:
    """Send `rate` requests/s for `seconds`, on a fixed schedule, from a pool of senders."""
    total = int(rate * seconds)
    schedule: queue.Queue[tuple[float, str] | None] = queue.Queue()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def sender() -> None:
        with requests.Session() as session:
            while (job := schedule.get()) is not None:
                due, path = job
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                try:
                    response = session.get(base_url + path, timeout=REQUEST_TIMEOUT_S)
                    error = None if response.status_code == 200 else f"{response.status_code} {response.text[:120]}"
                except requests.RequestException as failure:
                    error = f"{type(failure).__name__}"
                done = time.perf_counter()
                with lock:
                    latencies.append(done - due)
                    if error:
                        errors.append(error)

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    start = time.perf_counter() + 0.2
    for index in range(total):
        schedule.put((start + index / rate, paths[index % len(paths)]))
    for _ in threads:
        schedule.put(None)
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT_S * 4 + 5)
    return Phase(latencies, errors, total, time.perf_counter() - start)


def _report(label: str, phase: Phase) -> None:
    print(f"  {label}: {phase.sent} requests in {phase.elapsed_s:.1f} s, "
          f"p50 {percentile(phase.latencies_s, .5) * 1000:.1f} ms, "
          f"p99 {percentile(phase.latencies_s, .99) * 1000:.1f} ms, {len(phase.errors)} errors"
          + (f" {sorted(set(phase.errors))[:3]}" if phase.errors else ""), file=sys.stderr, flush=True)


def measure(args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """The rows of this benchmark (see the module docstring)."""
    args = complete_args(build_parser(), args)
    if args.quick:
        args.seconds = min(args.seconds, 5)
    with tempfile.TemporaryDirectory(prefix="tracking-bench-") as scratch:
        folder = Path(scratch)
        if args.engine == "postgresql":
            url = postgres_url(args)
            problem = postgres_reachable(url)
            if problem:
                return [note_row(BENCHMARK, "PostgreSQL", problem)]
            database_url = reset_postgres(url)
        else:
            database_url = f"sqlite:///{folder / 'bench.sqlite3'}"
        label = engine_label(database_url)
        env = server_env(database_url, folder)
        server = Gunicorn(env, free_port(), folder / "gunicorn.log", workers=args.workers,
                          threads=args.threads, app_module="bench.parse_only_app:app")
        done = server.flask("db", "upgrade", timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"flask db upgrade failed:\n{done.stderr[-2000:]}")
        print(f"[tracking] {label}: seeding {args.items} results …", file=sys.stderr, flush=True)
        numbers = seed(env, args.items)
        rng = random.Random(2026)
        paths = [f"/api/v1/track/{rng.choice(numbers)}" for _ in range(1000)]
        server.start()
        try:
            open_loop(server.base_url, paths[:50], 50, 1)  # warm every worker's connections
            baseline = open_loop(server.base_url, ["/bench/hello"], args.rate, args.seconds)
            _report("bare Flask JSON", baseline)
            tracking = open_loop(server.base_url, paths, args.rate, args.seconds)
            _report("tracking", tracking)
        finally:
            server.stop()
    shape = f"{args.rate:g} req/s for {args.seconds:g} s, {label}, {args.workers}×{args.threads} gthread"
    base_p99 = percentile(baseline.latencies_s, 0.99) * 1000
    p99 = percentile(tracking.latencies_s, 0.99) * 1000
    ratio_ok = p99 / base_p99 <= TARGET_RATIO if base_p99 else None
    errors = len(tracking.errors)
    return [
        row(BENCHMARK, f"p50, {shape}", percentile(tracking.latencies_s, 0.5) * 1000, "ms",
            baseline="bare Flask JSON endpoint p50, same gunicorn",
            baseline_value=percentile(baseline.latencies_s, 0.5) * 1000),
        row(BENCHMARK, f"p99, {shape}", p99, "ms",
            baseline="bare Flask JSON endpoint p99, same gunicorn", baseline_value=base_p99,
            target=f"p99 ≤ {TARGET_RATIO:g}× baseline p99", meets_target=ratio_ok),
        row(BENCHMARK, f"errors (non-200 or timeout), {label}", float(errors), "requests",
            baseline="bare Flask JSON endpoint errors", baseline_value=float(len(baseline.errors)),
            target="0", meets_target=errors == 0),
    ]


if __name__ == "__main__":
    print_rows(measure(build_parser().parse_args()))
