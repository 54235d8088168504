"""The field app's outbox: idempotent by event UUID, one result per event, in order."""
from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.domain.geo import distance_m
from server.media.service import MISSING_MEDIA_MESSAGE
from server.models import CustodyEvent
from tests.api.checks import (
    CHECK_DIGIT_MESSAGE,
    UNKNOWN_NUMBER,
    assert_error,
    count_where,
    nothing_written,
    row_counts,
    signed_in,
    with_wrong_check_digit,
)
from tests.api.scenario import (
    HOME,
    Desk,
    clerk_and_postman,
    event,
    register_result,
    sync,
    upload_image,
)
from tests.conftest import ApiClient, png_bytes

#: Two results in the postman's hands, and the clerk who handed them over.
Round = Desk


@pytest.fixture
def round_(world, new_api) -> Round:  # type: ignore[no-untyped-def]
    return clerk_and_postman(new_api, 2, handed_over=True)


def _delivered(number: str, signature: str, **fields: Any) -> dict[str, Any]:
    """A delivery to the citizen in person, unless `fields` say otherwise."""
    recipient = {"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd", "id_last4": "7890"}
    return event(number, "delivered", **{"recipient": recipient, "signature_sha256": signature,
                                         "cash_collected_vnd": 0, **fields})


def _statuses(results: list[dict[str, Any]]) -> list[str]:
    return [r["status"] for r in results]


def _flags(client: ApiClient, code: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/audit/flags?code={code}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["flags"]


def _offset_north(metres: float) -> dict[str, float]:
    """A point `metres` north of the citizen's home (1° of latitude ≈ 110.75 km here)."""
    return {"lat": HOME["lat"] + metres / 110_750, "lon": HOME["lon"]}


def test_results_answer_each_event_in_the_order_sent(app, round_):
    first, second = round_.numbers
    batch = [event(first, "out_for_delivery"), event(UNKNOWN_NUMBER, "out_for_delivery"),
             event(second, "out_for_delivery"),
             event(first, "attempt_failed", reason="absent", action="notice_left")]
    results = sync(round_.postman, *batch)
    assert [r["id"] for r in results] == [e["id"] for e in batch]
    assert _statuses(results) == ["accepted", "rejected", "accepted", "accepted"]
    item = round_.postman.get(f"/api/v1/items/{first}").get_json()
    assert [e["id"] for e in item["events"][-2:]] == [batch[0]["id"], batch[3]["id"]]
    assert item["status"] == "attempt_failed"
    assert item["events"][-1]["evidence"] == {"reason": "absent", "action": "notice_left"}


def test_a_replayed_batch_is_answered_duplicate_and_changes_nothing(app, round_):
    first, second = round_.numbers
    signature = upload_image(round_.postman, "signature")
    batch = [event(first, "out_for_delivery"), event(second, "out_for_delivery"),
             _delivered(first, signature)]
    assert _statuses(sync(round_.postman, *batch)) == ["accepted"] * 3
    with nothing_written(app):
        replay = sync(round_.postman, *batch)
    assert [(r["id"], r["status"]) for r in replay] == [(e["id"], "duplicate") for e in batch]


def test_an_event_repeated_inside_one_batch_is_recorded_once(app, round_):
    once = event(round_.numbers[0], "out_for_delivery")
    assert _statuses(sync(round_.postman, once, once)) == ["accepted", "duplicate"]
    assert count_where(app, CustodyEvent, CustodyEvent.id == once["id"]) == 1


def _bad_events(number: str, signature: str) -> dict[str, tuple[dict[str, Any], str]]:
    """One bad event of each kind, with the code it must be rejected with."""
    missing_image = "cd" * 32
    proxy = {"name": "Trần Văn Con", "relation": "proxy", "relationship": "con trai",
             "id_type": "cccd", "id_last4": "1234"}
    return {
        "wrong_check_digit": (event(with_wrong_check_digit(number), "out_for_delivery"),
                              "wrong_check_digit"),
        "unknown_item": (event(UNKNOWN_NUMBER, "out_for_delivery"), "unknown_item"),
        "missing_signature": (_delivered(number, missing_image), "missing_media"),
        "missing_photo": (_delivered(number, signature, photo_sha256=missing_image), "missing_media"),
        "proxy_without_authorisation": (_delivered(number, signature, recipient=proxy),
                                        "invalid_event"),
        "unknown_failure_reason": (event(number, "attempt_failed", reason="sleeping",
                                         action="retry"), "invalid_event"),
        "unknown_failure_action": (event(number, "attempt_failed", reason="absent",
                                         action="shrug"), "invalid_event"),
        "unknown_type": (event(number, "teleported"), "invalid_event"),
        "time_without_offset": (event(number, "out_for_delivery",
                                      occurred_at="2026-01-05T10:00:00"), "invalid_event"),
        "not_a_uuid": ({**event(number, "out_for_delivery"), "id": "1"}, "invalid_event"),
        "unknown_field": (event(number, "out_for_delivery", speed_kmh=40), "invalid_event"),
    }


BAD_KINDS = list(_bad_events("KQ000000014VN", "ab" * 32))


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_one_bad_event_is_rejected_while_the_others_are_accepted(app, round_, kind):
    first, second = round_.numbers
    signature = upload_image(round_.postman, "signature")
    bad, code = _bad_events(second, signature)[kind]
    before = count_where(app, CustodyEvent)
    results = sync(round_.postman, event(first, "out_for_delivery"), bad,
                   event(second, "out_for_delivery"))
    assert _statuses(results) == ["accepted", "rejected", "accepted"]
    assert results[1]["error"]["code"] == code and results[1]["error"]["message"]
    assert count_where(app, CustodyEvent) == before + 2
    if kind != "not_a_uuid":
        assert results[1]["id"] == bad["id"]
        assert count_where(app, CustodyEvent, CustodyEvent.id == bad["id"]) == 0


def test_a_wrong_check_digit_is_rejected_with_the_vietnamese_message(app, round_):
    [result] = sync(round_.postman, event(with_wrong_check_digit(round_.numbers[0]), "returned"))
    assert result["error"]["code"] == "wrong_check_digit"
    assert CHECK_DIGIT_MESSAGE in result["error"]["message"]


def test_a_missing_image_is_named_so_the_phone_can_upload_it(app, round_):
    missing = "cd" * 32
    [result] = sync(round_.postman, _delivered(round_.numbers[0], missing))
    assert result["error"]["code"] == "missing_media"
    assert result["error"]["details"] == {"missing": [missing], "field": "signature_sha256"}
    assert result["error"]["message"] == MISSING_MEDIA_MESSAGE


def test_a_proxy_delivery_without_authorisation_names_what_is_missing(app, round_):
    signature = upload_image(round_.postman, "signature")
    proxy = {"name": "Trần Văn Con", "relation": "proxy", "relationship": "con trai",
             "id_type": "cccd", "id_last4": "1234"}
    [result] = sync(round_.postman, _delivered(round_.numbers[0], signature, recipient=proxy))
    assert result["error"]["code"] == "invalid_event"
    assert "authorization_sha256" in result["error"]["message"]


def test_an_unknown_failure_reason_names_the_field(app, round_):
    [result] = sync(round_.postman, event(round_.numbers[0], "attempt_failed", reason="sleeping",
                                          action="retry"))
    assert result["error"]["details"]["field"] == "reason"


def test_a_rejected_event_is_accepted_when_resent_after_the_upload(app, round_):
    body_seed = "late-signature"
    signature = hashlib.sha256(png_bytes(body_seed)).hexdigest()
    delivered = _delivered(round_.numbers[0], signature)
    assert sync(round_.postman, delivered)[0]["error"]["code"] == "missing_media"
    assert upload_image(round_.postman, body_seed) == signature
    assert sync(round_.postman, delivered)[0]["status"] == "accepted"
    assert round_.postman.get(f"/api/v1/items/{round_.numbers[0]}").get_json()["status"] == "delivered"


def test_a_proxy_delivery_with_authorisation_is_accepted(app, round_):
    signature = upload_image(round_.postman, "signature")
    authorisation = upload_image(round_.postman, "giay-uy-quyen")
    proxy = {"name": "Trần Văn Con", "relation": "proxy", "relationship": "con trai",
             "id_type": "cccd", "id_last4": "1234"}
    [result] = sync(round_.postman, _delivered(round_.numbers[0], signature, recipient=proxy,
                                               authorization_sha256=authorisation))
    assert result["status"] == "accepted"


def test_an_event_that_no_longer_fits_is_accepted_and_flagged(app, world, new_api):
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    supervisor = signed_in(new_api(), "supervisor")
    number = register_result(clerk)["tracking_number"]  # at_post: never went out for delivery
    signature = upload_image(postman, "signature")
    delivered = _delivered(number, signature)
    assert sync(postman, delivered)[0]["status"] == "accepted"
    [flag] = _flags(supervisor, "state_conflict")
    assert flag["tracking_number"] == number and flag["event_id"] == delivered["id"]
    assert flag["details"]["status_before"] == "at_post"
    assert flag["details"]["event_type"] == "delivered"
    item = clerk.get(f"/api/v1/items/{number}").get_json()
    assert item["events"][-1]["id"] == delivered["id"]
    assert item["status"] == "delivered"  # the field is the truth (docs/design.md §3)


def test_an_event_that_fits_raises_no_state_conflict(app, round_, new_api):
    sync(round_.postman, event(round_.numbers[0], "out_for_delivery"))
    assert _flags(signed_in(new_api(), "supervisor"), "state_conflict") == []


def test_a_doorstep_event_far_from_the_address_is_flagged(app, round_, new_api):
    far = {**_offset_north(400), "accuracy_m": 50}
    assert distance_m((far["lat"], far["lon"]), (HOME["lat"], HOME["lon"])) > \
        app.config["FAR_FROM_ADDRESS_M"] + far["accuracy_m"]
    failed = event(round_.numbers[0], "attempt_failed", reason="absent", action="retry",
                   position=far)
    sync(round_.postman, event(round_.numbers[0], "out_for_delivery"), failed)
    [flag] = _flags(signed_in(new_api(), "supervisor"), "far_from_address")
    assert flag["event_id"] == failed["id"] and flag["tracking_number"] == round_.numbers[0]
    assert flag["details"]["threshold_m"] == app.config["FAR_FROM_ADDRESS_M"]
    assert 390 < flag["details"]["distance_m"] < 410


def test_a_doorstep_event_within_threshold_plus_accuracy_is_not_flagged(app, round_, new_api):
    # 330 m away is beyond the 300 m threshold, but within it once the fix's ±50 m is allowed.
    near = {**_offset_north(330), "accuracy_m": 50}
    distance = distance_m((near["lat"], near["lon"]), (HOME["lat"], HOME["lon"]))
    assert app.config["FAR_FROM_ADDRESS_M"] < distance < app.config["FAR_FROM_ADDRESS_M"] + 50
    signature = upload_image(round_.postman, "signature")
    results = sync(round_.postman, event(round_.numbers[0], "out_for_delivery"),
                   _delivered(round_.numbers[0], signature, position=near))
    assert _statuses(results) == ["accepted", "accepted"]
    assert _flags(signed_in(new_api(), "supervisor"), "far_from_address") == []


def test_the_far_threshold_is_configurable(app, round_, new_api, monkeypatch):
    monkeypatch.setitem(app.config, "FAR_FROM_ADDRESS_M", 100.0)
    position = {**_offset_north(200), "accuracy_m": 10}
    sync(round_.postman, event(round_.numbers[0], "out_for_delivery"),
         event(round_.numbers[0], "attempt_failed", reason="absent", action="retry",
               position=position))
    assert len(_flags(signed_in(new_api(), "supervisor"), "far_from_address")) == 1


def test_an_event_id_reused_for_another_item_is_rejected(app, round_):
    first, second = round_.numbers
    original = event(first, "out_for_delivery")
    sync(round_.postman, original)
    with nothing_written(app):
        [result] = sync(round_.postman, {**event(second, "out_for_delivery"), "id": original["id"]})
    assert result["status"] == "rejected" and result["error"]["code"] == "id_reused"


def test_a_batch_larger_than_the_limit_is_refused_whole(app, round_):
    batch = [event(round_.numbers[0], "out_for_delivery")
             for _ in range(app.config["SYNC_MAX_EVENTS"] + 1)]
    with nothing_written(app):
        response = round_.postman.post("/api/v1/sync", json={"events": batch})
        error = assert_error(response, 422, "batch_too_large")
    assert error["details"] == {"max_events": app.config["SYNC_MAX_EVENTS"]}


def test_a_batch_at_the_limit_is_taken(app, round_, monkeypatch):
    monkeypatch.setitem(app.config, "SYNC_MAX_EVENTS", 3)
    results = sync(round_.postman, *[event(round_.numbers[0], "out_for_delivery") for _ in range(3)])
    assert len(results) == 3


def test_an_empty_batch_is_refused(app, round_):
    with nothing_written(app):
        error = assert_error(round_.postman.post("/api/v1/sync", json={"events": []}), 422,
                             "validation_failed")
    assert error["details"]["fields"][0]["field"] == "events"


def test_a_postman_of_another_office_gets_unknown_item(app, round_, new_api):
    postman_nd = signed_in(new_api(), "postman_nd")
    with nothing_written(app):
        results = sync(postman_nd, event(round_.numbers[0], "out_for_delivery"),
                       event(round_.numbers[1], "returned"))
    assert [(r["status"], r["error"]["code"]) for r in results] == [("rejected", "unknown_item")] * 2


def test_a_replay_by_a_postman_of_another_office_reveals_nothing(app, round_, new_api):
    recorded = event(round_.numbers[0], "out_for_delivery")
    sync(round_.postman, recorded)
    with nothing_written(app):
        [result] = sync(signed_in(new_api(), "postman_nd"), recorded)
    assert result["status"] == "rejected" and result["error"]["code"] != "duplicate"


def test_the_delivery_evidence_is_kept_in_the_chain(app, round_, new_api):
    signature, photo = upload_image(round_.postman, "signature"), upload_image(round_.postman, "photo")
    position = {**_offset_north(10), "accuracy_m": 8}
    delivered = _delivered(round_.numbers[0], signature, photo_sha256=photo, position=position,
                           cash_collected_vnd=26000, papers_collected=["Giấy hẹn trả kết quả"])
    sync(round_.postman, event(round_.numbers[0], "out_for_delivery"), delivered)
    # The clerk: a postman reads a delivered item without the recipient (issue #13).
    # The supervisor (an audit role) reads the position at full precision; others see it rounded.
    supervisor = signed_in(new_api(), "supervisor")
    last = supervisor.get(f"/api/v1/items/{round_.numbers[0]}").get_json()["events"][-1]
    assert last["id"] == delivered["id"] and last["upu_code"] == "EMI"
    assert last["evidence"]["signature_sha256"] == signature
    assert last["evidence"]["photo_sha256"] == photo
    assert last["evidence"]["recipient"]["id_last4"] == "7890"
    assert last["evidence"]["cash_collected_vnd"] == 26000
    assert last["position"] == {"lat": position["lat"], "lon": position["lon"], "accuracy_m": 8}
    assert last["occurred_at"][:19] == delivered["occurred_at"][:19]


def test_a_batch_of_rejected_events_writes_nothing(app, round_):
    before = row_counts(app)
    results = sync(round_.postman, event(UNKNOWN_NUMBER, "out_for_delivery"),
                   {"id": str(uuid.uuid4())})
    assert _statuses(results) == ["rejected", "rejected"]
    assert row_counts(app) == before


def test_a_batch_element_that_is_not_an_object_refuses_the_batch(app, round_):
    with nothing_written(app):
        response = round_.postman.post("/api/v1/sync", json={"events": [
            event(round_.numbers[0], "out_for_delivery"), "out_for_delivery"]})
        error = assert_error(response, 422, "validation_failed")
    assert error["details"]["fields"][0]["field"] == "events.1"


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00+05:00", "1999-12-31T23:59:59+00:00",
                                         "9999-12-31T23:59:59-12:00"])
def test_an_event_time_no_phone_clock_could_give_is_rejected(app, round_, occurred_at):
    # Year 1 at +05:00 lies before year 1 in UTC: without the bound it is a 500, not an answer.
    with nothing_written(app):
        results = sync(round_.postman, event(round_.numbers[0], "out_for_delivery",
                                             occurred_at=occurred_at))
    assert results[0]["error"]["code"] == "time_out_of_range"  # a clear code (issue #13)
    assert results[0]["error"]["details"]["field"] == "occurred_at"


def test_a_position_with_its_own_fix_time_is_kept_in_the_evidence(app, round_, new_api):
    """The phone sends when its receiver took the fix; the event keeps it with the accuracy."""
    signature = upload_image(round_.postman, "fresh-fix")
    fixed_at = (datetime.now(UTC) - timedelta(seconds=20)).replace(microsecond=0)
    delivered = _delivered(round_.numbers[0], signature, cash_collected_vnd=26000,
                           position={**_offset_north(10), "accuracy_m": 6,
                                     "fixed_at": fixed_at.isoformat()})
    [_started, result] = sync(round_.postman, event(round_.numbers[0], "out_for_delivery"), delivered)
    assert result["status"] == "accepted", result
    supervisor = signed_in(new_api(), "supervisor")
    last = supervisor.get(f"/api/v1/items/{round_.numbers[0]}").get_json()["events"][-1]
    assert last["evidence"]["position_fix"]["accuracy_m"] == 6
    assert datetime.fromisoformat(last["evidence"]["position_fix"]["fixed_at"]) == fixed_at
