"""Hash chain of an item's custody events, its verification and daily Merkle roots (docs/design.md §4)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson

#: The previous hash of an item's first event, and the root of a day without events.
GENESIS_HASH = "0" * 64

_HEX_HASH_RE = re.compile(r"[0-9a-f]{64}")
_HEX_HASHES_RE = re.compile(r"[0-9a-f]*")


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


def _reference_json(value: Any) -> bytes:
    """The canonical bytes as the standard library writes them: the definition of the encoding."""
    _reject_ambiguous_keys(value)
    return _CANONICAL_ENCODER.encode(value).encode("utf-8")


def iso_utc(moment: datetime) -> str:
    """The one textual form of a time inside a hash: UTC, microseconds, `Z`."""
    utc = moment.astimezone(UTC)
    if utc.year < 1000:  # strftime writes such years unpadded: keep its exact text
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # isoformat is several times faster than strftime and, for UTC, ends in "+00:00".
    return utc.isoformat(timespec="microseconds")[:-6] + "Z"


def stored_body(event_id: str, tracking_number: str, seq: int, event_type: str,
                actor_user_id: int, actor_unit_id: int, occurred_at: datetime | str,
                received_at: datetime | str, lat: float | None, lon: float | None,
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
        # A str is `iso_utc`'s text already (the verifier reads it so from SQLite).
        "occurred_at": occurred_at if isinstance(occurred_at, str) else iso_utc(occurred_at),
        "received_at": received_at if isinstance(received_at, str) else iso_utc(received_at),
        "position": position,
        "evidence": evidence,
        "status_after": status_after,
    }
#: orjson writes a float of magnitude below 1e-4 in positional notation (0.00001) where
#: Python's repr writes 1e-05; every other finite float it writes as repr does (tested).
_SMALLEST_ALIKE_FLOAT = 1e-4
_PLAIN_SCALARS = (str, int, bool, type(None))
#: The kinds of a stored body's own fields (the position and the evidence are dicts).
_SIMPLE_KINDS = frozenset({str, int, type(None), dict})


def _orjson_writes_alike(value: Any) -> bool:
    """True when orjson is sure to write value exactly as `_reference_json` does.

    Only plain dicts with str keys, lists, tuples, str, int, bool, None and floats that
    orjson formats like repr qualify; orjson would write enums, UUIDs, NaN and infinities
    where the reference refuses them, and small floats differently. Ints beyond 64 bits
    make orjson raise, which `canonical_json` catches.
    """
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not _orjson_writes_alike(item):
                return False
        return True
    if kind is list or kind is tuple:
        return all(_orjson_writes_alike(item) for item in value)
    if kind is float:
        number: float = value
        # NaN fails both comparisons; ±inf passes the first and fails the second.
        return number == 0.0 or _SMALLEST_ALIKE_FLOAT <= abs(number) < float("inf")
    return kind in _PLAIN_SCALARS


def canonical_json(value: Any) -> bytes:
    """Return the one UTF-8 JSON encoding of value that every hash is computed over.

    Sorted keys, no spaces, UTF-8 text unescaped, floats as Python's repr, NaN, infinities
    and non-string keys refused: the bytes of `json.dumps(value, sort_keys=True,
    separators=(",", ":"), ensure_ascii=False, allow_nan=False)`. orjson writes them several
    times faster; whatever it might write differently goes to the standard library.
    """
    if _orjson_writes_alike(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # an int beyond 64 bits, a lone surrogate
            pass
    return _reference_json(value)


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


def loads_plain(text: str | bytes) -> Any:
    """Decode JSON text with orjson: only JSON types, str keys, finite floats.

    orjson refuses what `json.loads` accepts beyond JSON (NaN, infinities, a lone surrogate):
    ValueError, and the caller decodes with `json`. It decodes an integer beyond 64 bits as
    a float, which `canonical_json_with_plain` notices: what it answers for such a body is
    None, and the caller decodes with `json` too.
    """
    return orjson.loads(text)  # orjson.JSONDecodeError is a ValueError


#: How orjson may write a float below 1e-4 (0.00001, or 5.9e-8 where repr writes 5.9e-08):
#: the one plain value it writes otherwise. After a digit, "0.0000" is part of a longer
#: number or of a string.
_SMALL_FLOAT_MARKS = (b":0.0000", b",0.0000", b"[0.0000", b"-0.0000")
#: A number with a negative exponent, right after a JSON delimiter (a UUID's "3e-4" is not).
_NEGATIVE_EXPONENT = re.compile(rb"[:,\[]-?[0-9]+(?:\.[0-9]+)?e-")


def payload_digest(event_type: str, tracking_number: str, actor_user_id: int,
                   occurred_at: datetime, position: Mapping[str, Any] | None,
                   evidence: Mapping[str, Any]) -> str:
    """SHA-256 of what a client sent as one event: the idempotency key's payload.

    The same event id sent again with this same digest is the same event (a resend); with
    another digest it is another event under a reused id (Stripe's idempotency-key rule). The
    sender is part of it, and the time is taken as an instant (UTC), so a resend that writes
    the same moment with another offset is still the same event.
    """
    payload = {"type": event_type, "tracking_number": tracking_number,
               "actor_user_id": actor_user_id, "occurred_at": iso_utc(occurred_at),
               "position": dict(position) if position is not None else None,
               "evidence": dict(evidence)}
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def canonical_json_with_plain(body: Mapping[str, Any], plain_key: str) -> bytes | None:
    """`canonical_json(body)` for a dict whose `plain_key` value came from `loads_plain`,
    or None when it cannot vouch that the text decoded by `json` would give these bytes.

    That value needs no walk (JSON types, str keys, finite floats); the other values are
    walked as usual. The verifier hashes millions of stored bodies and the walk of the
    evidence costs more than orjson's encoding.
    """
    # Every doubt answers None, never the reference bytes of this body: its plain value
    # may hold a float where `json` would have decoded an integer.
    if type(body) is not dict:
        return None
    plain = body.get(plain_key)
    if not _SIMPLE_KINDS.issuperset(map(type, body.values())):  # one pass in C
        return None  # a float, bool or list at the top: not what a stored body holds
    for item in body.values():
        if type(item) is dict and item is not plain and not _orjson_writes_alike(item):
            return None
    try:
        encoded = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None
    # A string holding one of these texts merely takes the slower road. Three scans, the
    # common case: each one costs about as much as orjson's whole encoding.
    if b"+" in encoded:
        # "e+": a float of 1e16 or more, maybe an integer beyond 64 bits that orjson
        # decoded as a float: `json` would decode (and write) the integer.
        return None
    if b"0.0000" in encoded:
        for mark in _SMALL_FLOAT_MARKS:
            if mark in encoded:
                return None
    if b"e-" in encoded and _NEGATIVE_EXPONENT.search(encoded):
        return None
    return encoded


def chain_hash_of_canonical(canonical: bytes, previous_hash: str) -> str:
    """`chain_hash` from the body's canonical bytes already written."""
    _require_hex_hash(previous_hash, "previous_hash")
    digest = hashlib.sha256(canonical)
    digest.update(previous_hash.encode("ascii"))
    return digest.hexdigest()


def chain_hash_of_decoded(body: Mapping[str, Any], previous_hash: str) -> str:
    """`chain_hash` of a stored body (kept for callers; the same function now)."""
    return chain_hash(body, previous_hash)


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
            stored_hash: str, canonical: bytes | None = None) -> BrokenLink | None:
        """Check the next event of the chain; the first broken link, or None.

        `canonical`: the body's canonical bytes when the caller has them already
        (`canonical_json_with_plain`).
        """
        # Checked before the content, so a gap names the event right after it.
        if previous_hash != self.head:
            return BrokenLink(event_id, BrokenReason.previous_hash_mismatch)
        if canonical is None:
            recomputed = chain_hash(body, previous_hash)
        else:
            # previous_hash is the head, a hash this walk computed: no need to check its form.
            digest = hashlib.sha256(canonical)
            digest.update(previous_hash.encode("ascii"))
            recomputed = digest.hexdigest()
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
    # One match over all the leaves when they are strings, each one only to name a bad one.
    if not all(type(value) is str for value in hashes) or not _HEX_HASHES_RE.fullmatch(
            "".join(hashes)) or any(len(value) != 64 for value in hashes):
        for value in hashes:
            _require_hex_hash(value, "hash")
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [
            hashlib.sha256((left + right).encode("ascii")).hexdigest()
            for left, right in zip(level[0::2], level[1::2], strict=True)
        ]
    return level[0]
