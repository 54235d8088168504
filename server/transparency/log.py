"""The custody log: one append-only RFC 6962 tree of every custody event's chain hash.

`integrate` adds every committed event not yet logged, in (received_at, id) order, and
signs a checkpoint; one integrator at a time across processes (PostgreSQL: a transaction
advisory lock; SQLite: the write lock every writing transaction takes, BEGIN IMMEDIATE).
Before signing it checks that the new tree extends the latest checkpoint kept, so the log
never signs two inconsistent checkpoints. The tree's hashes are kept as C2SP tlog-tiles.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, insert, select, text

from server.domain.merkle import (
    complete_root_of_bytes,
    consistency_proof,
    inclusion_proof,
    leaf_hashes,
    tree_root,
)
from server.domain.signed_note import Checkpoint, Signer, sealed_day_line, sign_note
from server.extensions import db
from server.models import CustodyEvent, DailyRoot, LogCheckpoint, LogEntry, LogTile
from server.models.types import utc_now
from server.transparency.signing_keys import signing_key

TILE_WIDTH = 256
TILE_HEIGHT = 8
HASH_SIZE = 32
LOG_KEY_FILE_NAME = "log_signing_key.pem"
#: An event is committed within this long of its received time (a request commits within
#: seconds). So every event received this long before a checkpoint was signed is in it:
#: the integrator looks only from there on, and `custody verify` names an older event
#: missing from the log (`event_not_logged`).
LOGGING_GRACE = timedelta(minutes=5)
#: Any constant: the key of the PostgreSQL advisory lock held by the one integrator.
INTEGRATOR_LOCK_KEY = 0x7A6C6F67  # "zlog"


class LogInconsistent(RuntimeError):
    """The stored tree no longer gives the latest checkpoint: the log refuses to sign."""


# --- key and origin ---------------------------------------------------------------------

def log_origin() -> str:
    """The checkpoint origin: LOG_ORIGIN, else BASE_URL without its scheme, + "/log"."""
    configured = current_app.config.get("LOG_ORIGIN", "")
    if configured:
        return str(configured)
    base = urlsplit(current_app.config["BASE_URL"])
    return f"{base.netloc}{base.path.rstrip('/')}/log"


def log_signer() -> Signer:
    """The log's note signer: LOG_SIGNING_KEY, else a key generated once into instance/."""
    key = signing_key(current_app.config.get("LOG_SIGNING_KEY", ""), current_app.instance_path,
                      LOG_KEY_FILE_NAME)
    return Signer(log_origin(), key)


# --- tiles ------------------------------------------------------------------------------

class TileStore:
    """The tree's hash tiles, read lazily from the database and appended to in memory.

    `subtree(height, index)` answers any complete subtree's hash from at most 128 hashes
    of one tile, so a proof costs O(log n) tile reads whatever the log's size. Appending
    fills tiles a whole run at a time and reads from the database only the one partial
    tile per level that the log ends in.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._stored_size = size
        self._tiles: dict[tuple[int, int], bytearray] = {}
        self._dirty: set[tuple[int, int]] = set()
        self._in_database: set[tuple[int, int]] = set()

    def tile(self, level: int, index: int) -> bytearray:
        key = (level, index)
        found = self._tiles.get(key)
        if found is not None:
            return found
        stored = None
        # A tile that starts at or past the stored log's end at this level is new.
        if index * TILE_WIDTH < self._stored_size // (TILE_WIDTH ** level):
            stored = db.session.execute(
                select(LogTile.hashes).where(LogTile.level == level, LogTile.tile_index == index)
            ).scalar_one_or_none()
        if stored is not None:
            self._in_database.add(key)
        self._tiles[key] = found = bytearray(stored or b"")
        return found

    def _hashes(self, level: int, first: int, count: int) -> bytes:
        """`count` hashes of a level from `first` (within one tile), concatenated."""
        tile = self.tile(level, first // TILE_WIDTH)
        start = (first % TILE_WIDTH) * HASH_SIZE
        data = bytes(tile[start:start + count * HASH_SIZE])
        if len(data) != count * HASH_SIZE:
            raise LogInconsistent(f"tile {level}/{first // TILE_WIDTH} is missing hashes")
        return data

    def subtree(self, height: int, index: int) -> bytes:
        """Hash of the complete subtree of 2**height leaves at index (a `SubtreeHashes`)."""
        level, below = divmod(height, TILE_HEIGHT)
        return complete_root_of_bytes(self._hashes(level, index << below, 1 << below))

    def append(self, hashes: Iterable[bytes]) -> None:
        """Add leaf hashes; every tile they fill adds its root to the level above."""
        self._append_run(0, self.size, list(hashes))

    def _append_run(self, level: int, position: int, values: list[bytes]) -> None:
        """Append hashes to a level from `position`, a tile at a time."""
        done = 0
        completed: list[bytes] = []
        first_completed = None
        while done < len(values):
            index, offset = divmod(position, TILE_WIDTH)
            take = min(TILE_WIDTH - offset, len(values) - done)
            tile = self.tile(level, index)
            if len(tile) != offset * HASH_SIZE:
                raise LogInconsistent(f"tile {level}/{index} does not end where the log does")
            tile += b"".join(values[done:done + take])
            self._dirty.add((level, index))
            if len(tile) == TILE_WIDTH * HASH_SIZE:
                if first_completed is None:
                    first_completed = index
                completed.append(complete_root_of_bytes(bytes(tile)))
            position += take
            done += take
        if level == 0:
            self.size = position
        if completed:
            self._append_run(level + 1, first_completed, completed)  # type: ignore[arg-type]

    def flush(self) -> None:
        """Write the tiles appended to: one UPDATE per grown tile, one INSERT for new ones."""
        new_rows = []
        for key in sorted(self._dirty):
            hashes = bytes(self._tiles[key])
            if key in self._in_database:
                db.session.execute(
                    LogTile.__table__.update()
                    .where(LogTile.level == key[0], LogTile.tile_index == key[1])
                    .values(hashes=hashes))
            else:
                new_rows.append({"level": key[0], "tile_index": key[1], "hashes": hashes})
                self._in_database.add(key)
        if new_rows:
            db.session.connection().execute(insert(LogTile.__table__), new_rows)
        self._dirty.clear()

    def root(self, size: int | None = None) -> bytes:
        return tree_root(self.subtree, self.size if size is None else size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return inclusion_proof(self.subtree, index, size)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        return consistency_proof(self.subtree, old_size, new_size)


# --- reading ----------------------------------------------------------------------------

def latest_checkpoint() -> LogCheckpoint | None:
    return db.session.execute(
        select(LogCheckpoint).order_by(LogCheckpoint.tree_size.desc()).limit(1)
    ).scalar_one_or_none()


def logged_size() -> int:
    """How many entries the log holds."""
    last = db.session.execute(select(func.max(LogEntry.log_index))).scalar_one_or_none()
    return 0 if last is None else last + 1


def log_indexes(event_ids: Iterable[str]) -> dict[str, int]:
    """The log index of each of these events that is logged."""
    wanted = list(set(event_ids))
    if not wanted:
        return {}
    return dict(db.session.execute(
        select(LogEntry.event_id, LogEntry.log_index).where(LogEntry.event_id.in_(wanted))
    ).tuples().all())


# --- integrating ------------------------------------------------------------------------

def _take_integrator_lock() -> None:
    """One integrator at a time across processes and servers."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INTEGRATOR_LOCK_KEY})
    # SQLite: this transaction began with BEGIN IMMEDIATE (a command or a background thread
    # is a writer): it already holds the database's one write lock.


def _unlogged_events(since: datetime | None) -> list[tuple[str, str]]:
    """(id, hex hash) of every committed event not yet logged, in integration order; with
    `since`, only those received from then on (see LOGGING_GRACE)."""
    dialect = db.session.get_bind().dialect
    event_id = CustodyEvent.id.collate("C") if dialect.name == "postgresql" else CustodyEvent.id
    statement = (select(CustodyEvent.id, CustodyEvent.hash)
                 .outerjoin(LogEntry, LogEntry.event_id == CustodyEvent.id)
                 .where(LogEntry.log_index.is_(None))
                 .order_by(CustodyEvent.received_at, event_id))
    if since is not None:
        # A few seconds' or minutes' events, through the index on received_at: the write
        # lock the integrator holds must not last a scan of the whole history.
        return list(db.session.connection().execute(
            statement.where(CustodyEvent.received_at >= since)).tuples())
    # The whole history (a first integration): on the driver's own cursor, fetched in one
    # call (no bound parameters to render): at a million rows SQLAlchemy's per-row result
    # handling costs more than reading the rows.
    cursor = db.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(statement.compile(dialect=dialect)))
        rows: list[tuple[str, str]] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


def _insert_entries(entries: list[tuple[int, str, bytes]]) -> None:
    """Insert (log_index, event_id, entry) rows with the driver's own executemany: at a
    million rows SQLAlchemy's per-row parameter processing costs more than the hashing."""
    if not entries:
        return
    marker = "?" if db.session.get_bind().dialect.paramstyle == "qmark" else "%s"
    cursor = db.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(f"INSERT INTO log_entries (log_index, event_id, entry) "
                           f"VALUES ({marker}, {marker}, {marker})", entries)
    finally:
        cursor.close()


@dataclass(frozen=True)
class Integration:
    """What `integrate` did: the checkpoint now latest, and how many events it added."""

    checkpoint: LogCheckpoint
    added: int
    signed: bool


def integrate(now: datetime | None = None) -> Integration:
    """Log every committed event not yet logged and sign a checkpoint of the new tree.

    Nothing new: the latest checkpoint stays (a first call signs the empty tree). Raises
    LogInconsistent when the stored tree does not give the latest checkpoint's root.
    The caller commits.
    """
    _take_integrator_lock()
    latest = latest_checkpoint()
    size = logged_size()
    tiles = TileStore(size)
    if latest is not None and (latest.tree_size != size or tiles.root(size) != latest.root):
        raise LogInconsistent(
            f"the stored log (size {size}) does not give the latest checkpoint "
            f"(size {latest.tree_size}); refusing to sign")
    rows = _unlogged_events(None if latest is None else latest.signed_at - LOGGING_GRACE)
    if not rows and latest is not None:
        return Integration(latest, 0, False)
    now = now or utc_now()
    # Everything in memory, in bulk: the entries' bytes, one executemany for the rows, the
    # leaf hashes in one pass, then the tiles filled a whole run at a time and written once.
    values = [bytes.fromhex(hex_hash) for _, hex_hash in rows]
    _insert_entries([(size + offset, event_id, value)
                     for offset, ((event_id, _), value) in enumerate(zip(rows, values, strict=True))])
    tiles.append(leaf_hashes(values))
    tiles.flush()
    checkpoint = sign_checkpoint(tiles, now)
    return Integration(checkpoint, len(rows), True)


def sign_checkpoint(tiles: TileStore, now: datetime) -> LogCheckpoint:
    """Sign and keep a checkpoint of the tree in `tiles`."""
    root = tiles.root()
    signer = log_signer()
    # The last sealed day rides on every checkpoint (an extension line): deleting or
    # rewriting that seal afterwards contradicts a signed note (`proof._first_unsealed_gap`).
    last_sealed = db.session.execute(
        select(DailyRoot.day, DailyRoot.root, DailyRoot.event_count)
        .order_by(DailyRoot.day.desc()).limit(1)).first()
    extensions = () if last_sealed is None or last_sealed[1] is None else (
        sealed_day_line(*last_sealed),)
    note = sign_note(Checkpoint(signer.name, tiles.size, root, extensions).text(), signer)
    checkpoint = LogCheckpoint(tree_size=tiles.size, root=root, note=note, signed_at=now)
    db.session.add(checkpoint)
    db.session.flush()
    return checkpoint


def served_note(checkpoint: LogCheckpoint) -> str:
    """The checkpoint as served: the log's signature, then each witness's cosignature."""
    return checkpoint.note + "".join(f"{c.signature_line}\n" for c in checkpoint.cosignatures)
