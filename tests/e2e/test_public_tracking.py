"""A citizen tracks an item on the public page, on a phone, in real Chromium."""
from __future__ import annotations

from tests.e2e.conftest import screenshot
from tests.e2e.live_api import LiveSession


def _delivered_item(live_server) -> dict:  # type: ignore[no-untyped-def]
    supervisor = LiveSession(live_server.base_url, "supervisor")
    page = supervisor.get("/items", params={"status": "delivered", "limit": 1}).json()
    assert page["items"], "the demo seed has delivered items"
    return page["items"][0]


def test_citizen_finds_a_delivered_item_without_seeing_personal_data(live_server, phone):
    item = _delivered_item(live_server)
    phone.goto(f"{live_server.base_url}/t/")
    phone.fill("#tn", item["tracking_number"].lower())
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/t/{item['tracking_number']}")
    assert phone.inner_text("#status") == "Phát thành công"
    assert phone.locator(".timeline li").count() >= 4
    text = phone.inner_text("body")
    for personal in (item["citizen"]["name"], item["citizen"]["phone"],
                     item["citizen"]["address"]["line"]):
        assert personal not in text
    shot = screenshot(phone, "public-tracking-delivered-360")
    assert shot.stat().st_size > 5000


def test_citizen_is_told_in_vietnamese_when_the_check_digit_is_wrong(live_server, phone):
    item = _delivered_item(live_server)
    number = item["tracking_number"]
    wrong = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    phone.goto(f"{live_server.base_url}/t/{wrong}")
    assert "sai chữ số kiểm tra" in phone.inner_text("[role=alert]")
    screenshot(phone, "public-tracking-wrong-digit-360")
