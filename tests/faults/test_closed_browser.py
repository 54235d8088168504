"""A browser closed with a full outbox and opened again later, in real headless Chromium.

The postman records work offline, the browser is closed (the process ends, as when a phone
is switched off), and a new browser is started on the same profile. The outbox (IndexedDB)
and the sign-in (a permanent session cookie, SESSION_DAYS long) must both survive, so the
outbox drains by itself once the network is back, and every event reaches the server once.
The "days" cannot pass in a test: the cookie is checked to last at least one more day.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import (
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot
from tests.e2e.field_app import open_item, outbox_count, sign_in, wait_for_outbox
from tests.e2e.live_api import LiveSession
from tests.faults.live_items import (
    OFFICE,
    assert_chain_linear,
    assert_verified,
    handed_to,
    out_for_delivery,
    stored_events,
)

T = TypeVar("T")

#: The outbox's events as stored in IndexedDB by pwa/src/outbox.js.
READ_OUTBOX = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open("tantay");
  opening.onerror = () => reject(opening.error);
  opening.onsuccess = () => {
    const all = opening.result.transaction("outbox").objectStore("outbox").getAll();
    all.onerror = () => reject(all.error);
    all.onsuccess = () => resolve(all.result.filter((entry) => entry.kind === "event")
      .map((entry) => ({id: entry.id, type: entry.event.type, state: entry.state,
                        tracking_number: entry.event.tracking_number})));
  };
})"""


def _in_own_thread(scenario: Callable[[], T], timeout: float) -> T:
    """Run a Playwright scenario in a thread of its own.

    The sync API allows one Playwright per thread, and the e2e tests' may still be running
    in this one (their fixture lives for the whole session).
    """
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(scenario).result(timeout=timeout)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _open_phone(playwright: Playwright, profile: Path) -> tuple[BrowserContext, Page]:
    """Start Chromium on the phone's profile (360×740, Vietnamese, a GPS fix); its one page."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True, has_touch=True,
        geolocation={"latitude": OFFICE[0] + 0.002, "longitude": OFFICE[1] + 0.001, "accuracy": 15},
        permissions=["geolocation"])
    context.set_default_timeout(20000)
    page = context.pages[0] if context.pages else context.new_page()
    return context, page


def _fail_attempt(page: Page) -> None:
    """On an item's screen: a failed attempt, nobody home, notice left."""
    page.click("#go-fail")
    page.wait_for_selector("#fail-form")
    page.select_option("#failure-reason", "absent")
    page.select_option("#failure-action", "notice_left")
    page.click("#confirm-failure")
    expect(page.locator("#invitations")).to_contain_text("Đã mời 1 lần")


@pytest.mark.timeout(170)
def test_outbox_left_full_in_a_closed_browser_drains_once_when_it_is_opened_again(fault_server, tmp_path):
    base_url = fault_server.base_url
    (to_start,) = handed_to(base_url, "postman", 1, "browser")
    (to_fail,) = out_for_delivery(base_url, "postman", 1, "browser")
    profile = tmp_path / "phone-profile"

    def working_offline_then_closed() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        with sync_playwright() as playwright:
            context, page = _open_phone(playwright, profile)
            try:
                sign_in(page, base_url, "postman")
                wait_for_outbox(page, 0)
                page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20000)
                cookie = next(c for c in context.cookies() if c["name"] == "session")
                context.set_offline(True)
                open_item(page, to_start)
                page.click("#start-delivery")
                expect(page.locator("#item-status")).to_have_text("Đang phát")
                _fail_attempt(page)
                open_item(page, to_fail)
                _fail_attempt(page)
                wait_for_outbox(page, 3)
                screenshot(page, "faults-01-outbox-full-before-closing-360")
                return cookie, page.evaluate(READ_OUTBOX)
            finally:
                context.close()  # offline, with the outbox full

    cookie, queued = _in_own_thread(working_offline_then_closed, timeout=120)
    # A permanent session: the cookie has an expiry (a session cookie dies with the browser).
    assert cookie["expires"] > time.time() + 86400, cookie
    assert [(e["tracking_number"], e["type"]) for e in queued] == [
        (to_start, "out_for_delivery"), (to_start, "attempt_failed"), (to_fail, "attempt_failed")]
    phone = LiveSession(base_url, "postman")
    before = {number: stored_events(phone, number) for number in (to_start, to_fail)}
    assert not {e["id"] for e in queued} & {e["id"] for events in before.values() for e in events}

    def opened_again() -> list[dict[str, Any]]:
        with sync_playwright() as playwright:
            context, page = _open_phone(playwright, profile)
            try:
                context.set_offline(True)  # still no network when the phone is switched on
                page.goto(base_url + "/")
                page.wait_for_selector("#held-items")
                assert outbox_count(page) == 3  # the outbox outlived the browser
                context.set_offline(False)
                wait_for_outbox(page, 0, timeout=30000)
                expect(page.locator("#held-items")).to_be_visible()  # still signed in
                screenshot(page, "faults-02-outbox-drained-after-reopening-360")
                return page.evaluate(READ_OUTBOX)
            finally:
                context.close()

    assert _in_own_thread(opened_again, timeout=90) == []
    for number in (to_start, to_fail):
        events = stored_events(phone, number)
        assert_chain_linear(events)
        ids = [e["id"] for e in events]
        mine = [e for e in queued if e["tracking_number"] == number]
        assert all(ids.count(e["id"]) == 1 for e in mine), (ids, mine)
        assert [e["type"] for e in events[len(before[number]):]] == [e["type"] for e in mine]
    assert_verified(base_url)
