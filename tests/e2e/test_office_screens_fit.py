"""Every office screen, at 360 × 740 (a phone), 768 (a tablet) and 1280 (a desktop), in real
Chromium: nothing wider than the screen (document.scrollingElement.scrollWidth ≤ innerWidth),
and the server-rendered pages pass axe-core. The screens: the clerk's and the agency
officer's screens of the app, the supervisor's dashboard, and the printable pages an office
user opens (handover record, consignment note, custody record, personal-data pages, the
agency's statement)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot
from tests.e2e.live_api import LiveSession

SIZES = {"phone-360": (360, 740), "tablet-768": (768, 1024), "desktop-1280": (1280, 800)}
LONG = 180_000  # ms: a loaded machine may be slow; nothing here is a timing assertion
FITS = "document.scrollingElement.scrollWidth <= window.innerWidth"
#: The app's screens of each office role (hash routes of the field app).
APP_SCREENS = {
    "clerk": ["#/", "#/handovers", "#/handovers/new", "#/intake", "#/pickup-request",
              "#/counter", "#/cash", "#/deadlines", "#/calendar"],
    "agency": ["#/", "#/handovers", "#/deadlines"],
}


@pytest.fixture(scope="module")
def office_pages(live_server) -> dict[str, list[str]]:
    """The printable pages each role opens, on the demo's own records (read, not written)."""
    clerk = LiveSession(live_server.base_url, "clerk")
    dossier = clerk.get("/items", params={"kind": "dossier", "limit": 1}).json()["items"][0]
    record = clerk.get("/handovers").json()["handovers"][0]["id"]
    supervisor = LiveSession(live_server.base_url, "supervisor")
    delivered = supervisor.get("/dashboard").json()["today"]["events"][0]["tracking_number"]
    number = dossier["tracking_number"]
    return {
        "clerk": [f"/items/{number}/consignment-note", f"/handovers/{record}/record",
                  f"/personal-data/export?item={number}"],
        "supervisor": ["/supervisor", f"/items/{delivered}/custody", "/personal-data/accesses",
                       f"/personal-data/export?item={number}",
                       "/cash/agencies/CA-TINH/statement"],
    }


@pytest.fixture(params=list(SIZES))
def sized(browser, request) -> Iterator[tuple[str, object]]:  # type: ignore[no-untyped-def]
    width, height = SIZES[request.param]
    # axe-core is injected as an inline script, which the pages' CSP (rightly) refuses.
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  bypass_csp=True)
    yield request.param, context
    context.close()


def _signed_in_page(context, base_url: str, username: str):  # type: ignore[no-untyped-def]
    context.clear_cookies()
    answer = context.request.post(f"{base_url}/api/v1/auth/login",
                                  data={"username": username, "password": "tantay-demo"})
    assert answer.ok, answer.text()
    return context.new_page()


@pytest.mark.parametrize("username", list(APP_SCREENS))
def test_the_office_screens_of_the_app_fit(live_server, sized, username):
    size, context = sized
    page = _signed_in_page(context, live_server.base_url, username)
    page.goto(f"{live_server.base_url}/")
    page.wait_for_selector("#agency-screen" if username == "agency" else "#held-items", timeout=LONG)
    for route in APP_SCREENS[username]:
        page.goto(f"{live_server.base_url}/{route}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(FITS), (route, page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]"))
    screenshot(page, f"office-app-{username}-{size}")


@pytest.mark.parametrize("username", ["clerk", "supervisor"])
def test_the_printable_office_pages_fit_and_pass_axe(live_server, sized, office_pages, username):
    size, context = sized
    page = _signed_in_page(context, live_server.base_url, username)
    for path in office_pages[username]:
        answer = page.goto(f"{live_server.base_url}{path}")
        assert answer is not None and answer.status == 200, path
        page.wait_for_load_state("networkidle")
        if path == "/supervisor":
            page.wait_for_selector("#cards", timeout=LONG)
        assert page.evaluate(FITS), (path, page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]"))
        assert_accessible(page, f"{path} at {size}")
        screenshot(page, f"office-page-{username}-{path.strip('/').split('?')[0].replace('/', '-')}-{size}")
