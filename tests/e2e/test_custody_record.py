"""The custody record of an item, in real Chromium: a supervisor goes from a flag to the
item's whole history, reads it as a Vietnamese timeline with the signature and photo shown
and the position drawn against the address, opens the technical details, and prints it on
A4; an agency officer reads the same steps without the images; another agency is refused.
Every screen is checked with axe-core and for horizontal overflow at 360, 768 and 1280 px."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot
from tests.e2e.live_api import LiveSession

VIEWPORTS = {"phone-360": (360, 740), "tablet-768": (768, 1024), "desktop-1280": (1280, 800)}
LONG = 180_000  # ms: a loaded machine may be slow; nothing here is a timing assertion
FITS = "document.scrollingElement.scrollWidth <= window.innerWidth"


def _context(browser, size: str):  # type: ignore[no-untyped-def]
    width, height = VIEWPORTS[size]
    # axe-core is injected as an inline script, which the page's CSP (rightly) refuses.
    return browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                               bypass_csp=True)


def _delivered_with_signature(reader: LiveSession) -> dict:  # type: ignore[type-arg]
    """An open flag on a delivery that carries a signature, a photo and a position."""
    for row in reader.get("/dashboard").json()["flags"]["rows"]:
        if not row["event_id"]:
            continue
        proof = reader.get(f"/audit/flags/{row['id']}").json()["proof"] or {}
        if (proof.get("event_type") == "delivered" and "signature_sha256" in proof["images"]
                and proof.get("position") and proof.get("address_position")):
            return {"flag": row["id"], "number": row["tracking_number"], "proof": proof}
    raise AssertionError("no open flag on a delivery with a signature and a position")


def _sign_in_supervisor(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/supervisor")
    page.wait_for_selector("#sign-in-form", state="visible", timeout=LONG)
    page.fill("#username", "supervisor")
    page.fill("#password", "tantay-demo")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#flags", state="visible", timeout=LONG)


def _images_loaded(page) -> list[int]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("img.proof-image", "imgs => imgs.map(i => i.naturalWidth)")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_a_supervisor_reads_an_items_custody_as_a_timeline(live_server, browser, size):
    reader = LiveSession(live_server.base_url, "supervisor")
    found = _delivered_with_signature(reader)
    context = _context(browser, size)
    try:
        page = context.new_page()
        _sign_in_supervisor(page, live_server.base_url)
        # From the flag to the record, by the link the dialog offers.
        page.click(f"button.open-flag[data-flag='{found['flag']}']")
        page.wait_for_selector("a.custody-link", timeout=LONG)
        # The flag's proof names the one who recorded the event, whatever his role.
        assert "Người thực hiện" in page.inner_text("#flag-dialog")
        page.click("a.custody-link")
        page.wait_for_selector("ol.timeline", timeout=LONG)
        assert found["number"] in page.inner_text("h1")
        delivery = page.locator("li.step-delivered").last
        words = delivery.inner_text()
        assert "Người nhận" in words and "4 số cuối" in words, words
        assert "cách địa chỉ" in words and "(bưu tá, " in words, words
        assert "{" not in words, words  # evidence in words, no JSON
        # The images as images, and the position sketched against the address.
        delivery.locator("img.proof-image[data-field='signature_sha256']").wait_for(timeout=LONG)
        page.wait_for_function(
            "[...document.querySelectorAll('img.proof-image')].every(i => i.complete)", timeout=LONG)
        assert all(width > 0 for width in _images_loaded(page)), _images_loaded(page)
        assert delivery.locator("svg.sketch-map .proof-event").count() == 1
        # Hashes and ids wait under the disclosure until opened.
        event_id = found["proof"]["event_id"]
        assert not delivery.get_by_text(event_id).is_visible()
        delivery.locator("details.tech summary").click()
        assert delivery.get_by_text(event_id).is_visible()
        assert page.evaluate(FITS), page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert_accessible(page, f"custody record at {size}")
        screenshot(page, f"custody-record-{size}")
    finally:
        context.close()


def test_the_custody_record_prints_on_a4(live_server, browser, tmp_path):
    reader = LiveSession(live_server.base_url, "supervisor")
    number = _delivered_with_signature(reader)["number"]
    context = browser.new_context(viewport={"width": 794, "height": 1123}, locale="vi-VN")
    try:
        context.request.post(f"{live_server.base_url}/api/v1/auth/login",
                             data={"username": "supervisor", "password": "tantay-demo"})
        page = context.new_page()
        page.goto(f"{live_server.base_url}/items/{number}/custody")
        page.wait_for_selector("svg.sketch-map", timeout=LONG)
        page.emulate_media(media="print")
        assert not page.is_visible("[data-print]")  # the buttons stay off paper
        assert not page.is_visible("details.tech summary")  # closed details: not printed
        # A4 printable width (210 mm less 2 × 12 mm margins) at 96 dpi is about 703 px.
        page.set_viewport_size({"width": 703, "height": 1000})
        assert page.evaluate(FITS), page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        pdf = tmp_path / "custody.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=False, prefer_css_page_size=True)
        assert pdf.read_bytes().startswith(b"%PDF")
        if shutil.which("pdftoppm"):  # the first page as an image, for a person to look at
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                            str(Path("test-artifacts") / "custody-record-a4")], check=False)
    finally:
        context.close()


def test_an_agency_officer_reads_the_steps_without_the_images(live_server, browser):
    reader = LiveSession(live_server.base_url, "supervisor")
    number = _delivered_with_signature(reader)["number"]
    officer = next(u for u in ("agency", "agency_tthcc", "agency_tp", "agency_bhxh")
                   if LiveSession(live_server.base_url, u).get(f"/items/{number}").status_code == 200)
    outsider = next(u for u in ("agency_bhxh", "agency_tp", "agency") if u != officer
                    and LiveSession(live_server.base_url, u).get(f"/items/{number}").status_code == 404)
    context = _context(browser, "phone-360")
    try:
        context.request.post(f"{live_server.base_url}/api/v1/auth/login",
                             data={"username": officer, "password": "tantay-demo"})
        page = context.new_page()
        page.goto(f"{live_server.base_url}/items/{number}/custody")
        page.wait_for_selector("ol.timeline", timeout=LONG)
        delivery = page.locator("li.step-delivered").last
        assert "4 số cuối" in delivery.inner_text()
        assert page.locator("img.proof-image").count() == 0
        assert page.locator("svg.sketch-map").count() == 0
        assert "ảnh chỉ kiểm soát viên xem" in delivery.inner_text()
        assert page.evaluate(FITS)
        assert_accessible(page, "custody record for an agency officer")
        screenshot(page, "custody-record-agency-phone-360")
        context.clear_cookies()
        context.request.post(f"{live_server.base_url}/api/v1/auth/login",
                             data={"username": outsider, "password": "tantay-demo"})
        refused = page.goto(f"{live_server.base_url}/items/{number}/custody")
        assert refused is not None and refused.status == 404
        assert page.locator("ol.timeline").count() == 0
        assert "Không tìm thấy" in page.inner_text("[role=alert]")
    finally:
        context.close()
