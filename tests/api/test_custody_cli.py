"""`flask custody verify`: walks every chain, exits 1 naming the first broken link (docs/design.md §4)."""
from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from server.extensions import db
from tests.api.checks import signed_in, verify_in_background
from tests.api.scenario import two_chains


@pytest.fixture
def chains(world, new_api) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Two results, each with four events: registered, at_post, handed_over, out_for_delivery."""
    return two_chains(new_api)


def _verify(app) -> tuple[int, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Run the command; answer its exit code and the JSON report it printed."""
    # No app context pushed here: the command must set up its own, as under `flask --app wsgi`.
    answers = []
    for jobs in ([], ["--jobs", "1"], ["--jobs", "2"]):  # the default, one process, two
        result = app.test_cli_runner().invoke(args=["custody", "verify", *jobs])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        answers.append((result.exit_code, json.loads(result.output.strip().splitlines()[-1])))
    assert answers[0] == answers[1] == answers[2], answers
    return answers[0]


def _delete_event(app, event_id: str) -> None:  # type: ignore[no-untyped-def]
    """Tamper with the store directly, as someone with database access could."""
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_flags WHERE event_id = :id"), {"id": event_id})
        db.session.execute(text("DELETE FROM custody_events WHERE id = :id"), {"id": event_id})
        db.session.commit()


def test_verify_exits_0_when_every_chain_holds(app, chains):
    code, report = _verify(app)
    assert code == 0
    # No day sealed yet; one image: the postman's signature on the one handover record.
    assert report == {"ok": True, "items_checked": 2, "events_checked": 8, "days_checked": 0,
                      "media_checked": 1, "first_broken": None,
                      "log_entries_checked": 0, "checkpoints_checked": 0}


def test_verify_exits_1_naming_the_item_whose_last_event_was_deleted(app, chains):
    victim = chains[1]
    _delete_event(app, victim["events"][-1]["id"])
    code, report = _verify(app)
    assert code == 1 and report["ok"] is False
    assert report["first_broken"]["tracking_number"] == victim["tracking_number"]
    assert report["first_broken"]["reason"] == "head_mismatch"
    # The last event still present is where the chain stops short of its recorded head.
    assert report["first_broken"]["event_id"] == victim["events"][-2]["id"]


def test_verify_names_the_event_after_a_deleted_middle_event(app, chains):
    victim = chains[0]
    _delete_event(app, victim["events"][1]["id"])
    code, report = _verify(app)
    assert code == 1
    assert report["first_broken"] == {"tracking_number": victim["tracking_number"],
                                      "event_id": victim["events"][2]["id"],
                                      "reason": "previous_hash_mismatch"}


def test_verify_names_an_event_whose_evidence_was_changed(app, chains):
    victim = chains[0]
    with app.app_context():
        db.session.execute(text("UPDATE custody_events SET occurred_at = received_at, lat = 21.0 "
                                "WHERE id = :id"), {"id": victim["events"][2]["id"]})
        db.session.commit()
    code, report = _verify(app)
    assert code == 1 and report["first_broken"]["event_id"] == victim["events"][2]["id"]
    assert report["first_broken"]["reason"] == "hash_mismatch"


def test_the_verify_api_agrees_with_the_command(app, chains, new_api):
    _delete_event(app, chains[0]["events"][1]["id"])
    supervisor = signed_in(new_api(), "supervisor")
    answer = verify_in_background(supervisor)
    _, report = _verify(app)
    assert answer["ok"] is False and answer["first_broken"] == report["first_broken"]
    assert answer["status"] == "done" and answer["first_broken"]["tracking_number"] in answer["message"]
