"""What the server benchmarks share: their options, a scratch database, the server's
environment, an app context on the same database, and percentiles.

PostgreSQL is used only in the database named by `--postgres URL` or `BENCH_POSTGRES_URL`
(default `postgresql://postgres@127.0.0.1:5432/bench`): it is created when missing and its
`public` schema is dropped and rebuilt — a SCRATCH database. SQLite lives in a temporary folder.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/bench"
#: Rate limits raised so that only the server's own limits show (as bench/load.py does).
UNLIMITED = "1000000 per minute"


def postgres_url(args: argparse.Namespace) -> str:
    """The scratch PostgreSQL database of this run."""
    return (getattr(args, "postgres", None) or os.environ.get("BENCH_POSTGRES_URL")
            or DEFAULT_POSTGRES_URL)


def complete_args(parser: argparse.ArgumentParser, given: argparse.Namespace | None) -> argparse.Namespace:
    """The parser's defaults, overridden by whatever `given` sets (run_all passes a few)."""
    args = parser.parse_args([])
    for key, value in vars(given or argparse.Namespace()).items():
        if value is not None:
            setattr(args, key, value)
    return args


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile; NaN when there is nothing to rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else float("nan")


def postgres_reachable(url: str) -> str | None:
    """None when the server answers, else why not (for a row-less note)."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    admin = plain.rsplit("/", 1)[0] + "/postgres"
    try:
        psycopg.connect(admin, connect_timeout=3).close()
    except psycopg.OperationalError as failure:
        return f"PostgreSQL unreachable at {admin}: {str(failure).strip()[:120]}"
    return None


def reset_postgres(url: str) -> str:
    """Create the scratch database if missing, empty its `public` schema; answer its URL."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    name = plain.rsplit("/", 1)[1].split("?")[0]
    try:
        connection = psycopg.connect(plain, autocommit=True)
    except psycopg.OperationalError:
        with psycopg.connect(plain.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        connection = psycopg.connect(plain, autocommit=True)
    with connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    return plain


def server_env(database_url: str, folder: Path) -> dict[str, str]:
    """The server's environment: its database, media folder, fast hashing, no rate limits."""
    return {**os.environ, "DATABASE_URL": database_url, "MEDIA_DIR": str(folder / "media"),
            "SECRET_KEY": "bench-secret", "PASSWORD_HASH_FAST": "1",
            "LOGIN_RATE_LIMIT": UNLIMITED, "TRACKING_RATE_LIMIT": UNLIMITED,
            "PYTHONPATH": str(PROJECT)}


def make_app(env: dict[str, str]) -> Any:
    """The app configured from `env` (the environment of this process is left as it was)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from server import create_app

        return create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def app_context(env: dict[str, str]) -> Iterator[Any]:
    """The app on the benchmark's database, in an app context (for seeding and baselines).

    Not for requests: a request made inside it shares its `g`, hence its signed-in user.
    """
    app = make_app(env)
    with app.app_context():
        yield app


def engine_label(database_url: str) -> str:
    return "SQLite" if database_url.startswith("sqlite") else "PostgreSQL"


def write_details(path: Path, figures: dict[str, Any]) -> None:
    """Keep a bench's whole figures as JSON beside its printed table, and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(f"\nDetails written to {path.relative_to(PROJECT)}\n")
