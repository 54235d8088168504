"""The agency officer's desk in real Chromium: a CSV import refused for one bad line, then
imported once fixed; and the printable handover record (biên bản giao nhận) as a PDF."""
from __future__ import annotations

import hashlib
import re
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import png_bytes
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.field_app import draw_signature
from tests.e2e.live_api import LiveSession

HEADER = "dossier_code,procedure_code,citizen_name,citizen_phone,province,commune,address_line,document_name"


def _row(code: str, phone: str = "0912345678") -> str:
    return f"{code},CA-CCCD-DOI,Trịnh Văn Mẫu,{phone},Ninh Bình,Phường Hoa Lư,Số 3 phố Vân Giang,Thẻ căn cước"


@pytest.fixture
def desktop(browser) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def _sign_in_officer(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("#username", "agency")
    page.fill("#password", "tantay-demo")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#agency-screen")


def _upload(page: Page, path: Path) -> None:
    page.set_input_files("#csv-file", str(path))
    page.click("#csv-submit")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_officer_fixes_the_reported_line_and_imports_the_whole_file(
        live_server, request, tmp_path, viewport):
    page: Page = request.getfixturevalue(viewport)
    batch = uuid.uuid4().hex[:8].upper()  # each run its own agency-id part: codes never repeat
    codes = [f"E2E.{batch}-260105-{n:04d}" for n in (1, 2, 3)]
    bad = tmp_path / "ket-qua.csv"
    bad.write_bytes(("\ufeff" + "\r\n".join([HEADER, _row(codes[0]), _row(codes[1], phone="012"),
                                              _row(codes[2])]) + "\r\n").encode())
    _sign_in_officer(page, live_server.base_url)

    _upload(page, bad)
    errors = page.locator("#csv-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").first).to_have_text("3")
    expect(errors.first.locator("td").nth(1)).to_contain_text("điện thoại")
    expect(page.locator("#csv-refusal .error")).to_contain_text("chưa nhập dòng nào")
    screenshot(page, f"agency-csv-refused-{viewport}")
    officer = LiveSession(live_server.base_url, "agency")
    for code in codes:  # nothing of the refused file was imported
        assert officer.get("/items", params={"q": code}).json()["total"] == 0

    fixed = tmp_path / "ket-qua-da-sua.csv"
    fixed.write_bytes(bad.read_bytes().replace(b",012,", b",0912345679,"))
    _upload(page, fixed)
    expect(page.locator("#csv-imported .ok")).to_have_text("Đã nhập 3 kết quả.")
    expect(page.locator("#csv-imported li")).to_have_count(3)
    expect(page.locator("#csv-refusal")).to_have_count(0)
    screenshot(page, f"agency-csv-imported-{viewport}")
    for code in codes:
        [item] = officer.get("/items", params={"q": code}).json()["items"]
        assert item["status"] == "registered" and item["holder"]["unit"] == "CA-TINH"


def _upload_signature(session: LiveSession, seed: str) -> str:
    body = png_bytes(seed)
    sha = hashlib.sha256(body).hexdigest()
    session.http.put(f"{session.base_url}/api/v1/media/{sha}", data=body,
                     headers={"Content-Type": "image/png", "X-CSRF-Token": session.csrf},
                     timeout=30).raise_for_status()
    return sha


def _filing_record(base_url: str, signed: bool = True) -> tuple[int, list[str]]:
    """Two dossiers from the counter, carried by the postman, one found incomplete (when
    the officer has `signed`)."""
    clerk, postman = LiveSession(base_url, "clerk"), LiveSession(base_url, "postman")
    officer = LiveSession(base_url, "agency")
    numbers = []
    for n in (1, 2):
        created = clerk.post("/items", json={
            "kind": "dossier", "procedure_code": "CA-GPLX-DOI",
            "dossier_code": f"000.00.04.H51-260105-77{n:02d}",
            "citizen": {"name": "Vũ Thị Nộp", "phone": "0987000333",
                        "address": {"province": "Ninh Bình", "commune": "Phường Hoa Lư",
                                    "line": "Số 8 đường Lương Văn Tụy"}},
            "documents": [{"name": "Đơn đề nghị đổi giấy phép lái xe", "original": True, "count": 1}]})
        assert created.status_code == 201, created.text
        numbers.append(created.json()["tracking_number"])
    load = clerk.post("/handovers", json={"to_user": "postman", "items": numbers}).json()["id"]
    assert postman.post(f"/handovers/{load}/accept", json={
        "scanned": numbers, "signature_sha256": _upload_signature(postman, "load")}).ok
    filing = postman.post("/handovers", json={
        "to_unit": "CA-TINH", "items": numbers,
        "signature_sha256": _upload_signature(postman, "postman-files")})
    assert filing.status_code == 201, filing.text
    record = filing.json()["id"]
    if not signed:
        return record, numbers
    signed_answer = officer.post(f"/handovers/{record}/accept", json={
        "scanned": numbers, "signature_sha256": _upload_signature(officer, "officer-files"),
        "incomplete": [{"tracking_number": numbers[1], "missing": "Giấy khám sức khỏe"}]})
    assert signed_answer.status_code == 200, signed_answer.text
    return record, numbers


def _pdf_text(pdf: bytes) -> str:
    """The text Chromium drew into a PDF: its content streams' glyphs mapped back to Unicode
    through each font's ToUnicode table (enough for the ASCII and Vietnamese text drawn)."""
    streams = []
    for found in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:  # Flate streams; an image's bytes may start like one and are skipped
            streams.append(zlib.decompressobj().decompress(found.group(1)))
        except zlib.error:
            continue
    glyphs: dict[int, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.DOTALL):
            for source, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                glyphs[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.DOTALL):
            for low, high, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                first = ord(bytes.fromhex(start.decode()).decode("utf-16-be"))
                for offset, glyph in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    glyphs[glyph] = chr(first + offset)
    text = []
    for stream in streams:
        for hexes in re.findall(rb"<([0-9A-Fa-f]+)>\s*Tj|\[(.*?)\]\s*TJ", stream, re.DOTALL):
            for run in re.findall(rb"<([0-9A-Fa-f]+)>", b"".join(h if h.startswith(b"<") else b"<" + h + b">" for h in hexes if h)):
                codes = bytes.fromhex(run.decode())
                text.append("".join(glyphs.get(int.from_bytes(codes[i:i + 2], "big"), "")
                                    for i in range(0, len(codes), 2)))
        text.append("\n")
    return "".join(text)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_printable_handover_record_prints_every_number(live_server, request, viewport):
    page: Page = request.getfixturevalue(viewport)
    record, numbers = _filing_record(live_server.base_url)
    _sign_in_officer(page, live_server.base_url)
    link = page.locator(f'#handover-records [data-record="{record}"] a')
    expect(link).to_contain_text("Đã ký nhận")  # the desk lists the record it signed
    page.goto(f"{live_server.base_url}/handovers/{record}/record")
    expect(page.locator("h1")).to_have_text("BIÊN BẢN GIAO NHẬN HỒ SƠ THỦ TỤC HÀNH CHÍNH")
    for number in numbers:
        expect(page.locator(".lines")).to_contain_text(number)
    expect(page.locator(".signed-at")).to_contain_text("(thời điểm nộp hồ sơ)")
    expect(page.locator(".lines")).to_contain_text("Chưa đầy đủ — cần bổ sung: Giấy khám sức khỏe")
    # Both signatures load (the images are the parties' own evidence).
    for image in page.locator(".signatures img").all():
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    screenshot(page, f"handover-record-{viewport}")
    if viewport == "desktop":  # Chromium prints PDF only headless; one A4 sheet is enough here
        ARTIFACTS.mkdir(exist_ok=True)
        pdf = page.pdf(path=str(ARTIFACTS / "handover-record.pdf"), format="A4",
                       prefer_css_page_size=True, print_background=True)
        assert pdf.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
        printed = _pdf_text(pdf)
        for number in numbers:
            assert number in printed, printed[:2000]
        assert "In biên bản" not in printed  # the print button stays off paper


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_officer_signs_a_filing_marking_one_dossier_incomplete(live_server, request, viewport):
    page: Page = request.getfixturevalue(viewport)
    record, numbers = _filing_record(live_server.base_url, signed=False)
    _sign_in_officer(page, live_server.base_url)
    page.click(f'#handover-records [data-record="{record}"] a.to-sign')
    page.wait_for_selector("#receive-screen")
    expect(page.locator(".handover-line")).to_have_count(2)
    assert page.locator("input[type=checkbox]:checked").count() == 0  # nothing pre-ticked
    for number in numbers:  # each dossier in hand is scanned (or its number typed)
        page.fill("#tracking-input", number)
        page.click("#scan-form button[type=submit]")
    page.check(f'[data-incomplete="{numbers[1]}"]')
    draw_signature(page, "officer")
    page.click("#sign-handover")  # what is missing is not said yet, nor signed
    expect(page.locator("#receive-error")).not_to_be_empty()
    page.fill(f'[data-missing="{numbers[1]}"]', "Giấy khám sức khỏe")
    screenshot(page, f"agency-filing-{viewport}")
    page.click("#sign-handover")
    expect(page.locator("#record-status")).to_contain_text("Đã ký nhận lúc")
    screenshot(page, f"agency-filing-signed-{viewport}")
    officer = LiveSession(live_server.base_url, "agency")
    filed, incomplete = (officer.get(f"/items/{n}").json() for n in numbers)
    answer = officer.get(f"/handovers/{record}").json()
    assert filed["status"] == "filed" and filed["filed_at"] == answer["accepted_at"]
    assert incomplete["status"] == "supplement_requested" and incomplete["filed_at"] is None
    assert answer["lines"][1]["missing_documents"] == "Giấy khám sức khỏe"
