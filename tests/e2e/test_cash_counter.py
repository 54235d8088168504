"""The office side in real headless Chromium at 360×740: a postman's cash handed to the clerk
with both signatures, the agency statement printed to PDF, the deadline list, and a result
held for pickup and handed over at the counter."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.conftest import png_bytes
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.field_app import draw_signature, sign_in
from tests.e2e.live_api import LiveSession

HOME = {"province": "Ninh Bình", "commune": "Phường Hoa Lư", "line": "Số 8 đường Thử Tiền",
        "lat": 20.2560, "lon": 105.9770}
RECIPIENT = {"name": "Người Nhận Tiền", "relation": "self", "id_type": "cccd", "id_last4": "4321"}


def _upload(session: LiveSession, seed: str) -> str:
    body = png_bytes(seed)
    sha = hashlib.sha256(body).hexdigest()
    answer = session.http.put(f"{session.base_url}/api/v1/media/{sha}", data=body,
                              headers={"X-CSRF-Token": session.csrf, "Content-Type": "image/png"},
                              timeout=30)
    assert answer.status_code in (200, 201), answer.text
    return sha


def _event(number: str, event_type: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    return {"id": str(uuid.uuid4()), "type": event_type, "tracking_number": number,
            "occurred_at": datetime.now(UTC).isoformat(), **fields}


def _result_for(clerk: LiveSession, postman: LiveSession, name: str) -> str:
    """A result with postage and an official fee, handed to `postman`."""
    answer = clerk.post("/items", json={
        "kind": "result", "procedure_code": "CA-CCCD-DOI",
        "citizen": {"name": name, "phone": "0912000777", "address": HOME},
        "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}],
        "fees": {"postage_vnd": 26000, "official_fee_vnd": 50000}})
    assert answer.status_code == 201, answer.text
    number = answer.json()["tracking_number"]
    handover = clerk.post("/handovers", json={"to_user": "postman", "items": [number]})
    assert handover.status_code == 201, handover.text
    accepted = postman.post(f"/handovers/{handover.json()['id']}/accept", json={
        "scanned": [number], "signature_sha256": _upload(postman, f"load-{number}")})
    assert accepted.status_code == 200, accepted.text
    return number


@pytest.fixture
def delivered(live_server):  # type: ignore[no-untyped-def]
    """The postman delivered a result today and took its 76.000 đ."""
    clerk = LiveSession(live_server.base_url, "clerk")
    postman = LiveSession(live_server.base_url, "postman")
    number = _result_for(clerk, postman, "Người Nhận Tiền")
    signature = _upload(postman, f"citizen-{number}")
    position = {"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 10}
    results = postman.post("/sync", json={"events": [
        _event(number, "out_for_delivery"),
        _event(number, "delivered", position=position, recipient=RECIPIENT,
               signature_sha256=signature, cash_collected_vnd=76000)]}).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted"], results
    return number


def _postman_day(base_url: str) -> dict:
    return LiveSession(base_url, "postman").get("/cash/days").json()["postmen"][0]


def test_a_postman_remits_his_cash_to_the_clerk_with_both_signatures(live_server, browser, delivered):
    before = _postman_day(live_server.base_url)
    assert before["unremitted_vnd"] >= 76000
    assert delivered in {line["tracking_number"] for line in before["lines"]}

    postman = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                  is_mobile=True, has_touch=True).new_page()
    try:
        sign_in(postman, live_server.base_url, "postman")
        postman.click("#go-cash")
        expect(postman.locator("#cash-lines")).to_contain_text(delivered)
        expect(postman.locator("#unremitted-postman")).to_contain_text(
            f"{before['unremitted_vnd']:,}".replace(",", "."))
        screenshot(postman, "cash-01-postman-day-360")
    finally:
        postman.context.close()

    clerk = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                is_mobile=True, has_touch=True).new_page()
    try:
        sign_in(clerk, live_server.base_url, "clerk")
        screenshot(clerk, "cash-02-clerk-home-360")
        clerk.click("#go-cash")
        clerk.wait_for_selector("#remit-postman")
        screenshot(clerk, "cash-03-clerk-days-360")
        clerk.click("#remit-postman")
        clerk.wait_for_selector("#remit-form")
        expect(clerk.locator("#remit-amount")).to_have_value(str(before["unremitted_vnd"]))
        draw_signature(clerk, "postman")
        draw_signature(clerk, "clerk")
        screenshot(clerk, "cash-04-remittance-both-sign-360")
        clerk.click("#confirm-remittance")
        clerk.wait_for_selector("#cash-screen")
        expect(clerk.locator("#unremitted-postman")).to_have_text("0 đ")
        screenshot(clerk, "cash-05-clerk-after-remittance-360")
    finally:
        clerk.context.close()

    after = _postman_day(live_server.base_url)
    assert after["unremitted_vnd"] == 0 and after["pending_vnd"] == 0
    assert after["remitted_vnd"] == before["remitted_vnd"] + before["unremitted_vnd"]
    last = after["remittances"][-1]
    assert last["status"] == "closed" and last["postman_signed"] and last["clerk_signed"]
    assert last["clerk"] == "clerk" and last["amount_vnd"] == before["unremitted_vnd"]


def test_the_agency_statement_prints_to_pdf_with_the_fees(live_server, browser, delivered):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(live_server.base_url + "/")
        page.fill("#username", "supervisor")
        page.fill("#password", "tantay-demo")
        page.click("#sign-in button[type=submit]")
        page.wait_for_selector("#overseer-home")  # the supervisor's home: he holds nothing
        page.goto(live_server.base_url + "/cash/agencies/CA-TINH/statement")
        expect(page.locator("h1.title")).to_contain_text("BẢNG KÊ PHÍ, LỆ PHÍ THU HỘ")
        row = page.locator("table.lines tr", has_text=delivered)
        expect(row).to_contain_text("50.000 đ")
        screenshot(page, "cash-06-agency-statement-1280")
        ARTIFACTS.mkdir(exist_ok=True)
        pdf = ARTIFACTS / "cash-agency-statement.pdf"
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), format="A4", print_background=True)
    finally:
        context.close()
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (Debian poppler-utils) reads the PDF back"
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "BẢNG KÊ PHÍ, LỆ PHÍ THU HỘ" in text
    assert delivered in text and "50.000 đ" in text
    assert "In bảng kê" not in text  # the print button is not printed
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                        str(ARTIFACTS / "cash-07-agency-statement-pdf")], check=True)


def test_the_clerk_holds_a_result_and_hands_it_over_at_the_counter(live_server, browser):
    clerk_api = LiveSession(live_server.base_url, "clerk")
    postman_api = LiveSession(live_server.base_url, "postman")
    number = _result_for(clerk_api, postman_api, "Người Đến Quầy")
    position = {"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 10}
    results = postman_api.post("/sync", json={"events": [
        _event(number, "out_for_delivery"),
        _event(number, "attempt_failed", reason="absent", action="notice_left",
               position=position)]}).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted"], results
    # Back at the office at the end of the round, on a signed handover.
    back = postman_api.post("/handovers", json={"to_unit": "BC-TRUNGTAM", "items": [number]})
    assert back.status_code == 201, back.text
    signed = clerk_api.post(f"/handovers/{back.json()['id']}/accept", json={
        "scanned": [number], "signature_sha256": _upload(clerk_api, f"back-{number}")})
    assert signed.status_code == 200, signed.text

    page = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                               is_mobile=True, has_touch=True).new_page()
    try:
        sign_in(page, live_server.base_url, "clerk")
        page.click("#go-deadlines")
        page.wait_for_selector("#deadlines-screen")
        expect(page.locator("#count-overdue")).to_be_visible()
        screenshot(page, "counter-01-deadlines-360")

        page.goto(live_server.base_url + "/#/counter")
        page.wait_for_selector("#counter-screen")
        page.fill("#tracking-input", number)
        page.click("#scan-form button[type=submit]")
        expect(page.locator("#may-return")).to_contain_text("chưa được chuyển hoàn")
        screenshot(page, "counter-02-item-may-not-return-360")
        page.click("#hold-for-pickup")
        expect(page.locator("#counter-status")).to_have_text("Chờ nhận tại bưu cục")
        page.click("#go-counter-deliver")
        page.wait_for_selector("#counter-deliver-form")
        page.fill("#counter-id-last4", "4321")
        draw_signature(page, "counter-recipient")
        screenshot(page, "counter-03-deliver-at-counter-360")
        page.click("#confirm-counter-delivery")
        expect(page.locator("#counter-status")).to_have_text("Phát thành công")
        screenshot(page, "counter-04-delivered-360")
    finally:
        page.context.close()
    item = clerk_api.get(f"/items/{number}").json()
    assert item["status"] == "delivered"
    assert [e["type"] for e in item["events"]][-2:] == ["held_for_pickup", "delivered"]
    assert item["events"][-1]["actor"] == "clerk"
    assert item["events"][-1]["evidence"]["cash_collected_vnd"] == 76000
