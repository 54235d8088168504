"""Backing up and restoring the whole store: the database and the images.

A backup is a new folder holding:

- `database.sqlite3` (SQLite): an online copy made with SQLite's backup API, consistent
  while the server keeps writing; or `database.dump` (PostgreSQL): `pg_dump --format=custom`
  taken in an exported snapshot, so the row counts of the manifest are those of the dump.
- `media.tar`: every image of the media store (MEDIA_DIR, or the S3 bucket). It is made after
  the database copy, and an image is stored before the row naming it commits, so every image
  the copy names is in it.
- `manifest.json`: when, which engine, the schema revision, the rows of every table, and the
  SHA-256 of each file, which the restore checks before it touches anything.

A restore checks the files against the manifest, unpacks the images into the store (images
already there are kept: a name is a content), replaces what the configured database holds
(SQLite: the backup API writes the copy into the file; PostgreSQL: `pg_restore --clean
--if-exists` in one transaction, so a failure leaves the database as it was), and counts the
rows again against the manifest. Stop the server while a restore runs; verify afterwards
with `custody verify`.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import URL

from server.domain.image_files import fanned_out_key, is_sha256
from server.media.storage import MediaStorage, as_media_storage
from server.models.types import utc_now

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
#: Bumped when the layout of a backup folder changes.
BACKUP_FORMAT = 1


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


@dataclass(frozen=True)
class RestoreReport:
    """What a restore found: the manifest's rows, the rows now stored, and images unpacked."""

    manifest: dict[str, Any]
    tables: dict[str, int]
    media_files: int

    @property
    def ok(self) -> bool:
        """True when every table holds as many rows as when the backup was made."""
        return bool(self.tables == self.manifest["tables"])


def create_backup(engine: Engine, media: MediaStorage | str, target: Path) -> dict[str, Any]:
    """Copy the database, then the images, into the new folder `target`; answer the manifest."""
    engine_name = _engine_name(engine)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} already exists and is not empty; choose a new folder.")
    target.mkdir(parents=True, exist_ok=True)
    database_file = target / DATABASE_FILES[engine_name]
    if engine_name == "sqlite":
        _copy_sqlite(_sqlite_path(engine.url), database_file, journal_mode="DELETE")
        with _sqlite_engine(database_file).connect() as copy:
            tables, revision = _table_counts(copy), _revision(copy)
    else:
        tables, revision = _dump_postgresql(engine, database_file)
    media_files = _archive_media(as_media_storage(media), target / MEDIA_ARCHIVE)
    manifest = {
        "format": BACKUP_FORMAT,
        "created_at": utc_now().isoformat(),
        "engine": engine_name,
        "alembic_revision": revision,
        "tables": tables,
        "media_files": media_files,
        "files": {name: _sha256(target / name) for name in (database_file.name, MEDIA_ARCHIVE)},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def restore_backup(source: Path, engine: Engine, media: MediaStorage | str) -> RestoreReport:
    """Replace the database's contents and add the images from the backup folder `source`."""
    manifest = read_manifest(source)
    engine_name = _engine_name(engine)
    if manifest["engine"] != engine_name:
        raise BackupError(f"The backup is of {manifest['engine']}; DATABASE_URL is {engine_name}.")
    for name, digest in manifest["files"].items():
        if not (source / name).is_file() or _sha256(source / name) != digest:
            raise BackupError(f"{source / name} is missing or damaged (SHA-256 differs).")
    # Images first: they are named by their content, so extra ones never harm the database
    # in place should the database's restore then fail.
    media_files = _unpack_media(source / MEDIA_ARCHIVE, as_media_storage(media))
    database_file = source / DATABASE_FILES[engine_name]
    engine.dispose()  # no pooled connection keeps the old contents open
    if engine_name == "sqlite":
        _copy_sqlite(database_file, _sqlite_path(engine.url), journal_mode="WAL")
    else:
        _restore_postgresql(engine.url, database_file)
    with engine.connect() as connection:
        tables = _table_counts(connection)
    engine.dispose()
    return RestoreReport(manifest=manifest, tables=tables, media_files=media_files)


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of a backup folder, or BackupError when it is not one."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} is not a TậnTay backup ({MANIFEST}: {error}).") from None
    if manifest.get("format") != BACKUP_FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


# --- the database -----------------------------------------------------------------------

def _engine_name(engine: Engine) -> str:
    """`sqlite` or `postgresql`; BackupError for any other engine."""
    name = engine.dialect.name
    if name not in DATABASE_FILES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def _sqlite_path(url: URL) -> Path:
    """The file of an SQLite URL."""
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(url.database)


def _sqlite_engine(path: Path) -> Engine:
    """A plain engine on an SQLite file (the backup copy)."""
    return create_engine(f"sqlite:///{path}")


def _copy_sqlite(source: Path, destination: Path, journal_mode: str) -> None:
    """Copy a whole SQLite database with the backup API (pages copied under a read lock).

    Unlike copying the file, this is consistent while a server writes (WAL included), and
    writing into an existing database replaces its contents under its own write lock.
    A backup copy is left in DELETE mode (one self-contained file), a restored one in WAL.
    """
    if not source.is_file():
        raise BackupError(f"No SQLite database at {source}.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    reader = sqlite3.connect(source)
    writer = sqlite3.connect(destination)
    try:
        reader.backup(writer)
        writer.execute(f"PRAGMA journal_mode={journal_mode}")
    finally:
        writer.close()
        reader.close()


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump / pg_restore, and the environment carrying the password.

    The password goes in PGPASSWORD, never on a command line other users can read.
    """
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    """Run a PostgreSQL tool; BackupError with its message when it fails."""
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client).")
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()}")


def _dump_postgresql(engine: Engine, dump_file: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump in a snapshot exported by a transaction that counts the rows of the same state."""
    uri, environment = _libpq(engine.url)
    with (engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
          connection.begin()):
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables, revision = _table_counts(connection), _revision(connection)
            # The snapshot lives as long as this transaction: pg_dump must run inside it.
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}",
                  f"--file={dump_file}", f"--dbname={uri}"], environment)
    return tables, revision


def _restore_postgresql(url: URL, dump_file: Path) -> None:
    """pg_restore over whatever the database holds, all or nothing."""
    uri, environment = _libpq(url)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", f"--dbname={uri}", str(dump_file)], environment)


def _table_counts(connection: Connection) -> dict[str, int]:
    """Rows of every table of the database, by name."""
    names = sorted(inspect(connection).get_table_names())
    # The names come from the database's own catalogue, not from input.
    return {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
            for name in names}


def _revision(connection: Connection) -> str | None:
    """The Alembic revision the schema is at."""
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


# --- the images -------------------------------------------------------------------------

def _archive_media(storage: MediaStorage, archive: Path) -> int:
    """Put every image of the store in a tar as `ab/cd/<sha256>`; answer how many.

    Half-written uploads (`.upload-*` temporaries) are left out: only files named by their
    SHA-256 are images.
    """
    count = 0
    with tarfile.open(archive, "w") as tar:
        for sha256, size in storage.iterate():
            member = tarfile.TarInfo(fanned_out_key(sha256))
            member.size, member.mode = size, 0o644
            with storage.open(sha256) as stream:
                tar.addfile(member, stream)
            count += 1
    return count


def _unpack_media(archive: Path, storage: MediaStorage) -> int:
    """Put the tar's images in the store (only members named `ab/cd/<sha256>`); answer how many.

    Images are named by their content, so one already there is the same image and is kept.
    Any other member (a link, a path outside, a stray file) is never written.
    """
    count = 0
    with tarfile.open(archive, "r") as tar:
        for member in tar.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            if not member.isfile() or not is_sha256(name) or member.name != fanned_out_key(name):
                continue
            count += 1
            if storage.exists(name):
                continue
            stream = tar.extractfile(member)
            assert stream is not None  # a regular file always has one
            storage.put(name, stream.read())
    return count


def _sha256(path: Path) -> str:
    """SHA-256 of a file, in hex."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
