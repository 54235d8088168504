"""Hash chain of an item's custody events, its verification and daily Merkle roots (DESIGN §5)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

#: The previous hash of an item's first event, and the root of a day without events.
GENESIS_HASH = "0" * 64

_HEX_HASH_RE = re.compile(r"[0-9a-f]{64}")


class BrokenReason(StrEnum):
    """Why a chain fails verification."""

    #: an event was deleted or the events were reordered
    previous_hash_mismatch = "previous_hash_mismatch"
    #: an event's content was changed after it was recorded
    hash_mismatch = "hash_mismatch"
    #: the last event(s) were deleted: the chain no longer reaches the recorded head
    head_mismatch = "head_mismatch"


@dataclass(frozen=True)
class ChainLink:
    """One stored event as the verifier sees it."""

    event_id: str
    body: Mapping[str, Any]
    previous_hash: str
    stored_hash: str


@dataclass(frozen=True)
class BrokenLink:
    """The first place a chain fails, and why."""

    event_id: str | None
    reason: str


def _reject_ambiguous_keys(value: Any) -> None:
    """Raise TypeError when a mapping anywhere in value has a key that is not a string."""
    # json.dumps turns 1 and "1" into the same key, so two different bodies
    # could share one hash; only string keys keep the encoding one-to-one.
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical JSON keys must be strings, got {key!r}")
            _reject_ambiguous_keys(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_ambiguous_keys(item)


#: The canonical encoder, built once: `json.dumps` with options builds a new one per call.
#: allow_nan=False: NaN and infinities are not JSON and would not round-trip (ValueError).
#: No `default=`: datetimes and other objects raise TypeError, since their text form
#: is the caller's decision (ISO strings) and must be stored exactly as hashed.
_CANONICAL_ENCODER = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
)


def canonical_json(value: Any) -> bytes:
    """Return the one UTF-8 JSON encoding of value that every hash is computed over."""
    _reject_ambiguous_keys(value)
    return _CANONICAL_ENCODER.encode(value).encode("utf-8")


def iso_utc(moment: datetime) -> str:
    """The one textual form of a time inside a hash: UTC, microseconds, `Z`."""
    utc = moment.astimezone(timezone.utc)
    if utc.year < 1000:  # strftime writes such years unpadded: keep its exact text
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # isoformat is several times faster than strftime and, for UTC, ends in "+00:00".
    return utc.isoformat(timespec="microseconds")[:-6] + "Z"


def stored_body(event_id: str, tracking_number: str, seq: int, event_type: str,
                actor_user_id: int, actor_unit_id: int, occurred_at: datetime,
                received_at: datetime, lat: float | None, lon: float | None,
                accuracy_m: float | None, evidence: Any, status_after: str) -> dict[str, Any]:
    """`event_body` from the column values themselves (the verifier reads plain rows)."""
    position = None
    if lat is not None or lon is not None or accuracy_m is not None:
        # Any of the three set makes the whole position part of the hash: a changed
        # accuracy alone must break the chain too.
        position = {"lat": lat, "lon": lon, "accuracy_m": accuracy_m}
    return {
        "id": event_id,
        "tracking_number": tracking_number,
        "seq": seq,
        "type": event_type,
        "actor_user_id": actor_user_id,
        "actor_unit_id": actor_unit_id,
        "occurred_at": iso_utc(occurred_at),
        "received_at": iso_utc(received_at),
        "position": position,
        "evidence": evidence,
        "status_after": status_after,
    }


def _require_hex_hash(value: str, name: str) -> None:
    """Raise ValueError unless value is a lowercase hex SHA-256."""
    if not isinstance(value, str) or not _HEX_HASH_RE.fullmatch(value):
        raise ValueError(f"{name} must be 64 lowercase hex characters, got {value!r}")


def chain_hash(body: Mapping[str, Any], previous_hash: str) -> str:
    """Return hex SHA-256 of the canonical body followed by the previous hash."""
    _require_hex_hash(previous_hash, "previous_hash")
    digest = hashlib.sha256(canonical_json(body))
    digest.update(previous_hash.encode("ascii"))
    return digest.hexdigest()


def chain_hash_of_decoded(body: Mapping[str, Any], previous_hash: str) -> str:
    """`chain_hash` of a body whose mappings all came from JSON decoding or have literal str keys.

    Such a body cannot hold a non-string key, so the walk that refuses them is skipped: the
    verifier re-hashes millions of stored events and the walk costs as much as the hashing.
    The result is the same as `chain_hash` (tested).
    """
    _require_hex_hash(previous_hash, "previous_hash")
    digest = hashlib.sha256(_CANONICAL_ENCODER.encode(body).encode("utf-8"))
    digest.update(previous_hash.encode("ascii"))
    return digest.hexdigest()


class ChainWalk:
    """Checks one item's chain event by event, in chain order, without holding the events.

    `add` answers the first broken link as soon as one is seen (a gap, then a changed
    content, as `first_broken_link`); `finish` answers what only the end can tell: the chain
    stops short of the recorded head, the numbering has a gap, or the recorded count differs.
    """

    __slots__ = ("expected_head", "expected_count", "head", "last_event_id", "count",
                 "first_gap")

    def __init__(self, expected_head: str | None, expected_count: int | None = None) -> None:
        self.expected_head, self.expected_count = expected_head, expected_count
        self.head = GENESIS_HASH
        self.last_event_id: str | None = None
        self.count = 0
        self.first_gap: str | None = None

    def add(self, event_id: str, seq: int, body: Mapping[str, Any], previous_hash: str,
            stored_hash: str) -> BrokenLink | None:
        """Check the next event of the chain; the first broken link, or None."""
        # Checked before the content, so a gap names the event right after it.
        if previous_hash != self.head:
            return BrokenLink(event_id, BrokenReason.previous_hash_mismatch)
        recomputed = chain_hash_of_decoded(body, previous_hash)
        if stored_hash != recomputed:
            return BrokenLink(event_id, BrokenReason.hash_mismatch)
        self.count += 1
        if seq != self.count and self.first_gap is None:
            self.first_gap = event_id
        self.head, self.last_event_id = recomputed, event_id
        return None

    def finish(self) -> BrokenLink | None:
        """After the last event: the head, the numbering, the count (in that order)."""
        # Only the recorded head can reveal that the newest events were removed.
        if self.expected_head is not None and self.expected_head != self.head:
            return BrokenLink(self.last_event_id, BrokenReason.head_mismatch)
        if self.first_gap is not None:
            return BrokenLink(self.first_gap, "sequence_gap")
        if self.expected_count is not None and self.count != self.expected_count:
            return BrokenLink(self.last_event_id, "event_count_mismatch")
        return None


def first_broken_link(
    links: Iterable[ChainLink], expected_head: str | None = None
) -> BrokenLink | None:
    """Return the first broken link of one item's chain in event order, or None if it holds."""
    head = GENESIS_HASH
    last_event_id: str | None = None
    for link in links:
        # Checked before the content, so a gap names the event right after it.
        if link.previous_hash != head:
            return BrokenLink(link.event_id, BrokenReason.previous_hash_mismatch)
        recomputed = chain_hash(link.body, link.previous_hash)
        if link.stored_hash != recomputed:
            return BrokenLink(link.event_id, BrokenReason.hash_mismatch)
        head = recomputed
        last_event_id = link.event_id
    # Only the recorded head can reveal that the newest events were removed.
    if expected_head is not None and expected_head != head:
        return BrokenLink(last_event_id, BrokenReason.head_mismatch)
    return None


def merkle_root(hashes: Sequence[str]) -> str:
    """Return the Merkle root of hex hashes, pairing by SHA-256 of the concatenated hex."""
    if not hashes:
        return GENESIS_HASH
    for value in hashes:
        _require_hex_hash(value, "hash")
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [
            hashlib.sha256((left + right).encode("ascii")).hexdigest()
            for left, right in zip(level[0::2], level[1::2])
        ]
    return level[0]
