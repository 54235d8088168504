"""The offline verifier (`verifier/`, its own package) on real custody exports: intact, and
with each part of the bundle tampered with, it names the part.

It runs as a separate process with only its own package on the path, as anyone would run it.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from server.domain.signed_note import COSIGNATURE_V1, Signer, split_note
from server.extensions import db
from server.models import LogCheckpoint, LogCosignature
from tests.api.checks import signed_in
from tests.api.scenario import two_chains
from tests.api.test_custody_log import checkpoint

VERIFIER = Path(__file__).resolve().parents[2] / "verifier"
WITNESS = Signer("dost.ninhbinh.test/witness", Ed25519PrivateKey.generate(), COSIGNATURE_V1)


@pytest.fixture
def bundle(app, world, new_api) -> tuple[dict[str, Any], str]:  # type: ignore[no-untyped-def]
    """A result's export after the log signed a checkpoint a witness cosigned; the log vkey."""
    chains = two_chains(new_api)
    checkpoint(app)
    with app.app_context():
        latest = db.session.execute(select(LogCheckpoint)).scalar_one()
        text, _ = split_note(latest.note)
        db.session.add(LogCosignature(checkpoint_id=latest.id, witness_name=WITNESS.name,
                                      signature_line=WITNESS.signature_line(text, int(time.time()))))
        db.session.commit()
    supervisor = signed_in(new_api(), "supervisor")
    number = chains[0]["tracking_number"]
    answer = supervisor.get(f"/api/v1/items/{number}/custody-export.json")
    assert answer.status_code == 200
    vkey = supervisor.get("/log/vkey").get_data(as_text=True).strip()
    return answer.get_json(), vkey


def run_verifier(tmp_path: Path, document: dict[str, Any], vkey: str,
                 *extra: str) -> tuple[int, str]:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(VERIFIER)}
    done = subprocess.run(
        [sys.executable, "-m", "tantay_verifier", str(path), "--log-key", vkey,
         "--witness-key", WITNESS.verifier.vkey, *extra],
        capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=120, check=False)
    return done.returncode, done.stdout.strip()


def test_an_intact_bundle_is_intact_and_included_in_a_witnessed_checkpoint(bundle, tmp_path):
    document, vkey = bundle
    code, output = run_verifier(tmp_path, document, vkey)
    assert code == 0, output
    assert output.startswith("OK ") and "4 events intact" in output
    assert "dost.ninhbinh.test/witness" in output


def _tampered(document: dict[str, Any], change) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    copied = copy.deepcopy(document)
    change(copied["body"])
    return copied


def _flip(hex_text: str) -> str:
    return ("1" if hex_text[0] == "0" else "0") + hex_text[1:]


def _edit_event(body: dict[str, Any]) -> None:
    body["events"][1]["body"]["actor_user_id"] += 1


def _edit_image_hash(body: dict[str, Any]) -> None:
    body["media"][0]["sha256"] = _flip(body["media"][0]["sha256"])


def _edit_proof(body: dict[str, Any]) -> None:
    proof = body["log"]["inclusion"][2]["proof"]
    proof[0] = _flip(proof[0])


def _edit_checkpoint(body: dict[str, Any]) -> None:
    lines = body["log"]["checkpoint"].split("\n")
    lines[1] = str(int(lines[1]) + 1)
    body["log"]["checkpoint"] = "\n".join(lines)


def _edit_cosignature(body: dict[str, Any]) -> None:
    note = body["log"]["checkpoint"]
    head, last = note.rstrip("\n").rsplit("\n", 1)
    dash, name, signature = last.split(" ")
    changed = signature[:20] + ("A" if signature[20] != "A" else "B") + signature[21:]
    body["log"]["checkpoint"] = f"{head}\n{dash} {name} {changed}\n"


def _drop_cosignature(body: dict[str, Any]) -> None:
    note = body["log"]["checkpoint"]
    body["log"]["checkpoint"] = note.rstrip("\n").rsplit("\n", 1)[0] + "\n"


def _rehash_chain_after_edit(body: dict[str, Any]) -> None:
    """Edit an event and re-hash the chain as the verifier would: only the log tells."""
    body["events"][1]["body"]["actor_user_id"] += 1
    previous = "0" * 64
    for entry in body["events"]:
        entry["previous_hash"] = previous
        digest = hashlib.sha256(json.dumps(entry["body"], sort_keys=True, separators=(",", ":"),
                                           ensure_ascii=False).encode())
        digest.update(previous.encode())
        entry["hash"] = previous = digest.hexdigest()
    body["item"]["head_hash"] = previous


@pytest.mark.parametrize(("change", "part"), [
    (_edit_event, "event"),
    (_edit_image_hash, "image"),
    (_edit_proof, "proof"),
    (_edit_checkpoint, "checkpoint"),
    (_edit_cosignature, "cosignature"),
    (_drop_cosignature, "cosignature"),
    (_rehash_chain_after_edit, "proof"),
])
def test_each_tampered_part_is_named(bundle, tmp_path, change, part):
    document, vkey = bundle
    code, output = run_verifier(tmp_path, _tampered(document, change), vkey)
    assert code == 1
    assert output.startswith(f"FAIL {part}:"), output


def test_a_bundle_checked_with_another_logs_key_fails(bundle, tmp_path):
    document, _ = bundle
    impostor = Signer("tantay.test/log", Ed25519PrivateKey.generate()).verifier.vkey
    code, output = run_verifier(tmp_path, document, impostor)
    assert code == 1 and output.startswith("FAIL checkpoint:"), output
