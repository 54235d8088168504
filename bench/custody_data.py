"""Large synthetic custody histories for the verification and reports benchmarks.

Rows are precomputed in Python and bulk-inserted (SQLite `executemany` on the raw
connection, PostgreSQL `COPY`), never sent through the API: a million events take tens of
seconds instead of hours. The chains are real: every event's hash is `chain_hash` of
`event_body` (server/custody/events.py, server/domain/custody_chain.py) over the same
fields the app stores, so `flask custody verify` accepts the generated store as it is.

A dataset is cached between runs (its size, its options and the schema head are in its
name): an SQLite file with its media folder under `bench/results/`, or a PostgreSQL schema
of the bench database. `drop_dataset` removes one.

Everything here is synthetic: invented names, phones, ID digits and images.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import struct
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from server.domain.custody_chain import GENESIS_HASH, chain_hash  # noqa: E402
from server.domain.s10 import make_tracking_number  # noqa: E402

RESULTS = PROJECT / "bench" / "results"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/bench"
EPOCH = datetime(2026, 7, 1, tzinfo=UTC) - timedelta(hours=7)  # 1 July, local midnight
#: The app's keys: the generated store must not depend on instance/ files.
APP_ENV = {
    "SECRET_KEY": "bench-secret",
    "EXPORT_SIGNING_KEY": ("-----BEGIN PRIVATE KEY-----\n"
                           "MC4CAQAwBQYDK2VwBCIEIBxvsDm3sCGBqU6nAkCRP2i0ybG6c7YVqjWgWvrVcyg2\n"
                           "-----END PRIVATE KEY-----\n"),
}

POST_OFFICES, AGENCIES, POSTMEN_PER_OFFICE = 12, 8, 6
FIELDS = ("social_insurance", "police", "justice", "land", "transport", "health",
          "education", "labour", "business", "construction")
FAILURE_REASONS = ("absent", "address_wrong", "moved", "not_found", "refused")
FAILURE_ACTIONS = ("retry", "notice_left")
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Dung", "Hoàng Văn Em",
         "Vũ Thị Giang", "Đặng Minh Hải", "Bùi Thị Lan", "Đỗ Văn Long", "Ngô Thị Nhung")
COMMUNES = ("Phường Hoa Lư", "Phường Nam Định", "Xã Gia Viễn", "Xã Kim Sơn", "Phường Tam Điệp")


def schema_head() -> str:
    """The Alembic head revision of the code: part of a cached dataset's name."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(PROJECT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head() or "none"


def postgres_url(args: Any = None) -> str:
    """The bench PostgreSQL database: `--postgres`, else BENCH_POSTGRES_URL, else the default."""
    return (getattr(args, "postgres", None) or os.environ.get("BENCH_POSTGRES_URL")
            or DEFAULT_POSTGRES)


def ensure_postgres_database(url: str) -> bool:
    """Create the database when missing; False when the server cannot be reached."""
    target = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                       {"n": target.database}).first()
            if not found:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
        return True
    except Exception:  # noqa: BLE001 — unreachable server: the caller reports and skips
        return False
    finally:
        admin.dispose()


@dataclass(frozen=True)
class Dataset:
    """Where one generated store lives, and how it was made."""

    name: str
    engine: str  # "sqlite" | "postgresql"
    url: str  # SQLAlchemy URL for the app (psycopg driver, search_path set on PostgreSQL)
    media_dir: Path
    schema: str | None = None  # PostgreSQL schema holding it

    def app(self):  # type: ignore[no-untyped-def]
        """A Flask app on this store (TESTING off: the production code paths)."""
        for key, value in APP_ENV.items():
            os.environ.setdefault(key, value)
        from server import create_app

        return create_app({"SQLALCHEMY_DATABASE_URI": self.url, "MEDIA_DIR": str(self.media_dir),
                           "PASSWORD_HASH_FAST": True, "ID_HASH_KEY": "bench-id-key"})


def dataset(kind: str, engine: str, items: int, events: int, *, postgres: str | None = None,
            hashed: bool = True) -> Dataset:
    """The dataset of that shape on that engine (not created here)."""
    name = f"{kind}_{items}i_{events}e_{'h' if hashed else 'u'}_{schema_head()}".lower()
    media_dir = RESULTS / "datasets" / f"{name}_media"
    if engine == "sqlite":
        path = RESULTS / "datasets" / f"{name}.sqlite3"
        return Dataset(name, engine, f"sqlite:///{path}", media_dir)
    base = (postgres or DEFAULT_POSTGRES).replace("postgresql://", "postgresql+psycopg://", 1)
    schema = name.replace("-", "_")[:60]
    joiner = "&" if "?" in base else "?"
    return Dataset(name, engine, f"{base}{joiner}options=-csearch_path%3D{schema}", media_dir,
                   schema)


def _sqlite_path(ds: Dataset) -> Path:
    return Path(ds.url.removeprefix("sqlite:///"))


def is_ready(ds: Dataset) -> bool:
    """True when the dataset was fully generated by an earlier run."""
    engine = create_engine(ds.url)
    try:
        if ds.engine == "sqlite" and not _sqlite_path(ds).exists():
            return False
        with engine.connect() as connection:
            row = connection.execute(text("SELECT complete FROM bench_dataset")).first()
            return bool(row and row[0]) and ds.media_dir.exists()
    except Exception:  # noqa: BLE001 — no such table or schema: not generated
        return False
    finally:
        engine.dispose()


def drop_dataset(ds: Dataset) -> None:
    """Remove the dataset's database (file or schema) and its media folder."""
    shutil.rmtree(ds.media_dir, ignore_errors=True)
    if ds.engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(_sqlite_path(ds)) + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(ds.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{ds.schema}" CASCADE'))
    finally:
        engine.dispose()


# --- the synthetic world -----------------------------------------------------------------

def _png(seed: int) -> bytes:
    """A tiny valid PNG that differs per seed (a stand-in for a signature)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    width = height = 8
    raw = b"".join(b"\x00" + bytes((seed * 7 + x * 13 + y) % 256 for x in range(width * 3))
                   for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@dataclass
class World:
    """Ids of the reference rows the items and events point at."""

    province: int
    offices: list[int]
    agencies: list[int]
    procedures: list[tuple[int, int, int]]  # (id, agency unit id, official fee)
    postmen: dict[int, list[int]]  # office id → user ids
    clerks: dict[int, int]  # office id → user id
    officers: dict[int, int]  # agency id → user id
    media: list[str]


def _reference_rows(connection: Any, media_dir: Path, media_count: int) -> World:
    """Units, users, procedures and a pool of images, inserted through SQLAlchemy Core."""
    from server.models import Media, Procedure, Unit, User

    now = datetime(2026, 6, 1, tzinfo=UTC)
    units = [{"id": 1, "code": "BENCH-PROV", "name": "Tỉnh Ninh Bình", "kind": "province",
              "parent_id": None, "path": "/1/", "province": "Ninh Bình", "commune": "",
              "address_line": "", "lat": 20.25, "lon": 105.97}]
    offices = list(range(2, 2 + POST_OFFICES))
    agencies = list(range(2 + POST_OFFICES, 2 + POST_OFFICES + AGENCIES))
    units.extend({"id": uid, "code": f"BC-{uid:03d}", "name": f"Bưu cục số {uid}",
                  "kind": "post_office", "parent_id": 1, "path": f"/1/{uid}/",
                  "province": "Ninh Bình", "commune": COMMUNES[uid % len(COMMUNES)],
                  "address_line": f"{uid} Đường Trần Hưng Đạo", "lat": 20.2 + uid / 100,
                  "lon": 105.9 + uid / 100} for uid in offices)
    units.extend({"id": uid, "code": f"CQ-{uid:03d}", "name": f"Cơ quan số {uid}", "kind": "agency",
                  "parent_id": 1, "path": f"/1/{uid}/", "province": "Ninh Bình",
                  "commune": COMMUNES[uid % len(COMMUNES)], "address_line": "Trung tâm hành chính",
                  "lat": 20.25, "lon": 105.97} for uid in agencies)
    connection.execute(Unit.__table__.insert(), units)
    procedures, procedure_rows = [], []
    for index, field in enumerate(FIELDS, start=1):
        agency = agencies[index % len(agencies)]
        fee = (index % 4) * 15000
        procedures.append((index, agency, fee))
        procedure_rows.append({"id": index, "code": f"TTHC-{index:03d}", "name": f"Thủ tục {field}",
                               "field": field, "agency_unit_id": agency, "postal_eligible": True,
                               "documents": [{"name": "Tờ khai", "original": True, "count": 1}],
                               "official_fee_vnd": fee})
    users, next_id = [], 1
    postmen: dict[int, list[int]] = {}
    clerks: dict[int, int] = {}
    officers: dict[int, int] = {}

    def user(role: str, unit: int, name: str) -> int:
        nonlocal next_id
        users.append({"id": next_id, "username": f"{role}{next_id}", "full_name": name,
                      "password_hash": "!bench", "role": role, "unit_id": unit, "active": True,
                      "session_version": 1, "created_at": now})
        next_id += 1
        return next_id - 1

    user("supervisor", 1, "Kiểm soát viên Thử")
    for office in offices:
        clerks[office] = user("clerk", office, f"Giao dịch viên {office}")
        postmen[office] = [user("postman", office, f"Bưu tá {office}-{n}")
                           for n in range(POSTMEN_PER_OFFICE)]
    for agency in agencies:
        officers[agency] = user("agency", agency, f"Cán bộ một cửa {agency}")
    connection.execute(User.__table__.insert(), users)
    connection.execute(Procedure.__table__.insert(), procedure_rows)
    pool = []
    media_dir.mkdir(parents=True, exist_ok=True)
    for seed in range(media_count):
        body = _png(seed)
        sha = hashlib.sha256(body).hexdigest()
        path = media_dir / sha[:2] / sha[2:4] / sha
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        pool.append({"sha256": sha, "content_type": "image/png", "size_bytes": len(body),
                     "uploaded_by_id": 1, "uploaded_at": now})
    if pool:
        connection.execute(Media.__table__.insert(), pool)
    return World(1, offices, agencies, procedures, postmen, clerks, officers,
                 [row["sha256"] for row in pool])


# --- items and their chains --------------------------------------------------------------

DOSSIER_STEPS = ("requested", "collected", "handed_over", "at_post", "in_transit", "filed")
STATUS_AFTER = {"requested": "requested", "collected": "collected", "at_post": "at_post",
                "in_transit": "in_transit", "filed": "filed", "registered": "registered",
                "out_for_delivery": "out_for_delivery", "attempt_failed": "attempt_failed",
                "delivered": "delivered", "returned": "returned"}


def _dossier_steps(rng: random.Random) -> list[str]:
    """A dossier's history; half of them change hands once more at the post office."""
    steps = list(DOSSIER_STEPS)
    if rng.random() < 0.5:
        steps.insert(4, "handed_over")
    return steps


def _result_steps(rng: random.Random) -> list[str]:
    """A result's history: registered … delivered, sometimes after a failure, rarely returned."""
    steps = ["registered", "at_post", "handed_over", "out_for_delivery"]
    roll = rng.random()
    if roll < 0.2:
        steps += ["attempt_failed", "out_for_delivery", "delivered"]
    elif roll < 0.23:
        steps += ["attempt_failed", "returned"]
    else:
        steps += ["delivered"]
    return steps


class _Ids:
    """Fast random UUID4 strings from a seeded generator (reproducible datasets)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def next(self) -> str:
        value = (self.rng.getrandbits(128) & ~(0xF << 76) | (4 << 76)) & ~(0x3 << 62) | (0x2 << 62)
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class Generated:
    """What a generation produced, and how long each part took."""

    items: int
    events: int
    seconds_rows: float
    seconds_insert: float
    seconds_index: float
    seconds_total: float


class _Chains:
    """Builds items and their events, chunk by chunk, with real chain hashes."""

    def __init__(self, world: World, rng: random.Random, days: int, hashed: bool) -> None:
        self.world, self.rng, self.days, self.hashed = world, rng, days, hashed
        self.ids = _Ids(rng)
        self.handover_id = 0

    def _evidence(self, step: str, office: int, postman: int, agency: int,
                  fee: int) -> tuple[dict[str, Any], bool]:
        """Evidence like the app's own events; True when the event carries a position."""
        rng, media = self.rng, self.world.media
        if step == "requested":
            return {"channel": "home_pickup", "requested_via": "online"}, False
        if step == "collected":
            return {"signature_sha256": rng.choice(media),
                    "postman_signature_sha256": rng.choice(media),
                    "documents": [{"name": "Tờ khai tham gia BHXH, BHYT (mẫu TK1-TS)",
                                   "original": True, "count": 1}],
                    "cash_collected_vnd": 26000 + fee}, True
        if step in ("handed_over", "at_post", "in_transit", "filed"):
            self.handover_id += 1
            return {"handover_id": self.handover_id, "from_user_id": postman,
                    "from_unit_id": office, "to_user_id": None,
                    "to_unit_id": agency if step == "filed" else office,
                    "signature_sha256": rng.choice(media)}, False
        if step == "attempt_failed":
            return {"reason": rng.choice(FAILURE_REASONS),
                    "action": rng.choice(FAILURE_ACTIONS)}, True
        if step == "delivered":
            proxy = rng.random() < 0.1
            return {"recipient": {"name": rng.choice(NAMES),
                                  "relation": "proxy" if proxy else "self",
                                  "relationship": "con" if proxy else None,
                                  "id_type": "cccd", "id_last4": f"{rng.randrange(10000):04d}"},
                    "signature_sha256": rng.choice(media),
                    "photo_sha256": rng.choice(media) if rng.random() < 0.5 else None,
                    "authorization_sha256": rng.choice(media) if proxy else None,
                    "cash_collected_vnd": 26000 + fee if rng.random() < 0.95 else 0,
                    "papers_collected": ["Giấy tiếp nhận hồ sơ và hẹn trả kết quả"]}, True
        return {}, step == "out_for_delivery"

    def item(self, item_id: int, budget: int) -> tuple[tuple, list[tuple]]:
        """One item row and at most `budget` of its events (one chain)."""
        rng, world = self.rng, self.world
        kind = "dossier" if item_id % 2 else "result"
        procedure, agency, fee = world.procedures[item_id % len(world.procedures)]
        office = world.offices[item_id % len(world.offices)]
        postman = world.postmen[office][item_id % POSTMEN_PER_OFFICE]
        steps = (_dossier_steps(rng) if kind == "dossier" else _result_steps(rng))[:budget]
        consigned = EPOCH + timedelta(seconds=rng.randrange(self.days * 86400))
        due = consigned + timedelta(days=rng.choice((2, 3, 4, 6)))
        lat, lon = 20.2 + rng.random() / 5, 105.9 + rng.random() / 5
        prefix = "HS" if kind == "dossier" else "KQ"
        tracking = make_tracking_number(prefix, item_id)
        events: list[tuple] = []
        previous, moment, status = GENESIS_HASH, consigned, ""
        for seq, step in enumerate(steps, start=1):
            evidence, positioned = self._evidence(step, office, postman, agency, fee)
            actor = (world.officers[agency] if step in ("registered", "filed")
                     else postman if step in ("collected", "out_for_delivery", "attempt_failed",
                                              "delivered", "in_transit")
                     else world.clerks[office])
            actor_unit = agency if actor == world.officers[agency] else office
            status = STATUS_AFTER.get(step, status)
            event = SimpleNamespace(
                id=self.ids.next(), seq=seq, type=step, actor_user_id=actor,
                actor_unit_id=actor_unit, occurred_at=moment,
                received_at=moment + timedelta(microseconds=rng.randrange(1, 900_000)),
                lat=round(lat + rng.gauss(0, 0.0005), 6) if positioned else None,
                lon=round(lon + rng.gauss(0, 0.0005), 6) if positioned else None,
                accuracy_m=round(rng.uniform(3, 40), 1) if positioned else None,
                evidence=evidence, status_after=status, previous_hash=previous)
            if self.hashed:
                from server.custody.events import event_body
                event.hash = chain_hash(event_body(event, tracking), previous)
            else:
                event.hash = hashlib.sha256(event.id.encode()).hexdigest()
            previous = event.hash
            events.append(event)
            moment += timedelta(seconds=rng.randrange(1800, 30 * 3600))
        holder_user = postman if status == "out_for_delivery" else None
        holder_unit = None if status in ("delivered", "filed") else office
        item = (item_id, tracking, kind, status, procedure, None, agency, office, None,
                rng.choice(NAMES), f"09{rng.randrange(10**8):08d}", "cccd",
                f"{rng.randrange(10000):04d}", hashlib.sha256(str(item_id).encode()).hexdigest(),
                "Ninh Bình", COMMUNES[item_id % len(COMMUNES)], None,
                f"{item_id % 300 + 1} Đường Lê Lợi", lat, lon,
                [{"name": "Tờ khai", "original": True, "count": 1}], 26000, fee, "intra_province",
                bool(item_id % 3), consigned, due, holder_user, holder_unit, previous,
                len(events), world.clerks[office], consigned)
        return item, events


ITEM_COLUMNS = ("id", "tracking_number", "kind", "status", "procedure_id", "dossier_code",
                "agency_unit_id", "post_office_unit_id", "linked_dossier_id", "citizen_name",
                "citizen_phone", "id_type", "id_last4", "id_keyed_hash", "address_province",
                "address_commune", "address_district", "address_line", "address_lat",
                "address_lon", "documents", "postage_vnd", "official_fee_vnd", "route_class",
                "with_appointment_slip", "consigned_at", "due_at", "holder_user_id",
                "holder_unit_id", "head_hash", "event_count", "created_by_id", "created_at")
EVENT_COLUMNS = ("id", "item_id", "seq", "type", "actor_user_id", "actor_unit_id", "occurred_at",
                 "received_at", "lat", "lon", "accuracy_m", "evidence", "status_after",
                 "previous_hash", "hash")


def _sqlite_time(moment: datetime) -> str:
    """How SQLAlchemy stores a UTC datetime in SQLite (naive, microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class _Writer:
    """Bulk insert into one engine: raw `executemany` on SQLite, `COPY` on PostgreSQL."""

    def __init__(self, raw: Any, engine: str) -> None:
        self.raw, self.engine = raw, engine
        self.cursor = raw.cursor()

    def rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if self.engine == "sqlite":
            marks = ", ".join("?" for _ in columns)
            self.cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [tuple(_sqlite_value(v) for v in row) for row in rows])
            return
        with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, (dict, list)) else v for v in row])


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _sqlite_time(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


def _event_row(item_id: int, event: SimpleNamespace) -> tuple:
    return (event.id, item_id, event.seq, event.type, event.actor_user_id, event.actor_unit_id,
            event.occurred_at, event.received_at, event.lat, event.lon, event.accuracy_m,
            event.evidence, event.status_after, event.previous_hash, event.hash)


def _secondary_indexes(connection: Any, engine: str, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of a table's plain indexes, to drop during the load."""
    if engine == "sqlite":
        rows = connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
            "AND sql IS NOT NULL"), {"t": table}).all()
    else:
        rows = connection.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t "
            "AND schemaname = current_schema() AND indexname LIKE 'ix_%'"), {"t": table}).all()
    return [(name, sql) for name, sql in rows]


def generate(ds: Dataset, items: int, events: int, *, days: int = 91, media_count: int = 64,
             hashed: bool = True, seed: int = 2026, log: Any = print) -> Generated:
    """Build the dataset from empty: schema by the migrations, reference rows, then chains."""
    began = time.perf_counter()
    drop_dataset(ds)
    if ds.engine == "sqlite":
        _sqlite_path(ds).parent.mkdir(parents=True, exist_ok=True)
    else:
        admin = create_engine(ds.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{ds.schema}"'))
        admin.dispose()
    app = ds.app()
    from flask_migrate import upgrade

    from server.extensions import db

    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            world = _reference_rows(connection, ds.media_dir, media_count)
            connection.execute(text("CREATE TABLE bench_dataset (complete INTEGER, items INTEGER, "
                                    "events INTEGER)"))
            indexes = {table: _secondary_indexes(connection, ds.engine, table)
                       for table in ("items", "custody_events")}
            for table_indexes in indexes.values():
                for name, _sql in table_indexes:
                    connection.execute(text(f'DROP INDEX "{name}"'))
        raw = db.engine.raw_connection()
        try:
            if ds.engine == "sqlite":
                raw.execute("PRAGMA synchronous = OFF")
            writer = _Writer(raw, ds.engine)
            chains = _Chains(world, random.Random(seed), days, hashed)
            seconds_rows = seconds_insert = 0.0
            made_items = made_events = 0
            item_id = 0
            while made_events < events and item_id < items:
                tick = time.perf_counter()
                item_rows, event_rows = [], []
                while len(event_rows) < 50_000 and made_events < events and item_id < items:
                    item_id += 1
                    budget = events - made_events
                    item, chain = chains.item(item_id, budget)
                    item_rows.append(item)
                    event_rows.extend(_event_row(item_id, e) for e in chain)
                    made_events += len(chain)
                made_items = item_id
                tock = time.perf_counter()
                writer.rows("items", ITEM_COLUMNS, item_rows)
                writer.rows("custody_events", EVENT_COLUMNS, event_rows)
                raw.commit()
                seconds_rows += tock - tick
                seconds_insert += time.perf_counter() - tock
                if made_items % 100_000 < len(item_rows) or made_events >= events:
                    log(f"  … {made_items:,} items, {made_events:,} events "
                        f"({time.perf_counter() - began:.0f} s)")
        finally:
            raw.close()
        tick = time.perf_counter()
        with db.engine.begin() as connection:
            for table_indexes in indexes.values():
                for _name, sql in table_indexes:
                    connection.execute(text(sql))
        # The steady state of a long-lived store: statistics, and on PostgreSQL the visibility
        # map that autovacuum keeps (without it no scan is index-only).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE custody_events, items" if ds.engine == "postgresql"
                                    else "ANALYZE"))
        seconds_index = time.perf_counter() - tick
        _seal_days(days, hashed)
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO bench_dataset VALUES (1, :i, :e)"),
                               {"i": made_items, "e": made_events})
        db.session.remove()
        db.engine.dispose()
    return Generated(made_items, made_events, seconds_rows, seconds_insert, seconds_index,
                     time.perf_counter() - began)


def _seal_days(days: int, hashed: bool) -> None:
    """Seal every closed day with the app's own `seal_day`, as `flask custody seal-day` would."""
    if not hashed:
        return
    from server.custody.proof import seal_day
    from server.domain.local_time import local_day
    from server.extensions import db

    first = local_day(EPOCH)
    # Chains run up to about six days past the last consignment.
    for offset in range(days + 8):
        seal_day(first + timedelta(days=offset), now=datetime.now(UTC))
    db.session.commit()


def stored_events(ds: Dataset) -> int:
    """How many events the dataset holds."""
    engine = create_engine(ds.url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT events FROM bench_dataset")).scalar_one())
    finally:
        engine.dispose()


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def days_of(first: date, count: int) -> Iterator[date]:
    """`count` consecutive days from `first`."""
    for offset in range(count):
        yield first + timedelta(days=offset)


def generated_or_cached(ds: Dataset, items: int, events: int, *, hashed: bool, label: str,
                        fresh: bool) -> Generated | None:
    """Generate the store (when `fresh` or missing) and answer how it went; None when the
    cached store is reused. Prints which, since generation takes minutes."""
    if not fresh and is_ready(ds):
        print(f"{label}: reusing the cached store {ds.name}", flush=True)
        return None
    print(f"{label}: generating {items:,} items, {events:,} events (bulk insert"
          f"{', real chain hashes' if hashed else ''}) …", flush=True)
    return generate(ds, items, events, hashed=hashed)


def generation_baseline(made: Generated) -> str:
    """Where the generation's time went, for its row's baseline column."""
    return (f"rows {made.seconds_rows:.0f} s, insert {made.seconds_insert:.0f} s, "
            f"indexes {made.seconds_index:.0f} s")
