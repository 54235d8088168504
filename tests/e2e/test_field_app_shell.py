"""The field app's shell: a postman signs in on a phone and sees what they hold."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.field_app import sign_in
from tests.e2e.live_api import LiveSession

ACTIVE_RESULT_STATUSES = {"at_post", "out_for_delivery", "attempt_failed", "held_for_pickup"}


def test_postman_signs_in_and_sees_the_items_held(live_server, phone):
    held = LiveSession(live_server.base_url, "postman").get("/items", params={"holder": "me", "limit": 200}).json()
    to_deliver = [i["tracking_number"] for i in held["items"]
                  if i["kind"] == "result" and i["status"] in ACTIVE_RESULT_STATUSES]
    assert to_deliver, "the demo postman holds results to deliver"
    phone.goto(live_server.base_url + "/")
    phone.fill("#username", "postman")
    phone.fill("#password", "tantay-demo")
    phone.click("#sign-in button[type=submit]")
    phone.wait_for_selector("#held-items li")
    numbers = phone.locator("#held-items .number").all_inner_texts()
    assert sorted(numbers) == sorted(to_deliver)
    assert "Bưu cục Trung tâm Ninh Bình" in phone.inner_text("#who")
    screenshot(phone, "field-app-held-items-360")


def test_wrong_password_is_refused_in_vietnamese(live_server, phone):
    phone.goto(live_server.base_url + "/")
    phone.fill("#username", "postman")
    phone.fill("#password", "not-the-password")
    phone.click("#sign-in button[type=submit]")
    expect(phone.locator("#sign-in-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")


def test_shell_is_installable_and_loads_offline_after_the_first_visit(live_server, phone):
    phone.goto(live_server.base_url + "/")
    manifest = phone.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    # The worker claims the page when it activates, so the page becomes controlled.
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(50):
        if phone.evaluate("navigator.serviceWorker.controller !== null"):
            break
        phone.wait_for_timeout(200)
    assert phone.evaluate("navigator.serviceWorker.controller !== null")
    phone.context.set_offline(True)
    phone.reload()
    phone.wait_for_selector("#sign-in, #held-items")
    assert "TậnTay" in phone.inner_text(".bar")


def test_the_app_speaks_vietnamese_and_switches_to_english(live_server, phone):
    sign_in(phone, live_server.base_url)
    expect(phone.locator("h1")).to_have_text("Bưu gửi đang giữ")
    phone.click("#language")
    expect(phone.locator("h1")).to_have_text("Items I hold")
    expect(phone.locator("#scan-button")).to_have_text("Scan")
    phone.click("#language")
    expect(phone.locator("h1")).to_have_text("Bưu gửi đang giữ")
