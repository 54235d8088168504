"""The supervisor acts from the dashboard, in real Chromium, through the screens only:
opens a flag and looks at the signature before resolving it, proposes a correction that a
second supervisor countersigns, runs the custody verification, downloads the quarter's
report as XLSX. The API is only read, to find what to click and to check what was done."""
from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot
from tests.e2e.live_api import LiveSession

VIEWPORTS = {"phone-360": (360, 740), "tablet-768": (768, 1024), "desktop-1280": (1280, 800)}
LONG = 180_000  # ms: a loaded machine may be slow; nothing here is a timing assertion


@pytest.fixture(scope="module")
def second_supervisor(live_server) -> str:
    """A second supervisor of the province, for the four-eyes countersignature."""
    done = live_server.flask("create-user", "supervisor2", "supervisor", "TINH",
                             "--password", "tantay-demo")
    assert done.returncode == 0 or "exists" in (done.stderr + done.stdout), done.stderr
    return "supervisor2"


def _page(browser, size: str):  # type: ignore[no-untyped-def]
    width, height = VIEWPORTS[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  accept_downloads=True,
                                  # axe-core is injected as an inline script, which the
                                  # page's CSP (rightly) refuses; the CSP has its own tests.
                                  bypass_csp=True)
    return context, context.new_page()


@pytest.fixture
def desktop(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context, page = _page(browser, "desktop-1280")
    yield page
    context.close()


def _sign_in(page, base_url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/supervisor")
    page.wait_for_selector("#sign-in-form", state="visible", timeout=LONG)
    page.fill("#username", username)
    page.fill("#password", "tantay-demo")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#flags", state="visible", timeout=LONG)


def _flag_with(reader: LiveSession, wanted: str, skip: set[int] = frozenset()) -> dict:  # type: ignore[assignment,type-arg]
    """An open flag (among the newest the dashboard lists) whose event shows `wanted`."""
    rows = reader.get("/dashboard").json()["flags"]["rows"]
    for row in rows:
        if row["id"] in skip or not row["event_id"]:
            continue
        detail = reader.get(f"/audit/flags/{row['id']}").json()
        if wanted == "signature" and "signature_sha256" in (detail["proof"] or {}).get("images", {}):
            return detail
        if wanted == "event" and detail["proof"]:
            return detail
    raise AssertionError(f"no open flag with a {wanted} among {len(rows)}")


def test_a_supervisor_resolves_a_flag_after_looking_at_the_signature(live_server, desktop):
    page = desktop
    reader = LiveSession(live_server.base_url, "supervisor")
    flag = _flag_with(reader, "signature")
    _sign_in(page, live_server.base_url, "supervisor")
    page.click(f"button.open-flag[data-flag='{flag['id']}']")
    signature = page.locator("#flag-dialog img.proof-image[data-field='signature_sha256']")
    signature.wait_for(state="attached", timeout=LONG)
    page.wait_for_function(
        "() => { const i = document.querySelector(\"#flag-dialog img[data-field='signature_sha256']\");"
        " return i && i.complete && i.naturalWidth > 0; }", timeout=LONG)
    assert flag["tracking_number"] in page.inner_text("#flag-dialog-title")
    dialog_text = page.inner_text("#flag-dialog")
    assert flag["proof"]["id_last4"] in dialog_text and flag["proof"]["id_type_label"] in dialog_text
    assert "Tiền đã thu" in dialog_text
    if flag["proof"]["distance_m"] is not None:
        assert page.locator("#flag-dialog svg .proof-event").count() == 1
        assert "Khoảng cách từ nơi ghi sự kiện tới địa chỉ" in dialog_text
    assert_accessible(page, "flag proof dialog")
    screenshot(page, "workspace-flag-proof-1280")

    page.fill("#resolve-note", "Đã xem chữ ký và gọi điện cho người nhận: đã nhận đủ.")
    page.click("#resolve-form button[type=submit]")
    page.locator("#status").filter(has_text="Đã xử lý cảnh báo").wait_for(timeout=LONG)
    assert not page.locator("#flag-dialog").is_visible()
    after = reader.get(f"/audit/flags/{flag['id']}").json()
    assert after["status"] == "resolved" and after["resolved_by"] == "supervisor"
    assert after["resolution_note"].startswith("Đã xem chữ ký")
    # The board is drawn again without the resolved flag.
    page.locator(f"button.open-flag[data-flag='{flag['id']}']").wait_for(state="detached",
                                                                         timeout=LONG)


def test_a_correction_is_countersigned_by_a_second_supervisor(live_server, desktop,
                                                              second_supervisor):
    page = desktop
    reader = LiveSession(live_server.base_url, "supervisor")
    flag = _flag_with(reader, "event")
    _sign_in(page, live_server.base_url, "supervisor")
    page.click(f"button.open-flag[data-flag='{flag['id']}']")
    page.wait_for_selector("#correction-form", timeout=LONG)
    page.select_option("#correction-field", "cash_collected_vnd")
    page.fill("#correction-value", "26.000")
    page.fill("#correction-reason", "Bưu tá nhập nhầm số tiền đã thu.")
    page.click("#correction-form button[type=submit]")
    page.locator("#status").filter(has_text="chờ một kiểm soát viên khác").wait_for(timeout=LONG)
    pending = reader.get("/audit/corrections?status=pending")
    assert pending.status_code == 200, pending.text[:300]
    [asked] = [c for c in pending.json()["corrections"] if c["event_id"] == flag["event_id"]]
    assert asked["correction"] == {"cash_collected_vnd": 26000}
    mine = page.locator(f"#corrections li[data-id='{asked['id']}']")
    mine.wait_for(timeout=LONG)
    assert mine.locator("button.countersign").count() == 0  # the author may not sign
    page.click("#sign-out")

    _sign_in(page, live_server.base_url, second_supervisor)
    theirs = page.locator(f"#corrections li[data-id='{asked['id']}'] button.countersign")
    theirs.wait_for(timeout=LONG)
    assert_accessible(page, "corrections waiting for a countersignature", "#corrections")
    screenshot(page, "workspace-countersign-1280")
    theirs.click()
    page.locator("#corrections-status").filter(has_text="Đã ký duyệt").wait_for(timeout=LONG)
    # A fresh reader: signing out in the browser ended the supervisor's sessions.
    applied_list = LiveSession(live_server.base_url, "supervisor2").get(
        "/audit/corrections?status=applied")
    assert applied_list.status_code == 200, applied_list.text[:300]
    [applied] = [c for c in applied_list.json()["corrections"] if c["id"] == asked["id"]]
    assert applied["countersigned_by"] == "supervisor2" and applied["corrected_event_id"]


def test_verification_runs_from_the_screen(live_server, desktop):
    page = desktop
    _sign_in(page, live_server.base_url, "supervisor")
    page.click("#verify-start")
    page.locator("#verify-text.verify-ok, #verify-text.verify-broken").wait_for(timeout=LONG)
    text = page.inner_text("#verify-text")
    assert "Tỉnh Ninh Bình" in text and "nguyên vẹn" in text, text
    assert page.evaluate("document.getElementById('verify-progress').value") == page.evaluate(
        "document.getElementById('verify-progress').max")
    assert_accessible(page, "custody verification", "#verify")


def test_a_quarterly_report_is_downloaded_as_xlsx(live_server, desktop):
    page = desktop
    _sign_in(page, live_server.base_url, "supervisor")
    page.select_option("#report-period", "quarter")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report-out table.report", timeout=LONG)
    assert "Quý" in page.inner_text("#report-out .scope")
    assert page.locator("#report-out tfoot th").inner_text() == "Tổng cộng"
    assert_accessible(page, "report tables", "#report")
    with page.expect_download(timeout=LONG) as download:
        page.click("#report-xlsx")
    body = download.value.path().read_bytes()
    sheet = load_workbook(io.BytesIO(body)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any("Quý" in c for c in cells), cells[:20]
    assert any("Tỉnh Ninh Bình" in c for c in cells), cells[:20]
    assert "Chỉ tiêu" in cells and "Tổng cộng" in cells, cells[:40]


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_workspace_fits_each_screen(live_server, browser, size):
    context, page = _page(browser, size)
    try:
        reader = LiveSession(live_server.base_url, "supervisor")
        flag = _flag_with(reader, "event")
        _sign_in(page, live_server.base_url, "supervisor")
        page.wait_for_selector("#map svg .point", timeout=LONG)
        page.select_option("#report-period", "quarter")
        page.click("#report-form button[type=submit]")
        page.wait_for_selector("#report-out table.report", timeout=LONG)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
            page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert_accessible(page, f"dashboard and workspace at {size}")
        screenshot(page, f"workspace-{size}")
        page.click(f"button.open-flag[data-flag='{flag['id']}']")
        page.wait_for_selector("#resolve-form", timeout=LONG)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert_accessible(page, f"flag dialog at {size}", "#flag-dialog")
        page.screenshot(path=str(screenshot(page, f"workspace-flag-{size}")), full_page=False)
    finally:
        context.close()
