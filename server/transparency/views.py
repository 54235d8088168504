"""Public endpoints of the custody log: C2SP tlog-tiles under /log/ and the proof API.

Everything here is public and personal-data free: an entry is an event's chain hash, and
a hash tells nothing of the event without the event.
"""
from __future__ import annotations

import re

from flask import Blueprint, Response
from sqlalchemy import select

from server.core.errors import Invalid, NotFound
from server.core.spec import operation
from server.domain.merkle import ProofError
from server.extensions import db
from server.models import LogEntry, Role
from server.transparency.alerts import witness_alerts
from server.transparency.log import (
    HASH_SIZE,
    TILE_WIDTH,
    TileStore,
    latest_checkpoint,
    log_signer,
    served_note,
)
from server.transparency.schemas import (
    ConsistencyOut,
    ConsistencyQuery,
    InclusionOut,
    InclusionQuery,
    WitnessAlertOut,
    WitnessAlertsOut,
)

bp = Blueprint("transparency", __name__)
api = Blueprint("transparency_api", __name__, url_prefix="/api/v1")

#: `x001/x234/067` (zero-padded 3-digit elements, all but the last prefixed x), then an
#: optional `.p/<W>` with W from 1 to 255.
_TILE_INDEX = re.compile(r"^((?:x\d{3}/)*)(\d{3})(?:\.p/([1-9]\d{0,2}))?$")
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_LIVED = "public, max-age=5"


def encode_tile_index(index: int) -> str:
    """N as tlog-tiles path elements: 1234067 → x001/x234/067."""
    text = str(index)
    text = "0" * (-len(text) % 3) + text
    parts = [text[i:i + 3] for i in range(0, len(text), 3)]
    return "/".join([f"x{part}" for part in parts[:-1]] + [parts[-1]])


def _parse_tile_path(path: str) -> tuple[int, int | None]:
    """(N, W or None) of a tile path; 404 when it is not in the spec's form."""
    match = _TILE_INDEX.fullmatch(path)
    if match is None:
        raise NotFound("tile_not_found", "Không có ô (tile) này trong sổ.")
    index = int(match.group(1).replace("x", "").replace("/", "") + match.group(2))
    if encode_tile_index(index) != path.split(".p/", maxsplit=1)[0]:
        raise NotFound("tile_not_found", "Không có ô (tile) này trong sổ.")  # non-canonical
    width = int(match.group(3)) if match.group(3) else None
    if width is not None and width >= TILE_WIDTH:
        raise NotFound("tile_not_found", "Không có ô (tile) này trong sổ.")
    return index, width


def _log_size() -> int:
    latest = latest_checkpoint()
    return 0 if latest is None else latest.tree_size


def _octets(data: bytes, partial: bool) -> Response:
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Cache-Control"] = SHORT_LIVED if partial else IMMUTABLE
    return response


@bp.get("/log/checkpoint")
def checkpoint() -> Response:
    """The latest signed checkpoint with the witnesses' cosignatures."""
    latest = latest_checkpoint()
    if latest is None:
        raise NotFound("log_empty", "Sổ giám sát chưa có điểm kiểm (checkpoint) nào.")
    response = Response(served_note(latest), content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache, max-age=0"
    return response


@bp.get("/log/vkey")
def vkey() -> Response:
    """The note verifier key of the log's checkpoints."""
    return Response(log_signer().verifier.vkey + "\n", content_type="text/plain; charset=utf-8")


@bp.get("/log/tile/entries/<path:path>")
def entry_bundle(path: str) -> Response:
    """Entries [N·256, N·256+W) as big-endian uint16 length-prefixed bytes."""
    index, width = _parse_tile_path(path)
    first = index * TILE_WIDTH
    count = width or TILE_WIDTH
    if first + count > _log_size():
        raise NotFound("tile_not_found", "Không có ô (tile) này trong sổ.")
    entries = db.session.execute(
        select(LogEntry.entry).where(LogEntry.log_index >= first,
                                     LogEntry.log_index < first + count)
        .order_by(LogEntry.log_index)).scalars().all()
    bundle = b"".join(len(entry).to_bytes(2, "big") + entry for entry in entries)
    return _octets(bundle, width is not None)


_LEVEL = re.compile(r"^(?:0|[1-9]\d?)$")


@bp.get("/log/tile/<level_text>/<path:path>")
def hash_tile(level_text: str, path: str) -> Response:
    """Hash tile N of a level (0-63, no leading zeroes), full or its first W hashes."""
    index, width = _parse_tile_path(path)
    if not _LEVEL.fullmatch(level_text) or int(level_text) > 63:
        raise NotFound("tile_not_found", "Không có ô (tile) này trong sổ.")
    level = int(level_text)
    count = width or TILE_WIDTH
    size = _log_size()
    # Only what a signed checkpoint covers: hashes at this level up to size / 256**level.
    if index * TILE_WIDTH + count > size // (TILE_WIDTH ** level):
        raise NotFound("tile_not_found", "Không có ô (tile) này trong sổ.")
    stored = bytes(TileStore(size).tile(level, index))
    data = stored[:count * HASH_SIZE]
    if len(data) != count * HASH_SIZE:
        raise NotFound("tile_not_found", "Không có ô (tile) này trong sổ.")
    return _octets(data, width is not None)


@operation(api, "/log/inclusion", "GET", summary="Inclusion proof of a custody event in the log",
           tag="log", query=InclusionQuery, response=InclusionOut, public=True,
           errors=(404, 422))
def inclusion(query: InclusionQuery) -> InclusionOut:
    """RFC 6962 PATH of the event's entry in the tree of `size` leaves."""
    index = db.session.execute(
        select(LogEntry.log_index).where(LogEntry.event_id == query.event_id)
    ).scalar_one_or_none()
    if index is None:
        raise NotFound("event_not_logged", "Sự kiện này chưa có (hoặc không có) trong sổ giám sát.")
    size = _log_size()
    if query.size > size:
        raise Invalid("size_beyond_log", f"Sổ mới có {size} mục đã ký.", {"tree_size": size})
    if index >= query.size:
        raise Invalid("event_after_size", "Sự kiện được ghi sổ sau kích thước cây này.",
                      {"log_index": index})
    proof = TileStore(size).inclusion_proof(index, query.size)
    return InclusionOut(log_index=index, tree_size=query.size, proof=[h.hex() for h in proof])


@operation(api, "/log/consistency", "GET", summary="Consistency proof between two tree sizes",
           tag="log", query=ConsistencyQuery, response=ConsistencyOut, public=True,
           errors=(422,))
def consistency(query: ConsistencyQuery) -> ConsistencyOut:
    """RFC 6962 PROOF that the tree of `from` leaves is a prefix of the tree of `to`."""
    size = _log_size()
    if query.to > size:
        raise Invalid("size_beyond_log", f"Sổ mới có {size} mục đã ký.", {"tree_size": size})
    try:
        proof = TileStore(size).consistency_proof(query.from_size, query.to)
    except ProofError:
        raise Invalid("from_after_to", "Kích thước đầu phải không lớn hơn kích thước cuối.",
                      {"from": query.from_size, "to": query.to}) from None
    return ConsistencyOut(proof=[h.hex() for h in proof])


@operation(api, "/log/witness-alerts", "GET",
           summary="Witnesses that refused one of our checkpoints and have not cosigned since",
           tag="log", response=WitnessAlertsOut, roles={Role.supervisor, Role.admin})
def witness_alert_list() -> WitnessAlertsOut:
    """The supervisors' alert: which witness refused what and when (fork, rollback, bad
    signature), newest first; a witness drops out once it cosigns a later checkpoint."""
    return WitnessAlertsOut(alerts=[WitnessAlertOut.model_validate(alert)
                                    for alert in witness_alerts()])
