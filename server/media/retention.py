"""How long images are kept: their files go once the retention period is over (TT17 Art.14).

Signatures, photos and ID papers are personal data (Law 91/2025/QH15: store the least), and
TT17 Art.14 asks that records be kept at least 5 years. `prune_media` deletes the FILE of an
image uploaded before the retention cutoff once every item whose custody names it is closed
(delivered, filed, cancelled or returned) and saw its last event before the cutoff too; an
old image no custody names at all (uploaded, never used) goes as well. The Media row stays,
so the record still says which image was there and its hash; reading the image then answers
404 `media_purged`, and `custody verify` reports the file as missing.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from server.domain.evidence_images import media_fields
from server.domain.lifecycle import CLOSED
from server.extensions import db
from server.media.storage import MediaStorage, as_media_storage
from server.models import CustodyEvent, HandoverLine, HandoverRecord, Item, Media
from server.models.types import utc_now

logger = logging.getLogger(__name__)

#: Statuses after which an item's images are no longer needed for its service.
CLOSED_STATUSES = CLOSED


@dataclass(frozen=True)
class PruneReport:
    """What `prune_media` found: counts only, never a name or a hash of anyone's papers."""

    cutoff: datetime
    dry_run: bool
    #: Media rows uploaded before the cutoff.
    old: int
    #: Files deleted (or, in a dry run, that would be).
    deleted: int
    bytes_freed: int
    #: Old images kept because an item naming them is still open or closed too recently.
    kept: int
    #: Old images whose file was already gone.
    already_gone: int


def _references(shas: set[str], batch_size: int) -> dict[str, set[int]]:
    """The items whose custody names each of `shas`: in event evidence or a handover signature."""
    items: dict[str, set[int]] = defaultdict(set)
    events = db.session.execute(
        select(CustodyEvent.item_id, CustodyEvent.evidence).execution_options(yield_per=batch_size))
    for item_id, evidence in events:
        for _field, sha in media_fields(evidence):
            if sha in shas:
                items[sha].add(item_id)
    signed = db.session.execute(
        select(HandoverRecord.receiver_signature_sha256, HandoverLine.item_id)
        .join(HandoverLine, HandoverLine.handover_id == HandoverRecord.id)
        .where(HandoverRecord.receiver_signature_sha256.in_(shas),
               HandoverLine.item_id.is_not(None)))
    for sha, item_id in signed:
        items[sha].add(item_id)
    sender_signed = db.session.execute(
        select(HandoverRecord.sender_signature_sha256, HandoverLine.item_id)
        .join(HandoverLine, HandoverLine.handover_id == HandoverRecord.id)
        .where(HandoverRecord.sender_signature_sha256.in_(shas),
               HandoverLine.item_id.is_not(None)))
    for sha, item_id in sender_signed:
        items[sha].add(item_id)
    return items


def _closed_before(item_ids: set[int], cutoff: datetime) -> set[int]:
    """Of `item_ids`, those closed whose last event was recorded before the cutoff."""
    if not item_ids:
        return set()
    last_event = (select(CustodyEvent.item_id, func.max(CustodyEvent.received_at).label("last"))
                  .where(CustodyEvent.item_id.in_(item_ids))
                  .group_by(CustodyEvent.item_id).subquery())
    rows = db.session.execute(
        select(Item.id).join(last_event, last_event.c.item_id == Item.id)
        .where(Item.id.in_(item_ids), Item.status.in_([s.value for s in CLOSED_STATUSES]),
               last_event.c.last < cutoff))
    return set(rows.scalars())


def _purgeable(old: set[str], cutoff: datetime, batch_size: int) -> set[str]:
    """The images among `old` whose items are all closed since before the cutoff."""
    references = _references(old, batch_size)
    named_items = set().union(*references.values()) if references else set()
    closed = _closed_before(named_items, cutoff)
    return {sha for sha in old if references.get(sha, set()) <= closed}


def past_retention(retention_days: int, now: datetime | None = None,
                   batch_size: int = 1000) -> set[str]:
    """Images that `prune_media` may have deleted: their missing file is expected (TT17 Art.14)."""
    cutoff = (now or utc_now()) - timedelta(days=retention_days)
    old = set(db.session.execute(select(Media.sha256).where(Media.uploaded_at < cutoff)).scalars())
    return _purgeable(old, cutoff, batch_size) if old else set()


def prune_media(storage: MediaStorage | str, retention_days: int, *, dry_run: bool = False,
                now: datetime | None = None, batch_size: int = 1000) -> PruneReport:
    """Delete the files of images past retention whose items are all closed; keep the rows."""
    if retention_days < 1:
        raise ValueError("MEDIA_RETENTION_DAYS must be at least 1")
    cutoff = (now or utc_now()) - timedelta(days=retention_days)
    old = dict(db.session.execute(
        select(Media.sha256, Media.size_bytes).where(Media.uploaded_at < cutoff)).tuples().all())
    purgeable = _purgeable(set(old), cutoff, batch_size)
    store = as_media_storage(storage)
    deleted = bytes_freed = kept = already_gone = 0
    for sha in sorted(old):
        if sha not in purgeable:
            kept += 1
            continue
        if not store.exists(sha):
            already_gone += 1
            continue
        if not dry_run:
            store.delete(sha)
        deleted += 1
        bytes_freed += old[sha]
    report = PruneReport(cutoff=cutoff, dry_run=dry_run, old=len(old), deleted=deleted,
                         bytes_freed=bytes_freed, kept=kept, already_gone=already_gone)
    logger.info("media prune%s: cutoff %s, %d old images, %d files deleted (%d bytes), "
                "%d kept for open or recent items, %d already gone",
                " (dry run)" if dry_run else "", cutoff.date().isoformat(), report.old,
                deleted, bytes_freed, kept, already_gone)
    return report
