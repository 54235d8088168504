"""The custody log: `flask custody checkpoint`, the C2SP tlog endpoints under /log/, the proof
API, and an outside auditor who has only HTTP and the log's verifier key."""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from server.domain.merkle import (
    MemoryTree,
    ProofError,
    leaf_hash,
    root_of_entries,
    verify_consistency,
    verify_inclusion,
)
from server.domain.signed_note import open_note, parse_checkpoint, verifier_from_vkey
from server.extensions import db
from server.models import CustodyEvent, Item, LogCheckpoint, LogEntry
from server.transparency.integrator import start_integrator
from server.transparency.log import TileStore, sign_checkpoint
from server.transparency.views import encode_tile_index
from tests.api.checks import signed_in
from tests.api.scenario import HOME, event, register_result, sync, two_chains

NEAR_HOME = {"lat": HOME["lat"] + 0.0002, "lon": HOME["lon"], "accuracy_m": 12}


@pytest.fixture
def chains(world, new_api) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return two_chains(new_api)


def checkpoint(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Run `flask custody checkpoint`; its JSON answer."""
    result = app.test_cli_runner().invoke(args=["custody", "checkpoint"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    answer = json.loads(result.output.strip().splitlines()[-1])
    answer["exit_code"] = result.exit_code
    return answer


def _event_hashes(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return dict(db.session.execute(select(CustodyEvent.id, CustodyEvent.hash)).tuples().all())


# --- an outside auditor: only HTTP and the verifier key ------------------------------------

class Auditor:
    """Checks the log over HTTP alone, as anyone could."""

    def __init__(self, http, vkey: str) -> None:  # type: ignore[no-untyped-def]
        self.http, self.verifier = http, verifier_from_vkey(vkey)

    def checkpoint(self) -> tuple[int, bytes]:
        answer = self.http.get("/log/checkpoint")
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
        text, _ = open_note(answer.get_data(as_text=True), [self.verifier])
        parsed = parse_checkpoint(text)
        assert parsed.origin == self.verifier.name
        return parsed.size, parsed.root

    def _get(self, path: str) -> bytes:
        answer = self.http.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Content-Type"] == "application/octet-stream"
        return answer.get_data()

    def entries(self, size: int) -> list[bytes]:
        """Every entry of the tree of `size`, from the entry bundles."""
        found: list[bytes] = []
        for index in range(-(-size // 256)):
            width = min(256, size - index * 256)
            suffix = "" if width == 256 else f".p/{width}"
            bundle = self._get(f"/log/tile/entries/{encode_tile_index(index)}{suffix}")
            at = 0
            while at < len(bundle):
                length = int.from_bytes(bundle[at:at + 2], "big")
                found.append(bundle[at + 2:at + 2 + length])
                at += 2 + length
        assert len(found) == size
        return found

    def level0(self, size: int) -> list[bytes]:
        hashes = b""
        for index in range(-(-size // 256)):
            width = min(256, size - index * 256)
            suffix = "" if width == 256 else f".p/{width}"
            hashes += self._get(f"/log/tile/0/{encode_tile_index(index)}{suffix}")
        return [hashes[i:i + 32] for i in range(0, len(hashes), 32)]


def test_an_outside_auditor_recomputes_the_root_and_finds_every_event_once(app, chains, api,
                                                                          new_api):
    first = checkpoint(app)
    assert first["ok"] and first["tree_size"] == 8 and first["added"] == 8
    auditor = Auditor(api, api.get("/log/vkey").get_data(as_text=True))
    size, root = auditor.checkpoint()
    entries = auditor.entries(size)
    assert root_of_entries(entries) == root
    assert auditor.level0(size) == [leaf_hash(entry) for entry in entries]
    # Every custody event the post recorded is in the log, exactly once.
    recorded = sorted(bytes.fromhex(h) for h in _event_hashes(app).values())
    assert sorted(entries) == recorded
    # More events, a new checkpoint: the older tree is a prefix of the newer one.
    number = chains[0]["tracking_number"]
    results = sync(signed_in(new_api(), "postman"), event(number, "attempt_failed",
                                                          reason="absent", action="retry",
                                                              position=NEAR_HOME))
    assert results[0]["status"] == "accepted", results
    assert checkpoint(app)["tree_size"] == 9
    new_size, new_root = auditor.checkpoint()
    newer = auditor.entries(new_size)
    assert newer[:size] == entries and root_of_entries(newer) == new_root
    proof = [bytes.fromhex(h) for h in
             api.get(f"/api/v1/log/consistency?from={size}&to={new_size}").get_json()["proof"]]
    verify_consistency(size, new_size, root, new_root, proof)
    assert sorted(newer) == sorted(bytes.fromhex(h) for h in _event_hashes(app).values())


def test_checkpoint_twice_adds_nothing_and_keeps_every_checkpoint(app, chains, new_api):
    assert checkpoint(app)["signed"] is True
    again = checkpoint(app)
    assert again == {**again, "ok": True, "tree_size": 8, "added": 0, "signed": False}
    with app.app_context():
        assert db.session.execute(select(LogCheckpoint.tree_size)).scalars().all() == [8]
        indexes = sorted(db.session.execute(select(LogEntry.log_index)).scalars())
    assert indexes == list(range(8))


def test_item_answers_carry_the_log_index_once_logged(app, chains, new_api):
    supervisor = signed_in(new_api(), "supervisor")
    number = chains[0]["tracking_number"]
    before = supervisor.get(f"/api/v1/items/{number}").get_json()["events"]
    assert all(e["log_index"] is None for e in before)
    checkpoint(app)
    after = supervisor.get(f"/api/v1/items/{number}").get_json()["events"]
    assert sorted(e["log_index"] for e in after) == sorted({e["log_index"] for e in after})
    assert all(isinstance(e["log_index"], int) for e in after)


def test_every_event_has_an_inclusion_proof_that_verifies(app, chains, api):
    checkpoint(app)
    auditor = Auditor(api, api.get("/log/vkey").get_data(as_text=True))
    size, root = auditor.checkpoint()
    for event_id, hex_hash in _event_hashes(app).items():
        answer = api.get(f"/api/v1/log/inclusion?event_id={event_id}&size={size}")
        assert answer.status_code == 200
        body = answer.get_json()
        assert body["tree_size"] == size
        verify_inclusion(body["log_index"], size, leaf_hash(bytes.fromhex(hex_hash)),
                         [bytes.fromhex(h) for h in body["proof"]], root)
        with pytest.raises(ProofError):  # the proof of this event proves no other hash
            verify_inclusion(body["log_index"], size, leaf_hash(b"forged"),
                             [bytes.fromhex(h) for h in body["proof"]], root)


@pytest.mark.parametrize(("url", "status", "code"), [
    ("/api/v1/log/inclusion?event_id=no-such-event&size=1", 404, "event_not_logged"),
    ("/api/v1/log/inclusion?event_id={event}&size=9", 422, "size_beyond_log"),
    ("/api/v1/log/inclusion?event_id={event}&size=0", 422, "validation_failed"),
    ("/api/v1/log/inclusion?size=3", 422, "validation_failed"),
    ("/api/v1/log/consistency?from=5&to=3", 422, "from_after_to"),
    ("/api/v1/log/consistency?from=2&to=9", 422, "size_beyond_log"),
    ("/api/v1/log/consistency?from=-1&to=3", 422, "validation_failed"),
    ("/api/v1/log/consistency?from=x&to=3", 422, "validation_failed"),
])
def test_bad_proof_requests_answer_the_error_envelope(app, chains, api, url, status, code):
    checkpoint(app)
    last = chains[1]["events"][-1]["id"]
    answer = api.get(url.format(event=last))
    assert answer.status_code == status
    assert answer.get_json()["error"]["code"] == code


def test_an_event_logged_after_the_size_asked_has_no_proof_in_it(app, chains, api, new_api):
    checkpoint(app)
    number = chains[0]["tracking_number"]
    results = sync(signed_in(new_api(), "postman"), event(number, "attempt_failed",
                                                          reason="absent", action="retry",
                                                              position=NEAR_HOME))
    assert results[0]["status"] == "accepted", results
    checkpoint(app)
    late = [e for e in signed_in(new_api(), "supervisor").get(
        f"/api/v1/items/{number}").get_json()["events"] if e["log_index"] == 8]
    answer = api.get(f"/api/v1/log/inclusion?event_id={late[0]['id']}&size=8")
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "event_after_size"


def test_log_key_command_prints_the_served_vkey(app, api):
    result = app.test_cli_runner().invoke(args=["custody", "log-key"])
    vkey = result.output.strip()
    assert vkey == api.get("/log/vkey").get_data(as_text=True).strip()
    verifier = verifier_from_vkey(vkey)
    assert verifier.name == "tantay.test/log"


def test_an_empty_log_has_no_checkpoint_until_the_first_integration(app, api):
    answer = api.get("/log/checkpoint")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "log_empty"
    assert checkpoint(app)["tree_size"] == 0  # the empty tree, signed once
    size, root = Auditor(api, api.get("/log/vkey").get_data(as_text=True)).checkpoint()
    assert size == 0 and root == root_of_entries([])


# --- tiles ---------------------------------------------------------------------------------

def test_tile_index_encoding_is_the_specs():
    assert encode_tile_index(1234067) == "x001/x234/067"
    assert encode_tile_index(0) == "000"
    assert encode_tile_index(1000) == "x001/000"


def _synthetic_log(app, count: int) -> list[bytes]:  # type: ignore[no-untyped-def]
    """A log of `count` synthetic entries (no events needed for the tiles' shape)."""
    entries = [i.to_bytes(32, "big") for i in range(count)]
    with app.app_context():
        db.session.execute(LogEntry.__table__.insert(), [
            {"log_index": i, "event_id": f"synthetic-{i}", "entry": e}
            for i, e in enumerate(entries)])
        tiles = TileStore(0)
        tiles.append(leaf_hash(e) for e in entries)
        tiles.flush()
        sign_checkpoint(tiles, datetime.now(UTC))
        db.session.commit()
    return entries


def test_full_and_partial_tiles_follow_the_spec(app, api):
    entries = _synthetic_log(app, 600)  # two full level-0 tiles, one of width 88
    tree = MemoryTree([leaf_hash(e) for e in entries])
    full = api.get("/log/tile/0/001")
    assert full.status_code == 200 and len(full.get_data()) == 8192
    assert full.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert full.get_data() == b"".join(tree.levels[0][256:512])
    partial = api.get("/log/tile/0/002.p/88")
    assert partial.get_data() == b"".join(tree.levels[0][512:600])
    assert "immutable" not in partial.headers["Cache-Control"]
    level1 = api.get("/log/tile/1/000.p/2").get_data()
    assert level1 == tree.levels[8][0] + tree.levels[8][1]
    bundle = api.get("/log/tile/entries/002.p/88").get_data()
    assert bundle == b"".join(b"\x00\x20" + e for e in entries[512:600])
    auditor = Auditor(api, api.get("/log/vkey").get_data(as_text=True))
    assert auditor.checkpoint() == (600, tree.root())
    for path in ("/log/tile/0/002", "/log/tile/0/002.p/89", "/log/tile/0/003.p/1",
                 "/log/tile/0/2", "/log/tile/0/x000/001", "/log/tile/0/001.p/256",
                 "/log/tile/0/001.p/0", "/log/tile/1/000", "/log/tile/64/000.p/1",
                 "/log/tile/00/001", "/log/tile/x/001",
                 "/log/tile/entries/002"):
        answer = api.get(path)
        assert answer.status_code == 404, path
        assert answer.get_json()["error"]["code"] == "tile_not_found"


def test_proofs_over_stored_tiles_match_a_tree_in_memory(app, api):
    entries = _synthetic_log(app, 600)
    tree = MemoryTree([leaf_hash(e) for e in entries])
    for old, new in ((1, 600), (256, 600), (300, 513), (511, 512)):
        answer = api.get(f"/api/v1/log/consistency?from={old}&to={new}").get_json()
        assert [bytes.fromhex(h) for h in answer["proof"]] == tree.consistency_proof(old, new)


# --- the server integrates by itself ---------------------------------------------------------

def test_the_server_integrates_new_events_by_itself(app, chains):
    app.config["LOG_CHECKPOINT_SECONDS"] = 0.2
    stop = start_integrator(app)
    try:
        assert stop is not None
        deadline = time.monotonic() + 60
        size = None
        while time.monotonic() < deadline:
            with app.app_context():
                size = db.session.execute(select(LogCheckpoint.tree_size)
                                          .order_by(LogCheckpoint.tree_size.desc())).scalar()
                db.session.remove()
            if size == 8:
                break
            time.sleep(0.2)
        assert size == 8
    finally:
        if stop is not None:
            stop.set()
        app.config["LOG_CHECKPOINT_SECONDS"] = 10.0


def test_an_event_received_just_before_a_checkpoint_but_committed_after_it_is_logged(
        app, chains, new_api):
    """The integrator reads only from LOGGING_GRACE before the latest checkpoint: an event
    whose request took its time (received before the checkpoint, committed after) is still
    logged by the next integration."""
    first = checkpoint(app)
    assert first["tree_size"] == 8
    late = register_result(signed_in(new_api(), "clerk"))["tracking_number"]
    with app.app_context():
        signed_at = db.session.execute(select(LogCheckpoint.signed_at)).scalar_one()
        events = db.session.execute(select(CustodyEvent).join(Item).where(
            Item.tracking_number == late)).scalars().all()
        for stored in events:  # as if received a minute before the checkpoint was signed
            stored.received_at = signed_at - timedelta(minutes=1)
        db.session.commit()
    second = checkpoint(app)
    assert second["added"] == len(events) and second["tree_size"] == 8 + len(events)
