"""Each role's home in the app leads to that role's work: a supervisor and an administrator,
who hold no item, are not shown a postman's day (load check, held items, home pickups) but
their workspaces; an item number typed there opens its custody record."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot
from tests.e2e.field_app import sign_in
from tests.e2e.live_api import LiveSession
from tests.e2e.postman_day import register_result


@pytest.fixture
def checked_phone(browser):  # type: ignore[no-untyped-def]
    """The 360×740 phone, with the page's CSP bypassed so that axe-core can be injected."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                  is_mobile=True, has_touch=True, bypass_csp=True)
    yield context.new_page()
    context.close()


def _no_postman_day(page: Page) -> None:
    for postman_only in ("#go-load-check", "#go-route", "#held-items", "#pickup-items"):
        expect(page.locator(postman_only)).to_have_count(0)


def test_the_supervisor_is_led_to_the_dashboard_and_the_access_log(live_server, checked_phone):
    page = checked_phone
    sign_in(page, live_server.base_url, "supervisor")
    expect(page.locator("#overseer-home h1")).to_have_text("Việc của bạn")
    _no_postman_day(page)
    expect(page.locator("#go-access-log")).to_have_attribute("href", "/personal-data/accesses")
    assert_accessible(page, "supervisor home")
    screenshot(page, "home-supervisor-360")
    page.click("#go-dashboard")
    page.wait_for_url("**/supervisor")
    page.wait_for_selector("#flags", state="visible", timeout=20000)  # signed in already


def test_an_item_number_typed_by_a_supervisor_opens_its_custody_record(live_server, checked_phone):
    clerk = LiveSession(live_server.base_url, "clerk")
    number = register_result(clerk)
    page = checked_phone
    sign_in(page, live_server.base_url, "supervisor")
    page.fill("#tracking-input", number)
    page.click("#scan-form button[type=submit]")
    page.wait_for_url(f"**/items/{number}/custody")
    expect(page.locator("body")).to_contain_text(number)


def test_the_administrator_is_led_to_the_calendar_not_to_a_postmans_day(live_server, checked_phone):
    page = checked_phone
    sign_in(page, live_server.base_url, "admin")
    _no_postman_day(page)
    expect(page.locator("#go-calendar")).to_be_visible()
    expect(page.locator("#go-dashboard")).to_be_visible()
    expect(page.locator("#go-access-log")).to_have_count(0)  # the log is the supervisors'
    screenshot(page, "home-admin-360")


def test_the_clerk_and_the_postman_keep_their_own_tiles(live_server, checked_phone):
    page = checked_phone
    sign_in(page, live_server.base_url, "clerk")
    expect(page.locator("#go-intake")).to_be_visible()
    expect(page.locator("#go-load-check")).to_have_count(0)  # the postman accepts the load
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")  # signed out on the server too, before the next one signs in
    sign_in(page, live_server.base_url, "postman")
    expect(page.locator("#go-load-check")).to_be_visible()
    expect(page.locator("#go-route")).to_be_visible()
    expect(page.locator("#overseer-home")).to_have_count(0)
