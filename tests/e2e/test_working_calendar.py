"""The working calendar screen in headless Chromium: the 2026 National Day swap shown, and the
administrator recording a decision (issue 16). Phone width and office width."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot
from tests.e2e.field_app import sign_in


@pytest.fixture
def checked_phone(browser):  # type: ignore[no-untyped-def]
    """The 360×740 phone, with the page's CSP bypassed so that axe-core can be injected."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True,
                                  bypass_csp=True)
    yield context.new_page()
    context.close()


def test_the_admin_sees_the_swapped_days_and_records_a_decision(live_server, checked_phone):
    page = checked_phone
    sign_in(page, live_server.base_url, "admin")
    page.click("#go-calendar")
    page.wait_for_selector("#calendar-screen")
    page.goto(live_server.base_url + "/#/calendar/2026-08")
    expect(page.locator("#calendar-title")).to_have_text("Tháng 8/2026")
    # The migration's seed: Monday 31/8 off, Saturday 22/8 worked.
    expect(page.locator("td[data-date='2026-08-31']")).to_have_class("day day-off")
    expect(page.locator("td[data-date='2026-08-22']")).to_have_class("day worked-weekend")
    expect(page.locator("td[data-date='2026-08-22'] .day-mark")).to_have_text("Làm bù")
    expect(page.locator("#calendar-special li[data-date='2026-08-31']")).to_contain_text("9441/TB-BNV")
    assert_accessible(page, "working calendar")
    screenshot(page, "calendar-360")

    page.fill("#decision-day", "2030-06-03")
    page.select_option("#decision-working", "false")
    page.fill("#decision-reason", "Nghỉ hoán đổi (thử nghiệm)")
    page.fill("#decision-basis", "Thông báo 1/TB-BNV ngày 1/1/2030")
    page.click("#decision-save")
    expect(page.locator("#calendar-title")).to_have_text("Tháng 6/2030", timeout=20000)
    expect(page.locator("td[data-date='2030-06-03']")).to_have_class("day day-off")
    expect(page.locator("#calendar-special li[data-date='2030-06-03']")).to_contain_text(
        "Thông báo 1/TB-BNV")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.base_url + "/#/calendar/2026-09")
    expect(page.locator("td[data-date='2026-09-02']")).to_have_class("day day-off")
    assert_accessible(page, "working calendar (office width)")
    screenshot(page, "calendar-1280")


def test_a_postman_reads_the_calendar_without_the_form(live_server, phone):
    page = phone
    sign_in(page, live_server.base_url, "postman")
    page.goto(live_server.base_url + "/#/calendar/2026-02")
    expect(page.locator("td[data-date='2026-02-17']")).to_have_class("day day-off")
    expect(page.locator("#decision-form")).to_have_count(0)
