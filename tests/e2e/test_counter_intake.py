"""A clerk takes a dossier in at the counter in real Chromium at 360×740, and the
consignment note it prints fits on ONE A5 page; a pickup at home is registered; offline,
the intake says it needs the network instead of queueing."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.field_app import draw_signature, sign_in
from tests.e2e.live_api import LiveSession

#: A PDF page object (not the `/Pages` tree node).
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def _phone(browser):  # type: ignore[no-untyped-def]
    return browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                               device_scale_factor=2, is_mobile=True, has_touch=True)


def _fill_citizen(page: Page) -> None:
    page.fill("#citizen-name", "Trần Văn Thử")
    page.fill("#citizen-phone", "0987654321")
    page.fill("#citizen-id-number", "037098001234")
    page.fill("#citizen-line", "Số 8 đường Thử Nghiệm")


def test_clerk_takes_a_dossier_in_and_the_consignment_note_prints_on_one_page(live_server,
                                                                               browser):
    context = _phone(browser)
    page = context.new_page()
    try:
        sign_in(page, live_server.base_url, "clerk")
        expect(page.locator("#go-intake")).to_have_text("Nhận hồ sơ tại quầy")
        screenshot(page, "intake-01-clerk-home-360")
        page.click("#go-intake")
        page.fill("#procedure-search", "giấy phép")
        # Only postal-eligible procedures are offered: the passport one is not.
        expect(page.locator("#procedure-list button")).to_have_count(1)
        page.fill("#procedure-search", "")
        expect(page.locator("#procedure-list [data-code=CA-HOCHIEU]")).to_have_count(0)
        page.click("#procedure-list [data-code=CA-GPLX-DOI]")
        expect(page.locator("#checklist .doc-line")).to_have_count(3)
        page.locator("#checklist .doc-count").nth(2).fill("2")
        _fill_citizen(page)
        page.select_option("#reduction", "NGUOI_CO_CONG")
        expect(page.locator("#quote-total")).to_have_text(re.compile(r"80\.500"))
        page.click("#submit-intake")
        expect(page.locator("#intake-error")).to_contain_text("Chữ ký người dân")
        draw_signature(page, "citizen")
        draw_signature(page, "clerk")
        screenshot(page, "intake-02-form-360")
        page.click("#submit-intake")
        page.wait_for_url(re.compile(r"/items/HS\d{9}VN/consignment-note$"))
        number = page.url.rsplit("/", 2)[-2]
        note = page.locator("#consignment-note")
        for text in (number, "PHIẾU GỬI HỒ SƠ", "Trần Văn Thử", "Đổi giấy phép lái xe",
                     "Bản sao giấy phép lái xe", "80.500 đ", "Người có công với cách mạng",
                     "Điều khoản hợp đồng", f"/t/{number}"):
            expect(note).to_contain_text(text)
        expect(note.locator("img")).to_have_count(2)
        screenshot(page, "intake-03-note-360")

        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "intake-note.pdf").write_bytes(pdf)
        assert len(PDF_PAGE.findall(pdf)) == 1

        desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN",
                                   storage_state=context.storage_state())
        try:
            wide = desk.new_page()
            wide.goto(f"{live_server.base_url}/items/{number}/consignment-note")
            expect(wide.locator("#consignment-note")).to_contain_text(number)
            screenshot(wide, "intake-04-note-1280")
            # The printable area of A5 with 6 mm margins (136 × 198 mm at 96 dpi), as printed.
            wide.set_viewport_size({"width": 514, "height": 748})
            wide.emulate_media(media="print")
            screenshot(wide, "intake-05-note-a5-print")
        finally:
            desk.close()

        clerk = LiveSession(live_server.base_url, "clerk")
        item = clerk.get(f"/items/{number}").json()
        assert item["status"] == "at_post"
        assert item["events"][0]["evidence"]["cash_collected_vnd"] == 80500
    finally:
        context.close()


def test_clerk_registers_a_pickup_at_home_for_a_postman(live_server, browser):
    context = _phone(browser)
    page = context.new_page()
    try:
        sign_in(page, live_server.base_url, "clerk")
        page.click("#go-pickup-request")
        page.click("#procedure-list [data-code=TP-LLTP]")
        page.fill("#citizen-name", "Lê Thị Gọi")
        page.fill("#citizen-phone", "0912000111")
        page.fill("#citizen-line", "Số 3 ngõ Thử")
        page.select_option("#pickup-postman", "postman2")
        screenshot(page, "intake-06-pickup-360")
        page.click("#submit-pickup")
        expect(page.locator("#toast")).to_contain_text("Đã ghi nhận yêu cầu thu gom")
        number = re.search(r"HS\d{9}VN", page.inner_text("#toast")).group(0)  # type: ignore[union-attr]
        postman = LiveSession(live_server.base_url, "postman2")
        mine = postman.get("/items", params={"holder": "me", "status": "requested"}).json()
        assert number in {i["tracking_number"] for i in mine["items"]}

        page.click("#go-pickup-request")
        waiting = page.locator(f"#waiting-pickups li[data-tn={number}]")
        waiting.locator("select").select_option("postman")
        screenshot(page, "intake-08-pickups-waiting-360")
        waiting.locator("button").click()
        expect(page.locator("#toast")).to_contain_text(f"Đã giao yêu cầu {number}")
        # Given to another postman, the request is his to read now, no longer postman2's.
        item = LiveSession(live_server.base_url, "postman").get(f"/items/{number}").json()
        assert item["holder"]["user"] == "postman"
        assert postman.get(f"/items/{number}").status_code == 404
    finally:
        context.close()


def test_offline_the_intake_says_it_needs_the_network(live_server, browser):
    context = _phone(browser)
    page = context.new_page()
    try:
        sign_in(page, live_server.base_url, "clerk")
        context.set_offline(True)
        page.goto(page.url.split("#")[0] + "#/intake")
        expect(page.locator("#intake-offline")).to_contain_text("nhận hồ sơ cần có mạng")
        screenshot(page, "intake-07-offline-360")
    finally:
        context.close()


def test_the_intake_suggests_2025_units_and_refuses_a_commune_of_another_province(live_server,
                                                                                  browser):
    """Issue 16: accent-free typing finds the 2025 unit; a Hà Nội ward in Ninh Bình is refused."""
    for width, height in ((360, 740), (1280, 800)):
        phone = width == 360
        # bypass_csp: axe-core is injected as an inline script, which the app's CSP refuses.
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                      is_mobile=phone, has_touch=phone, bypass_csp=True)
        page = context.new_page()
        try:
            sign_in(page, live_server.base_url, "clerk")
            page.click("#go-intake")
            page.click("#procedure-list [data-code=CA-GPLX-DOI]")
            _fill_citizen(page)
            page.fill("#citizen-province", "")
            page.type("#citizen-province", "ninh binh")
            expect(page.locator("#province-suggestions option[value='Ninh Bình']")).to_have_count(
                1, timeout=15_000)
            page.fill("#citizen-province", "Ninh Bình")
            page.fill("#citizen-commune", "")
            page.type("#citizen-commune", "hoa lu")
            expect(page.locator("#commune-suggestions option[value='Phường Hoa Lư']")).to_have_count(
                1, timeout=15_000)
            page.fill("#citizen-commune", "Phường Ba Đình")
            page.fill("#citizen-legacy-address", "Số 8, phường Thanh Bình, thành phố Ninh Bình")
            draw_signature(page, "citizen")
            draw_signature(page, "clerk")
            page.click("#submit-intake")
            expect(page.locator("#intake-error")).to_contain_text("không thuộc Ninh Bình",
                                                                 timeout=15_000)
            page.locator("#citizen-commune").scroll_into_view_if_needed()
            screenshot(page, f"intake-05-commune-refused-{width}")
            assert_accessible(page, f"counter intake, address refused ({width})")
        finally:
            context.close()
