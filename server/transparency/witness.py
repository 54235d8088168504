"""C2SP tlog-witness, both ways.

As a log: each new checkpoint goes with its consistency proof to every witness in
LOG_WITNESSES ("URL vkey" pairs, comma-separated); the cosignatures that verify are kept
and served with the checkpoint; a refusal is kept in `witness_refusals`.

As a witness (`POST /log/witness/add-checkpoint`): for each log of WITNESS_LOGS (their
vkeys; origin = key name) it keeps the last checkpoint it cosigned, checks the consistency
proof from it, refuses a fork or a rollback with the spec's status, and cosigns otherwise.
"""
from __future__ import annotations

import base64
import binascii
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select, text

from server.domain.merkle import EMPTY_ROOT, ProofError, verify_consistency
from server.domain.signed_note import (
    COSIGNATURE_V1,
    NoteError,
    Signer,
    Verifier,
    open_note,
    parse_checkpoint,
    signature_verifies,
    split_note,
    verifier_from_vkey,
)
from server.extensions import db
from server.models import LogCheckpoint, LogCosignature, WitnessedLog, WitnessRefusal
from server.models.types import utc_now
from server.transparency.log import TileStore, log_origin
from server.transparency.signing_keys import signing_key

WITNESS_KEY_FILE_NAME = "witness_signing_key.pem"
MAX_PROOF_LINES = 63
PUSH_TIMEOUT_S = 10

bp = Blueprint("witness", __name__)


# --- as a log ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ConfiguredWitness:
    url: str
    verifier: Verifier


def configured_witnesses() -> list[ConfiguredWitness]:
    """LOG_WITNESSES parsed: "URL vkey, URL vkey"."""
    found = []
    for part in str(current_app.config.get("LOG_WITNESSES", "")).split(","):
        if part.strip():
            url, vkey = part.split()
            found.append(ConfiguredWitness(url.rstrip("/"), verifier_from_vkey(vkey)))
    return found


def _last_cosigned_size(witness: Verifier) -> int:
    size = db.session.execute(
        select(LogCheckpoint.tree_size).join(LogCosignature)
        .where(LogCosignature.witness_name == witness.name)
        .order_by(LogCheckpoint.tree_size.desc()).limit(1)).scalar_one_or_none()
    return size or 0


def _post(url: str, body: bytes) -> tuple[int, str]:
    call = urllib.request.Request(url, data=body, method="POST",
                                  headers={"Content-Type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(call, timeout=PUSH_TIMEOUT_S) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def add_checkpoint_body(old_size: int, proof: list[bytes], note: str) -> bytes:
    lines = [f"old {old_size}"] + [base64.b64encode(h).decode() for h in proof]
    return ("\n".join(lines) + "\n\n" + note).encode()


def push_to_witnesses(checkpoint_id: int) -> None:
    """Ask every configured witness to cosign one checkpoint (commits what it gets)."""
    checkpoint = db.session.get(LogCheckpoint, checkpoint_id)
    if checkpoint is None:
        return
    for witness in configured_witnesses():
        _push(witness, checkpoint)
        db.session.commit()


def _push(witness: ConfiguredWitness, checkpoint: LogCheckpoint) -> None:
    tiles = TileStore(checkpoint.tree_size)
    old = _last_cosigned_size(witness.verifier)
    for _attempt in range(2):  # a 409 names the witness's size: one retry from there
        old = min(old, checkpoint.tree_size)
        proof = tiles.consistency_proof(old, checkpoint.tree_size) if old else []
        status, answer = _post(f"{witness.url}/add-checkpoint",
                               add_checkpoint_body(old, proof, checkpoint.note))
        if status == 409 and answer.strip().isdigit():
            old = int(answer.strip())
            continue
        break
    if status != 200:
        db.session.add(WitnessRefusal(side="log", origin=log_origin(), peer=witness.url,
                                      status=status, reason=answer.strip()[:300],
                                      tree_size=checkpoint.tree_size))
        current_app.logger.error("witness %s refused checkpoint %d: %s %s", witness.url,
                                 checkpoint.tree_size, status, answer.strip()[:200])
        return
    text_, _ = split_note(checkpoint.note)
    for line in answer.splitlines():
        try:
            _, (signature,) = split_note(f"{text_}\n{line}\n")
        except (NoteError, ValueError):
            continue
        if (signature.name, signature.key_id) != (witness.verifier.name, witness.verifier.key_id):
            continue
        try:
            signature_verifies(text_, signature, witness.verifier)
        except NoteError:
            continue
        if not any(c.witness_name == signature.name for c in checkpoint.cosignatures):
            db.session.add(LogCosignature(checkpoint_id=checkpoint.id, witness_name=signature.name,
                                          signature_line=line))
    db.session.flush()


# --- as a witness -----------------------------------------------------------------------

def witness_signer() -> Signer:
    """This deployment's cosigning key: WITNESS_SIGNING_KEY, else generated into instance/."""
    key = signing_key(current_app.config.get("WITNESS_SIGNING_KEY", ""),
                      current_app.instance_path, WITNESS_KEY_FILE_NAME)
    name = current_app.config.get("WITNESS_NAME") or f"{log_origin()}/witness"
    return Signer(name, key, COSIGNATURE_V1)


def _witnessed_logs() -> dict[str, Verifier]:
    verifiers = [verifier_from_vkey(v) for v in
                 str(current_app.config.get("WITNESS_LOGS", "")).split(",") if v.strip()]
    return {v.name: v for v in verifiers}


class WitnessRefused(Exception):
    """A submission the witness turns down, with the spec's status; `fork` when the log
    showed a signed checkpoint inconsistent with what it cosigned before."""

    def __init__(self, status: int, reason: str, body: str | None = None,
                 content_type: str = "text/plain; charset=utf-8", fork_size: int | None = None,
                 origin: str = "") -> None:
        super().__init__(reason)
        self.status, self.reason, self.fork_size, self.origin = status, reason, fork_size, origin
        self.body, self.content_type = body if body is not None else reason + "\n", content_type


def _parse_request(body: str) -> tuple[int, list[bytes], str]:
    head, separator, note = body.partition("\n\n")
    if not separator:
        raise WitnessRefused(400, "malformed request")
    lines = head.split("\n")
    if not lines[0].startswith("old ") or not lines[0][4:].isdigit() or (
            lines[0][4:] != "0" and lines[0][4:].startswith("0")):
        raise WitnessRefused(400, "malformed old size line")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessRefused(400, "too many proof lines")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except binascii.Error:
        raise WitnessRefused(400, "proof line is not base64") from None
    return int(lines[0][4:]), proof, note


def add_checkpoint(body: str) -> str:
    """The witness's decision on one submission: cosignature lines, or WitnessRefused."""
    old_size, proof, note = _parse_request(body)
    try:
        text_, _ = split_note(note)
        checkpoint = parse_checkpoint(text_)
    except NoteError as error:
        raise WitnessRefused(400, f"malformed checkpoint: {error}") from None
    verifier = _witnessed_logs().get(checkpoint.origin)
    if verifier is None:
        raise WitnessRefused(404, "unknown log origin")
    try:
        open_note(note, [verifier])
    except NoteError as error:
        raise WitnessRefused(403, f"checkpoint signature: {error}") from None
    if old_size > checkpoint.size:
        raise WitnessRefused(400, "old size above the checkpoint size")
    if db.session.get_bind().dialect.name == "postgresql":  # check-and-store atomically
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:origin))"),
                           {"origin": checkpoint.origin})
    kept = db.session.get(WitnessedLog, checkpoint.origin)
    kept_size = kept.tree_size if kept is not None else 0
    if old_size != kept_size:
        raise WitnessRefused(409, "old size is not the last cosigned size", f"{kept_size}\n",
                             "text/x.tlog.size")
    if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
        raise WitnessRefused(422, "empty tree with a non-empty root")
    try:
        if kept is None:
            if proof:
                raise ProofError("a proof from size 0 must be empty")
        else:
            verify_consistency(kept.tree_size, checkpoint.size, kept.root, checkpoint.root, proof)
    except ProofError as error:
        raise WitnessRefused(422, f"checkpoint is not consistent with the last cosigned: {error}",
                             fork_size=checkpoint.size, origin=checkpoint.origin) from None
    if kept is None:
        kept = WitnessedLog(origin=checkpoint.origin, tree_size=0, root=EMPTY_ROOT, note="")
        db.session.add(kept)
    kept.tree_size, kept.root, kept.note, kept.updated_at = (
        checkpoint.size, checkpoint.root, note, utc_now())
    db.session.flush()
    return witness_signer().signature_line(text_, int(time.time())) + "\n"


@bp.post("/log/witness/add-checkpoint")
def add_checkpoint_view() -> Response:
    """C2SP tlog-witness add-checkpoint."""
    try:
        lines = add_checkpoint(request.get_data(as_text=True))
    except WitnessRefused as refusal:
        db.session.rollback()
        if refusal.fork_size is not None:  # proof of the log's misbehaviour: kept
            db.session.add(WitnessRefusal(side="witness", origin=refusal.origin,
                                          peer=request.remote_addr or "", status=refusal.status,
                                          reason=refusal.reason[:300], tree_size=refusal.fork_size))
            db.session.commit()
        return Response(refusal.body, status=refusal.status, content_type=refusal.content_type)
    db.session.commit()
    return Response(lines, content_type="text/plain; charset=utf-8")


@bp.get("/log/witness/vkey")
def witness_vkey() -> Response:
    """This deployment's cosigner verifier key (type 0x04)."""
    return Response(witness_signer().verifier.vkey + "\n", content_type="text/plain; charset=utf-8")
