"""The handover workspace in real headless Chromium, driven through the screens only (issue 12).

The clerk hands results to a postman who checks them on his phone; the postman's evening
return with his cash; dossiers filed with the agency officer, one found incomplete; a result
picked up from the agency; a counter hold after the postman hands the item back; a record
withdrawn by its sender. Set-up (items registered, a failed attempt synced) goes through the
API; every handover step is done on screen, and the API is used after only to read results.
Each new screen passes axe-core and is kept as a screenshot at 360, 768 and 1280 px.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot
from tests.e2e.field_app import draw_signature
from tests.e2e.live_api import LiveSession
from tests.e2e.test_agency_desk import _upload_signature

HOME = {"province": "Ninh Bình", "commune": "Phường Hoa Lư", "line": "Số 9 đường Bàn Giao",
        "lat": 20.2560, "lon": 105.9770}
WIDTHS = {"phone": 360, "tablet": 768, "desktop": 1280}
POSTMAN = "Nguyễn Văn Phát — Bưu cục Trung tâm Ninh Bình"
OFFICE = "Bưu cục Trung tâm Ninh Bình"
POLICE = "Công an tỉnh Ninh Bình"
SCANNED = re.compile(r"\bscanned\b")


def _page(browser, width: str) -> Page:  # type: ignore[no-untyped-def]
    phone = width == "phone"
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP refuses.
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 740 if phone else 900},
                                  locale="vi-VN", is_mobile=phone, has_touch=phone, bypass_csp=True)
    return context.new_page()


@pytest.fixture
def pages(browser) -> Iterator:  # type: ignore[no-untyped-def]
    """Open pages at a width each (closed at the end)."""
    opened: list[Page] = []

    def open_page(width: str) -> Page:
        opened.append(_page(browser, width))
        return opened[-1]

    yield open_page
    for page in opened:
        page.context.close()


def _sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    page.fill("#username", username)
    page.fill("#password", "tantay-demo")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#agency-screen, #held-items, #overseer-home")


def _scan(page: Page, number: str) -> None:
    """Type the number into the scan box (the camera's path ends in the same place)."""
    page.fill("#tracking-input", number)
    page.click("#scan-form button[type=submit]")


def _look(page: Page, name: str, screen: str) -> None:
    # A toast half-way through its fade has no fixed contrast: wait until it is in or out.
    page.wait_for_function("() => !document.getElementById('toast') || ['0', '1'].includes("
                           "getComputedStyle(document.getElementById('toast')).opacity)")
    assert_accessible(page, screen)
    screenshot(page, name)


def _result(session: LiveSession, name: str = "Lê Văn Bàn") -> str:
    answer = session.post("/items", json={
        "kind": "result", "procedure_code": "CA-CCCD-DOI",
        "citizen": {"name": name, "phone": "0912000444", "address": HOME},
        "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}],
        "fees": {"postage_vnd": 26000}})
    assert answer.status_code == 201, answer.text
    return answer.json()["tracking_number"]


def _dossier(clerk: LiveSession) -> str:
    answer = clerk.post("/items", json={
        "kind": "dossier", "procedure_code": "CA-GPLX-DOI",
        "citizen": {"name": "Vũ Thị Nộp", "phone": "0987000333", "address": HOME},
        "documents": [{"name": "Đơn đề nghị đổi giấy phép lái xe", "original": True, "count": 1}]})
    assert answer.status_code == 201, answer.text
    return answer.json()["tracking_number"]


def _event(number: str, event_type: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    return {"id": str(uuid.uuid4()), "type": event_type, "tracking_number": number,
            "occurred_at": datetime.now(UTC).isoformat(), **fields}


def _with_postman(base_url: str, numbers: list[str]) -> None:
    """Set-up: the morning load of `numbers`, listed and signed (the first test does it on screen)."""
    clerk, postman = LiveSession(base_url, "clerk"), LiveSession(base_url, "postman")
    record = clerk.post("/handovers", json={"to_user": "postman", "items": numbers})
    assert record.status_code == 201, record.text
    signed = postman.post(f"/handovers/{record.json()['id']}/accept", json={
        "scanned": numbers, "signature_sha256": _upload_signature(postman, str(uuid.uuid4()))})
    assert signed.status_code == 200, signed.text


def _failed_attempt(base_url: str, number: str) -> None:
    position = {"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 10}
    results = LiveSession(base_url, "postman").post("/sync", json={"events": [
        _event(number, "out_for_delivery"),
        _event(number, "attempt_failed", reason="absent", action="notice_left",
               position=position)]}).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted"], results


def _create_record(page: Page, receiver: str, numbers: list[str], shot: str = "",
                   from_list: bool = False) -> int:
    """On the new-record screen: choose the receiver by name, add the items, sign, send."""
    page.wait_for_selector("#handover-new")
    page.select_option("#handover-receiver", label=receiver)
    for number in numbers:
        if from_list:
            page.click(f'[data-add="{number}"]')
        else:
            _scan(page, number)
    expect(page.locator("#handover-count")).to_have_text(f"Bảng kê: {len(numbers)} bưu gửi")
    for number in numbers:
        expect(page.locator("#handover-chosen")).to_contain_text(number)
    draw_signature(page, "sender")
    if shot:
        _look(page, shot, "new handover record")
    page.click("#handover-submit")
    page.wait_for_selector("#record-screen")
    expect(page.locator("#record-status")).to_have_text("Chờ ký nhận")
    return int(page.url.rsplit("/", 1)[1])


def _receive(page: Page, numbers: list[str], signer: str = "receiver", shot: str = "") -> None:
    """On the receive screen: nothing ticked; scan each item; sign."""
    page.wait_for_selector("#receive-screen")
    expect(page.locator(".handover-line.scanned")).to_have_count(0)
    for number in numbers:
        _scan(page, number)
        expect(page.locator(f'.handover-line[data-line="{number}"]')).to_have_class(SCANNED)
    expect(page.locator("#no-discrepancy")).to_be_visible()
    draw_signature(page, signer)
    if shot:
        _look(page, shot, "receive a handover")
    page.click("#sign-handover")
    page.wait_for_selector("#record-screen")
    expect(page.locator("#record-status")).to_contain_text("Đã ký nhận lúc")


def test_the_clerk_hands_results_to_a_postman_who_checks_them_on_his_phone(
        live_server, pages):
    base = live_server.base_url
    clerk_api = LiveSession(base, "clerk")
    scanned, picked = _result(clerk_api), _result(clerk_api)

    clerk = pages("tablet")
    _sign_in(clerk, base, "clerk")
    clerk.click("#go-handovers")
    clerk.wait_for_selector("#handovers-screen")
    _look(clerk, "handover-01-desk-768", "handover desk")
    clerk.click("#go-handover-new")
    clerk.wait_for_selector("#handover-new")
    # Only receivers who can accept, by name: the office's postmen and the desks, no codes.
    options = clerk.locator("#handover-receiver option").all_inner_texts()
    assert POSTMAN in options and POLICE in options
    assert not [o for o in options if "BC-" in o or "CA-" in o or "postman" in o]
    clerk.select_option("#handover-receiver", label=POSTMAN)
    expect(clerk.locator(f'[data-add="{picked}"]')).to_be_visible()
    _scan(clerk, scanned)
    clerk.click(f'[data-add="{picked}"]')
    expect(clerk.locator("#handover-count")).to_have_text("Bảng kê: 2 bưu gửi")
    draw_signature(clerk, "sender")
    _look(clerk, "handover-02-new-record-768", "new handover record")
    clerk.click("#handover-submit")
    clerk.wait_for_selector("#record-screen")
    expect(clerk.locator("#record-parties")).to_contain_text(f"{OFFICE} → Nguyễn Văn Phát")
    _look(clerk, "handover-03-record-sent-768", "handover record (sender)")
    record = int(clerk.url.rsplit("/", 1)[1])

    phone = pages("phone")
    _sign_in(phone, base, "postman")
    phone.click("#go-load-check")
    phone.wait_for_selector("#load-check")
    expect(phone.locator("#load-check")).to_contain_text(OFFICE)
    expect(phone.locator("#tally-scanned li")).to_have_count(0)  # nothing ticked in advance
    _scan(phone, scanned)
    expect(phone.locator("#tally-missing li")).to_have_text([picked])  # shown before signing
    _scan(phone, picked)
    expect(phone.locator("#tally-missing li")).to_have_count(0)
    draw_signature(phone, "receiver")
    screenshot(phone, "handover-04-load-check-360")
    phone.click("#accept-handover")
    phone.wait_for_selector("#held-items")

    clerk.goto(f"{base}/handovers/{record}/record")
    expect(clerk.locator(".lines")).to_contain_text(scanned)
    screenshot(clerk, "handover-05-printable-record-768")
    answer = clerk_api.get(f"/handovers/{record}").json()
    assert answer["status"] == "accepted" and answer["accepted_by"] == "postman"
    for number in (scanned, picked):
        assert clerk_api.get(f"/items/{number}").json()["holder"]["user"] == "postman"


def test_the_postmans_evening_return_with_his_cash(live_server, pages):
    base = live_server.base_url
    clerk_api, postman_api = LiveSession(base, "clerk"), LiveSession(base, "postman")
    failed, delivered = _result(clerk_api), _result(clerk_api)
    _with_postman(base, [failed, delivered])
    _failed_attempt(base, failed)
    outcome = postman_api.post("/sync", json={"events": [
        _event(delivered, "out_for_delivery"),
        _event(delivered, "delivered", position={"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 10},
               recipient={"name": "Lê Văn Bàn", "relation": "self", "id_type": "cccd", "id_last4": "1234"},
               signature_sha256=_upload_signature(postman_api, str(uuid.uuid4())),
               cash_collected_vnd=26000)]}).json()["results"]
    assert [r["status"] for r in outcome] == ["accepted", "accepted"], outcome

    phone = pages("phone")
    _sign_in(phone, base, "postman")
    phone.click("#go-handovers")
    phone.wait_for_selector("#handovers-screen")
    _look(phone, "handover-06-desk-postman-360", "handover desk (postman)")
    phone.click("#go-evening-return")
    phone.wait_for_selector("#handover-new")
    expect(phone.locator("#evening-cash")).to_contain_text("Tiền mặt nộp cho giao dịch viên")
    expect(phone.locator("#handover-receiver")).to_have_value("to_unit:BC-TRUNGTAM")
    expect(phone.locator(f'[data-add="{failed}"]')).to_be_visible()  # the failed attempt
    expect(phone.locator(f'[data-add="{delivered}"]')).to_have_count(0)  # delivered: not held
    phone.click(f'[data-add="{failed}"]')
    expect(phone.locator("#handover-count")).to_have_text("Bảng kê: 1 bưu gửi")
    draw_signature(phone, "sender")
    _look(phone, "handover-07-evening-return-360", "evening return")
    phone.click("#handover-submit")
    phone.wait_for_selector("#record-screen")
    record = int(phone.url.rsplit("/", 1)[1])

    clerk = pages("phone")
    _sign_in(clerk, base, "clerk")
    clerk.click("#go-handovers")
    clerk.click(f'#records-to-sign [data-record="{record}"] a')
    _receive(clerk, [failed], shot="handover-08-receive-return-360")
    clerk.click("#take-cash")
    clerk.wait_for_selector("#remit-form")
    draw_signature(clerk, "postman")
    draw_signature(clerk, "clerk")
    clerk.click("#confirm-remittance")
    clerk.wait_for_selector("#cash-screen")
    expect(clerk.locator("#unremitted-postman")).to_have_text("0 đ")

    item = clerk_api.get(f"/items/{failed}").json()
    assert item["holder"] == {"user": None, "unit": "BC-TRUNGTAM", "unit_name": OFFICE}
    day = postman_api.get("/cash/days").json()["postmen"][0]
    assert day["unremitted_vnd"] == 0 and day["remittances"][-1]["status"] == "closed"


def test_dossiers_are_filed_with_the_officer_one_found_incomplete(live_server, pages):
    base = live_server.base_url
    clerk_api = LiveSession(base, "clerk")
    complete, incomplete = _dossier(clerk_api), _dossier(clerk_api)

    clerk = pages("desktop")
    _sign_in(clerk, base, "clerk")
    clerk.goto(base + "/#/handovers/new")
    record = _create_record(clerk, POLICE, [complete, incomplete], "handover-09-new-filing-1280",
                            from_list=True)
    _look(clerk, "handover-10-record-sent-1280", "handover record (sender)")

    officer = pages("desktop")
    _sign_in(officer, base, "agency")
    officer.click(f'#handover-records [data-record="{record}"] a.to-sign')
    officer.wait_for_selector("#receive-screen")
    line = officer.locator(f'.handover-line[data-line="{incomplete}"]')
    expect(line).to_contain_text("Đổi giấy phép lái xe")  # the procedure, to check the paper
    expect(line).to_contain_text("V.T.N.")  # the citizen's initials only
    assert officer.locator("input[type=checkbox]:checked").count() == 0  # nothing pre-ticked
    expect(officer.locator(f'[data-incomplete="{incomplete}"]')).to_be_disabled()
    for number in (complete, incomplete):
        _scan(officer, number)
    officer.check(f'[data-incomplete="{incomplete}"]')
    draw_signature(officer, "officer")
    officer.click("#sign-handover")  # what is missing is not said yet: refused on screen
    expect(officer.locator("#receive-error")).not_to_be_empty()
    officer.fill(f'[data-missing="{incomplete}"]', "Giấy khám sức khỏe")
    _look(officer, "handover-11-filing-1280", "filing (officer)")
    officer.click("#sign-handover")
    officer.wait_for_selector("#record-screen")
    expect(officer.locator(f'#record-lines [data-line="{incomplete}"]')).to_contain_text(
        "Chưa đầy đủ: Giấy khám sức khỏe")
    _look(officer, "handover-12-filing-signed-1280", "filed record")

    filed, back = (clerk_api.get(f"/items/{n}").json() for n in (complete, incomplete))
    assert filed["status"] == "filed" and back["status"] == "supplement_requested"
    # The officer reads a filed dossier's custody from the record (his own agency's item).
    officer.click(f'#record-lines [data-line="{complete}"] a.custody-link')
    officer.wait_for_url(f"**/items/{complete}/custody")
    expect(officer.locator("body")).to_contain_text(complete)
    expect(officer.locator("body")).to_contain_text("Đã nộp hồ sơ cho cơ quan")


def test_a_result_is_picked_up_from_the_agency(live_server, pages):
    base = live_server.base_url
    number = _result(LiveSession(base, "agency"), "Trần Thị Lấy")

    officer = pages("tablet")
    _sign_in(officer, base, "agency")
    expect(officer.locator("#csv-template")).to_have_attribute("download", "mau-nhap-ket-qua.csv")
    officer.click("#go-handover-new")
    officer.wait_for_selector("#handover-new")
    options = officer.locator("#handover-receiver option").all_inner_texts()
    assert OFFICE in options and not [o for o in options if "Công an" in o]  # never an agency
    record = _create_record(officer, OFFICE, [number], "handover-13-agency-sends-768",
                            from_list=True)

    clerk = pages("tablet")
    _sign_in(clerk, base, "clerk")
    clerk.click("#go-handovers")
    clerk.click(f'#records-to-sign [data-record="{record}"] a')
    _receive(clerk, [number], shot="handover-14-clerk-receives-768")
    item = LiveSession(base, "clerk").get(f"/items/{number}").json()
    assert item["status"] == "at_post" and item["holder"]["unit"] == "BC-TRUNGTAM"


def test_a_counter_hold_after_the_postman_hands_the_item_back(live_server, pages):
    base = live_server.base_url
    clerk_api = LiveSession(base, "clerk")
    number = _result(clerk_api, "Đinh Văn Chờ")
    _with_postman(base, [number])
    _failed_attempt(base, number)

    clerk = pages("phone")
    _sign_in(clerk, base, "clerk")
    clerk.click("#go-counter")
    _scan(clerk, number)
    expect(clerk.locator("#hold-blocked")).to_contain_text("Nguyễn Văn Phát")
    expect(clerk.locator("#hold-for-pickup")).to_have_count(0)  # it would fail: not offered
    _look(clerk, "handover-15-counter-blocked-360", "counter: held by a postman")

    phone = pages("phone")
    _sign_in(phone, base, "postman")
    phone.goto(base + "/#/handovers/new/evening")
    _create_record(phone, OFFICE, [number], from_list=True)

    clerk.reload()
    clerk.wait_for_selector("#sign-return-first")
    clerk.click("#sign-return-first")
    _receive(clerk, [number])
    clerk.goto(base + "/#/counter")
    _scan(clerk, number)
    clerk.click("#hold-for-pickup")
    expect(clerk.locator("#counter-status")).to_have_text("Chờ nhận tại bưu cục")
    screenshot(clerk, "handover-16-counter-held-360")
    assert clerk_api.get(f"/items/{number}").json()["status"] == "held_for_pickup"


@pytest.mark.parametrize("width", ["phone", "tablet", "desktop"])
def test_the_sender_withdraws_a_record_and_each_screen_reads_at_every_width(
        live_server, pages, width):
    base = live_server.base_url
    clerk_api = LiveSession(base, "clerk")
    number = _result(clerk_api, "Hồ Văn Rút")
    incoming = _result(LiveSession(base, "agency"), "Hồ Thị Đến")

    officer = pages(width)
    _sign_in(officer, base, "agency")
    _look(officer, f"handover-20-agency-desk-{width}", "agency desk")
    officer.click("#go-handover-new")
    _create_record(officer, OFFICE, [incoming], from_list=True)

    clerk = pages(width)
    _sign_in(clerk, base, "clerk")
    clerk.goto(base + "/#/handovers")
    clerk.wait_for_selector("#handovers-screen")
    _look(clerk, f"handover-21-desk-{width}", "handover desk")
    clerk.click("#go-handover-new")
    record = _create_record(clerk, POSTMAN, [number], f"handover-22-new-{width}")
    _look(clerk, f"handover-23-record-{width}", "handover record (sender)")
    clerk.click("#cancel-record")  # no reason yet: refused on screen
    expect(clerk.locator("#cancel-error")).not_to_be_empty()
    clerk.fill("#cancel-reason", "Bưu tá nghỉ ốm, giao cho người khác")
    clerk.click("#cancel-record")
    expect(clerk.locator("#record-status")).to_have_text("Đã hủy: Bưu tá nghỉ ốm, giao cho người khác")
    _look(clerk, f"handover-24-cancelled-{width}", "cancelled record")

    clerk.goto(base + "/#/handovers")
    clerk.click(f'#records-to-sign a[href="#/handovers/{officer_record(clerk_api, incoming)}"]')
    clerk.wait_for_selector("#receive-screen")
    _scan(clerk, number)  # not on the list: shown as a discrepancy before signing
    expect(clerk.locator("#tally-unexpected")).to_contain_text(number)
    expect(clerk.locator("#tally-missing")).to_contain_text(incoming)
    _look(clerk, f"handover-25-receive-discrepancy-{width}", "receive a handover")

    answer = clerk_api.get(f"/handovers/{record}").json()
    assert answer["status"] == "cancelled" and answer["cancel_reason"].startswith("Bưu tá nghỉ ốm")
    assert clerk_api.get(f"/items/{number}").json()["holder"]["user"] is None  # nothing moved


def officer_record(clerk: LiveSession, number: str) -> int:
    """The pending record that lists `number` (read through the API)."""
    pending = clerk.get("/handovers", params={"status": "pending"}).json()["handovers"]
    return next(r["id"] for r in pending if number in {line["tracking_number"] for line in r["lines"]})


def test_the_citizen_reads_what_happens_after_a_failed_attempt(live_server, pages):
    base = live_server.base_url
    number = _result(LiveSession(base, "clerk"), "Phùng Thị Vắng")
    _with_postman(base, [number])
    _failed_attempt(base, number)
    for width, most in WIDTHS.items():
        page = pages(width)
        page.goto(f"{base}/t/{number}")
        expect(page.locator("#what-happened")).to_have_text("Bưu tá đến nhưng không có ai ở nhà để nhận.")
        expect(page.locator("#what-next")).to_contain_text("Bưu tá sẽ phát lại lần sau từ ngày")
        expect(page.locator("#what-next")).to_contain_text(f"đến nhận tại {OFFICE} đến hết ngày")
        expect(page.locator("#held-at")).to_have_text(OFFICE)
        content = page.content()
        assert "Phùng Thị Vắng" not in content and "Nguyễn Văn Phát" not in content
        assert page.evaluate("document.documentElement.scrollWidth") <= most
        _look(page, f"tracking-after-failure-{width}", "public tracking after a failed attempt")


def test_procedure_search_ignores_accents_and_case(live_server, pages):
    page = pages("phone")
    _sign_in(page, live_server.base_url, "clerk")
    page.click("#go-intake")
    page.wait_for_selector("#procedure-search")
    page.fill("#procedure-search", "can cuoc")
    expect(page.locator("#procedure-list button")).to_have_count(1)
    expect(page.locator("#procedure-list")).to_contain_text("Cấp đổi thẻ căn cước")
    page.fill("#procedure-search", "GIAY PHEP lai xe")
    expect(page.locator("#procedure-list")).to_contain_text("Đổi giấy phép lái xe")
    screenshot(page, "procedure-search-accents-360")


def test_the_printable_statement_fits_a_phone_and_an_a4_page(live_server, pages):
    today = datetime.now(UTC).date()
    url = (f"{live_server.base_url}/cash/agencies/CA-TINH/statement"
           f"?start={today.replace(year=today.year - 1).isoformat()}&end={today.isoformat()}")
    for width, most in WIDTHS.items():
        page = pages(width)
        _sign_in(page, live_server.base_url, "supervisor")
        page.goto(url)
        expect(page.locator("h1.title")).to_contain_text("BẢNG KÊ PHÍ, LỆ PHÍ THU HỘ")
        assert page.locator("table.lines tbody tr").count() > 0
        assert page.evaluate("document.documentElement.scrollWidth") <= most
        _look(page, f"statement-{width}", "agency statement")
        if width == "phone":  # each line reads as label and value
            expect(page.locator("table.lines tbody td").first).to_have_attribute("data-label", "STT")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    assert page.evaluate("document.documentElement.scrollWidth") <= 794
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
