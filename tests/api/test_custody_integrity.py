"""Custody integrity: the field is recorded, but never rewrites the truth silently (docs/design.md §3).

Issue #13, field integrity: reused event ids, finished items, events by someone who does
not hold the item, backdated events, and images cited by someone other than their uploader.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from server.custody import sync as sync_service
from server.models import CustodyEvent
from tests.api.checks import count_where, nothing_written, signed_in
from tests.api.scenario import Desk, clerk_and_postman, event, sync, upload_image
from tests.conftest import ApiClient

RECIPIENT = {"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd", "id_last4": "7890"}


@pytest.fixture
def desk(world, new_api) -> Desk:  # type: ignore[no-untyped-def]
    """Two results in the postman's hands, and the clerk who handed them over."""
    return clerk_and_postman(new_api, 2, handed_over=True)


def delivered(number: str, signature: str, **fields: Any) -> dict[str, Any]:
    """A delivery to the citizen in person, unless `fields` say otherwise."""
    return event(number, "delivered", **{"recipient": dict(RECIPIENT),
                                         "signature_sha256": signature,
                                         "cash_collected_vnd": 0, **fields})


def statuses(results: list[dict[str, Any]]) -> list[str]:
    return [r["status"] for r in results]


def codes(results: list[dict[str, Any]]) -> list[str | None]:
    return [(r.get("error") or {}).get("code") for r in results]


def flags(app, code: str, number: str | None = None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The open flags of `code` (of one item), as the supervisor reads them."""
    supervisor = signed_in(ApiClient(app.test_client()), "supervisor")
    response = supervisor.get(f"/api/v1/audit/flags?code={code}")
    assert response.status_code == 200, response.get_json()
    return [f for f in response.get_json()["flags"]
            if number is None or f["tracking_number"] == number]


def item(client: ApiClient, number: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/items/{number}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def later(original: dict[str, Any], **delta: float) -> str:
    """The original event's time moved by `delta`, as ISO 8601."""
    return (datetime.fromisoformat(original["occurred_at"]) + timedelta(**delta)).isoformat()


# --- 1. reused event ids ---------------------------------------------------------------------

def test_the_same_id_with_the_same_payload_is_a_duplicate_even_in_another_offset(app, desk):
    original = event(desk.numbers[0], "out_for_delivery")
    assert statuses(sync(desk.postman, original)) == ["accepted"]
    moment = datetime.fromisoformat(original["occurred_at"])
    same_instant = moment.astimezone(timezone(timedelta(hours=7))).isoformat()
    with nothing_written(app):
        results = sync(desk.postman, original, {**original, "occurred_at": same_instant})
    assert statuses(results) == ["duplicate", "duplicate"]


@pytest.mark.parametrize("change", ["type", "time", "position", "item"])
def test_the_same_id_with_another_payload_is_rejected_as_reused(app, desk, change):
    first, second = desk.numbers
    original = event(first, "out_for_delivery")
    sync(desk.postman, original)
    altered = {
        "type": {**original, "type": "attempt_failed", "reason": "absent", "action": "retry"},
        "time": {**original, "occurred_at": later(original, minutes=-5)},
        "position": {**original, "position": {"lat": 20.26, "lon": 105.98, "accuracy_m": 5}},
        "item": {**original, "tracking_number": second},
    }[change]
    with nothing_written(app):
        [result] = sync(desk.postman, altered)
    assert result["status"] == "rejected" and result["error"]["code"] == "id_reused", result
    assert result["error"]["message"]


def test_a_delivery_resent_with_other_evidence_is_rejected_and_the_first_one_stands(app, desk):
    number = desk.numbers[0]
    signature = upload_image(desk.postman, "sig-reused")
    sync(desk.postman, event(number, "out_for_delivery"))
    original = delivered(number, signature, cash_collected_vnd=0)
    assert statuses(sync(desk.postman, original)) == ["accepted"]
    forged = {**original, "recipient": {**RECIPIENT, "name": "Người Khác"}}
    with nothing_written(app):
        [result] = sync(desk.postman, forged)
    assert codes([result]) == ["id_reused"]
    stored = item(desk.clerk, number)["events"][-1]
    assert stored["id"] == original["id"] and stored["evidence"]["recipient"]["name"] == RECIPIENT["name"]


def test_the_same_id_sent_by_another_person_is_rejected_as_reused(app, desk, new_api):
    original = event(desk.numbers[0], "out_for_delivery")
    sync(desk.postman, original)
    colleague = signed_in(new_api(), "postman2")
    with nothing_written(app):
        [result] = sync(colleague, original)
    assert codes([result]) == ["id_reused"]


def test_a_reused_id_within_one_batch_is_rejected(app, desk):
    original = event(desk.numbers[0], "out_for_delivery")
    reused = {**original, "occurred_at": later(original, seconds=30)}
    results = sync(desk.postman, original, original, reused)
    assert statuses(results) == ["accepted", "duplicate", "rejected"]
    assert codes(results)[2] == "id_reused"


def test_an_event_written_again_after_a_concurrent_write_keeps_its_digest(app, desk, monkeypatch):
    """The second pass after a clash stores the digest as the first would have."""
    write = sync_service.CustodyWriter.write
    calls: list[int] = []

    def clash_once(self: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("INSERT", {}, Exception("as if another request won"))
        write(self)

    monkeypatch.setattr(sync_service.CustodyWriter, "write", clash_once)
    original = event(desk.numbers[0], "out_for_delivery")
    assert statuses(sync(desk.postman, original)) == ["accepted"]
    monkeypatch.undo()
    assert count_where(app, CustodyEvent, CustodyEvent.id == original["id"],
                       CustodyEvent.payload_digest.is_not(None)) == 1
    results = sync(desk.postman, original, {**original, "occurred_at": later(original, seconds=9)})
    assert statuses(results) == ["duplicate", "rejected"]
    assert codes(results)[1] == "id_reused"


# --- 2. finished items keep their status ------------------------------------------------------

def _assert_kept(app, client: ApiClient, number: str, before: dict[str, Any],  # type: ignore[no-untyped-def]
                 late: dict[str, Any]) -> None:
    """The late event is recorded; the item neither moves nor changes hands; a flag says so."""
    after = item(client, number)
    assert after["events"][-1]["id"] == late["id"]
    assert after["events"][-1]["status_after"] == before["status"]
    for field in ("status", "holder", "filed_at"):
        assert after[field] == before[field], field
    [flag] = flags(app, "state_conflict", number)
    assert flag["event_id"] == late["id"]
    assert flag["details"]["status_before"] == before["status"]


def test_a_late_collection_of_a_filed_dossier_is_recorded_and_the_dossier_stays_filed(
        app, world, new_api):
    from tests.api.test_filing import _dossier, _list, _sign

    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    officer = signed_in(new_api(), "agency")
    number = _dossier(clerk, "000.00.04.H51-260105-0009")
    _sign(postman, _list(clerk, [number], to_user="postman"), [number])
    _sign(officer, _list(postman, [number], to_unit="CA-TINH"), [number])
    before = item(clerk, number)
    assert before["status"] == "filed"
    late = event(number, "collected", signature_sha256=upload_image(postman, "late-collect"))
    assert statuses(sync(postman, late)) == ["accepted"]
    _assert_kept(app, clerk, number, before, late)


def test_out_for_delivery_after_the_delivery_leaves_the_result_delivered(app, desk):
    number = desk.numbers[0]
    sync(desk.postman, event(number, "out_for_delivery"))
    sync(desk.postman, delivered(number, upload_image(desk.postman, "sig-done"),
                                 cash_collected_vnd=26000))
    before = item(desk.clerk, number)
    assert before["status"] == "delivered"
    late = event(number, "out_for_delivery")
    assert statuses(sync(desk.postman, late)) == ["accepted"]
    _assert_kept(app, desk.clerk, number, before, late)


@pytest.mark.parametrize("late_type", ["out_for_delivery", "held_for_pickup", "returned"])
def test_a_returned_result_stays_returned(app, desk, late_type):
    number = desk.numbers[0]
    sync(desk.postman, event(number, "out_for_delivery"),
         event(number, "attempt_failed", reason="refused", action="return_to_agency"),
         event(number, "returned"))
    before = item(desk.clerk, number)
    assert before["status"] == "returned"
    late = event(number, late_type)
    assert statuses(sync(desk.postman, late)) == ["accepted"]
    _assert_kept(app, desk.clerk, number, before, late)


# --- 3. not the holder ------------------------------------------------------------------------

def _give_to(app, number: str, username: str) -> None:  # type: ignore[no-untyped-def]
    """Put the item in `username`'s hands, as a signed handover to them would."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import Item, User

    with app.app_context():
        person = db.session.execute(select(User).where(User.username == username)).scalar_one()
        found = db.session.execute(select(Item).where(Item.tracking_number == number)).scalar_one()
        found.holder_user_id, found.holder_unit_id = person.id, person.unit_id
        db.session.commit()


def test_a_delivery_by_a_colleague_who_does_not_hold_the_item_names_the_holder(app, desk, new_api):
    number = desk.numbers[0]
    colleague = signed_in(new_api(), "postman2")
    sync(desk.postman, event(number, "out_for_delivery"))
    taken = delivered(number, upload_image(colleague, "sig-colleague"), cash_collected_vnd=26000)
    assert statuses(sync(colleague, taken)) == ["accepted"]
    [flag] = flags(app, "not_holder", number)
    assert flag["event_id"] == taken["id"]
    assert flag["details"]["holder_user"] == "postman"
    assert flag["details"]["holder_unit"] == "BC-TRUNGTAM"
    assert item(desk.clerk, number)["status"] == "delivered"


def test_the_holder_raises_no_not_holder_flag(app, desk):
    number = desk.numbers[0]
    sync(desk.postman, event(number, "out_for_delivery"),
         delivered(number, upload_image(desk.postman, "sig-holder"), cash_collected_vnd=26000))
    assert flags(app, "not_holder") == []


def test_an_item_never_handed_to_the_postman_is_flagged_when_he_records_on_it(app, world, new_api):
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    from tests.api.scenario import register_result

    number = register_result(clerk)["tracking_number"]  # at the counter, held by the office
    late = event(number, "out_for_delivery")
    assert statuses(sync(postman, late)) == ["accepted"]
    [flag] = flags(app, "not_holder", number)
    assert flag["event_id"] == late["id"]
    assert flag["details"]["holder_user"] is None
    assert flag["details"]["holder_unit"] == "BC-TRUNGTAM"


@pytest.mark.parametrize("event_type", ["out_for_delivery", "delivered"])
def test_an_item_handed_on_to_another_office_is_refused_to_the_former_holder(
        app, desk, new_api, event_type):
    number = desk.numbers[0]
    _give_to(app, number, "postman_nd")  # another office of the province holds it now
    late = (event(number, event_type) if event_type == "out_for_delivery"
            else delivered(number, upload_image(desk.postman, "sig-elsewhere")))
    with nothing_written(app):
        [result] = sync(desk.postman, late)
    assert result["status"] == "rejected" and result["error"]["code"] == "out_of_scope", result
    # The office that holds it now records its delivery as usual.
    other = signed_in(new_api(), "postman_nd")
    assert statuses(sync(other, event(number, "out_for_delivery"))) == ["accepted"]
    assert flags(app, "not_holder", number) == []


@pytest.mark.parametrize("outsider", ["postman_pl", "clerk_nd"])
def test_a_postman_or_clerk_of_another_office_cannot_record_on_the_item(app, desk, new_api, outsider):
    intruder = signed_in(new_api(), outsider)
    with nothing_written(app):
        [result] = sync(intruder, event(desk.numbers[0], "out_for_delivery"))
    assert result["error"]["code"] == "unknown_item"


def test_an_item_given_to_another_province_is_out_of_reach_of_the_first_office(app, desk, new_api):
    from sqlalchemy import select

    from server.accounts.service import create_user
    from server.extensions import db
    from server.models import Unit
    from tests.api.audit_world import add_people

    add_people(app)
    with app.app_context():
        office = db.session.execute(select(Unit).where(Unit.code == "LC-BC")).scalar_one()
        create_user("postman_lc", "tantay-demo", "postman", office.id, "Lò Văn Phát")
        db.session.commit()
    number = desk.numbers[0]
    _give_to(app, number, "postman_lc")
    for former in (desk.postman, desk.clerk):  # they handled it: they may still read it
        with nothing_written(app):
            [result] = sync(former, event(number, "out_for_delivery"))
        assert result["error"]["code"] == "out_of_scope"
    with nothing_written(app):  # a colleague who never handled it learns nothing of it
        [result] = sync(signed_in(new_api(), "postman2"), event(number, "out_for_delivery"))
    assert result["error"]["code"] == "unknown_item"


# --- 4. backdated events ----------------------------------------------------------------------

HOURS_AGO = 3


@pytest.fixture
def morning(world, new_api) -> Desk:  # type: ignore[no-untyped-def]
    """One result registered and handed to the postman three hours ago."""
    from tests.api.scenario import server_clock_at

    with server_clock_at(datetime.now(UTC) - timedelta(hours=HOURS_AGO)):
        return clerk_and_postman(new_api, 1, handed_over=True)


def ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


def test_an_event_dated_before_the_item_existed_is_refused(app, morning):
    number = morning.numbers[0]
    with nothing_written(app):
        [result] = sync(morning.postman, {**event(number, "out_for_delivery"),
                                          "occurred_at": ago(HOURS_AGO + 24)})
    assert result["status"] == "rejected" and result["error"]["code"] == "before_item_existed"
    assert "ngày giờ" in result["error"]["message"]


def test_an_event_dated_between_registration_and_handover_is_flagged_backdated(app, world, new_api):
    from tests.api.scenario import hand_over, register_result, server_clock_at

    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    with server_clock_at(datetime.now(UTC) - timedelta(hours=5)):
        number = register_result(clerk)["tracking_number"]
    with server_clock_at(datetime.now(UTC) - timedelta(hours=2)):
        hand_over(clerk, postman, "postman", [number])
    early = {**event(number, "out_for_delivery"), "occurred_at": ago(4)}
    assert statuses(sync(postman, early)) == ["accepted"]
    [flag] = flags(app, "backdated", number)
    assert flag["event_id"] == early["id"]
    assert "received_by_actor_at" in flag["details"]


def test_an_event_dated_before_the_items_previous_event_is_flagged_backdated(app, morning):
    number = morning.numbers[0]
    out = {**event(number, "out_for_delivery"), "occurred_at": ago(1)}
    failed = {**event(number, "attempt_failed", reason="absent", action="notice_left"),
              "occurred_at": ago(2)}
    assert statuses(sync(morning.postman, out, failed)) == ["accepted", "accepted"]
    [flag] = flags(app, "backdated", number)
    assert flag["event_id"] == failed["id"]
    assert set(flag["details"]) >= {"previous_at", "occurred_at"}
    assert "received_by_actor_at" not in flag["details"]


def test_events_in_order_after_the_handover_are_not_flagged(app, morning):
    number = morning.numbers[0]
    sync(morning.postman, {**event(number, "out_for_delivery"), "occurred_at": ago(2)},
         {**event(number, "attempt_failed", reason="absent", action="notice_left"),
          "occurred_at": ago(1)})
    assert flags(app, "backdated") == []


def test_a_clock_a_little_behind_is_not_backdating(app, desk):
    number = desk.numbers[0]
    slightly = {**event(number, "out_for_delivery"),
                "occurred_at": ago(app.config["FLAG_CLOCK_SKEW_S"] / 3600 / 2)}
    assert statuses(sync(desk.postman, slightly)) == ["accepted"]
    assert flags(app, "backdated") == []


# --- 5. images bound to their uploader and to one hand-over ----------------------------------

def test_an_event_citing_an_image_someone_else_uploaded_is_refused(app, desk, new_api):
    number = desk.numbers[0]
    sync(desk.postman, event(number, "out_for_delivery"))
    somebody_elses = upload_image(signed_in(new_api(), "postman2"), "not-mine")
    with nothing_written(app):
        [result] = sync(desk.postman, delivered(number, somebody_elses))
    assert result["error"]["code"] == "foreign_media"
    assert result["error"]["details"]["images"] == [somebody_elses]


@pytest.mark.parametrize("field", ["authorization_sha256", "photo_sha256"])
def test_every_image_of_an_event_must_be_the_actors_own(app, desk, new_api, field):
    number = desk.numbers[0]
    sync(desk.postman, event(number, "out_for_delivery"))
    own = upload_image(desk.postman, "own-signature")
    foreign = upload_image(signed_in(new_api(), "clerk_nd"), "another-office")
    proxy = {**RECIPIENT, "relation": "proxy", "relationship": "con"}
    body = delivered(number, own, recipient=proxy,
                     authorization_sha256=upload_image(desk.postman, "own-authorisation"))
    body[field] = foreign
    with nothing_written(app):
        [result] = sync(desk.postman, body)
    assert result["error"]["code"] == "foreign_media"


def test_one_signature_covers_items_handed_to_one_recipient_at_once(app, desk):
    first, second = desk.numbers
    signature = upload_image(desk.postman, "one-signature")
    results = sync(desk.postman, event(first, "out_for_delivery"),
                   event(second, "out_for_delivery"),
                   delivered(first, signature, cash_collected_vnd=26000),
                   delivered(second, signature, cash_collected_vnd=26000))
    assert statuses(results) == ["accepted"] * 4


def test_a_signature_cited_for_another_recipient_is_refused(app, desk):
    first, second = desk.numbers
    signature = upload_image(desk.postman, "signature-once")
    sync(desk.postman, event(first, "out_for_delivery"), event(second, "out_for_delivery"),
         delivered(first, signature, cash_collected_vnd=26000))
    other = {**RECIPIENT, "name": "Lê Văn Khác", "id_last4": "1111"}
    with nothing_written(app):
        [result] = sync(desk.postman, delivered(second, signature, recipient=other))
    assert result["error"]["code"] == "media_reused"
    assert result["error"]["details"]["reason"] == "another_recipient"


def test_a_signature_cited_again_at_a_later_hand_over_is_refused(app, desk):
    first, second = desk.numbers
    signature = upload_image(desk.postman, "signature-morning")
    sync(desk.postman, event(first, "out_for_delivery"), event(second, "out_for_delivery"),
         {**delivered(first, signature, cash_collected_vnd=26000), "occurred_at": ago(0)})
    next_day = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    with nothing_written(app):
        [result] = sync(desk.postman, {**delivered(second, signature), "occurred_at": next_day})
    assert result["error"]["code"] == "media_reused"
    assert result["error"]["details"]["reason"] == "another_handover"


def test_a_handover_signed_with_someone_elses_image_is_refused(app, world, new_api):
    from tests.api.scenario import register_result

    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    number = register_result(clerk)["tracking_number"]
    created = clerk.post("/api/v1/handovers", json={"to_user": "postman", "items": [number]})
    stolen = upload_image(clerk, "clerks-signature")
    with nothing_written(app):
        answer = postman.post(f"/api/v1/handovers/{created.get_json()['id']}/accept",
                              json={"scanned": [number], "signature_sha256": stolen})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "foreign_media"


def test_a_handover_listed_with_someone_elses_signature_is_refused(app, world, new_api):
    from tests.api.scenario import register_result

    clerk = signed_in(new_api(), "clerk")
    number = register_result(clerk)["tracking_number"]
    stolen = upload_image(signed_in(new_api(), "postman"), "postmans-signature")
    with nothing_written(app):
        answer = clerk.post("/api/v1/handovers", json={"to_user": "postman", "items": [number],
                                                        "signature_sha256": stolen})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "foreign_media"


def test_citing_an_image_never_opens_it_to_the_one_who_cites_it(app, desk, new_api):
    """Even a citation stored by another way (an older server) opens nothing."""
    from sqlalchemy import select

    from server.custody.events import append_event
    from server.domain.lifecycle import EventType
    from server.extensions import db
    from server.models import Item, User
    from tests.api.scenario import register_result

    number = desk.numbers[0]
    private = upload_image(desk.postman, "citizens-signature")
    sync(desk.postman, event(number, "out_for_delivery"),
         delivered(number, private, cash_collected_vnd=26000))
    other_office = signed_in(new_api(), "clerk_nd")
    theirs = register_result(other_office)["tracking_number"]
    with app.app_context():  # a citation of the image on the other office's own item
        intruder = db.session.execute(select(User).where(User.username == "clerk_nd")).scalar_one()
        target = db.session.execute(select(Item).where(Item.tracking_number == theirs)).scalar_one()
        append_event(target, EventType.held_for_pickup, intruder,
                     evidence={"signature_sha256": private})
        db.session.commit()
    assert other_office.get(f"/api/v1/media/{private}").status_code == 404
    assert desk.clerk.get(f"/api/v1/media/{private}").status_code == 200  # its item's office
