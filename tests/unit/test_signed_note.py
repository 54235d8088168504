"""C2SP signed notes and checkpoints against the specification's published example."""
from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.domain.signed_note import (
    COSIGNATURE_V1,
    Checkpoint,
    NoteError,
    Signer,
    open_note,
    parse_checkpoint,
    sealed_day_line,
    sealed_day_of,
    sign_note,
    verifier_from_vkey,
)

#: c2sp.org/signed-note, "Verifier keys — Example".
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6"
             "TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")


def test_the_published_example_verifies_and_its_key_id_is_recomputed():
    verifier = verifier_from_vkey(SPEC_VKEY)
    assert verifier.key_id.hex() == "530d903a" and verifier.vkey == SPEC_VKEY
    text, signed_by = open_note(SPEC_NOTE, [verifier])
    assert text == "This is an example message.\n" and signed_by == {"example.com/foo": 0}


def test_a_changed_text_or_a_wrong_key_id_is_refused():
    verifier = verifier_from_vkey(SPEC_VKEY)
    with pytest.raises(NoteError):
        open_note(SPEC_NOTE.replace("example message", "exemple message"), [verifier])
    with pytest.raises(NoteError):  # a key id that does not match the key
        verifier_from_vkey(SPEC_VKEY.replace("+530d903a+", "+530d903b+"))


def test_our_notes_verify_and_unknown_signatures_are_ignored():
    ours, theirs = Signer("tantay.test/log", Ed25519PrivateKey.generate()), verifier_from_vkey(SPEC_VKEY)
    checkpoint = Checkpoint("tantay.test/log", 3, bytes(range(32)))
    note = sign_note(checkpoint.text(), ours)
    text, _ = open_note(note, [ours.verifier, theirs])
    assert parse_checkpoint(text) == checkpoint
    assert verifier_from_vkey(ours.verifier.vkey) == ours.verifier
    with pytest.raises(NoteError):  # signed only by keys we do not trust
        open_note(note, [theirs])


def test_a_cosignature_signs_the_time_and_the_checkpoint():
    log = Signer("tantay.test/log", Ed25519PrivateKey.generate())
    witness = Signer("witness.test/w1", Ed25519PrivateKey.generate(), COSIGNATURE_V1)
    text = Checkpoint("tantay.test/log", 5, bytes(32)).text()
    note = sign_note(text, log) + witness.signature_line(text, 1_700_000_000) + "\n"
    _, signed_by = open_note(note, [log.verifier, witness.verifier])
    assert signed_by == {"tantay.test/log": 0, "witness.test/w1": 1_700_000_000}
    forged = note.replace("\n5\n", "\n6\n")
    with pytest.raises(NoteError):
        open_note(forged, [witness.verifier])


@pytest.mark.parametrize("text", ["log\n01\nAAAA\n", "log\n1\n", "log\n1\nAAAA\n",
                                  "\n1\n" + "A" * 43 + "=\n"])
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(NoteError):
        parse_checkpoint(text)


def test_a_checkpoint_carries_the_last_sealed_day_as_an_extension_line():
    line = sealed_day_line(date(2026, 12, 1), "ab" * 32, 8)
    checkpoint = Checkpoint("example.test/log", 9, bytes(32), (line,))
    assert checkpoint.text().splitlines()[3] == f"tantay-sealed-day 2026-12-01 {'ab' * 32} 8"
    parsed = parse_checkpoint(checkpoint.text())
    assert parsed == checkpoint and sealed_day_of(parsed) == (date(2026, 12, 1), "ab" * 32, 8)
    assert sealed_day_of(Checkpoint("example.test/log", 9, bytes(32))) is None
    assert sealed_day_of(Checkpoint("o", 1, bytes(32), ("tantay-sealed-day 2026-13-01 x 1",))) is None
