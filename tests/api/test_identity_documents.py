"""Identity documents checked at the door and the counter after 2024 (issue 16).

Luật Căn cước 2023, Điều 46 khoản 3: the old ID card (CMND) is valid until 31/12/2024 at most.
"""
from __future__ import annotations

from datetime import datetime

from server.domain.service_time import LOCAL_TZ
from tests.api.checks import assert_error, nothing_written, signed_in
from tests.api.scenario import HOME, clerk_and_postman, event, sync, upload_image
from tests.api.test_counter_hold import RECIPIENT, failed_once
from tests.api.test_counter_intake import intake_body

NEAR_HOME = {"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 10}
CMND = {**RECIPIENT, "id_type": "cmnd", "id_last4": "5678"}


def _delivered(number: str, recipient: dict, signature: str, **envelope) -> dict:  # type: ignore[type-arg]
    return event(number, "delivered", recipient=recipient, signature_sha256=signature,
                 position=NEAR_HOME, **envelope)


def test_a_delivery_checked_on_a_cmnd_is_refused_with_a_stable_code(app, world, new_api):
    desk = clerk_and_postman(new_api, 1, handed_over=True)
    number = desk.numbers[0]
    sync(desk.postman, event(number, "out_for_delivery"))
    signature = upload_image(desk.postman, "cmnd-door")
    with nothing_written(app):
        refused = sync(desk.postman, _delivered(number, CMND, signature))[0]
    assert refused["status"] == "rejected"
    assert refused["error"]["code"] == "cmnd_no_longer_valid"
    assert "01/01/2025" in refused["error"]["message"]
    # The same hand-over checked in VNeID (level 2, in the app) is recorded.
    accepted = sync(desk.postman, _delivered(number, {**CMND, "id_type": "vneid"}, signature))[0]
    assert accepted["status"] == "accepted", accepted


def test_a_cmnd_dated_in_2024_is_still_accepted(app, world, new_api):
    # An event recorded offline in 2024 and sent later: the document was valid that day.
    desk = clerk_and_postman(new_api, 1, handed_over=True)
    number = desk.numbers[0]
    sync(desk.postman, event(number, "out_for_delivery"))
    late_2024 = datetime(2024, 12, 31, 16, 0, tzinfo=LOCAL_TZ).isoformat()
    answer = sync(desk.postman, _delivered(number, CMND, upload_image(desk.postman, "2024"),
                                           occurred_at=late_2024))[0]
    assert (answer.get("error") or {}).get("code") != "cmnd_no_longer_valid", answer


def test_the_counter_refuses_a_cmnd_too(app, world, new_api):
    desk, number = failed_once(new_api)
    held = desk.clerk.post(f"/api/v1/counter/items/{number}/hold", json={})
    assert held.status_code == 200, held.get_json()
    signature = upload_image(desk.clerk, "cmnd-counter")
    with nothing_written(app):
        assert_error(desk.clerk.post(f"/api/v1/counter/items/{number}/deliver", json={
            "recipient": CMND, "signature_sha256": signature}), 422, "cmnd_no_longer_valid")


def test_intake_at_the_counter_refuses_a_cmnd(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    body = intake_body(clerk)
    body["citizen"] = {**body["citizen"], "id_type": "cmnd", "id_number": "012345678"}
    with nothing_written(app):
        assert_error(clerk.post("/api/v1/intake/counter", json=body), 422, "cmnd_no_longer_valid")
