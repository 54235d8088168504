"""`make bench`: every benchmark in order, one table, and the same rows as JSON.

Runs `measure(args)` of sync_bench, tracking_bench, verify_bench, reports_bench, route_bench,
pwa_budget and field_bench (BENCH_CONTRACT.md), each with `--quick` and `--postgres` passed on. A module that
is missing, has no `measure`, or fails is reported as a note and the others still run; no
figure ever fails the run. The table is printed at the end, and the rows, the notes, the
machine (CPU model, cores, memory, Python, SQLite and PostgreSQL versions) and the date are
written to bench/results/latest.json (git-ignored). Each module bounds its own time.

    .venv/bin/python bench/run_all.py [--quick] [--postgres URL] [--only sync_bench,...]
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sqlite3
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench.common import DEFAULT_POSTGRES_URL  # noqa: E402
from bench.table import check_row, print_rows  # noqa: E402

MODULES = ("sync_bench", "tracking_bench", "verify_bench", "reports_bench", "route_bench",
           "pwa_budget", "field_bench")
RESULTS = PROJECT / "bench" / "results" / "latest.json"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _postgres_version(url: str) -> str | None:
    try:
        import psycopg

        admin = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, connect_timeout=3) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except Exception as failure:  # noqa: BLE001 - the machine's description only
        return f"unreachable ({type(failure).__name__})"


def machine(postgres_url: str) -> dict[str, Any]:
    """What the figures were measured on."""
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"cpu_model": _cpu_model(), "cores": os.cpu_count(), "memory_gb": _memory_gb(),
            "load_average_at_start": load, "os": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "postgresql": _postgres_version(postgres_url)}


def run_module(name: str, args: argparse.Namespace) -> tuple[list[dict[str, Any]], str | None]:
    """The rows of one benchmark module, or a note saying why there are none."""
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as missing:
        if missing.name in (f"bench.{name}", "bench"):
            return [], f"bench/{name}.py is not in this tree: not run"
        raise
    measure = getattr(module, "measure", None)
    if measure is None:
        return [], f"bench/{name}.py has no measure(args): not run"
    module_args = argparse.Namespace(quick=args.quick, postgres=args.postgres)
    return [check_row(one) for one in measure(module_args)], None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs of every benchmark")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="scratch PostgreSQL database (its public schema is rebuilt)")
    parser.add_argument("--only", default="", help="comma-separated module names")
    args = parser.parse_args()
    chosen = [name for name in MODULES if not args.only or name in args.only.split(",")]
    started = datetime.now(UTC)
    described = machine(args.postgres)
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    timings: dict[str, float] = {}
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        began = time.monotonic()
        try:
            found, note = run_module(name, args)
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others
            found, note = [], f"bench/{name}.py failed:\n{traceback.format_exc(limit=6)}"
        timings[name] = round(time.monotonic() - began, 1)
        if note:
            print(f"note: {note}", flush=True)
            notes.append(note)
        rows += found
    print(f"\n== all benchmarks ({started:%Y-%m-%d %H:%M} UTC; {described['cpu_model']}, "
          f"{described['cores']} cores, {described['memory_gb']} GB; Python {described['python']},"
          f" SQLite {described['sqlite']}, PostgreSQL {described['postgresql']}) ==")
    print_rows(rows, json_lines=False)
    for note in notes:
        print(f"note: {note.splitlines()[0]}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "date": started.isoformat(), "quick": args.quick, "machine": described,
        "seconds_per_module": timings, "notes": notes, "rows": rows,
    }, indent=2, ensure_ascii=False) + "\n")
    print(f"\nrows written to {RESULTS.relative_to(PROJECT)}")


if __name__ == "__main__":
    main()
