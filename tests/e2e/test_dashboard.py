"""A supervisor reads the dashboard on a tablet and on a desktop, in real Chromium."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest

from tests.api.scenario import HOME, png_bytes
from tests.api.test_counter_intake import CHECKLIST
from tests.e2e.conftest import PROJECT, screenshot
from tests.e2e.live_api import LiveSession

VIEWPORTS = {"phone-360": (360, 740), "tablet-768": (768, 1024), "desktop-1280": (1280, 800)}
FITS = "document.scrollingElement.scrollWidth <= window.innerWidth"
#: The cards that open a list of their own, and the API's count of each.
CARD_LISTS = {
    "card-overdue": lambda f: f["overdue"]["count"],
    "card-due-today": lambda f: f["overdue"]["due_today"],
    "card-at-risk": lambda f: f["overdue"]["at_risk"],
    "card-delivered": lambda f: f["today"]["delivered"],
    "card-failed": lambda f: f["today"]["attempt_failed"],
    "card-collected": lambda f: f["today"]["collected"],
    "card-counter": lambda f: f["today"]["collected_at_counter"],
}
SCRIPTS = PROJECT / "server" / "web" / "static" / "dashboard"


@pytest.fixture(params=list(VIEWPORTS))
def office_screen(browser, request) -> Iterator[tuple[str, object, list[str]]]:  # type: ignore[no-untyped-def]
    """A page the size of a phone, an office tablet or a desktop, in Vietnamese, and its console errors
    (a CSP violation shows there)."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield request.param, page, errors
    context.close()


@pytest.fixture
def desktop(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page, base_url: str, username: str, password: str = "tantay-demo") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/supervisor")
    page.wait_for_selector("#sign-in-form", state="visible")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sign-in-form button[type=submit]")


def _count(page, selector: str) -> int:  # type: ignore[no-untyped-def]
    return page.locator(selector).count()


def test_supervisor_reads_the_dashboard_without_scrolling_sideways(live_server, office_screen):
    name, page, errors = office_screen
    figures = LiveSession(live_server.base_url, "supervisor").get("/dashboard").json()
    _sign_in(page, live_server.base_url, "supervisor")
    page.wait_for_selector("#cards", state="visible")
    page.wait_for_selector("#map svg .point")

    assert page.inner_text("#board h1") == "Bảng điều khiển kiểm soát"
    assert "Tỉnh Ninh Bình" in page.inner_text(".scope")
    flags = figures["flags"]
    assert 0 < flags["open_count"] <= 200
    assert page.inner_text("#card-flags .card-value") == str(flags["open_count"])
    assert _count(page, "#flags table.flags tbody tr") == flags["open_count"]
    assert f"({flags['open_count']})" in page.inner_text("#flags-title")
    assert _count(page, "#flags .flag-codes li") == len(flags["by_code"])

    assert _count(page, "#postmen tbody tr") == len(figures["postmen"]) > 0
    held = sum(p["held"] for p in figures["postmen"])
    assert held > 0
    assert page.locator("#postmen tfoot td").first.inner_text() == str(held)

    overdue = figures["overdue"]
    assert _count(page, "#overdue tbody tr") == min(overdue["count"], 50) > 0  # the panel's first 50
    assert page.inner_text("#card-overdue .card-value") == str(overdue["count"])

    assert _count(page, "#volume-chart rect.bar") > 0
    assert _count(page, "#volume-chart text.value") > 0
    assert "Số sự kiện" in page.text_content("#volume-chart svg")
    assert _count(page, "#on-time-chart circle.rate-point") == sum(
        d["on_time_rate"] is not None for d in figures["daily"]) > 0
    assert "Tỷ lệ đúng hạn (%)" in page.text_content("#on-time-chart svg")

    points = figures["map"]["points"]
    assert _count(page, "#map svg .point") == len(points) > 0
    # One sketch per post office area that has points, the office drawn on it.
    assert 1 <= _count(page, "#map svg .office") <= len(figures["map"]["offices"])
    assert _count(page, "#map table.points tbody tr") == len(points)
    assert _count(page, "#map svg .flagged") == sum(bool(p["flags"]) for p in points) > 0

    assert page.evaluate(FITS), page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    # The first call asks who is signed in: its 401 is expected; nothing else may fail.
    assert [e for e in errors if "401 (UNAUTHORIZED)" not in e] == []
    shot = screenshot(page, f"dashboard-{name}")
    assert shot.stat().st_size > 20_000


def test_a_clerk_is_told_the_dashboard_is_for_supervisors(live_server, desktop):
    _sign_in(desktop, live_server.base_url, "clerk")
    alert = desktop.locator("#sign-in-error")
    alert.filter(has_text="kiểm soát viên").wait_for()
    assert desktop.locator("#board").is_hidden()
    assert desktop.locator("#sign-in-form").is_visible()
    screenshot(desktop, "dashboard-sign-in-refused-1280")


def test_a_wrong_password_is_refused_in_vietnamese(live_server, desktop):
    _sign_in(desktop, live_server.base_url, "supervisor", "not-the-password")
    desktop.locator("#sign-in-error").filter(has_text="Sai tên đăng nhập hoặc mật khẩu").wait_for()
    assert desktop.locator("#board").is_hidden()


def test_signing_out_brings_back_the_form(live_server, desktop):
    _sign_in(desktop, live_server.base_url, "supervisor")
    desktop.wait_for_selector("#cards", state="visible")
    desktop.click("#sign-out")
    desktop.wait_for_selector("#sign-in-form", state="visible")
    desktop.reload()
    desktop.wait_for_selector("#sign-in-form", state="visible")
    assert desktop.locator("#board").is_hidden()


def test_the_page_never_parses_data_as_markup():
    """Names, addresses and flag details reach the page as text only (createElement/textContent)."""
    modules = sorted(SCRIPTS.glob("*.js"))
    assert len(modules) >= 4
    for module in modules:
        source = module.read_text(encoding="utf-8")
        found = re.findall(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(", source)
        assert not found, (module.name, found)


def _take_in_a_dossier_now(base_url: str) -> None:
    """A counter intake by the demo clerk, now: the demo's "today" is the last working day
    that has begun, which before 8:00 local time is not the dashboard's today, so without it
    every card of today's events could be empty and the comparison prove little."""
    clerk = LiveSession(base_url, "clerk")
    signatures = {}
    for field in ("citizen_signature_sha256", "clerk_signature_sha256"):
        body = png_bytes(f"e2e-dashboard-{field}")
        sha256 = hashlib.sha256(body).hexdigest()
        clerk.http.put(f"{base_url}/api/v1/media/{sha256}", data=body, timeout=30,
                       headers={"X-CSRF-Token": clerk.csrf, "Content-Type": "image/png"}
                       ).raise_for_status()
        signatures[field] = sha256
    clerk.post("/intake/counter", json={
        "procedure_code": "CA-GPLX-DOI", "documents": [dict(line) for line in CHECKLIST],
        "citizen": {"name": "Lê Thị Mẫu", "phone": "0912 000 111", "id_type": "cccd",
                    "id_number": "037098004321", "address": dict(HOME)},
        **signatures}).raise_for_status()


def test_each_card_opens_the_list_of_exactly_what_it_counts(live_server, office_screen):
    """Issue 12: the home-pickup card counted counter intakes its list did not show. Every
    card's number is now the number of rows of the list it opens, for the supervisor's scope."""
    name, page, errors = office_screen
    _take_in_a_dossier_now(live_server.base_url)
    _sign_in(page, live_server.base_url, "supervisor")
    page.wait_for_selector("#cards", state="visible")
    figures = LiveSession(live_server.base_url, "supervisor").get("/dashboard").json()
    opened = 0
    for card, count in CARD_LISTS.items():
        shown = int(page.inner_text(f"#{card} .card-value").replace(".", ""))
        assert shown == count(figures), card
        page.click(f"#{card}")
        page.wait_for_selector("#card-dialog[open]")
        rows = _count(page, "#card-dialog tbody tr")
        assert rows == shown, (card, rows, shown)
        assert f"({shown})" in page.inner_text("#card-dialog-title")
        if rows:
            opened += 1
            assert page.evaluate(FITS), (card, page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]"))
            # Each row opens the item's custody record.
            assert page.locator("#card-dialog tbody tr a.tn").first.get_attribute("href").endswith("/custody")
        if card == "card-collected":
            screenshot(page, f"dashboard-card-list-{name}")
        page.click("#card-dialog-close")
    assert opened >= 4
    # The cards whose list is a panel of the dashboard bring it into view.
    page.click("#card-flags")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'flags-title'")
    assert [e for e in errors if "401 (UNAUTHORIZED)" not in e] == []
