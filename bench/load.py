"""Load on loopback: postmen syncing, supervisors reading reports, citizens polling tracking.

A real server (gunicorn, gthread) on a seeded SQLite database in a temporary folder, or on
PostgreSQL with `--postgres URL` (a SCRATCH database: its `public` schema is dropped and
rebuilt). Before the run, `--postmen` postman accounts are added (200 by default, spread over
the demo's post offices), each signed in as the field app is (session cookie and CSRF
token) with a few results of its office to work on.

During `--seconds` (30 by default), on threads of this process:

- each postman sends `POST /api/v1/sync` batches (out for delivery, then a failed attempt
  with a notice left, per item, with a position), then waits 0.5-2 s, like a phone draining
  its outbox between doors;
- `--supervisors` supervisors read `GET /api/v1/reports/summary` and the dashboard;
- `--citizens` citizens poll `GET /api/v1/track/<tn>`.

It prints, per kind, the requests, throughput, p50 and p99 latency and the errors (there
must be none: the run's rate limits are raised so that only the server's own limits show),
then runs `flask custody verify` on the database and prints its result. It asserts nothing
and is never part of `make test`.

    .venv/bin/python bench/load.py [--seconds 30] [--postmen 200] [--postgres URL]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.common import percentile, reset_postgres  # noqa: E402
from bench.live_server import Gunicorn, free_port  # noqa: E402

START_TIMEOUT_S = 60
REQUEST_TIMEOUT_S = 60
ITEMS_PER_POSTMAN = 2
KEEP_ALIVE_S = 10
#: A doorstep in Ninh Bình, near the demo's central post office.
DOORSTEP = {"lat": 20.2602, "lon": 105.9801, "accuracy_m": 15}


@dataclass
class Workload:
    """What the postmen work on: a sign-in each and the numbers of their items."""

    #: ((username, password), the postman's items)
    postmen: list[tuple[tuple[str, str], list[str]]]
    #: (username, password) of the supervisors and admins watching
    supervisors: list[tuple[str, str]]
    numbers: list[str]


def prepare_workload(env: dict[str, str], postmen: int, supervisors: int) -> Workload:
    """Add the postmen (with items of their office); the watchers are the demo's auditors.

    Runs in this process against the same database, through the app's own services.
    """
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from sqlalchemy import select

        from demo.seed import demo_password
        from server import create_app
        from server.accounts.service import create_user
        from server.extensions import db
        from server.items.schemas import ItemCreate
        from server.items.service import create_item
        from server.models import Role, Unit, UnitKind, User

        app = create_app()
        with app.app_context():
            offices = list(db.session.execute(select(Unit).where(
                Unit.kind == UnitKind.post_office).order_by(Unit.code)).scalars())
            clerks = {unit.id: db.session.execute(select(User).where(
                User.unit_id == unit.id, User.role == Role.clerk)).scalars().first()
                for unit in offices}
            offices = [unit for unit in offices if clerks[unit.id] is not None]
            logins_and_items: list[tuple[tuple[str, str], list[str]]] = []
            numbers: list[str] = []
            for index in range(postmen):
                office = offices[index % len(offices)]
                user = create_user(f"bench_postman_{index:03d}", "bench-password", "postman",
                                   office.id)
                mine = []
                for copy in range(ITEMS_PER_POSTMAN):
                    body = ItemCreate.model_validate({
                        "kind": "result", "procedure_code": "CA-CCCD-DOI",
                        "citizen": {"name": f"Công dân thử tải {index}-{copy}",
                                    "phone": f"09{index:04d}{copy:04d}",
                                    "address": {"province": "Ninh Bình", "commune": office.commune,
                                                "line": f"Số {index} đường thử tải",
                                                "lat": DOORSTEP["lat"], "lon": DOORSTEP["lon"]}},
                        "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}],
                        "fees": {"postage_vnd": 26000}})
                    mine.append(create_item(clerks[office.id], body).tracking_number)
                logins_and_items.append(((user.username, "bench-password"), mine))
                numbers += mine
            watchers = [(user.username, demo_password()) for user in db.session.execute(
                select(User).where(User.role.in_([Role.supervisor, Role.admin]))).scalars()]
            db.session.commit()
        return Workload(logins_and_items, (watchers * supervisors)[:supervisors], numbers)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass
class Tally:
    """Latencies and errors per kind of request, filled by every thread."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    events: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, started: float, error: str | None) -> None:
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            if error is not None:
                self.errors[kind].append(error)


def _request(tally: Tally, kind: str, session: requests.Session, method: str, url: str,
             **options: Any) -> requests.Response | None:
    """One timed request; a transport error or a status of 400 or more is an error."""
    started = time.perf_counter()
    try:
        response = session.request(method, url, timeout=REQUEST_TIMEOUT_S, **options)
    except requests.RequestException as failure:
        tally.record(kind, started, f"{type(failure).__name__}: {failure}"[:200])
        return None
    tally.record(kind, started, None if response.status_code < 400
                 else f"{response.status_code} {response.text[:160]}")
    return response


def _event(number: str, event_type: str, **fields: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": event_type, "tracking_number": number,
            "occurred_at": datetime.now(UTC).isoformat(), "position": DOORSTEP, **fields}


def signed_in(base: str, login: tuple[str, str]) -> requests.Session:
    """A session signed in as the field app does: the cookie, and the CSRF token to send."""
    session = requests.Session()
    username, password = login
    answer = session.post(f"{base}/api/v1/auth/login",
                          json={"username": username, "password": password}, timeout=60)
    answer.raise_for_status()
    session.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return session


def postman(base: str, login: tuple[str, str], numbers: list[str], deadline: float,
            tally: Tally, rng: random.Random) -> None:
    """Drain the outbox between doors: each item out for delivery, then a notice left."""
    with signed_in(base, login) as session:
        time.sleep(rng.uniform(0, 2))  # not everyone at the same instant
        while time.monotonic() < deadline:
            events = []
            for number in numbers:
                events += [_event(number, "out_for_delivery"),
                           _event(number, "attempt_failed", reason="absent", action="notice_left")]
            response = _request(tally, "sync", session, "POST", f"{base}/api/v1/sync",
                                json={"events": events, "sent_at": datetime.now(UTC).isoformat()})
            if response is not None and response.ok:
                for result in response.json()["results"]:
                    with tally.lock:
                        tally.events[result["status"]] += 1
                    if result["status"] == "rejected":
                        tally.record("sync event", time.perf_counter(),
                                     f"rejected {result['error']['code']}")
            time.sleep(rng.uniform(0.5, 2.0))


def supervisor(base: str, login: tuple[str, str], deadline: float, tally: Tally,
               rng: random.Random) -> None:
    """Read the month's summary and the dashboard, now and then."""
    with signed_in(base, login) as session:
        while time.monotonic() < deadline:
            _request(tally, "report", session, "GET", f"{base}/api/v1/reports/summary",
                     params={"period": "month"})
            _request(tally, "dashboard", session, "GET", f"{base}/api/v1/dashboard")
            time.sleep(rng.uniform(0.5, 1.5))


def citizen(base: str, numbers: list[str], deadline: float, tally: Tally,
            rng: random.Random) -> None:
    """Poll the public tracking of one's item."""
    with requests.Session() as session:
        while time.monotonic() < deadline:
            _request(tally, "track", session, "GET", f"{base}/api/v1/track/{rng.choice(numbers)}")
            time.sleep(rng.uniform(0.1, 0.5))


def run_load(base: str, workload: Workload, seconds: float, citizens: int,
             seed: int) -> tuple[Tally, float]:
    """Every simulated person on a thread of their own until the deadline."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=postman, args=(base, login, numbers, deadline, tally,
                                                      random.Random(seed + index)))
               for index, (login, numbers) in enumerate(workload.postmen)]
    threads += [threading.Thread(target=supervisor, args=(base, login, deadline, tally,
                                                          random.Random(seed - index - 1)))
                for index, login in enumerate(workload.supervisors)]
    threads += [threading.Thread(target=citizen, args=(base, workload.numbers, deadline, tally,
                                                       random.Random(seed * 7 + index)))
                for index in range(citizens)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def report(tally: Tally, elapsed: float) -> dict[str, Any]:
    """Figures per kind of request."""
    kinds = {}
    for kind, values in sorted(tally.latencies.items()):
        if kind == "sync event":
            continue
        kinds[kind] = {"requests": len(values), "per_s": round(len(values) / elapsed, 1),
                       "p50_ms": round(percentile(values, 0.50) * 1000, 1),
                       "p99_ms": round(percentile(values, 0.99) * 1000, 1),
                       "errors": len(tally.errors.get(kind, []))}
    errors = {kind: sorted(set(messages))[:5] for kind, messages in tally.errors.items()}
    return {"elapsed_s": round(elapsed, 1), "kinds": kinds, "events": dict(tally.events),
            "events_per_s": round(tally.events.get("accepted", 0) / elapsed, 1),
            "errors": sum(len(m) for m in tally.errors.values()), "error_samples": errors}


def main() -> None:
    """Set up, load, report, verify."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--postmen", type=int, default=200)
    parser.add_argument("--supervisors", type=int, default=5)
    parser.add_argument("--citizens", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--citizens-seeded", type=int, default=100,
                        help="synthetic citizens of `seed-demo` (history in the reports)")
    parser.add_argument("--postgres", metavar="URL",
                        help="a SCRATCH PostgreSQL database (its public schema is dropped)")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tantay-load-") as folder_name:
        folder = Path(folder_name)
        if options.postgres:
            reset_postgres(options.postgres)
            database = options.postgres
        else:
            database = f"sqlite:///{folder / 'load.sqlite3'}"
        port = free_port()
        env = {**os.environ, "DATABASE_URL": database, "MEDIA_DIR": str(folder / "media"),
               "SECRET_KEY": "bench-secret", "PASSWORD_HASH_FAST": "1",
               "BASE_URL": f"http://127.0.0.1:{port}", "LOGIN_RATE_LIMIT": "100000 per minute",
               "TRACKING_RATE_LIMIT": "1000000 per minute"}
        server = Gunicorn(env, port, folder / "gunicorn.log", workers=options.workers,
                          threads=options.threads, start_timeout_s=START_TIMEOUT_S,
                          # Longer than any think time: a client never reuses a connection at
                          # the instant the server closes it (a reset that is the bench's, not
                          # the app's).
                          extra_args=("--keep-alive", str(KEEP_ALIVE_S)))
        engine = "PostgreSQL" if options.postgres else "SQLite"
        print(f"== TậnTay load: {engine}, gunicorn {options.workers}×{options.threads} threads, "
              f"{options.postmen} postmen, {options.supervisors} supervisors, "
              f"{options.citizens} citizens, {options.seconds:.0f} s ==")
        seeding = ("seed-demo", "--citizens", str(options.citizens_seeded))
        for command in (("db", "upgrade"), seeding):
            done = server.flask(*command)
            if done.returncode != 0:
                raise SystemExit(f"flask {' '.join(command)} failed:\n{done.stderr[-2000:]}")
        started = time.monotonic()
        workload = prepare_workload(env, options.postmen, options.supervisors)
        print(f"set-up: {options.postmen} postmen, {len(workload.numbers)} items in "
              f"{time.monotonic() - started:.1f} s")
        server.start()
        try:
            tally, elapsed = run_load(server.base_url, workload, options.seconds,
                                      options.citizens, options.seed)
        finally:
            server.stop()
        figures = report(tally, elapsed)
        print(f"\n{'kind':<10} {'requests':>9} {'per s':>8} {'p50 ms':>9} {'p99 ms':>9} "
              f"{'errors':>7}")
        for kind, row in figures["kinds"].items():
            print(f"{kind:<10} {row['requests']:>9} {row['per_s']:>8} {row['p50_ms']:>9} "
                  f"{row['p99_ms']:>9} {row['errors']:>7}")
        print(f"\nevents: {figures['events']} ({figures['events_per_s']} accepted per s)")
        print(f"errors: {figures['errors']}" + ("" if not figures["errors"] else
                                                 "\n" + json.dumps(figures["error_samples"],
                                                                   ensure_ascii=False, indent=1)))
        verify = server.flask("custody", "verify")
        print(f"\ncustody verify (exit {verify.returncode}): {verify.stdout.strip()}")


if __name__ == "__main__":
    main()
