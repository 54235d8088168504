"""The personal-data screens (issue 16) in real Chromium at 360 and 1280: the supervisor's
access log and the printable copy of a citizen's data, each checked by axe-core."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot

SIZES = ((360, 740), (1280, 800))


def _signed_in(browser: Any, base_url: str, username: str, width: int, height: int) -> BrowserContext:
    """A context signed in through the API (the session cookie); axe needs bypass_csp."""
    phone = width < 768
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  is_mobile=phone, has_touch=phone, bypass_csp=True)
    answer = context.request.post(f"{base_url}/api/v1/auth/login",
                                  data={"username": username, "password": "tantay-demo"})
    assert answer.ok, answer.text()
    return context


def _an_item(context: BrowserContext, base_url: str) -> dict[str, Any]:
    answer = context.request.get(f"{base_url}/api/v1/items?limit=1")
    assert answer.ok, answer.text()
    return answer.json()["items"][0]


def test_the_supervisor_reads_who_opened_an_items_personal_data(live_server, browser):
    for width, height in SIZES:
        clerk = _signed_in(browser, live_server.base_url, "clerk", width, height)
        item = _an_item(clerk, live_server.base_url)
        number = item["tracking_number"]
        assert clerk.request.get(f"{live_server.base_url}/api/v1/items/{number}").ok  # logged
        clerk.close()
        context = _signed_in(browser, live_server.base_url, "supervisor", width, height)
        try:
            page = context.new_page()
            page.goto(f"{live_server.base_url}/personal-data/accesses")
            page.fill("#item", number)
            page.click("form.search button")
            expect(page.locator("#access-table")).to_contain_text(number)
            expect(page.locator("#access-table")).to_contain_text("Xem chi tiết bưu gửi")
            expect(page.locator("#access-table")).to_contain_text("clerk")
            screenshot(page, f"personal-data-access-log-{width}")
            assert_accessible(page, f"access log ({width})")
        finally:
            context.close()


def test_the_clerk_prints_a_citizens_data_on_request(live_server, browser):
    for width, height in SIZES:
        context = _signed_in(browser, live_server.base_url, "clerk", width, height)
        try:
            item = _an_item(context, live_server.base_url)
            page = context.new_page()
            page.goto(f"{live_server.base_url}/personal-data/export")
            page.fill("#phone", item["citizen"]["phone"])
            page.click("form.search button")
            expect(page.locator("#export-facts")).to_contain_text("Mục đích xử lý")
            expect(page.locator("main")).to_contain_text(item["citizen"]["name"])
            expect(page.locator("main")).to_contain_text(item["tracking_number"])
            screenshot(page, f"personal-data-export-{width}")
            assert_accessible(page, f"citizen export ({width})")
        finally:
            context.close()
