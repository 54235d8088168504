"""C2SP tlog-witness both ways: two deployments on loopback, one witnessing the other's log.

Deployment A (a province's post) pushes each checkpoint with its consistency proof to
deployment B (another province, or the Department of Science and Technology), which keeps
the last checkpoint it cosigned and refuses a fork or a rollback. Each deployment has its
own database (SQLite files) and real HTTP servers on 127.0.0.1.
"""
from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from demo.seed import seed_structure
from server import create_app
from server.custody.proof import verify_all
from server.domain.merkle import leaf_hash
from server.domain.signed_note import (
    Checkpoint,
    Signer,
    open_note,
    sign_note,
    verifier_from_vkey,
)
from server.extensions import db
from server.media.storage import media_storage
from server.models import (
    LogCheckpoint,
    LogCosignature,
    LogEntry,
    LogTile,
    WitnessRefusal,
)
from server.transparency.log import TileStore, log_signer, logged_size, sign_checkpoint
from server.transparency.witness import push_to_witnesses, witness_signer
from tests.conftest import reset_schema
from tests.e2e.live_api import LiveSession


def _pem() -> str:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()


@dataclass
class Deployment:
    app: Flask
    url: str
    server: object


def _deployment(root: Path, name: str, **config: str) -> Iterator[Deployment]:
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / name}.sqlite3",
        "MEDIA_DIR": str(root / f"{name}-media"), "SECRET_KEY": "test", "LOG_ORIGIN":
        f"{name}.tantay.test/log", "LOG_SIGNING_KEY": _pem(), "WITNESS_SIGNING_KEY": _pem(),
        "WITNESS_NAME": f"{name}.tantay.test/witness", "LOG_CHECKPOINT_SECONDS": 0, **config})
    reset_schema(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Deployment(app, f"http://127.0.0.1:{server.server_port}", server)
    finally:
        server.shutdown()
        thread.join(timeout=30)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Deployment, Deployment]]:
    """B witnesses A's log."""
    witness_gen = _deployment(tmp_path, "b")
    witness = next(witness_gen)
    with witness.app.app_context():
        witness_vkey = witness_signer().verifier.vkey
    log_gen = _deployment(tmp_path, "a",
                          LOG_WITNESSES=f"{witness.url}/log/witness {witness_vkey}")
    log = next(log_gen)
    with log.app.app_context():
        witness.app.config["WITNESS_LOGS"] = log_signer().verifier.vkey
    try:
        yield log, witness
    finally:
        for generator in (log_gen, witness_gen):
            next(generator, None)


def _grow(log: Deployment, entries: list[bytes]) -> int:
    """Append entries to A's log (as integrating events would), sign and push; the id."""
    with log.app.app_context():
        size = logged_size()
        now = datetime.now(UTC)
        db.session.execute(LogEntry.__table__.insert(), [
            {"log_index": size + i, "event_id": f"e-{size + i}-{entry.hex()[:8]}", "entry": entry}
            for i, entry in enumerate(entries)])
        tiles = TileStore(size)
        tiles.append(leaf_hash(e) for e in entries)
        tiles.flush()
        checkpoint_id = sign_checkpoint(tiles, now).id
        db.session.commit()
        push_to_witnesses(checkpoint_id)
        db.session.remove()
    return checkpoint_id


def _rewrite_history(log: Deployment, entries: list[bytes]) -> int:
    """An insider rebuilds A's log from other entries and re-signs with the same key."""
    with log.app.app_context():
        for table in (LogCosignature, LogCheckpoint, LogEntry, LogTile):
            db.session.execute(table.__table__.delete())
        db.session.commit()
        db.session.remove()
    return _grow(log, entries)


def _entries(seed: str, count: int) -> list[bytes]:
    return [leaf_hash(f"{seed}-{i}".encode()) for i in range(count)]


def test_the_witness_cosigns_a_growing_log_and_the_checkpoint_carries_it(pair):
    log, witness = pair
    _grow(log, _entries("a", 5))
    _grow(log, _entries("b", 4))  # 5 → 9 with a consistency proof
    served = requests.get(f"{log.url}/log/checkpoint", timeout=30).text
    log_vkey = requests.get(f"{log.url}/log/vkey", timeout=30).text
    witness_vkey = requests.get(f"{witness.url}/log/witness/vkey", timeout=30).text
    text, signed_by = open_note(served, [verifier_from_vkey(log_vkey),
                                         verifier_from_vkey(witness_vkey)])
    assert text.split("\n")[1] == "9"
    assert set(signed_by) == {"a.tantay.test/log", "b.tantay.test/witness"}
    assert signed_by["b.tantay.test/witness"] > 0  # a timestamped cosignature
    with witness.app.app_context():
        assert db.session.execute(select(WitnessRefusal)).first() is None


def test_a_rewritten_history_re_signed_with_the_same_key_is_refused(pair):
    log, witness = pair
    _grow(log, _entries("a", 5))
    _grow(log, _entries("b", 4))
    forged = _rewrite_history(log, _entries("forged", 12))
    with log.app.app_context():
        assert db.session.get(LogCheckpoint, forged).cosignatures == []
        refusal = db.session.execute(select(WitnessRefusal)).scalar_one()
        assert (refusal.side, refusal.status, refusal.tree_size) == ("log", 422, 12)
        report = verify_all(media_storage())
        assert report.ok is False and report.first_broken["reason"] == "witness_refused"
        db.session.remove()
    with witness.app.app_context():  # the witness kept its evidence and its last size
        seen = db.session.execute(select(WitnessRefusal)).scalar_one()
        assert (seen.side, seen.status, seen.tree_size) == ("witness", 422, 12)
        assert db.session.execute(select(LogCheckpoint)).first() is None
        db.session.remove()


def _submit(witness: Deployment, old: int, proof: list[bytes], note: str) -> requests.Response:
    body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof)
    return requests.post(f"{witness.url}/log/witness/add-checkpoint",
                         data=(body + "\n" + note).encode(), timeout=30)


def test_the_witness_answers_the_specs_statuses(pair):
    log, witness = pair
    _grow(log, _entries("a", 9))
    with log.app.app_context():
        signer = log_signer()
        smaller = sign_note(Checkpoint(signer.name, 7, bytes(32)).text(), signer)
        current = db.session.execute(select(LogCheckpoint)).scalar_one().note
    stale = _submit(witness, 0, [], current)  # the witness has size 9 already
    assert stale.status_code == 409 and stale.text == "9\n"
    assert stale.headers["Content-Type"] == "text/x.tlog.size"
    assert _submit(witness, 9, [], smaller).status_code == 400  # a rollback
    other = Ed25519PrivateKey.generate()
    unknown = sign_note(Checkpoint("elsewhere.test/log", 3, bytes(32)).text(),
                        Signer("elsewhere.test/log", other))
    assert _submit(witness, 0, [], unknown).status_code == 404
    impostor = sign_note(Checkpoint(signer.name, 10, bytes(32)).text(), Signer(signer.name, other))
    assert _submit(witness, 9, [], impostor).status_code == 403
    same_size_other_root = sign_note(Checkpoint(signer.name, 9, bytes(32)).text(), signer)
    assert _submit(witness, 9, [], same_size_other_root).status_code == 422
    assert _submit(witness, 9, [], current).status_code == 200  # the same tree again


def _staff(deployment: Deployment) -> None:
    """The demo province's staff in a deployment (supervisor, postman… password tantay-demo)."""
    with deployment.app.app_context():
        seed_structure()
        db.session.commit()
        db.session.remove()


def _alerts(deployment: Deployment, username: str) -> requests.Response:
    return LiveSession(deployment.url, username).get("/log/witness-alerts")


def test_the_refusal_is_shown_to_supervisors_until_the_witness_cosigns_again(pair):
    log, witness = pair
    _staff(log)
    _grow(log, _entries("a", 5))
    assert _alerts(log, "supervisor").json() == {"alerts": []}
    _rewrite_history(log, _entries("forged", 12))

    answer = _alerts(log, "supervisor")
    assert answer.status_code == 200
    (alert,) = answer.json()["alerts"]
    assert alert["witness"] == "b.tantay.test/witness"
    assert alert["url"] == f"{witness.url}/log/witness"
    assert (alert["status"], alert["kind"], alert["refused_size"]) == (422, "fork", 12)
    assert "viết lại" in alert["words"] and alert["refused_at"]
    assert _alerts(log, "admin").json()["alerts"] == [alert]
    for other_role in ("postman", "clerk"):  # the alert is the supervisors'
        assert _alerts(log, other_role).status_code == 403

    with log.app.app_context():  # the witness cosigns a later checkpoint: the alert goes
        checkpoint = db.session.execute(
            select(LogCheckpoint).order_by(LogCheckpoint.tree_size.desc())).scalars().first()
        db.session.add(LogCosignature(checkpoint_id=checkpoint.id,
                                      witness_name="b.tantay.test/witness",
                                      signature_line="— b.tantay.test/witness AAAA"))
        db.session.commit()
        db.session.remove()
    assert _alerts(log, "supervisor").json() == {"alerts": []}


def test_a_rollback_is_named_as_one(pair):
    log, _witness = pair
    _staff(log)
    _grow(log, _entries("a", 9))
    _rewrite_history(log, _entries("a", 7))  # the same first 7 entries: a shorter tree
    (alert,) = _alerts(log, "supervisor").json()["alerts"]
    assert (alert["kind"], alert["refused_size"]) == ("rollback", 7)
    assert "lùi lại" in alert["words"]
