"""A postman's whole day in the field app, in real headless Chromium at 360×740:
load check, route, deliveries with proof, a failed attempt and a door collection, with the
network cut halfway; at the end every event is on the server exactly once."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.field_app import (
    draw_signature,
    open_item,
    outbox_count,
    results_on_a_postmans_phone,
    sign_in,
    wait_for_outbox,
    wait_for_outbox_at_most,
)
from tests.e2e.live_api import LiveSession, verify_in_background

OFFICE = (20.2539, 105.9750)


def _register(clerk: LiveSession, index: int) -> str:
    """A result at the counter, with an address a few hundred metres from the office."""
    body = {
        "kind": "result", "procedure_code": "CA-CCCD-DOI", "with_appointment_slip": True,
        "citizen": {"name": f"Người Nhận Thử {index}", "phone": f"09120000{index:02d}",
                    "address": {"province": "Ninh Bình", "commune": "Phường Hoa Lư",
                                "line": f"Số {10 + index} đường Thử Nghiệm",
                                "lat": OFFICE[0] + 0.002 * index, "lon": OFFICE[1] + 0.001 * index}},
        "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}],
        "fees": {"postage_vnd": 26000},
    }
    answer = clerk.post("/items", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["tracking_number"]


@pytest.fixture
def morning(live_server):  # type: ignore[no-untyped-def]
    """Four results at the office; the clerk lists three of them for `postman2`."""
    clerk = LiveSession(live_server.base_url, "clerk")
    numbers = [_register(clerk, i) for i in range(1, 5)]
    listed = numbers[:3]
    handover = clerk.post("/handovers", json={"to_user": "postman2", "items": listed})
    assert handover.status_code == 201, handover.text
    office = LiveSession(live_server.base_url, "postman2")
    pickups = office.get("/items", params={"status": "requested", "limit": 1}).json()["items"]
    assert pickups, "the demo has pickups at home requested at the central office"
    return {"numbers": numbers, "handover": handover.json()["id"], "pickup": pickups[0]}


def test_postmans_whole_day_with_the_network_cut_halfway(live_server, browser, morning):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True, has_touch=True,
        geolocation={"latitude": OFFICE[0] + 0.002, "longitude": OFFICE[1] + 0.001, "accuracy": 12},
        permissions=["geolocation"])
    page = context.new_page()
    a, b, c, d = morning["numbers"]
    pickup = morning["pickup"]["tracking_number"]
    try:
        sign_in(page, live_server.base_url, "postman2")
        screenshot(page, "day-01-home-360")

        # Morning load check: scan A and B, forget C, scan D which was not listed.
        page.click("#go-load-check")
        page.wait_for_selector("#load-check")
        for number in (a, b, d):
            page.fill("#tracking-input", number)
            page.click("#scan-form button[type=submit]")
        expect(page.locator("#tally-missing li .tn")).to_have_text([c])
        expect(page.locator("#tally-unexpected li .tn")).to_have_text([d])
        draw_signature(page, "receiver")
        screenshot(page, "day-02-load-check-360")
        page.click("#accept-handover")
        page.wait_for_selector("#held-items")
        record = LiveSession(live_server.base_url, "postman2").get(f"/handovers/{morning['handover']}").json()
        outcomes = {line["tracking_number"]: line["outcome"] for line in record["lines"]}
        assert outcomes == {a: "received", b: "received", c: "missing", d: "unexpected"}

        # The route of the day lists what the postman now holds, in the server's order.
        page.click("#go-route")
        page.wait_for_selector("#route-stops")
        # Planned from where the phone is (the context's geolocation).
        route = LiveSession(live_server.base_url, "postman2").get(
            "/route", params={"start_lat": OFFICE[0] + 0.002, "start_lon": OFFICE[1] + 0.001}).json()
        shown = page.locator("#route-stops .number").all_inner_texts()
        assert shown == [stop["tracking_number"] for stop in route["stops"]]
        assert {a, b} <= set(shown)
        screenshot(page, "day-03-route-360")

        # Out for delivery, online: the outbox drains at once.
        for number in (a, b):
            open_item(page, number)
            page.click("#start-delivery")
            expect(page.locator("#item-status")).to_have_text("Đang phát")
        wait_for_outbox(page, 0)

        # The network goes; the work goes on.
        context.set_offline(True)
        open_item(page, a)
        page.click("#go-deliver")
        page.wait_for_selector("#deliver-form")
        page.click("#confirm-delivery")
        assert "4 số cuối giấy tờ" in page.inner_text("#deliver-error")  # no proof, no delivery
        page.fill("#id-last4", "1234")
        page.check("input.paper")
        draw_signature(page, "recipient")
        expect(page.locator("#position")).to_contain_text("± 12 m")
        screenshot(page, "day-04-deliver-offline-360")
        page.click("#confirm-delivery")
        page.wait_for_selector("#held-items")
        # Queued on the phone. At most so many: Playwright's offline switch does not reach the
        # service worker, whose Background Sync may already drain some (the server's records
        # below prove every event arrived once).
        wait_for_outbox_at_most(page, 2)  # the signature image and the event

        open_item(page, b)
        page.click("#go-fail")
        page.wait_for_selector("#fail-form")
        page.select_option("#failure-reason", "absent")
        page.select_option("#failure-action", "notice_left")
        screenshot(page, "day-05-failed-attempt-360")
        page.click("#confirm-failure")
        expect(page.locator("#invitations")).to_contain_text("Đã mời 1 lần")
        wait_for_outbox_at_most(page, 3)

        open_item(page, pickup)
        page.click("#go-collect")
        page.wait_for_selector("#collect-form")
        draw_signature(page, "citizen")
        draw_signature(page, "postman")
        screenshot(page, "day-06-collect-offline-360")
        page.click("#confirm-collect")
        page.wait_for_selector("#held-items")
        wait_for_outbox_at_most(page, 6)
        waiting = outbox_count(page)

        # Reloaded while still offline: the app and its outbox are still there.
        page.reload()
        page.wait_for_selector("#held-items")
        assert outbox_count(page) <= waiting
        assert page.inner_text("#network") == "Ngoại tuyến"
        screenshot(page, "day-07-offline-reloaded-360")

        # Back online: the outbox drains by itself.
        context.set_offline(False)
        wait_for_outbox(page, 0, timeout=30000)
        screenshot(page, "day-08-synced-360")
    finally:
        context.close()

    # The office's clerk reads the delivery: a postman no longer reads a closed item's recipient.
    office = LiveSession(live_server.base_url, "clerk")
    delivered = office.get(f"/items/{a}").json()
    assert delivered["status"] == "delivered"
    deliveries = [e for e in delivered["events"] if e["type"] == "delivered"]
    assert len(deliveries) == 1
    evidence = deliveries[0]["evidence"]
    assert evidence["recipient"]["id_last4"] == "1234"
    assert evidence["papers_collected"] == ["Giấy tiếp nhận hồ sơ và hẹn trả kết quả"]
    assert deliveries[0]["position"]["accuracy_m"] == 12
    image = Path(live_server.env["MEDIA_DIR"]).glob(f"*/*/{evidence['signature_sha256']}")
    stored = next(image).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == evidence["signature_sha256"]

    failed = office.get(f"/items/{b}").json()
    assert failed["status"] == "attempt_failed"
    assert [e["type"] for e in failed["events"]].count("attempt_failed") == 1
    assert failed["invitations"]["count"] == 1

    collected = office.get(f"/items/{pickup}").json()
    assert collected["status"] == "collected"
    collection = [e for e in collected["events"] if e["type"] == "collected"]
    assert len(collection) == 1 and collection[0]["evidence"]["documents"]
    assert collection[0]["evidence"]["postman_signature_sha256"]

    verified = verify_in_background(LiveSession(live_server.base_url, "supervisor"))
    assert verified["ok"] is True, verified


def test_a_double_tap_on_confirm_records_one_delivery(live_server, browser):
    """The confirm button is busy while the delivery is saved: a second tap adds nothing.

    A result registered for the test (the demo's items may carry an ID on record, whose last
    four digits would then ask for a reason). The outbox is not counted offline: Chromium's
    Background Sync may drain it through the service worker, which Playwright's offline
    switch does not cover; the server is the judge."""
    with results_on_a_postmans_phone(browser, live_server.base_url) as phone:
        page = phone.page
        phone.context.set_offline(True)
        open_item(page, phone.number)
        page.click("#go-deliver")
        page.wait_for_selector("#deliver-form")
        page.fill("#id-last4", "4321")
        draw_signature(page, "recipient")
        page.dblclick("#confirm-delivery")
        page.wait_for_selector("#held-items")
        phone.context.set_offline(False)
        wait_for_outbox(page, 0, timeout=30000)
    events = phone.postman.get(f"/items/{phone.number}").json()["events"]
    assert [e["type"] for e in events].count("delivered") == 1
