"""Two-party handovers: the sender lists, the receiver scans and signs (QĐ45 Art.7)."""
from __future__ import annotations

import pytest

from server.media.service import MISSING_MEDIA_MESSAGE
from tests.api.checks import UNKNOWN_NUMBER, assert_error, nothing_written, signed_in
from tests.api.scenario import (
    Desk,
    clerk_and_postman,
    hand_over,
    result_body,
    upload_image,
)
from tests.conftest import ApiClient

#: A clerk with four results at the counter, and the postman who will take them.
Counter = Desk


@pytest.fixture
def counter(world, new_api) -> Counter:  # type: ignore[no-untyped-def]
    return clerk_and_postman(new_api, 4)


def _open(sender: ApiClient, numbers: list[str], to_user: str = "postman") -> int:
    response = sender.post("/api/v1/handovers", json={"to_user": to_user, "items": numbers})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "pending"
    return response.get_json()["id"]


def _open_to_unit(sender: ApiClient, numbers: list[str], unit: str) -> int:
    response = sender.post("/api/v1/handovers", json={"to_unit": unit, "items": numbers})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _accept(receiver: ApiClient, handover_id: int, scanned: list[str], seed: str = "sig") -> dict:
    signature = upload_image(receiver, seed)
    response = receiver.post(f"/api/v1/handovers/{handover_id}/accept",
                             json={"scanned": scanned, "signature_sha256": signature})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _holder(client: ApiClient, number: str) -> dict:
    return client.get(f"/api/v1/items/{number}").get_json()["holder"]


@pytest.fixture
def signed_with_discrepancies(counter: Counter):  # type: ignore[no-untyped-def]
    """Three listed, two scanned, plus one scanned that was not listed."""
    listed, unlisted = counter.numbers[:3], counter.numbers[3]
    handover_id = _open(counter.clerk, listed)
    answer = _accept(counter.postman, handover_id, [listed[0], listed[2], unlisted])
    return handover_id, answer


def test_a_listed_handover_moves_nothing_until_signed(app, counter):
    _open(counter.clerk, counter.numbers[:2])
    assert _holder(counter.clerk, counter.numbers[0]) == {
        "user": None, "unit": "BC-TRUNGTAM", "unit_name": "Bưu cục Trung tâm Ninh Bình"}


def test_custody_moves_only_for_scanned_items(app, counter, signed_with_discrepancies):
    _, answer = signed_with_discrepancies
    first, second, third, unlisted = counter.numbers
    assert answer["status"] == "accepted"
    assert answer["received"] == [first, third]
    assert answer["missing"] == [second] and answer["unexpected"] == [unlisted]
    assert _holder(counter.clerk, first)["user"] == "postman"
    assert _holder(counter.clerk, third)["user"] == "postman"
    assert _holder(counter.clerk, second) == _holder(counter.clerk, unlisted) == {
        "user": None, "unit": "BC-TRUNGTAM", "unit_name": "Bưu cục Trung tâm Ninh Bình"}
    events = counter.clerk.get(f"/api/v1/items/{first}").get_json()["events"]
    assert events[-1]["type"] == "handed_over" and events[-1]["actor"] == "postman"
    assert [e["type"] for e in counter.clerk.get(f"/api/v1/items/{second}").get_json()["events"]] \
        == ["registered", "at_post"]


def test_the_record_keeps_each_lines_outcome(app, counter, signed_with_discrepancies):
    handover_id, answer = signed_with_discrepancies
    first, second, third, unlisted = counter.numbers
    for reader in (counter.clerk, counter.postman):
        record = reader.get(f"/api/v1/handovers/{handover_id}").get_json()
        assert record["status"] == "accepted" and record["accepted_by"] == "postman"
        assert record["from_unit"] == "BC-TRUNGTAM" and record["to_user"] == "postman"
        assert record["accepted_at"] == answer["accepted_at"]
        assert [(line["tracking_number"], line["outcome"]) for line in record["lines"]] == [
            (first, "received"), (second, "missing"), (third, "received"), (unlisted, "unexpected")]


def test_discrepancies_raise_handover_discrepancy_flags(app, counter, signed_with_discrepancies,
                                                       new_api):
    handover_id, _ = signed_with_discrepancies
    _, second, _, unlisted = counter.numbers
    supervisor = signed_in(new_api(), "supervisor")
    flags = supervisor.get("/api/v1/audit/flags?code=handover_discrepancy").get_json()["flags"]
    assert sorted((f["tracking_number"], f["details"]["kind"], f["details"]["handover_id"])
                  for f in flags) == sorted([(second, "missing", handover_id),
                                             (unlisted, "unexpected", handover_id)])
    assert {f["status"] for f in flags} == {"open"}


def test_a_clean_handover_raises_no_flag(app, counter, new_api):
    hand_over(counter.clerk, counter.postman, "postman", counter.numbers[:2])
    supervisor = signed_in(new_api(), "supervisor")
    assert supervisor.get("/api/v1/audit/flags").get_json()["flags"] == []


def test_scanning_a_number_that_is_no_item_is_recorded_as_unexpected(app, counter):
    handover_id = _open(counter.clerk, counter.numbers[:1])
    answer = _accept(counter.postman, handover_id, [counter.numbers[0], UNKNOWN_NUMBER])
    assert answer["received"] == counter.numbers[:1] and answer["unexpected"] == [UNKNOWN_NUMBER]
    lines = counter.clerk.get(f"/api/v1/handovers/{handover_id}").get_json()["lines"]
    assert lines[-1] == {"tracking_number": UNKNOWN_NUMBER, "outcome": "unexpected",
                         "complete": None, "missing_documents": None, "kind": None,
                         "procedure": None, "citizen_initials": None}


def test_listing_an_item_the_sender_does_not_hold_is_refused(app, counter, new_api):
    postman2 = signed_in(new_api(), "postman2")
    with nothing_written(app):
        response = postman2.post("/api/v1/handovers",
                                 json={"to_user": "postman", "items": counter.numbers[:2]})
        error = assert_error(response, 409, "not_holder")
    assert error["details"]["items"] == counter.numbers[:2]


def test_listing_an_item_already_handed_on_is_refused(app, counter):
    hand_over(counter.clerk, counter.postman, "postman", [counter.numbers[0]])
    with nothing_written(app):
        response = counter.clerk.post("/api/v1/handovers", json={
            "to_user": "postman2", "items": [counter.numbers[1], counter.numbers[0]]})
        assert assert_error(response, 409, "not_holder")["details"]["items"] == [counter.numbers[0]]


def test_listing_an_unknown_item_is_refused_as_not_held(app, counter):
    with nothing_written(app):
        response = counter.clerk.post("/api/v1/handovers",
                                      json={"to_user": "postman", "items": [UNKNOWN_NUMBER]})
        assert assert_error(response, 409, "not_holder")["details"]["items"] == [UNKNOWN_NUMBER]


def test_listing_an_item_of_another_office_is_refused_as_not_held(app, counter, new_api):
    clerk_nd = signed_in(new_api(), "clerk_nd")
    with nothing_written(app):
        response = clerk_nd.post("/api/v1/handovers",
                                 json={"to_user": "postman_nd", "items": [counter.numbers[0]]})
        assert_error(response, 409, "not_holder")


def test_an_item_cannot_sit_on_two_pending_handovers(app, counter):
    _open(counter.clerk, [counter.numbers[0]])
    with nothing_written(app):
        response = counter.clerk.post("/api/v1/handovers",
                                      json={"to_user": "postman2", "items": [counter.numbers[0]]})
        assert_error(response, 409, "already_on_handover")


def test_a_handover_to_oneself_is_refused(app, counter):
    hand_over(counter.clerk, counter.postman, "postman", [counter.numbers[0]])
    with nothing_written(app):
        response = counter.postman.post("/api/v1/handovers",
                                        json={"to_user": "postman", "items": [counter.numbers[0]]})
        assert_error(response, 422, "self_handover")


@pytest.mark.parametrize(("body", "code"), [
    ({"to_user": "nobody"}, "unknown_user"), ({"to_unit": "NOWHERE"}, "unknown_unit"),
    ({"to_unit": "TINH"}, "unknown_unit"),
])
def test_an_unknown_receiver_is_refused(app, counter, body, code):
    with nothing_written(app):
        response = counter.clerk.post("/api/v1/handovers", json={**body, "items": counter.numbers[:1]})
        assert_error(response, 422, code)


def test_naming_both_or_no_receiver_is_refused(app, counter):
    with nothing_written(app):
        for body in ({"to_user": "postman", "to_unit": "CA-TINH"}, {}):
            response = counter.clerk.post("/api/v1/handovers", json={**body, "items": counter.numbers[:1]})
            assert_error(response, 422, "validation_failed")


def test_the_sender_cannot_sign_its_own_handover(app, counter):
    handover_id = _open(counter.clerk, counter.numbers[:2])
    signature = upload_image(counter.clerk, "sender-signature")
    with nothing_written(app):
        response = counter.clerk.post(f"/api/v1/handovers/{handover_id}/accept",
                                      json={"scanned": counter.numbers[:2],
                                            "signature_sha256": signature})
        assert_error(response, 403, "not_receiver")


@pytest.mark.parametrize(("signer", "status", "code"), [
    ("postman2", 404, "unknown_handover"),  # a postman sees only records they are party to
    ("supervisor", 403, "forbidden"),  # supervisors audit, they do not take custody
    ("clerk_nd", 404, "unknown_handover"),  # another office
])
def test_someone_other_than_the_receiver_cannot_sign(app, counter, new_api, signer, status, code):
    handover_id = _open(counter.clerk, counter.numbers[:2])
    client = signed_in(new_api(), signer)
    signature = upload_image(client, "not-the-receiver")
    with nothing_written(app):
        response = client.post(f"/api/v1/handovers/{handover_id}/accept",
                               json={"scanned": counter.numbers[:2], "signature_sha256": signature})
        assert_error(response, status, code)


def test_a_postman_cannot_sign_for_the_counter_they_return_items_to(app, counter, new_api):
    hand_over(counter.clerk, counter.postman, "postman", [counter.numbers[0]])
    handover_id = _open_to_unit(counter.postman, [counter.numbers[0]], "BC-TRUNGTAM")
    signature = upload_image(counter.postman, "own-signature")
    with nothing_written(app):
        response = counter.postman.post(f"/api/v1/handovers/{handover_id}/accept",
                                        json={"scanned": [counter.numbers[0]],
                                              "signature_sha256": signature})
        assert_error(response, 403, "not_receiver")
    answer = _accept(counter.clerk, handover_id, [counter.numbers[0]], "counter-signature")
    assert answer["received"] == [counter.numbers[0]]
    assert _holder(counter.clerk, counter.numbers[0])["user"] is None


def test_a_second_signature_is_refused_and_changes_nothing(app, counter):
    handover_id = _open(counter.clerk, counter.numbers[:2])
    _accept(counter.postman, handover_id, [counter.numbers[0]])
    signature = upload_image(counter.postman, "second-signature")
    with nothing_written(app):
        response = counter.postman.post(f"/api/v1/handovers/{handover_id}/accept",
                                        json={"scanned": counter.numbers[:2],
                                              "signature_sha256": signature})
        assert assert_error(response, 409, "handover_closed")["details"]["status"] == "accepted"
    record = counter.clerk.get(f"/api/v1/handovers/{handover_id}").get_json()
    assert [line["outcome"] for line in record["lines"]] == ["received", "missing"]


def test_a_signature_that_was_not_uploaded_is_refused(app, counter):
    handover_id = _open(counter.clerk, counter.numbers[:2])
    with nothing_written(app):
        response = counter.postman.post(f"/api/v1/handovers/{handover_id}/accept",
                                        json={"scanned": counter.numbers[:2],
                                              "signature_sha256": "ab" * 32})
        error = assert_error(response, 422, "missing_media")
    assert error["details"]["missing"] == ["ab" * 32]
    assert error["message"] == MISSING_MEDIA_MESSAGE
    assert counter.clerk.get(f"/api/v1/handovers/{handover_id}").get_json()["status"] == "pending"


def test_a_postman_cannot_read_a_handover_between_others(app, counter, new_api):
    handover_id = _open(counter.clerk, counter.numbers[:1])
    postman2 = signed_in(new_api(), "postman2")
    assert_error(postman2.get(f"/api/v1/handovers/{handover_id}"), 404, "unknown_handover")


def test_a_dossier_is_filed_when_the_agency_signs(app, world, new_api):
    clerk, agency = signed_in(new_api(), "clerk"), signed_in(new_api(), "agency")
    dossier = clerk.post("/api/v1/items", json=result_body(kind="dossier", dossier_code=None))
    number = dossier.get_json()["tracking_number"]
    handover = clerk.post("/api/v1/handovers", json={
        "to_unit": "CA-TINH", "items": [number], "signature_sha256": upload_image(clerk, "clerk")})
    answer = _accept(agency, handover.get_json()["id"], [number], "agency-officer")
    item = agency.get(f"/api/v1/items/{number}").get_json()
    assert item["status"] == "filed" and item["holder"]["unit"] == "CA-TINH"
    assert item["events"][-1]["type"] == "filed"
    # QĐ45 Art.7: the dossier is filed at the officer's signature, to the microsecond.
    assert item["events"][-1]["occurred_at"] == answer["accepted_at"]
