"""Proof (docs/design.md §4): sealed daily Merkle roots, and one verification that names what broke.

Each tampering a person with access to the database or the media folder could do is tried,
and both the verification job (`POST /api/v1/audit/verify`, an admin: the whole country)
and `flask custody verify` must name it.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from server.core.errors import Conflict
from server.custody.events import event_body
from server.custody.proof import last_closed_day, seal_day
from server.domain.custody_chain import GENESIS_HASH, chain_hash, merkle_root
from server.domain.local_time import day_bounds, local_day
from server.extensions import db
from server.media.service import media_path
from server.models import CustodyEvent, DailyRoot, Item
from tests.api.checks import assert_error, signed_in, verify_in_background
from tests.api.scenario import hand_over, register_result, two_chains
from tests.conftest import ApiClient


@pytest.fixture
def chains(world, new_api) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Two results, each with four events: registered, at_post, handed_over, out_for_delivery."""
    return two_chains(new_api)


@pytest.fixture
def supervisor(new_api):  # type: ignore[no-untyped-def]
    """The demo province's supervisor, signed in."""
    return signed_in(new_api(), "supervisor")


def rewrite_history(app, change: Callable[[CustodyEvent], None]) -> None:  # type: ignore[no-untyped-def]
    """Change events and re-hash every chain so that each chain verifies again.

    Only a sealed day's root can tell such a rewrite; the tests also use it to move a fresh
    history into the past, so that its days can be sealed.
    """
    with app.app_context():
        for item in db.session.execute(select(Item)).scalars():
            previous = GENESIS_HASH
            events = db.session.execute(select(CustodyEvent).where(CustodyEvent.item_id == item.id)
                                        .order_by(CustodyEvent.seq)).scalars().all()
            for stored in events:
                change(stored)
                stored.previous_hash = previous
                stored.hash = previous = chain_hash(event_body(stored, item.tracking_number), previous)
            item.head_hash = previous
        db.session.commit()


def move_back(app, days: int) -> date:  # type: ignore[no-untyped-def]
    """Shift every event `days` days into the past; answer the local day they now fall on."""
    def shift(stored: CustodyEvent) -> None:
        stored.received_at -= timedelta(days=days)
        stored.occurred_at -= timedelta(days=days)

    rewrite_history(app, shift)
    with app.app_context():
        days_found = {local_day(moment) for moment in
                      db.session.execute(select(CustodyEvent.received_at)).scalars()}
    assert len(days_found) == 1
    return days_found.pop()


def expected_root(app, day: date) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """The day's root computed here: hashes of its events ordered by (received_at, id)."""
    start, end = day_bounds(day)
    with app.app_context():
        rows = db.session.execute(select(CustodyEvent.received_at, CustodyEvent.id, CustodyEvent.hash)
                                  .where(CustodyEvent.received_at >= start,
                                         CustodyEvent.received_at < end)).all()
    ordered = sorted(rows, key=lambda row: (row[0], row[1]))
    return merkle_root([row[2] for row in ordered]), len(ordered)


def run(app, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Run a `flask custody …` command; answer its exit code and output."""
    result = app.test_cli_runner().invoke(args=["custody", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def cli_verify(app) -> tuple[int, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """`flask custody verify`: exit code and the JSON report, the same with 1 and 2 workers."""
    answers = []
    for jobs in ("1", "2"):
        code, output = run(app, "verify", "--jobs", jobs)
        answers.append((code, json.loads(output.strip().splitlines()[-1])))
    assert answers[0] == answers[1], answers  # one process or two: the same report
    return answers[0]


def admin_of(client: ApiClient) -> ApiClient:
    """The admin, signed in on a client of the same app: the whole country's verification."""
    return signed_in(ApiClient(client.client.application.test_client()), "admin")


def both_verdicts(app, supervisor) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The API's and the command's reports, which must agree; the command exits 1."""
    answer = verify_in_background(admin_of(supervisor))
    code, report = cli_verify(app)
    assert {key: answer[key] for key in report if key in answer} == {
        key: value for key, value in report.items() if key in answer}
    assert code == 1 and report["ok"] is False
    return report["first_broken"]


@contextmanager
def file_replaced(path: Path, new_bytes: bytes | None) -> Iterator[None]:
    """Overwrite (or, with None, delete) a media file, and put the original back afterwards.

    The media folder outlives each test, and the same images recur in later tests.
    """
    original = path.read_bytes()
    try:
        if new_bytes is None:
            path.unlink()
        else:
            path.write_bytes(new_bytes)
        yield
    finally:
        path.write_bytes(original)


def _signature(app, item: dict[str, Any]) -> tuple[str, Path, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The handover signature named by the item's handed_over event, its file and the event."""
    handed = next(e for e in item["events"] if e["type"] == "handed_over")
    sha = handed["evidence"]["signature_sha256"]
    return sha, media_path(app.config["MEDIA_DIR"], sha), handed


# --- sealing --------------------------------------------------------------------------------

def test_seal_day_stores_the_root_of_the_days_events_in_received_order(app, chains):
    day = move_back(app, 3)
    code, output = run(app, "seal-day", "--day", day.isoformat())
    assert code == 0, output
    sealed = json.loads(output.strip().splitlines()[-1])
    root, count = expected_root(app, day)
    assert count == 8
    assert sealed["day"] == day.isoformat() and sealed["root"] == root
    assert sealed["event_count"] == 8 and sealed["created"] is True and sealed["verified"] is True
    with app.app_context():
        stored = db.session.get(DailyRoot, day)
        assert (stored.root, stored.event_count) == (root, 8)


def test_seal_day_defaults_to_yesterday(app, chains):
    day = move_back(app, 1)
    assert day == last_closed_day()
    code, output = run(app, "seal-day")
    assert code == 0, output
    assert json.loads(output.strip().splitlines()[-1])["day"] == day.isoformat()


def test_events_of_other_days_are_not_in_a_days_root(app, chains):
    day = move_back(app, 2)
    code, output = run(app, "seal-day", "--day", (day - timedelta(days=1)).isoformat())
    assert code == 0, output
    assert json.loads(output.strip().splitlines()[-1])["event_count"] == 0
    assert json.loads(output.strip().splitlines()[-1])["root"] == GENESIS_HASH


def test_today_cannot_be_sealed_while_it_is_still_open(app, chains):
    today = local_day(datetime.now().astimezone())
    code, output = run(app, "seal-day", "--day", today.isoformat())
    assert code == 1 and "chưa kết thúc" in output
    code, output = run(app, "seal-day", "--day", (today + timedelta(days=1)).isoformat())
    assert code == 1
    with app.app_context():
        assert db.session.execute(select(DailyRoot)).first() is None


def test_a_day_is_sealed_only_a_little_after_it_ends(app):
    day = date(2026, 3, 9)
    _start, end = day_bounds(day)
    with app.app_context():
        with pytest.raises(Conflict):
            seal_day(day, now=end + timedelta(minutes=1))
        assert seal_day(day, now=end + timedelta(minutes=6)).created is True
        db.session.rollback()


def test_a_second_seal_verifies_and_never_rewrites_the_root(app, chains):
    day = move_back(app, 2)
    run(app, "seal-day", "--day", day.isoformat())
    code, output = run(app, "seal-day", "--day", day.isoformat())
    again = json.loads(output.strip().splitlines()[-1])
    assert code == 0 and again["created"] is False and again["verified"] is True

    stored_root = again["root"]

    def rewrite(stored: CustodyEvent) -> None:
        if stored.type == "handed_over":
            stored.evidence = {**stored.evidence, "rewritten": True}

    rewrite_history(app, rewrite)
    code, output = run(app, "seal-day", "--day", day.isoformat())
    third = json.loads(output.strip().splitlines()[-1])
    assert code == 1 and third["verified"] is False and third["created"] is False
    assert third["root"] == stored_root != third["recomputed_root"]
    with app.app_context():
        assert db.session.get(DailyRoot, day).root == stored_root


def test_the_day_endpoint_answers_the_stored_root_and_whether_it_holds(app, chains, supervisor):
    day = move_back(app, 2)
    run(app, "seal-day", "--day", day.isoformat())
    root, count = expected_root(app, day)
    answer = supervisor.get(f"/api/v1/audit/days/{day.isoformat()}")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["day"] == day.isoformat() and body["root"] == root
    assert body["event_count"] == count and body["verified"] is True and body["computed_at"]

    def add_note(stored: CustodyEvent) -> None:
        if stored.type == "out_for_delivery":
            stored.evidence = {**stored.evidence, "note": "viết lại"}

    rewrite_history(app, add_note)
    body = supervisor.get(f"/api/v1/audit/days/{day.isoformat()}").get_json()
    assert body["root"] == root and body["verified"] is False


def test_the_day_endpoint_refuses_unsealed_days_bad_dates_and_other_roles(app, world, new_api,
                                                                          supervisor):
    assert_error(supervisor.get("/api/v1/audit/days/2026-01-02"), 404, "day_not_sealed")
    for bad in ("2026-13-01", "20260102", "2026-1-2", "yesterday"):
        assert_error(supervisor.get(f"/api/v1/audit/days/{bad}"), 422, "invalid_day")
    assert_error(signed_in(new_api(), "clerk").get("/api/v1/audit/days/2026-01-02"), 403,
                 "forbidden")


# --- verification names each kind of tampering ------------------------------------------------

def test_an_intact_store_verifies_counting_chains_days_and_images(app, chains, supervisor):
    day = move_back(app, 2)
    run(app, "seal-day", "--day", day.isoformat())
    run(app, "seal-day", "--day", (day - timedelta(days=1)).isoformat())
    answer = verify_in_background(admin_of(supervisor))
    code, report = cli_verify(app)
    assert code == 0 and {key: answer[key] for key in report if key in answer} == {
        key: value for key, value in report.items() if key in answer}
    assert report == {"ok": True, "items_checked": 2, "events_checked": 8, "days_checked": 2,
                      "media_checked": 1, "first_broken": None,
                      "log_entries_checked": 0, "checkpoints_checked": 0}


def test_a_changed_event_is_named(app, chains, supervisor):
    victim = chains[1]["events"][3]
    with app.app_context():
        db.session.execute(text("UPDATE custody_events SET status_after = 'delivered' "
                                "WHERE id = :id"), {"id": victim["id"]})
        db.session.commit()
    assert both_verdicts(app, supervisor) == {"tracking_number": chains[1]["tracking_number"],
                                              "event_id": victim["id"], "reason": "hash_mismatch"}


def test_a_deleted_middle_event_is_named(app, chains, supervisor):
    victim = chains[0]
    _delete_event(app, victim["events"][1]["id"])
    assert both_verdicts(app, supervisor) == {"tracking_number": victim["tracking_number"],
                                              "event_id": victim["events"][2]["id"],
                                              "reason": "previous_hash_mismatch"}


def test_a_deleted_last_event_is_named(app, chains, supervisor):
    victim = chains[1]
    _delete_event(app, victim["events"][-1]["id"])
    assert both_verdicts(app, supervisor) == {"tracking_number": victim["tracking_number"],
                                              "event_id": victim["events"][-2]["id"],
                                              "reason": "head_mismatch"}


def test_a_changed_image_file_is_named(app, chains, supervisor):
    sha, path, handed = _signature(app, chains[0])
    with file_replaced(path, path.read_bytes() + b"\x00"):
        broken = both_verdicts(app, supervisor)
    assert broken == {"tracking_number": chains[0]["tracking_number"], "event_id": handed["id"],
                      "reason": "media_hash_mismatch", "media_sha256": sha,
                      "field": "signature_sha256"}


def test_a_missing_image_file_is_named(app, chains, supervisor):
    sha, path, handed = _signature(app, chains[0])
    with file_replaced(path, None):
        broken = both_verdicts(app, supervisor)
    assert broken["reason"] == "media_missing" and broken["media_sha256"] == sha
    assert broken["event_id"] == handed["id"]


def test_a_handover_signature_no_event_names_is_checked_too(app, world, new_api, supervisor):
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    number = register_result(clerk)["tracking_number"]
    hand_over(clerk, postman, "postman", [number], scanned=[])  # nothing scanned: no event
    with app.app_context():
        handover_id, sha = db.session.execute(text(
            "SELECT id, receiver_signature_sha256 FROM handover_records")).one()
    path = media_path(app.config["MEDIA_DIR"], sha)
    with file_replaced(path, b"\x89PNG\r\n\x1a\nnot the signature"):
        broken = both_verdicts(app, supervisor)
    assert broken == {"tracking_number": None, "event_id": None, "reason": "media_hash_mismatch",
                      "media_sha256": sha, "field": "receiver_signature_sha256",
                      "handover_id": handover_id}


def test_a_sealed_day_whose_event_was_altered_is_named(app, chains, supervisor):
    day = move_back(app, 2)
    run(app, "seal-day", "--day", day.isoformat())
    stored_root, count = expected_root(app, day)

    def alter(stored: CustodyEvent) -> None:
        if stored.type == "out_for_delivery":
            stored.evidence = {**stored.evidence, "altered": True}

    rewrite_history(app, alter)  # every chain verifies again; only the seal can tell
    recomputed, _ = expected_root(app, day)
    assert both_verdicts(app, supervisor) == {
        "tracking_number": None, "event_id": None, "reason": "day_root_mismatch",
        "day": day.isoformat(), "stored_root": stored_root, "recomputed_root": recomputed,
        "stored_event_count": count, "recomputed_event_count": count,
    }


def test_a_sealed_day_whose_last_event_was_removed_without_trace_in_its_chain_is_named(
        app, chains, supervisor):
    day = move_back(app, 2)
    run(app, "seal-day", "--day", day.isoformat())
    victim = chains[1]
    _delete_event(app, victim["events"][-1]["id"])
    with app.app_context():  # and the item's head moved back, so the chain alone looks whole
        head = db.session.execute(select(CustodyEvent.hash).where(
            CustodyEvent.id == victim["events"][-2]["id"])).scalar_one()
        db.session.execute(text("UPDATE items SET head_hash = :head, event_count = 3 "
                                "WHERE tracking_number = :tn"),
                           {"head": head, "tn": victim["tracking_number"]})
        db.session.commit()
    broken = both_verdicts(app, supervisor)
    assert broken["reason"] == "day_root_mismatch" and broken["day"] == day.isoformat()
    assert (broken["stored_event_count"], broken["recomputed_event_count"]) == (8, 7)


def _delete_event(app, event_id: str) -> None:  # type: ignore[no-untyped-def]
    """Tamper with the store directly, as someone with database access could."""
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_flags WHERE event_id = :id"), {"id": event_id})
        db.session.execute(text("DELETE FROM custody_events WHERE id = :id"), {"id": event_id})
        db.session.commit()


#: Evidence orjson would decode or write otherwise than `json`: the verifier takes the
#: standard library's road for it, and must still find it whole, or changed.
UNUSUAL_EVIDENCE = {"big": 2**64, "below": -(2**63) - 1, "tiny": 1e-05, "smaller": 5.9e-08,
                    "huge": 1e300, "ghi_chú": "Bà Nguyễn Thị Ánh nhận hộ"}


def test_unusual_numbers_in_evidence_verify_and_their_change_is_named(app, chains, supervisor):
    victim = chains[1]["events"][2]

    def unusual(stored: CustodyEvent) -> None:
        if stored.id == victim["id"]:
            stored.evidence = {**stored.evidence, **UNUSUAL_EVIDENCE}

    rewrite_history(app, unusual)
    code, report = cli_verify(app)
    assert code == 0 and report["events_checked"] == 8, report
    with app.app_context():  # 2**64 + 1 as a float is 2**64: only the integer tells
        db.session.execute(text("UPDATE custody_events SET evidence = replace(CAST(evidence AS "
                                "TEXT), '18446744073709551616', '18446744073709551617')"
                                + ("::jsonb" if db.engine.dialect.name == "postgresql" else "")
                                + " WHERE id = :id"), {"id": victim["id"]})
        db.session.commit()
    assert both_verdicts(app, supervisor) == {"tracking_number": chains[1]["tracking_number"],
                                              "event_id": victim["id"], "reason": "hash_mismatch"}


@pytest.mark.sqlite_only  # SQLite keeps times as text
def test_a_time_written_into_sqlite_by_hand_is_read_as_the_column_reads_it(app, chains):
    with app.app_context():
        # The same instants in ISO text with a "T": not the form SQLAlchemy writes, so the
        # verifier's shortcut passes them to the column's own parser, and the hashes hold.
        db.session.execute(text("UPDATE custody_events SET occurred_at = "
                                "replace(occurred_at, ' ', 'T') WHERE seq <= 2"))
        db.session.commit()
    assert cli_verify(app) == (0, {"ok": True, "items_checked": 2, "events_checked": 8,
                                   "days_checked": 0, "media_checked": 1, "first_broken": None,
                                   "log_entries_checked": 0, "checkpoints_checked": 0})
    with app.app_context():  # one microsecond later, in that form too: a change
        db.session.execute(text("UPDATE custody_events SET occurred_at = "
                                "substr(occurred_at, 1, 25) || CASE substr(occurred_at, 26, 1) "
                                "WHEN '7' THEN '8' ELSE '7' END WHERE seq = 2"))
        db.session.commit()
    code, report = cli_verify(app)
    assert code == 1 and report["first_broken"]["reason"] == "hash_mismatch"
    assert report["first_broken"]["event_id"] == chains[0]["events"][1]["id"]


def test_times_of_any_form_verify_and_a_changed_microsecond_is_named(app, chains, supervisor):
    from datetime import UTC

    odd_times = {chains[0]["events"][1]["id"]: datetime(999, 5, 6, 7, 8, 9, tzinfo=UTC),
                 chains[0]["events"][2]["id"]: datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC),
                 chains[1]["events"][1]["id"]: datetime(2031, 1, 2, 3, 4, 5, 1, tzinfo=UTC)}

    def odd(stored: CustodyEvent) -> None:
        stored.occurred_at = odd_times.get(stored.id, stored.occurred_at)

    rewrite_history(app, odd)  # a year below 1000 is hashed unpadded, as iso_utc writes it
    code, report = cli_verify(app)
    assert code == 0 and report["events_checked"] == 8, report
    with app.app_context():
        stored = db.session.get(CustodyEvent, chains[1]["events"][1]["id"])
        stored.occurred_at = datetime(2031, 1, 2, 3, 4, 5, 2, tzinfo=UTC)
        db.session.commit()
    assert both_verdicts(app, supervisor) == {"tracking_number": chains[1]["tracking_number"],
                                              "event_id": chains[1]["events"][1]["id"],
                                              "reason": "hash_mismatch"}
