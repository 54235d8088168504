"""Flask extensions, created unbound and attached in `create_app`."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, ClassVar

from flask import has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Connection, Engine, MetaData, Table, event
from sqlalchemy.orm import DeclarativeBase

#: Constraint names fixed by convention so Alembic migrations can name (and drop) them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    if TYPE_CHECKING:
        # Every model maps one table (no model maps a join or a select).
        __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    # mypy takes no attribute (`db.Model`) as a base class (python/mypy#8603): to it every
    # model extends the declarative base, which `db.Model` is built on.
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

SQLITE_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Execution option of a connection that only reads (outside a request): a plain BEGIN, so
#: e.g. the verifier's parallel workers neither wait for nor hold the write lock.
SQLITE_READ_ONLY = "sqlite_read_only"
#: Execution option of a connection that writes even in a GET (the personal-data access log
#: a read keeps): BEGIN IMMEDIATE, queued on the writer lock like any writing request.
SQLITE_WRITE = "sqlite_write"


def configure_sqlite_engine(engine: Engine, busy_timeout_ms: int = 15000) -> None:
    """Turn on WAL, foreign keys and a busy timeout, and take the write lock up front.

    pysqlite's own transaction handling is switched off so SQLAlchemy's BEGIN is ours.
    Writing requests begin with BEGIN IMMEDIATE: a deferred transaction that reads and then
    writes fails at once with SQLITE_BUSY under WAL when another writer got in between, and
    the busy timeout does not help then. Reads keep a plain BEGIN so they never wait.
    A writer still locked out after `busy_timeout_ms` gets "database is locked", which the
    API answers with 503 `database_unavailable` (server/core/error_handlers.py).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # One writer of this process at a time. Threads that would write queue on this lock
    # and the next is woken as soon as the writer commits; without it they all poll
    # SQLite's busy handler, whose growing sleeps starve an unlucky writer for seconds
    # (p99 of a sync batch in bench/sync_bench.py). Between processes SQLite's own lock
    # and the busy timeout still decide; a writer that waited the whole timeout here goes on
    # to BEGIN IMMEDIATE anyway, so the 503 path is unchanged.
    writer = threading.Lock()

    def _release_writer(connection: Connection) -> None:
        if connection.info.pop("holds_writer_lock", False):
            writer.release()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        reading = not options.get(SQLITE_WRITE, False) and (
            options.get(SQLITE_READ_ONLY, False)
            or (has_request_context() and request.method in SQLITE_READ_METHODS))
        if reading:
            connection.exec_driver_sql("BEGIN")
            return
        if writer.acquire(timeout=busy_timeout_ms / 1000):
            connection.info["holds_writer_lock"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release_writer(connection)
            raise

    event.listen(engine, "commit", _release_writer)
    event.listen(engine, "rollback", _release_writer)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        # A connection handed back without commit or rollback (the pool resets it): the
        # lock must not outlive the transaction.
        if record is not None and record.info.pop("holds_writer_lock", False):
            writer.release()
