"""`custody verify`'s view of the custody log: every entry against its event and the stored
tiles, every kept checkpoint (its signature, its root recomputed from the entries, the
witnesses' cosignatures), every sealed day's checkpoint, and the witnesses' refusals.

The walk is streamed: a compact range of O(log n) hashes gives the root at each kept
checkpoint's size as the entries go by, so memory stays flat over millions of entries.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from server.domain.merkle import EMPTY_ROOT, leaf_hash, node_hash
from server.domain.signed_note import (
    NoteError,
    open_note,
    parse_checkpoint,
    signature_verifies,
    split_note,
)
from server.extensions import db
from server.models import (
    CustodyEvent,
    DailyRoot,
    LogCheckpoint,
    LogEntry,
    LogTile,
    WitnessRefusal,
)
from server.transparency.log import HASH_SIZE, TILE_WIDTH, log_signer
from server.transparency.witness import configured_witnesses


class CompactRange:
    """The right edge of a growing tree: its root at any size, in O(log n) memory."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def append(self, value: bytes) -> None:
        size, current = 1, value
        while self._stack and self._stack[-1][0] == size:
            _, left = self._stack.pop()
            current, size = node_hash(left, current), size * 2
        self._stack.append((size, current))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        root = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            root = node_hash(left, root)
        return root


@dataclass(frozen=True)
class LogReport:
    entries_checked: int
    checkpoints_checked: int
    first_broken: dict[str, Any] | None


def _broken(reason: str, **details: Any) -> dict[str, Any]:
    return {"tracking_number": None, "event_id": details.pop("event_id", None),
            "reason": reason, **details}


def _level0_tiles(batch: int) -> Iterator[tuple[int, bytes]]:
    yield from db.session.execute(
        select(LogTile.tile_index, LogTile.hashes).where(LogTile.level == 0)
        .order_by(LogTile.tile_index).execution_options(yield_per=batch)).tuples()


def _checkpoint_problem(checkpoint: LogCheckpoint) -> dict[str, Any] | None:
    """A kept checkpoint whose note is not the log's signature over its size and root."""
    signer = log_signer()
    try:
        text, _ = open_note(checkpoint.note, [signer.verifier])
        parsed = parse_checkpoint(text)
    except NoteError as error:
        return _broken("checkpoint_signature_invalid", tree_size=checkpoint.tree_size,
                       detail=str(error))
    if (parsed.origin, parsed.size, parsed.root) != (signer.name, checkpoint.tree_size,
                                                     checkpoint.root):
        return _broken("checkpoint_signature_invalid", tree_size=checkpoint.tree_size,
                       detail="the signed text is not the stored size and root")
    witnesses = {w.verifier.name: w.verifier for w in configured_witnesses()}
    for cosignature in checkpoint.cosignatures:
        verifier = witnesses.get(cosignature.witness_name)
        if verifier is None:
            continue
        try:
            _, (signature,) = split_note(f"{text}\n{cosignature.signature_line}\n")
            if signature.key_id != verifier.key_id:
                raise NoteError("key id")
            signature_verifies(text, signature, verifier)
        except (NoteError, ValueError):
            return _broken("cosignature_invalid", tree_size=checkpoint.tree_size,
                           witness=cosignature.witness_name)
    return None


def verify_log(batch_size: int = 5000) -> LogReport:
    """Check the whole log; the first thing that fails, or None."""
    # A witness that refused one of our checkpoints saw a fork: named first, whatever the
    # database now holds (a rewritten history may look whole from inside).
    refusal = db.session.execute(
        select(WitnessRefusal).where(WitnessRefusal.side == "log")
        .order_by(WitnessRefusal.id).limit(1)).scalar_one_or_none()
    if refusal is not None:
        return LogReport(0, 0, _broken("witness_refused", tree_size=refusal.tree_size,
                                       witness=refusal.peer, detail=refusal.reason))
    checkpoints = db.session.execute(
        select(LogCheckpoint).order_by(LogCheckpoint.tree_size)).scalars().all()
    for checkpoint in checkpoints:
        if (problem := _checkpoint_problem(checkpoint)) is not None:
            return LogReport(0, 0, problem)
    # Every size whose root must be recomputed: the kept checkpoints and the sealed days'.
    wanted: dict[int, list[tuple[str, bytes, str | None]]] = {}
    for checkpoint in checkpoints:
        wanted.setdefault(checkpoint.tree_size, []).append(("checkpoint", checkpoint.root, None))
    for day, size, hex_root in db.session.execute(
            select(DailyRoot.day, DailyRoot.log_size, DailyRoot.log_root)
            .where(DailyRoot.log_size.is_not(None))).tuples():
        if size is not None:  # always: the query asks for the logged days only
            wanted.setdefault(size, []).append(("day", bytes.fromhex(hex_root or ""), day.isoformat()))
    tree = CompactRange()
    tiles = _level0_tiles(batch_size)
    tile: bytes = b""
    checked = 0

    def reached(size: int) -> dict[str, Any] | None:
        for kind, root, day in wanted.get(size, []):
            if tree.root() != root:
                if kind == "day":
                    return _broken("day_checkpoint_mismatch", day=day, tree_size=size)
                return _broken("checkpoint_root_mismatch", tree_size=size)
        return None

    if (problem := reached(0)) is not None:
        return LogReport(0, len(checkpoints), problem)
    rows = db.session.connection().execute(
        select(LogEntry.log_index, LogEntry.event_id, LogEntry.entry, CustodyEvent.hash)
        .outerjoin(CustodyEvent, CustodyEvent.id == LogEntry.event_id)
        .order_by(LogEntry.log_index).execution_options(yield_per=batch_size))
    try:
        for log_index, event_id, entry, event_hash in rows.tuples():
            if log_index != tree.size:
                return LogReport(checked, 0, _broken("log_index_gap", log_index=tree.size))
            if event_hash is None:
                return LogReport(checked, 0, _broken("logged_event_missing", event_id=event_id,
                                                     log_index=log_index))
            if bytes(entry).hex() != event_hash:
                return LogReport(checked, 0, _broken("logged_event_changed", event_id=event_id,
                                                     log_index=log_index))
            leaf = leaf_hash(bytes(entry))
            if log_index % TILE_WIDTH == 0:
                expected_tile = log_index // TILE_WIDTH
                found = next(tiles, None)
                tile = found[1] if found is not None and found[0] == expected_tile else b""
            offset = (log_index % TILE_WIDTH) * HASH_SIZE
            if bytes(tile[offset:offset + HASH_SIZE]) != leaf:
                return LogReport(checked, 0, _broken("log_tile_mismatch", log_index=log_index))
            tree.append(leaf)
            checked += 1
            if (problem := reached(tree.size)) is not None:
                return LogReport(checked, len(checkpoints), problem)
    finally:
        rows.close()
    beyond = [size for size in wanted if size > tree.size]
    if beyond:
        return LogReport(checked, len(checkpoints),
                         _broken("checkpoint_beyond_log", tree_size=min(beyond),
                                 log_size=tree.size))
    return LogReport(checked, len(checkpoints), None)
