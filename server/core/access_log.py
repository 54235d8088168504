"""The personal-data access log's writer: every opening of an item's personal data, on record.

Law 91/2025/QH15 and Decree 356/2025/NĐ-CP: the controller must be able to show who processed
a data subject's data. Every opening (an item's details, its custody record or export, a proof
image, a citizen's export) appends one `PersonalDataAccess` row, committed with the request,
even a GET (server.core.spec commits it); the query over the log is server.privacy.service.
"""
from __future__ import annotations

from flask import g
from sqlalchemy import String, cast, insert, select
from sqlalchemy.exc import DBAPIError

from server.extensions import SQLITE_WRITE, db
from server.models import CustodyEvent, Item, PersonalDataAccess, User
from server.models.types import utc_now

#: The most images' items one proof-image opening logs (an image is named by one item, rarely more).
MAX_ITEMS_PER_IMAGE = 20


#: The flag on `flask.g` that makes a GET commit its writes (read by server.core.spec).
COMMIT_READ = "commit_read"


#: The request's access rows on `flask.g`, written when it ends (commit_read_log,
#: add_logged_accesses): never added to the session, whose autoflush would write them in a
#: read's own transaction (SQLite: a plain BEGIN that must never write).
ACCESS_ROWS = "personal_data_access_rows"


def _record(actor: User, item_id: int, kind: str, detail: str | None) -> None:
    g.setdefault(COMMIT_READ, True)
    g.setdefault(ACCESS_ROWS, []).append(
        {"user_id": actor.id, "unit_id": actor.unit_id, "item_id": item_id, "kind": kind,
         "detail": detail, "accessed_at": utc_now()})


def add_logged_accesses() -> None:
    """Add the request's access rows to its own (writing) transaction; the caller commits."""
    rows = g.pop(ACCESS_ROWS, [])
    if rows:
        db.session.execute(insert(PersonalDataAccess), rows)


def log_access(actor: User, item: Item, kind: str, detail: str | None = None) -> None:
    """Record that `actor` opened `item`'s personal data; committed with the request, even a GET."""
    _record(actor, item.id, kind, detail)


def commit_read_log() -> None:
    """Commit the access rows a read added, in a writer's transaction of their own.

    The read ran in a plain BEGIN (SQLite: it never waits for a writer). Its snapshot is
    ended first: a deferred transaction that reads and then writes fails at once under WAL
    when a background writer (the custody-log integrator, a verification job) committed in
    between. The rows are then inserted after BEGIN IMMEDIATE, queued behind this process's
    writers. The data is released only once its opening is on record (Decree 356/2025/NĐ-CP
    keeps a trace of every processing of personal data): should the write fail — SQLite's
    lock held past the busy timeout, the database gone — the error goes up, the answer is
    503 `database_unavailable` with Retry-After, and nothing personal was shown unlogged.
    """
    rows = g.pop(ACCESS_ROWS, [])
    db.session.rollback()
    if not rows:
        return
    try:
        db.session.connection(execution_options={SQLITE_WRITE: True})
        db.session.execute(insert(PersonalDataAccess), rows)
        db.session.commit()
    except DBAPIError:
        db.session.rollback()
        raise


def log_image_access(actor: User, sha256: str) -> None:
    """Record a proof image opened: one row per item whose custody names it."""
    item_ids = db.session.execute(
        select(CustodyEvent.item_id).distinct()
        .where(cast(CustodyEvent.evidence, String).like(f"%{sha256}%"))
        .limit(MAX_ITEMS_PER_IMAGE)
    ).scalars().all()
    for item_id in item_ids:
        _record(actor, item_id, "proof_image", sha256[:12])
