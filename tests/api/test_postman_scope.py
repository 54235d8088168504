"""What a postman may read (issue #13 point 7; Law 91/2025/QH15: the least personal data).

What he holds, what is listed for him on a handover not yet signed, his office's unassigned
home pickups, and what he handled in the last POSTMAN_RECENT_DAYS days; closed items without
the citizen's name, phone, ID, street line or recipient.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from server.extensions import db
from server.models import CustodyEvent
from tests.api.checks import assert_error, signed_in
from tests.api.scenario import (
    clerk_and_postman,
    event,
    register_result,
    sync,
    upload_image,
)

RECIPIENT = {"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd", "id_last4": "7890"}


def listed(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/items{query}")
    assert response.status_code == 200, response.get_json()
    return [item["tracking_number"] for item in response.get_json()["items"]]


def deliver(desk, number: str) -> None:  # type: ignore[no-untyped-def]
    signature = upload_image(desk.postman, f"sig-{number}")
    sync(desk.postman, event(number, "out_for_delivery"),
         event(number, "delivered", recipient=RECIPIENT, signature_sha256=signature,
               cash_collected_vnd=26000))


@pytest.fixture
def desk(world, new_api):  # type: ignore[no-untyped-def]
    """Two results handed to the postman; a third left at the counter."""
    found = clerk_and_postman(new_api, 2, handed_over=True)
    found.numbers.append(register_result(found.clerk)["tracking_number"])
    return found


def test_a_postman_reads_what_he_holds_and_not_the_rest_of_his_office(app, desk, new_api):
    held, also_held, at_the_counter = desk.numbers
    assert sorted(listed(desk.postman)) == sorted([held, also_held])
    assert_error(desk.postman.get(f"/api/v1/items/{at_the_counter}"), 404, "unknown_item")
    assert listed(desk.postman, f"?q={at_the_counter}") == []
    colleague = signed_in(new_api(), "postman2")
    assert listed(colleague) == []
    assert_error(colleague.get(f"/api/v1/items/{held}"), 404, "unknown_item")


def test_a_postman_reads_what_is_listed_for_him_before_he_signs(app, desk, new_api):
    at_the_counter = desk.numbers[2]
    created = desk.clerk.post("/api/v1/handovers", json={"to_user": "postman2",
                                                           "items": [at_the_counter]})
    assert created.status_code == 201, created.get_json()
    colleague = signed_in(new_api(), "postman2")
    assert listed(colleague) == [at_the_counter]
    assert colleague.get(f"/api/v1/items/{at_the_counter}").status_code == 200
    assert at_the_counter not in listed(desk.postman)


def test_a_delivered_item_stays_readable_for_a_while_without_anything_personal(app, desk):
    number = desk.numbers[0]
    deliver(desk, number)
    read = desk.postman.get(f"/api/v1/items/{number}").get_json()
    assert read["status"] == "delivered" and read["personal_data_withheld"] is True
    citizen = read["citizen"]
    assert citizen["name"] is None and citizen["phone"] is None and citizen["id_last4"] is None
    assert citizen["address"]["line"] is None and citizen["address"]["lat"] is None
    assert all("recipient" not in e["evidence"] for e in read["events"])
    text = desk.postman.get("/api/v1/items?status=delivered").get_data(as_text=True)
    for personal in ("Nguyễn Thị Mẫu", "0912345678", "Lê Hồng Phong"):
        assert personal not in text
    # The clerk of the office still reads the whole record.
    office = desk.clerk.get(f"/api/v1/items/{number}").get_json()
    assert office["citizen"]["name"] and office["personal_data_withheld"] is False
    assert office["events"][-1]["evidence"]["recipient"]["name"] == RECIPIENT["name"]


def test_what_he_handled_leaves_his_reach_after_the_configured_days(app, desk, monkeypatch):
    number = desk.numbers[0]
    deliver(desk, number)
    days = app.config["POSTMAN_RECENT_DAYS"]
    with app.app_context():
        db.session.execute(update(CustodyEvent).values(
            received_at=datetime.now(UTC) - timedelta(days=days, hours=1)))
        db.session.commit()
    assert_error(desk.postman.get(f"/api/v1/items/{number}"), 404, "unknown_item")
    monkeypatch.setitem(app.config, "POSTMAN_RECENT_DAYS", days + 1)
    assert desk.postman.get(f"/api/v1/items/{number}").status_code == 200


def test_a_forged_future_date_does_not_keep_an_item_in_reach(app, desk):
    """The window counts the server's clock, never the phone's."""
    number = desk.numbers[0]
    signature = upload_image(desk.postman, "sig-future")
    future = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    sync(desk.postman, event(number, "out_for_delivery"),
         {**event(number, "delivered", recipient=RECIPIENT, signature_sha256=signature,
                  cash_collected_vnd=26000), "occurred_at": future})
    with app.app_context():
        db.session.execute(update(CustodyEvent).values(
            received_at=datetime.now(UTC) - timedelta(days=30)))
        db.session.commit()
    assert_error(desk.postman.get(f"/api/v1/items/{number}"), 404, "unknown_item")


@pytest.mark.parametrize("outsider", ["postman_nd", "postman_pl"])
def test_postmen_of_other_offices_read_nothing(app, desk, new_api, outsider):
    intruder = signed_in(new_api(), outsider)
    assert listed(intruder) == []
    for number in desk.numbers:
        assert_error(intruder.get(f"/api/v1/items/{number}"), 404, "unknown_item")
