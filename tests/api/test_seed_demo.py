"""The demo seed: every state reachable, histories coherent, chains valid, the CLI idempotent."""
from __future__ import annotations

import itertools
import re
from collections import defaultdict
from datetime import time

from flask import Flask
from sqlalchemy import func, select

from demo.cli import register_demo_commands
from demo.seed import DEMO_UNITS, DEMO_USERS, OTHER_UNIT_USERS, seed_demo
from server.custody.events import verify_custody
from server.domain.admin_map import check_address
from server.domain.invitations import FailedAttempt, invitation_status
from server.domain.lifecycle import FailureAction, FailureReason, ItemStatus
from server.domain.service_time import LOCAL_TZ, working_days_between
from server.extensions import db
from server.media.service import media_path
from server.models import (
    AuditFlag,
    CustodyEvent,
    HandoverRecord,
    Item,
    Media,
    Role,
    Unit,
    User,
)
from server.models.types import utc_now
from tests.conftest import empty_tables

DOSSIER_STATES = {"requested", "collected", "at_post", "in_transit", "filed", "cancelled"}
RESULT_STATES = {"registered", "at_post", "out_for_delivery", "attempt_failed",
                 "held_for_pickup", "delivered", "returned", "cancelled"}
PHONE = re.compile(r"^0(3|5|7|8|9)\d{8}$")
CITIZENS = 40


def _seed(app: Flask, seed: int = 7) -> None:
    """Seed the demo with a small population and commit, as the CLI does."""
    with app.app_context():
        seed_demo(citizen_count=CITIZENS, seed=seed)
        db.session.commit()


def _events_by_item() -> dict[int, list[CustodyEvent]]:
    """Every item's events in chain order."""
    events: dict[int, list[CustodyEvent]] = defaultdict(list)
    for event in db.session.scalars(select(CustodyEvent).order_by(CustodyEvent.item_id,
                                                                  CustodyEvent.seq)):
        events[event.item_id].append(event)
    return events


def test_every_state_of_both_kinds_is_seeded_with_valid_chains(app: Flask) -> None:
    _seed(app)
    with app.app_context():
        pairs = set(db.session.execute(select(Item.kind, Item.status).distinct()).tuples())
        expected = ({("dossier", s) for s in DOSSIER_STATES}
                    | {("result", s) for s in RESULT_STATES})
        assert expected <= pairs, expected - pairs
        assert {s for _kind, s in pairs} <= {s.value for s in ItemStatus}

        report = verify_custody()
        assert report.ok, report.first_broken
        assert report.items_checked == db.session.scalar(select(func.count(Item.id)))
        numbers = db.session.scalars(select(Item.tracking_number)).all()
        assert len(numbers) == len(set(numbers)) > CITIZENS


def test_histories_are_ordered_in_the_past_and_in_working_hours(app: Flask) -> None:
    started = utc_now()
    _seed(app)
    now = utc_now()
    with app.app_context():
        events_by_item = _events_by_item()
        assert sum(map(len, events_by_item.values())) > 3 * CITIZENS
        for item_id, events in events_by_item.items():
            times = [e.occurred_at for e in events]
            assert times == sorted(times), item_id
            assert all(e.occurred_at <= e.received_at <= now for e in events)
            for event in events:
                if event.received_at < started:  # replayed history, not registered just now
                    assert event.received_at == event.occurred_at
                    local = event.occurred_at.astimezone(LOCAL_TZ)
                    assert local.weekday() < 5 and time(7) <= local.time() <= time(17, 30)
                    assert (now - event.occurred_at).days <= 31
        for item in db.session.scalars(select(Item)):
            assert item.event_count >= 1 and item.consigned_at <= item.due_at


def test_holders_match_the_states(app: Flask) -> None:
    _seed(app)
    with app.app_context():
        roles = dict(db.session.execute(select(User.id, User.role)).tuples().all())
        for item in db.session.scalars(select(Item)):
            holder = (item.holder_user_id, item.holder_unit_id)
            if item.status == "delivered":
                assert holder == (None, None), item.tracking_number
            elif item.status in {"out_for_delivery", "in_transit", "collected"}:
                assert roles[item.holder_user_id] == Role.postman, item.tracking_number
            elif item.status == "filed":
                assert item.holder_user_id is None
                assert item.holder_unit_id == item.agency_unit_id
            elif item.status in {"requested", "registered", "held_for_pickup"}:
                assert item.holder_user_id is None and item.holder_unit_id is not None
        demo_postman = db.session.scalar(select(User.id).where(User.username == "postman"))
        out_today = db.session.scalar(select(func.count(Item.id)).where(
            Item.holder_user_id == demo_postman, Item.status == "out_for_delivery"))
        assert out_today >= 1


def test_results_go_back_only_as_the_two_invitation_rule_allows(app: Flask) -> None:
    _seed(app)
    with app.app_context():
        returned = db.session.scalars(select(Item).where(Item.status == "returned")).all()
        assert returned
        events = _events_by_item()
        for item in returned:
            attempts = [FailedAttempt(on=e.occurred_at.astimezone(LOCAL_TZ).date(),
                                      reason=FailureReason(e.evidence["reason"]),
                                      action=FailureAction(e.evidence["action"]))
                        for e in events[item.id] if e.type == "attempt_failed"]
            assert invitation_status(attempts).may_return, item.tracking_number
            invitations = sorted(a.on for a in attempts if a.action is FailureAction.notice_left)
            for earlier, later in itertools.pairwise(invitations):
                assert working_days_between(earlier, later) >= 2


def test_citizens_are_synthetic_and_live_in_the_demo_wards(app: Flask) -> None:
    _seed(app)
    communes = {commune for _c, _n, kind, _p, commune, _la, _lo in DEMO_UNITS
                if kind.value == "post_office"}
    with app.app_context():
        for item in db.session.scalars(select(Item)):
            assert PHONE.match(item.citizen_phone)
            assert len(item.citizen_name.split()) >= 3
            assert item.address_province == "Ninh Bình" and item.address_commune in communes
            assert item.address_lat is not None and item.id_last4 and item.id_keyed_hash


def test_delivery_evidence_is_uploaded_and_some_fixes_are_flagged(app: Flask) -> None:
    _seed(app)
    with app.app_context():
        media_dir = app.config["MEDIA_DIR"]
        delivered = db.session.scalars(select(CustodyEvent).where(
            CustodyEvent.type == "delivered")).all()
        assert delivered
        for event in delivered:
            for key in ("signature_sha256", "photo_sha256", "authorization_sha256"):
                sha = event.evidence.get(key)
                if sha:
                    assert db.session.get(Media, sha) is not None
                    assert media_path(media_dir, sha).exists()
            assert event.evidence["recipient"]["id_last4"]
        signatures = db.session.scalars(select(HandoverRecord.receiver_signature_sha256)
                                        .where(HandoverRecord.status == "accepted")).all()
        assert signatures and all(signatures)
        flags = db.session.scalars(select(AuditFlag.code)).all()
        assert "far_from_address" in flags
        reasons = {e.evidence["reason"] for e in db.session.scalars(
            select(CustodyEvent).where(CustodyEvent.type == "attempt_failed"))}
        assert reasons


def test_filings_are_signed_by_both_parties_as_the_handover_service_requires(app: Flask) -> None:
    """The demo files through the handover service (QĐ45 Art.7: sender and officer sign);
    a copy of its logic once left the sender's signature out."""
    _seed(app)
    with app.app_context():
        filings = db.session.scalars(
            select(HandoverRecord).join(Unit, Unit.id == HandoverRecord.to_unit_id)
            .where(Unit.kind == "agency", HandoverRecord.status == "accepted")).all()
        assert filings
        assert all(r.sender_signature_sha256 and r.receiver_signature_sha256 for r in filings)
        filed = db.session.scalars(select(CustodyEvent).where(CustodyEvent.type == "filed")).all()
        assert filed and all(e.evidence["sender_signature_sha256"] for e in filed)


def test_the_same_seed_gives_the_same_demo(app: Flask) -> None:
    def snapshot() -> list[tuple[str, str, str, str]]:
        with app.app_context():
            return [tuple(row) for row in db.session.execute(
                select(Item.tracking_number, Item.status, Item.citizen_name, Item.citizen_phone)
                .order_by(Item.tracking_number)).all()]

    _seed(app, seed=11)
    first = snapshot()
    empty_tables(app)
    _seed(app, seed=11)
    assert snapshot() == first


def _invoke(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    """Run a command as `flask --app wsgi …` does: inside an app context, with wsgi's demo commands."""
    if "seed-demo" not in app.cli.commands:
        register_demo_commands(app)
    # The `flask` script pushes the context itself; the test runner's bare group does not.
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def test_cli_seeds_once_and_prints_the_logins(app: Flask) -> None:
    first = _invoke(app, "seed-demo", "--if-empty", "--citizens", "25")
    assert first.exit_code == 0, first.output
    assert "Demo logins" in first.output
    for username, _role, _unit in DEMO_USERS + OTHER_UNIT_USERS:
        assert username in first.output
    with app.app_context():
        count = db.session.scalar(select(func.count(Item.id)))
        assert count and count > 25

    second = _invoke(app, "seed-demo", "--if-empty")
    assert second.exit_code == 0, second.output
    assert "nothing to do" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Item.id))) == count


def test_the_demo_postman_has_a_morning_load_to_check(app: Flask) -> None:
    """A newcomer can try the load check at once: one pending record for `postman`, unsigned,
    listing results that wait at the central office."""
    _seed(app)
    with app.app_context():
        pending = db.session.scalars(select(HandoverRecord).where(
            HandoverRecord.status == "pending")).all()
        assert len(pending) == 1
        record = pending[0]
        assert record.to_user.username == "postman" and record.receiver_signature_sha256 is None
        assert record.lines and all(line.item.status == "at_post" and line.item.kind == "result"
                                    for line in record.lines)


def test_every_demo_address_is_on_the_2025_map(app: Flask) -> None:
    """Issue 16: the demo is Ninh Bình as merged in 2025 (Ninh Bình + Hà Nam + Nam Định)."""
    _seed(app)
    with app.app_context():
        for unit in db.session.scalars(select(Unit).where(Unit.commune != "")):
            on_map = check_address(unit.province, unit.commune)
            assert on_map.province.code == "37", unit.code  # Ninh Bình, Decision 19/2025
        items = db.session.scalars(select(Item)).all()
        for item in items:
            on_map = check_address(item.address_province, item.address_commune)
            assert (item.address_province_code, item.address_commune_code) == (
                on_map.province.code, on_map.commune.code), item.tracking_number
            assert item.address_district is None
        legacy = [item.address_legacy for item in items if item.address_legacy]
        # Some citizens also gave the three-level address of their older papers, kept as written.
        assert legacy and any("tỉnh Hà Nam" in text or "tỉnh Nam Định" in text for text in legacy)
