"""Scanning and typing numbers in the field app."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.camera import label_video
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot
from tests.e2e.field_app import sign_in
from tests.e2e.live_api import LiveSession


def test_a_printed_label_shown_to_the_camera_opens_the_item(live_server, playwright_driver, tmp_path):
    held = LiveSession(live_server.base_url, "postman").get("/items", params={"holder": "me", "limit": 1}).json()
    number = held["items"][0]["tracking_number"]
    label = LiveSession(live_server.base_url, "clerk").get(f"/items/{number}/label.png")
    assert label.status_code == 200
    video = label_video(label.content, tmp_path / "label.y4m")
    camera = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"]
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + camera)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                  permissions=["camera"])
    page = context.new_page()
    try:
        sign_in(page, live_server.base_url)
        page.click("#scan-button")
        page.wait_for_selector("#item-screen", timeout=20000)
        assert page.inner_text(".number.big") == number
        screenshot(page, "scan-opened-item-360")
    finally:
        browser.close()


def test_a_typed_number_with_a_wrong_check_digit_is_refused_in_vietnamese(live_server, phone):
    sign_in(phone, live_server.base_url)
    phone.fill("#tracking-input", "KQ000000018VN")
    phone.click("#scan-form button[type=submit]")
    assert phone.inner_text("#scan-error") == "Số hiệu không hợp lệ (sai chữ số kiểm tra). Hãy kiểm tra lại số hiệu."
    assert "#/item/" not in phone.url
    screenshot(phone, "scan-wrong-check-digit-360")


def test_scanning_an_item_the_postman_does_not_hold_says_so(live_server, phone):
    other = LiveSession(live_server.base_url, "clerk_nd").get("/items", params={"limit": 1}).json()["items"][0]
    sign_in(phone, live_server.base_url)
    phone.fill("#tracking-input", other["tracking_number"])
    phone.click("#scan-form button[type=submit]")
    # The lookup in the phone's store is asynchronous: wait for the message to appear.
    expect(phone.locator("#scan-error")).to_have_text(f"Bạn không giữ bưu gửi {other['tracking_number']}.")
    assert "#/item/" not in phone.url
