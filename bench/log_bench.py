"""The custody log's speed: integrating N events (default 1 M) against hashing the same
leaves with hashlib in the same run, and the p50/p99 of serving inclusion and consistency
proofs. Prints figures; asserts nothing.

    .venv/bin/python bench/log_bench.py [--events 1000000] [--proofs 2000]

The events are synthetic rows bulk-inserted into a scratch SQLite database (foreign keys
off for the insert: the integrator reads only their id, received time and hash).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import app_context, percentile, server_env


def _insert_events(path: Path, count: int) -> list[str]:
    """N synthetic custody events (random chain hashes); their hashes in insertion order."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA foreign_keys=OFF")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    hashes = []
    rows = []
    for index in range(count):
        digest = hashlib.sha256(index.to_bytes(8, "big")).hexdigest()
        hashes.append(digest)
        moment = (start + timedelta(microseconds=index)).strftime("%Y-%m-%d %H:%M:%S.%f")
        rows.append((str(uuid.UUID(int=index + 1)), 1, index + 1, "handed_over", 1, 1, moment,
                     moment, "{}", "at_post", "0" * 64, digest))
    connection.executemany(
        "INSERT INTO custody_events (id, item_id, seq, type, actor_user_id, actor_unit_id, "
        "occurred_at, received_at, evidence, status_after, previous_hash, hash) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    connection.commit()
    connection.close()
    return hashes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="log-bench-"))
    database = folder / "bench.sqlite3"
    env = server_env(f"sqlite:///{database}", folder)
    # A key of its own, never one generated into the project's instance/.
    env["LOG_SIGNING_KEY"] = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    with app_context(env) as app:
        from flask_migrate import upgrade

        upgrade()
    hashes = _insert_events(database, args.events)

    began = time.perf_counter()
    for value in hashes:
        hashlib.sha256(b"\x00" + bytes.fromhex(value)).digest()
    baseline = time.perf_counter() - began

    with app_context(env) as app:
        from server.extensions import db
        from server.transparency.log import integrate

        began = time.perf_counter()
        if os.environ.get("LOG_BENCH_PROFILE"):
            import cProfile

            cProfile.runctx("integrate()", globals(), locals(), sort="cumulative")
            db.session.rollback()
            return
        outcome = integrate()
        db.session.commit()
        integration = time.perf_counter() - began
        size = outcome.checkpoint.tree_size

    client = app.test_client()
    rng = random.Random(7)
    inclusion, consistency = [], []
    for _ in range(args.proofs):
        event_id = str(uuid.UUID(int=rng.randrange(size) + 1))
        began = time.perf_counter()
        answer = client.get(f"/api/v1/log/inclusion?event_id={event_id}&size={size}")
        inclusion.append(time.perf_counter() - began)
        assert answer.status_code == 200
        old = rng.randrange(1, size + 1)
        began = time.perf_counter()
        answer = client.get(f"/api/v1/log/consistency?from={old}&to={size}")
        consistency.append(time.perf_counter() - began)
        assert answer.status_code == 200

    print(f"custody log, SQLite, {size:,} events")
    print(f"  hashlib leaf hashes alone : {baseline:8.2f} s  ({size / baseline:,.0f} /s)")
    print(f"  integrate (read, log, tiles, sign): {integration:8.2f} s  "
          f"({size / integration:,.0f} events/s; {integration / baseline:.1f}× the hashing)")
    for name, values in (("inclusion", inclusion), ("consistency", consistency)):
        print(f"  {name:<11} proof p50 {percentile(values, 0.5) * 1000:6.2f} ms   "
              f"p99 {percentile(values, 0.99) * 1000:6.2f} ms   ({len(values)} requests)")


if __name__ == "__main__":
    main()
