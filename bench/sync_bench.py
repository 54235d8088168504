"""Sync ingest: postmen's outboxes landing on `POST /api/v1/sync`, on SQLite and PostgreSQL.

For each database (a fresh SQLite file in a temporary folder; the scratch PostgreSQL database
of `--postgres URL` / `BENCH_POSTGRES_URL`, whose `public` schema is rebuilt), the demo's
units and staff are seeded, then `--clients` postmen, each signed in (session cookie and CSRF token), 24 results of
its round and a pool of results to deliver. Every batch a postman sends has 50 realistic
events: its 24 round results out for delivery then a failed attempt with a notice left, and
one result out for delivery then delivered to the citizen (recipient, signature and photo
hashes of uploaded images), all with a GPS fix at the doorstep.

The batches are built before the clock starts, then `--clients` threads post them (closed
loop) to gunicorn in the shape `make run` ships: on SQLite `--sqlite-workers` ×
`--sqlite-threads` gthread, 1 × 8 by default (one process: SQLite has one writer at a time);
on PostgreSQL `--workers` × `--threads`, 2 × 4 — for `--batches` batches each or `--seconds`,
whichever ends first. Measured in the same run:

- events/s accepted and p50/p99 per batch of the real endpoint;
- the server's memory: its processes' resident set after the parse-only run, and their peak
  (VmHWM) after the sync run;
- the server's CPU time per batch (user + system, /proc), sync and parse-only: on a machine
  shared with other work, throughput follows the load but CPU per batch hardly does;
- the ratio of sync's events/s to the parse-only endpoint's (target ≥ 0.25 on SQLite);
- baseline (a): the same rows inserted into `custody_events` of the same database with a raw
  batched `executemany`, 50 rows per transaction, on one connection;
- baseline (b): the same batches posted to the same gunicorn's `/bench/parse-only`, which
  parses and validates them like sync and writes nothing (bench/parse_only_app.py);
- PostgreSQL: 1 application process against `--workers` processes on the same database
  (per-item chains must not serialise unrelated writers).

The seeded history is logged (`flask custody checkpoint`) before the clock starts, so with
the custody log's integrator on (`LOG_CHECKPOINT_SECONDS` > 0, as `make run` has it: 10) a
run measures the steady state; `LOG_CHECKPOINT_SECONDS=0` turns the integrator off for the
comparison. Afterwards `flask custody verify` runs on each database (printed, not a row). With
`--profile`, the sync path is instead profiled in-process with pyinstrument on SQLite and the
text written to `--profile-file` (bench/profiles/sync.txt). It stops by itself: about 2-3 minutes by default on a
2-core machine, well under one with `--quick`. It asserts nothing.

    .venv/bin/python bench/sync_bench.py [--quick] [--clients 8] [--workers 2 --threads 4]
        [--postgres URL] [--no-sqlite | --no-postgres] [--profile [--profile-file PATH]]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
    make_app,
    percentile,
    postgres_reachable,
    postgres_url,
    reset_postgres,
    server_env,
)
from bench.live_server import Gunicorn, free_port  # noqa: E402
from bench.table import note_row, print_rows, row  # noqa: E402

BENCHMARK = "sync ingest"
TARGET_EVENTS_S = 5000
#: Sync's events/s over the parse-only endpoint's, same gunicorn, same run (issue #14).
TARGET_RATIO = 0.25
EVENTS_PER_BATCH = 50
ROUND_ITEMS = 24  # each: out for delivery + attempt failed = 48 events, + 1 delivery (2)
REQUEST_TIMEOUT_S = 120
#: The password of the bench's staff (it passes the password policy).
BENCH_PASSWORD = "bench-password"
EVENT_SPACING = timedelta(microseconds=100)
#: A doorstep in Ninh Bình: the seeded citizens live here, ~900 m from the central office.
DOORSTEP = {"lat": 20.2602, "lon": 105.9801, "accuracy_m": 12.0}
RECIPIENT = {"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd", "id_last4": "7890"}
PROFILE_PATH = PROJECT / "bench" / "profiles" / "sync.txt"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (4 clients × 8 batches)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent postmen (threads)")
    parser.add_argument("--batches", type=int, default=40, help="batches per client and run")
    parser.add_argument("--seconds", type=float, default=40, help="time cap per run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn gthread workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    # SQLite has one writer at a time: between processes the hand-over goes through its busy
    # handler's sleeps (p99 of seconds), within one process through a lock (server/extensions.py).
    parser.add_argument("--sqlite-workers", type=int, default=1, help="gunicorn workers on SQLite")
    parser.add_argument("--sqlite-threads", type=int, default=8, help="threads per worker on SQLite")
    parser.add_argument("--postgres", default=None, help="scratch PostgreSQL database URL")
    parser.add_argument("--no-sqlite", dest="sqlite", action="store_false")
    parser.add_argument("--no-postgres", dest="postgres_leg", action="store_false")
    parser.add_argument("--profile", action="store_true",
                        help="profile the sync path in-process (SQLite) instead")
    parser.add_argument("--profile-file", type=Path, default=PROFILE_PATH,
                        help="where --profile writes its text")
    return parser


# --- the workload -------------------------------------------------------------------------

@dataclass
class Postman:
    """One client: its username, its round, the results it will deliver, its images."""

    username: str
    user_id: int
    unit_id: int
    round_: list[str]
    to_deliver: list[str]
    images: list[tuple[str, str]]  # (signature, photo) per delivery, uploaded beforehand
    item_ids: dict[str, int] = field(default_factory=dict)


def _fake_sha256(*parts: Any) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _stored_image(env: dict[str, str], *parts: Any) -> str:
    """A small file in the media folder, as an upload leaves it; answer its SHA-256."""
    from server.media.service import media_path

    body = "|".join(map(str, ("bench image", *parts))).encode()
    sha256 = hashlib.sha256(body).hexdigest()
    path = media_path(env["MEDIA_DIR"], sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return sha256


def seed(env: dict[str, str], clients: int, deliveries: int) -> list[Postman]:
    """Demo structure, then per client a postman (password BENCH_PASSWORD), results, images."""
    from sqlalchemy import insert, select, update

    from demo.seed import seed_structure
    from server.accounts.service import create_user
    from server.extensions import db
    from server.items.schemas import ItemCreate
    from server.items.service import create_item
    from server.models import Item, Media, Role, User

    postmen: list[Postman] = []
    with app_context(env):
        world = seed_structure(BENCH_PASSWORD)
        clerks = [user for user in world.users.values() if user.role == Role.clerk]
        media_rows = []
        for index in range(clients):
            clerk = clerks[index % len(clerks)]
            office = clerk.unit
            numbers = []
            for copy in range(ROUND_ITEMS + deliveries):
                body = ItemCreate.model_validate({
                    "kind": "result", "procedure_code": "CA-CCCD-DOI",
                    "citizen": {"name": f"Công dân thử tải {index}-{copy}",
                                "phone": f"09{index:03d}{copy:05d}",
                                "address": {"province": "Ninh Bình", "commune": office.commune,
                                            "line": f"Số {copy} đường thử tải",
                                            "lat": DOORSTEP["lat"], "lon": DOORSTEP["lon"]}},
                    "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}],
                    "fees": {"postage_vnd": 26000}})
                item = create_item(clerk, body)
                numbers.append(item.tracking_number)
            # The postman works at the office that delivers these results (the clerk's
            # office places a result at the office serving the citizen's commune).
            user: User = create_user(f"bench_postman_{index:03d}", BENCH_PASSWORD, "postman",
                                     item.post_office_unit_id)
            # In his hands, as the morning's signed handover leaves them: events by someone
            # who does not hold the item would each raise a `not_holder` flag.
            db.session.execute(update(Item).where(Item.tracking_number.in_(numbers))
                               .values(holder_user_id=user.id, holder_unit_id=user.unit_id))
            images = [(_stored_image(env, "signature", index, n), _stored_image(env, "photo", index, n))
                      for n in range(deliveries)]
            media_rows += [{"sha256": sha, "content_type": "image/png", "size_bytes": 20_000,
                            "uploaded_by_id": user.id} for pair in images for sha in pair]
            postmen.append(Postman(user.username, user.id, user.unit_id,
                                   numbers[:ROUND_ITEMS], numbers[ROUND_ITEMS:], images))
        if media_rows:
            db.session.execute(insert(Media), media_rows)
        ids = dict(db.session.execute(select(Item.tracking_number, Item.id)).tuples().all())
        for postman in postmen:
            postman.item_ids = {n: ids[n] for n in postman.round_ + postman.to_deliver}
        db.session.commit()
    return postmen


def _event(number: str, event_type: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": event_type, "tracking_number": number,
            "occurred_at": at.isoformat(), "position": DOORSTEP, **fields}


def build_batches(postman: Postman, count: int, first_delivery: int) -> list[list[dict[str, Any]]]:
    """`count` batches of 50 events for one postman, each a step of a realistic round."""
    batches = []
    # Built just before its run and dated from now on, a tenth of a millisecond apart: each
    # run's events come after the last run's, as a postman's day goes (an event dated before
    # the postman's last stored fix makes the speed check ask the database: an old outbox).
    clock = datetime.now(UTC)
    for number in range(count):
        events = []
        for tn in postman.round_:
            events.append(_event(tn, "out_for_delivery", clock))
            clock += EVENT_SPACING
            events.append(_event(tn, "attempt_failed", clock, reason="absent", action="notice_left"))
            clock += EVENT_SPACING
        slot = first_delivery + number
        tn = postman.to_deliver[slot]
        signature, photo = postman.images[slot]
        events.append(_event(tn, "out_for_delivery", clock))
        clock += EVENT_SPACING
        events.append(_event(tn, "delivered", clock, recipient=RECIPIENT,
                             signature_sha256=signature, photo_sha256=photo,
                             cash_collected_vnd=0))
        clock += EVENT_SPACING
        batches.append(events)
    return batches


# --- the clients --------------------------------------------------------------------------

@dataclass
class RunResult:
    """What one timed run measured."""

    elapsed_s: float
    latencies_s: list[float]
    statuses: dict[str, int]
    errors: list[str]

    @property
    def events_per_s(self) -> float:
        return self.statuses.get("accepted", 0) / self.elapsed_s if self.elapsed_s else 0.0


def post_batches(base_url: str, path: str, work: list[tuple[str, list[bytes]]],
                 seconds: float) -> RunResult:
    """One thread per client posts its pre-serialised batches in turn until done or the cap."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(len(work) + 1)
    deadline_box: list[float] = []

    def client(username: str, bodies: list[bytes]) -> None:
        with requests.Session() as session:
            signed = session.post(base_url + "/api/v1/auth/login", timeout=REQUEST_TIMEOUT_S,
                                  json={"username": username, "password": BENCH_PASSWORD})
            signed.raise_for_status()
            session.headers.update({"X-CSRF-Token": signed.json()["csrf_token"],
                                    "Content-Type": "application/json"})
            start_line.wait()
            for body in bodies:
                if time.monotonic() > deadline_box[0]:
                    return
                began = time.perf_counter()
                try:
                    response = session.post(base_url + path, data=body, timeout=REQUEST_TIMEOUT_S)
                except requests.RequestException as failure:
                    with lock:
                        errors.append(f"{type(failure).__name__}: {failure}"[:200])
                    continue
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {response.text[:200]}")
                        continue
                    for result in response.json()["results"]:
                        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
                        if result["status"] == "rejected" and len(errors) < 20:
                            errors.append(f"rejected {result['error']['code']}")

    threads = [threading.Thread(target=client, args=item, daemon=True) for item in work]
    for thread in threads:
        thread.start()
    deadline_box.append(time.monotonic() + seconds)
    began = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT_S + 10)
    return RunResult(time.perf_counter() - began, latencies, statuses, errors)


def serialise(postmen: list[Postman], batches: dict[str, list[list[dict[str, Any]]]]) -> list[tuple[str, list[bytes]]]:
    sent_at = datetime.now(UTC).isoformat()
    return [(p.username, [json.dumps({"events": b, "sent_at": sent_at}).encode()
                          for b in batches[p.username]]) for p in postmen]


# --- baseline (a): raw executemany ---------------------------------------------------------

def executemany_baseline(env: dict[str, str], postmen: list[Postman],
                         batches: dict[str, list[list[dict[str, Any]]]], seconds: float) -> float:
    """Rows/s of a raw batched insert of the same events into `custody_events` (then removed).

    One connection, one transaction per 50 rows, the engine configured as the app's (WAL,
    synchronous=NORMAL and BEGIN IMMEDIATE on SQLite). Seq numbers are offset so the rows
    never meet the real chains, and the rows are deleted afterwards.
    """
    from sqlalchemy import create_engine, delete, insert

    from server.config import normalise_database_url
    from server.extensions import configure_sqlite_engine
    from server.models import CustodyEvent

    received = datetime.now(UTC)
    payloads: list[list[dict[str, Any]]] = []
    seq = 1_000_000
    for postman in postmen:
        for batch in batches[postman.username]:
            rows = []
            for event in batch:
                seq += 1
                evidence = {k: v for k, v in event.items()
                            if k not in ("id", "type", "tracking_number", "occurred_at", "position")}
                rows.append({
                    "id": str(uuid.uuid4()), "item_id": postman.item_ids[event["tracking_number"]],
                    "seq": seq, "type": event["type"], "actor_user_id": postman.user_id,
                    "actor_unit_id": postman.unit_id,
                    "occurred_at": datetime.fromisoformat(event["occurred_at"]),
                    "received_at": received, "lat": DOORSTEP["lat"], "lon": DOORSTEP["lon"],
                    "accuracy_m": DOORSTEP["accuracy_m"], "evidence": evidence,
                    "status_after": event["type"], "previous_hash": _fake_sha256("p", seq),
                    "hash": _fake_sha256("h", seq)})
            payloads.append(rows)
    engine = create_engine(normalise_database_url(env["DATABASE_URL"]))
    if engine.dialect.name == "sqlite":
        configure_sqlite_engine(engine)
    inserted = 0
    try:
        deadline = time.monotonic() + seconds
        began = time.perf_counter()
        with engine.connect() as connection:
            for rows in payloads:
                if time.monotonic() > deadline:
                    break
                with connection.begin():
                    connection.execute(insert(CustodyEvent.__table__), rows)
                inserted += len(rows)
        elapsed = time.perf_counter() - began
        with engine.begin() as connection:
            connection.execute(delete(CustodyEvent.__table__).where(
                CustodyEvent.__table__.c.seq > 1_000_000))
    finally:
        engine.dispose()
    return inserted / elapsed if elapsed else 0.0


# --- the server's memory -------------------------------------------------------------------

def _memory_kib(pid: int, field_name: str) -> int:
    """A `VmRSS`/`VmHWM` figure of one process, in KiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _server_pids(server: Gunicorn) -> list[int]:
    """The gunicorn master this bench started and its workers (Linux /proc)."""
    master = server._process.pid if server._process is not None else None
    if master is None:
        return []
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    return [master, *map(int, children)]


def server_memory_mib(server: Gunicorn, field_name: str) -> float:
    """The resident memory of a gunicorn master and its workers, in MiB."""
    return sum(_memory_kib(pid, field_name) for pid in _server_pids(server)) / 1024


def server_cpu_s(server: Gunicorn) -> float:
    """The CPU time (user + system) the server's processes have used so far, in seconds:
    unlike throughput, it hardly moves when other work shares the machine's cores."""
    ticks = 0
    for pid in _server_pids(server):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _cpu_ms_per_batch(cpu_s: float, result: RunResult) -> float:
    return cpu_s * 1000 / len(result.latencies_s) if result.latencies_s else 0.0


# --- one database --------------------------------------------------------------------------

def _report(label: str, result: RunResult) -> None:
    print(f"  {label}: {sum(result.statuses.values())} events in {result.elapsed_s:.1f} s "
          f"= {result.events_per_s:,.0f} events/s, p50 {percentile(result.latencies_s, .5) * 1000:.0f} ms,"
          f" p99 {percentile(result.latencies_s, .99) * 1000:.0f} ms, {result.statuses}"
          + (f"; errors: {sorted(set(result.errors))[:5]}" if result.errors else ""),
          file=sys.stderr, flush=True)


def measure_database(database_url: str, args: argparse.Namespace, folder: Path) -> list[dict[str, Any]]:
    """Seed, measure both baselines and the real endpoint (and 1 vs N processes on PostgreSQL)."""
    label = engine_label(database_url)
    env = server_env(database_url, folder)
    sqlite = label == "SQLite"
    workers = args.sqlite_workers if sqlite else args.workers
    threads = args.sqlite_threads if sqlite else args.threads
    process_counts = [workers] if sqlite or workers == 1 else [1, workers]
    runs = len(process_counts)
    print(f"[sync] {label}: migrating and seeding {args.clients} postmen …", file=sys.stderr, flush=True)
    server = Gunicorn(env, free_port(), folder / f"gunicorn-{label}.log", workers=workers,
                      threads=threads, app_module="bench.parse_only_app:app")
    done = server.flask("db", "upgrade", timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed:\n{done.stderr[-2000:]}")
    postmen = seed(env, args.clients, args.batches * runs)
    # The seeded history logged before the clock starts, as a running server would have long
    # done: with LOG_CHECKPOINT_SECONDS > 0 the run then measures the steady state (the
    # integrator logging only the run's own events), not a first integration of the seed.
    done = server.flask("custody", "checkpoint", timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"flask custody checkpoint failed:\n{done.stderr[-2000:]}")

    def plan(run: int) -> dict[str, list[list[dict[str, Any]]]]:
        return {p.username: build_batches(p, args.batches, run * args.batches) for p in postmen}

    executemany_s = executemany_baseline(env, postmen, plan(0), args.seconds)
    print(f"  executemany: {executemany_s:,.0f} rows/s", file=sys.stderr, flush=True)

    results: dict[int, RunResult] = {}
    parse_only: RunResult | None = None
    memory_after_parse = memory_peak = 0.0
    cpu: dict[str, float] = {}
    for run, processes in enumerate(process_counts):
        server = Gunicorn(env, free_port(), folder / f"gunicorn-{label}-{processes}.log",
                          workers=processes, threads=threads,
                          app_module="bench.parse_only_app:app")
        server.start()
        try:
            bodies = serialise(postmen, plan(run))
            if processes == workers:
                began_cpu = server_cpu_s(server)
                parse_only = post_batches(server.base_url, "/bench/parse-only", bodies, args.seconds)
                cpu["parse-only"] = _cpu_ms_per_batch(server_cpu_s(server) - began_cpu, parse_only)
                _report(f"parse-only, {processes}×{threads}", parse_only)
                memory_after_parse = server_memory_mib(server, "VmRSS")
            began_cpu = server_cpu_s(server)
            results[processes] = post_batches(server.base_url, "/api/v1/sync", bodies, args.seconds)
            cpu["sync"] = _cpu_ms_per_batch(server_cpu_s(server) - began_cpu, results[processes])
            _report(f"sync, {processes}×{threads}", results[processes])
            if processes == workers:
                memory_peak = server_memory_mib(server, "VmHWM")
                ratio = (results[processes].events_per_s / parse_only.events_per_s
                         if parse_only and parse_only.events_per_s else 0.0)
                print(f"  sync ÷ parse-only: {ratio:.3f} (events/s), "
                      f"{cpu['parse-only'] / cpu['sync'] if cpu['sync'] else 0:.3f} (server CPU per"
                      f" batch: sync {cpu['sync']:.1f} ms, parse-only {cpu['parse-only']:.1f} ms);"
                      f" server memory: {memory_after_parse:.0f} MiB after parse-only, peak"
                      f" {memory_peak:.0f} MiB after sync", file=sys.stderr, flush=True)
        finally:
            server.stop()
    verify = server.flask("custody", "verify", timeout=600)
    print(f"  flask custody verify (exit {verify.returncode}): {verify.stdout.strip()[-300:]}",
          file=sys.stderr, flush=True)

    main = results[workers]
    shape = f"{args.clients} clients, {workers}×{threads} gthread"
    rows = [
        row(BENCHMARK, f"events/s, {label}, {shape}", main.events_per_s, "events/s",
            baseline="raw executemany insert, same rows, 50/transaction",
            baseline_value=executemany_s, target=f"≥ {TARGET_EVENTS_S} events/s",
            meets_target=main.events_per_s >= TARGET_EVENTS_S),
        row(BENCHMARK, f"events/s vs parse-only, {label}, {shape}", main.events_per_s, "events/s",
            baseline="same gunicorn, endpoint that only parses the batch",
            baseline_value=parse_only.events_per_s if parse_only else None,
            target=f"ratio ≥ {TARGET_RATIO}" if sqlite else "",
            meets_target=(bool(parse_only and parse_only.events_per_s and main.events_per_s
                               >= TARGET_RATIO * parse_only.events_per_s) if sqlite else None)),
        row(BENCHMARK, f"server CPU per batch of {EVENTS_PER_BATCH}, sync, {label}, {shape}",
            cpu.get("sync"), "ms", baseline="parse-only endpoint, same run",
            baseline_value=cpu.get("parse-only")),
        row(BENCHMARK, f"server memory, peak after sync, {label}, {shape}", memory_peak, "MiB",
            baseline="resident after the parse-only run", baseline_value=memory_after_parse),
    ]
    for name, fraction in (("p50", 0.5), ("p99", 0.99)):
        rows.append(row(
            BENCHMARK, f"{name} per batch of {EVENTS_PER_BATCH}, {label}",
            percentile(main.latencies_s, fraction) * 1000, "ms",
            baseline=f"parse-only endpoint {name}",
            baseline_value=percentile(parse_only.latencies_s, fraction) * 1000 if parse_only else None))
    if len(process_counts) == 2:
        one = results[1]
        rows.append(row(
            BENCHMARK, f"events/s, {label}, {workers} processes, one database",
            main.events_per_s, "events/s", baseline="1 process, same database",
            baseline_value=one.events_per_s, target="> 1× (chains do not serialise writers)",
            meets_target=(main.events_per_s > one.events_per_s) if one.events_per_s else None))
    return rows


def profile_sync(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run the sync path in-process under pyinstrument (SQLite) and save the profile text."""
    from pyinstrument import Profiler

    with tempfile.TemporaryDirectory(prefix="sync-profile-") as scratch:
        folder = Path(scratch)
        env = server_env(f"sqlite:///{folder / 'bench.sqlite3'}", folder)
        Gunicorn(env, 0, folder / "unused.log").flask("db", "upgrade", timeout=300)
        postmen = seed(env, args.clients, args.batches)
        bodies = serialise(postmen, {p.username: build_batches(p, args.batches, 0)
                                     for p in postmen})
        # No app context around the requests: each has its own `g`, hence its own user.
        app = make_app(env)
        # Signed in before the profiler starts: the profile is of the sync path only.
        sessions = {}
        for username, _batches in bodies:
            client = app.test_client()
            signed = client.post("/api/v1/auth/login",
                                 json={"username": username, "password": BENCH_PASSWORD})
            sessions[username] = (client, signed.get_json()["csrf_token"])
        profiler = Profiler(interval=0.0005)
        events = 0
        began = time.perf_counter()
        profiler.start()
        for username, batches in bodies:
            client, csrf = sessions[username]
            for body in batches:
                response = client.post("/api/v1/sync", data=body, headers={
                    "X-CSRF-Token": csrf, "Content-Type": "application/json"})
                events += sum(r["status"] == "accepted" for r in response.get_json()["results"])
        profiler.stop()
        elapsed = time.perf_counter() - began
    path = args.profile_file.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# pyinstrument 5 profile of POST /api/v1/sync, in-process (Flask test client), SQLite\n"
              f"# {len(bodies)} postmen × {args.batches} batches of {EVENTS_PER_BATCH} events:"
              f" {events} accepted in {elapsed:.1f} s = {events / elapsed:,.0f} events/s"
              f" under the profiler, one thread\n\n")
    path.write_text(header + profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"profile written to {path}", file=sys.stderr)
    return [row(BENCHMARK, "events/s in-process under the profiler, SQLite, 1 thread",
                events / elapsed, "events/s")]


def measure(args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """The rows of this benchmark (see the module docstring)."""
    args = complete_args(build_parser(), args)
    if args.quick:
        args.clients, args.batches, args.seconds = min(args.clients, 4), min(args.batches, 8), 20
    if args.profile:
        return profile_sync(args)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as scratch:
        if args.sqlite:
            folder = Path(scratch) / "sqlite"
            folder.mkdir()
            rows += measure_database(f"sqlite:///{folder / 'bench.sqlite3'}", args, folder)
        if args.postgres_leg:
            url = postgres_url(args)
            problem = postgres_reachable(url)
            if problem:
                rows.append(note_row(BENCHMARK, "PostgreSQL", problem))
            else:
                folder = Path(scratch) / "postgres"
                folder.mkdir()
                rows += measure_database(reset_postgres(url), args, folder)
    return rows


if __name__ == "__main__":
    print_rows(measure(build_parser().parse_args()))
