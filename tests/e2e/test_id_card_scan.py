"""The chip ID card's QR scanned with the parcel scanner, at the door and at the counter, in
headless Chromium with a fake camera showing a synthetic card (issue 16)."""
from __future__ import annotations

import io

import qrcode
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.camera import label_video
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot
from tests.e2e.field_app import new_phone, results_on_a_postmans_phone, sign_in

#: A synthetic card: made-up number, name and address, in the card QR's layout
#: <12-digit number>|<old 9-digit CMND or empty>|<name>|<DDMMYYYY birth>|<sex>|<address>|<DDMMYYYY issued>
CARD_NAME = "Trần Văn Khác"
CARD_QR = (f"037098009876|012349876|{CARD_NAME}|01021990|Nam|"
           "Số 8 đường Thử Nghiệm, Phường Hoa Lư, Ninh Bình|15082021")


def synthetic_card_png() -> bytes:
    """A card-sized image with a title and the QR, as a phone camera would see it."""
    card = Image.new("RGB", (860, 540), (236, 244, 250))
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, 859, 539), outline=(40, 80, 140), width=6)
    draw.text((40, 40), "CAN CUOC - MAU THU (SYNTHETIC)", fill=(20, 40, 90))
    code = qrcode.QRCode(border=4, box_size=6, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(CARD_QR.encode("utf-8"))
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").convert("RGB")
    image = image.resize((440, 440), Image.NEAREST)
    card.paste(image, (400, 60))
    out = io.BytesIO()
    card.save(out, format="PNG")
    return out.getvalue()


def _camera_browser(playwright_driver, tmp_path):  # type: ignore[no-untyped-def]
    video = label_video(synthetic_card_png(), tmp_path / "card.y4m")
    camera = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"]
    return playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + camera)


def test_the_postman_scans_the_card_at_the_door_and_sees_the_name_mismatch(
        live_server, playwright_driver, tmp_path):
    browser = _camera_browser(playwright_driver, tmp_path)
    try:
        # A result in the postman's hands, addressed to someone else than the card's holder.
        with results_on_a_postmans_phone(browser, live_server.base_url, permissions=["camera"]) as phone:
            page = phone.page
            page.goto(f"{live_server.base_url}/#/deliver/{phone.number}")
            page.wait_for_selector("#deliver-form")
            page.click("#scan-card")
            notice = page.locator("#id-notice")
            expect(notice).to_contain_text(f"Tên trên thẻ “{CARD_NAME}” khác tên người nhận",
                                           timeout=30000)
            expect(page.locator("#id-type")).to_have_value("cccd")
            expect(page.locator("#id-last4")).to_have_value("9876")
            screenshot(page, "id-card-door-mismatch-360")
            # A CMND is refused before anything is sent, in the server's words.
            page.select_option("#id-type", "cmnd")
            expect(notice).to_contain_text("hết giá trị sử dụng từ ngày 01/01/2025")
    finally:
        browser.close()


def test_the_clerk_scans_the_card_at_intake_and_sees_the_name_mismatch(
        live_server, playwright_driver, tmp_path):
    browser = _camera_browser(playwright_driver, tmp_path)
    try:
        _, page = new_phone(browser, permissions=["camera"])
        sign_in(page, live_server.base_url, "clerk")
        page.click("#go-intake")
        page.fill("#citizen-name", "Nguyễn Thị Mẫu")
        page.click("#citizen-scan-card")
        notice = page.locator("#citizen-id-notice")
        expect(notice).to_contain_text(f"Tên trên thẻ “{CARD_NAME}” khác họ tên người dân",
                                       timeout=30000)
        expect(page.locator("#citizen-id-number")).to_have_value("037098009876")
        expect(page.locator("#citizen-id-type")).to_have_value("cccd")
        screenshot(page, "id-card-counter-mismatch-360")
        # The same card and the citizen's own name: no warning.
        page.fill("#citizen-name", "TRAN VAN KHAC")
        page.click("#citizen-scan-card")
        expect(notice).to_have_text(f"Đã đọc thẻ căn cước của {CARD_NAME}.", timeout=30000)
    finally:
        browser.close()
