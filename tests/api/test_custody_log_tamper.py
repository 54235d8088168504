"""What the probe with database access slipped past `custody verify`, caught by the custody log.

Each case tampers with the store as someone with database access (but not the log's
signing key) could, after the log signed a checkpoint; `custody verify` (command and API)
names the first thing that fails. Runs on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from server.domain.merkle import leaf_hash
from server.extensions import db
from server.models import (
    CustodyEvent,
    DailyRoot,
    Item,
    LogCheckpoint,
    LogEntry,
    LogTile,
)
from server.models.types import utc_now
from server.transparency.log import TileStore, sign_checkpoint
from tests.api.checks import signed_in, verify_in_background
from tests.api.scenario import register_result, two_chains
from tests.api.test_custody_log import checkpoint
from tests.api.test_proof import (
    both_verdicts,
    cli_verify,
    move_back,
    rewrite_history,
    run,
)


@pytest.fixture
def chains(world, new_api) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return two_chains(new_api)


@pytest.fixture
def supervisor(new_api):  # type: ignore[no-untyped-def]
    return signed_in(new_api(), "supervisor")


@pytest.fixture
def logged(app, chains) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The two chains, logged and checkpointed; verify holds before any tampering."""
    assert checkpoint(app)["tree_size"] == 8
    code, report = cli_verify(app)
    assert code == 0 and report["log_entries_checked"] == 8 and report["checkpoints_checked"] == 1
    return chains


def _delete_event_keeping_the_chain_whole(app, victim: dict[str, Any]) -> str:  # type: ignore[no-untyped-def]
    """Delete an item's last event and move its head, count and status back."""
    last, before = victim["events"][-1], victim["events"][-2]
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_flags WHERE event_id = :id"), {"id": last["id"]})
        db.session.execute(text("DELETE FROM notifications WHERE event_id = :id"), {"id": last["id"]})
        db.session.execute(text("DELETE FROM custody_events WHERE id = :id"), {"id": last["id"]})
        db.session.execute(text("UPDATE items SET head_hash = :head, event_count = :count, "
                                "status = :status WHERE tracking_number = :tn"),
                           {"head": before["hash"], "count": before["seq"],
                            "status": before["status_after"], "tn": victim["tracking_number"]})
        db.session.commit()
    return str(last["id"])


def _delete_item(app, tracking_number: str) -> None:  # type: ignore[no-untyped-def]
    """Delete an item and everything that names it, as a thorough insider would."""
    with app.app_context():
        item_id = db.session.execute(select(Item.id).where(
            Item.tracking_number == tracking_number)).scalar_one()
        for table in reversed(db.metadata.sorted_tables):
            if "item_id" in table.c and table.name != "items":
                db.session.execute(table.delete().where(table.c.item_id == item_id))
        db.session.execute(text("UPDATE items SET linked_dossier_id = NULL "
                                "WHERE linked_dossier_id = :id"), {"id": item_id})
        db.session.execute(text("DELETE FROM items WHERE id = :id"), {"id": item_id})
        db.session.commit()


def test_an_event_edited_and_its_chain_rehashed_is_caught_by_the_log(app, logged, supervisor):
    def alter(stored: CustodyEvent) -> None:
        if stored.type == "out_for_delivery":
            stored.evidence = {**stored.evidence, "altered": True}

    rewrite_history(app, alter)  # every chain verifies again
    broken = both_verdicts(app, supervisor)
    assert broken["reason"] == "logged_event_changed"
    assert broken["event_id"] in {c["events"][-1]["id"] for c in logged}


def test_an_items_last_event_deleted_with_its_head_moved_back_is_caught(app, logged, supervisor):
    gone = _delete_event_keeping_the_chain_whole(app, logged[1])
    broken = both_verdicts(app, supervisor)
    assert broken["reason"] == "logged_event_missing" and broken["event_id"] == gone


def test_an_item_deleted_with_its_events_is_caught(app, logged, supervisor):
    _delete_item(app, logged[0]["tracking_number"])
    broken = both_verdicts(app, supervisor)
    assert broken["reason"] == "logged_event_missing"
    assert broken["event_id"] in {e["id"] for e in logged[0]["events"]}


def test_an_item_deleted_with_its_log_entries_is_caught(app, logged, supervisor):
    ids = [e["id"] for e in logged[0]["events"]]
    _delete_item(app, logged[0]["tracking_number"])
    with app.app_context():
        db.session.execute(LogEntry.__table__.delete().where(LogEntry.event_id.in_(ids)))
        db.session.commit()
    assert both_verdicts(app, supervisor)["reason"] in {"log_index_gap", "checkpoint_beyond_log"}


def test_the_log_rebuilt_without_an_item_is_caught_by_the_kept_checkpoint(app, logged, supervisor):
    """The insider renumbers the surviving entries and rebuilds the tiles: every entry
    matches its event again, and only the signed checkpoint (size 8) still tells."""
    _delete_item(app, logged[0]["tracking_number"])
    with app.app_context():
        survivors = db.session.execute(select(LogEntry.event_id, LogEntry.entry).join(
            CustodyEvent, CustodyEvent.id == LogEntry.event_id).order_by(LogEntry.log_index)).all()
        db.session.execute(LogEntry.__table__.delete())
        db.session.execute(LogTile.__table__.delete())
        db.session.flush()
        for index, (event_id, entry) in enumerate(survivors):
            db.session.add(LogEntry(log_index=index, event_id=event_id, entry=entry))
        db.session.add(LogTile(level=0, tile_index=0,
                               hashes=b"".join(leaf_hash(entry) for _, entry in survivors)))
        db.session.commit()
    assert both_verdicts(app, supervisor) == {
        "tracking_number": None, "event_id": None, "reason": "checkpoint_beyond_log",
        "tree_size": 8, "log_size": 4}


def test_a_tampered_tile_is_caught(app, logged, supervisor):
    with app.app_context():
        tile = db.session.execute(select(LogTile).where(LogTile.level == 0)).scalar_one()
        tile.hashes = tile.hashes[:32 * 5] + bytes(32) + tile.hashes[32 * 6:]
        db.session.commit()
    broken = both_verdicts(app, supervisor)
    assert broken == {"tracking_number": None, "event_id": None, "reason": "log_tile_mismatch",
                      "log_index": 5}


def test_a_checkpoint_rewritten_without_the_key_is_caught(app, logged, supervisor):
    with app.app_context():
        stored = db.session.execute(select(LogCheckpoint)).scalar_one()
        stored.root = bytes(32)
        db.session.commit()
    broken = both_verdicts(app, supervisor)
    assert broken == {"tracking_number": None, "event_id": None,
                      "reason": "checkpoint_signature_invalid", "tree_size": 8,
                      "detail": "the signed text is not the stored size and root"}


def test_a_sealed_day_rewritten_with_its_events_is_caught(app, chains, supervisor):
    day = move_back(app, 2)  # history moved into the past (re-hashed) before it is logged
    assert checkpoint(app)["tree_size"] == 8
    code, _output = run(app, "seal-day", "--day", day.isoformat())
    assert code == 0

    def alter(stored: CustodyEvent) -> None:
        if stored.type == "at_post":
            stored.evidence = {**stored.evidence, "altered": True}

    rewrite_history(app, alter)
    with app.app_context():  # and the day's home-made root recomputed to match
        sealed = db.session.get(DailyRoot, day)
        db.session.delete(sealed)
        db.session.commit()
    run(app, "seal-day", "--day", day.isoformat())
    assert both_verdicts(app, supervisor)["reason"] == "logged_event_changed"


def test_a_sealed_days_checkpoint_rewritten_is_caught(app, chains, supervisor):
    day = move_back(app, 2)
    checkpoint(app)
    run(app, "seal-day", "--day", day.isoformat())
    with app.app_context():
        sealed = db.session.get(DailyRoot, day)
        assert sealed.log_size == 8  # the day's last checkpoint, on its record
        sealed.log_root = "0" * 64
        db.session.commit()
    broken = both_verdicts(app, supervisor)
    assert broken == {"tracking_number": None, "event_id": None,
                      "reason": "day_checkpoint_mismatch", "day": day.isoformat(), "tree_size": 8}


def test_a_sealed_day_deleted_is_caught(app, chains, supervisor):
    day = move_back(app, 4)
    checkpoint(app)
    for offset in (0, 1, 2):
        assert run(app, "seal-day", "--day", (day + timedelta(days=offset)).isoformat())[0] == 0
    with app.app_context():
        db.session.delete(db.session.get(DailyRoot, day + timedelta(days=1)))
        db.session.commit()
    broken = both_verdicts(app, supervisor)
    assert broken == {"tracking_number": None, "event_id": None, "reason": "day_not_sealed",
                      "day": (day + timedelta(days=1)).isoformat()}


def test_the_daily_report_prints_the_days_last_checkpoint(app, chains, supervisor):
    day = move_back(app, 2)
    checkpoint(app)
    _code, output = run(app, "seal-day", "--day", day.isoformat())
    sealed = json.loads(output.strip().splitlines()[-1])
    with app.app_context():
        latest = db.session.execute(select(LogCheckpoint)).scalar_one()
    assert (sealed["log_size"], sealed["log_root"]) == (8, latest.root.hex())
    answer = supervisor.get(f"/api/v1/audit/days/{day.isoformat()}").get_json()
    assert (answer["log_size"], answer["log_root"]) == (8, latest.root.hex())


# --- the supervisor's own (scoped) verification job runs the log's checks too ----------

def _rebuild_log_with_the_key(app, leave_out: set[str]) -> None:  # type: ignore[no-untyped-def]
    """An insider who also holds the log's signing key rebuilds the whole log without some
    events and re-signs it: every entry, tile and kept checkpoint agrees again."""
    with app.app_context():
        for table in (LogEntry, LogTile, LogCheckpoint):
            db.session.execute(table.__table__.delete())
        event_id = CustodyEvent.id.collate("C") if db.session.get_bind().dialect.name == \
            "postgresql" else CustodyEvent.id
        kept = [(i, h) for i, h in db.session.execute(
            select(CustodyEvent.id, CustodyEvent.hash)
            .order_by(CustodyEvent.received_at, event_id)).tuples() if i not in leave_out]
        db.session.execute(LogEntry.__table__.insert(), [
            {"log_index": index, "event_id": i, "entry": bytes.fromhex(h)}
            for index, (i, h) in enumerate(kept)])
        tiles = TileStore(0)
        tiles.append(leaf_hash(bytes.fromhex(h)) for _, h in kept)
        tiles.flush()
        sign_checkpoint(tiles, utc_now())
        db.session.commit()


def _words(job: dict[str, Any]) -> str:
    return str(job["message"])


def test_the_supervisors_job_names_an_event_edited_and_rehashed(app, logged, supervisor):
    def alter(stored: CustodyEvent) -> None:
        if stored.type == "out_for_delivery":
            stored.evidence = {**stored.evidence, "altered": True}

    rewrite_history(app, alter)  # every chain verifies again: only the log tells
    job = verify_in_background(supervisor)
    assert job["ok"] is False
    assert job["first_broken"]["reason"] == "logged_event_changed"
    assert job["first_broken"]["event_id"] in {c["events"][-1]["id"] for c in logged}
    assert "đã bị sửa và băm lại sau khi ghi vào sổ giám sát" in _words(job)
    assert "mục số" in _words(job)


def test_the_supervisors_job_names_a_deleted_item_by_its_log_index(app, logged, supervisor):
    _delete_item(app, logged[0]["tracking_number"])
    job = verify_in_background(supervisor)
    assert job["ok"] is False and job["first_broken"]["reason"] == "logged_event_missing"
    assert "không còn trong cơ sở dữ liệu" in _words(job)


def test_an_event_left_out_of_a_log_rebuilt_with_the_key_is_caught(app, chains, supervisor):
    move_back(app, 2)  # the events arrived long before any checkpoint was signed
    hidden = chains[1]["events"][2]["id"]
    _rebuild_log_with_the_key(app, {hidden})
    broken = both_verdicts(app, supervisor)
    assert broken == {"tracking_number": chains[1]["tracking_number"], "event_id": hidden,
                      "reason": "event_not_logged", "tree_size": 7}
    job = verify_in_background(supervisor)  # and the supervisor's own scoped job
    assert job["first_broken"] == broken
    assert chains[1]["tracking_number"] in _words(job) and "không có trong sổ" in _words(job)


def test_an_item_deleted_and_the_log_rebuilt_with_the_key_leaves_a_serial_gap(app, chains,
                                                                              supervisor):
    move_back(app, 2)
    gone = chains[0]["tracking_number"]
    _delete_item(app, gone)
    _rebuild_log_with_the_key(app, set())
    broken = both_verdicts(app, supervisor)
    assert broken["reason"] == "serial_gap" and broken["tracking_number"] == gone
    job = verify_in_background(supervisor)
    assert job["first_broken"]["reason"] == "serial_gap"
    assert f"bưu gửi {gone}" in _words(job) and "đã cấp" in _words(job)


# --- the only or last sealed day deleted: the next checkpoint names it ------------------

def _seal_then_log_another_day(app, new_api) -> tuple[Any, int]:  # type: ignore[no-untyped-def]
    """The history moved two days back and sealed, then today's work (a new result
    registered) logged: the checkpoint signed now names the sealed day."""
    day = move_back(app, 2)
    assert run(app, "seal-day", "--day", day.isoformat())[0] == 0
    register_result(signed_in(new_api(), "clerk"))
    answer = checkpoint(app)
    assert answer["tree_size"] > 8  # the new result's events
    with app.app_context():
        note = db.session.execute(select(LogCheckpoint).order_by(
            LogCheckpoint.tree_size.desc())).scalars().first().note
        sealed = db.session.get(DailyRoot, day)
        assert f"tantay-sealed-day {day.isoformat()} {sealed.root} 8\n" in note
    return day, answer["tree_size"]


def test_the_only_sealed_day_deleted_is_caught_by_the_signed_checkpoint(app, chains, supervisor,
                                                                        new_api):
    day, size = _seal_then_log_another_day(app, new_api)
    assert cli_verify(app)[0] == 0
    with app.app_context():
        db.session.delete(db.session.get(DailyRoot, day))
        db.session.commit()
    assert both_verdicts(app, supervisor) == {
        "tracking_number": None, "event_id": None, "reason": "day_not_sealed",
        "day": day.isoformat(), "tree_size": size}


def test_the_last_sealed_day_deleted_is_caught_by_the_signed_checkpoint(app, chains, supervisor,
                                                                        new_api):
    day = move_back(app, 3)
    with app.app_context():  # the next day's events: the first item's last two
        for event_id in [e["id"] for e in chains[0]["events"][2:]]:
            stored = db.session.get(CustodyEvent, event_id)
            stored.received_at += timedelta(days=1)
            stored.occurred_at += timedelta(days=1)
        db.session.commit()
    rewrite_history(app, lambda stored: None)  # re-hash the moved events
    last = day + timedelta(days=1)
    for sealed in (day, last):
        assert run(app, "seal-day", "--day", sealed.isoformat())[0] == 0
    register_result(signed_in(new_api(), "clerk"))
    size = checkpoint(app)["tree_size"]
    assert cli_verify(app)[0] == 0
    with app.app_context():
        db.session.delete(db.session.get(DailyRoot, last))
        db.session.commit()
    broken = both_verdicts(app, supervisor)
    assert broken == {"tracking_number": None, "event_id": None, "reason": "day_not_sealed",
                      "day": last.isoformat(), "tree_size": size}
    job = verify_in_background(supervisor)  # the supervisor's own job names it too
    assert job["first_broken"] == broken and last.strftime("%d/%m/%Y") in job["message"]
