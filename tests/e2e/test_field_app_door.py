"""The postman's day at the door and at the desk (issue 11), in real headless Chromium at
360×740: identity and cash checks, the morning load check, the back button, the outbox in
words, the route of the day, a second notice the same day, English throughout, the office
roles' quiet start, persistent storage, accessibility and large text."""
from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot
from tests.e2e.field_app import (
    draw_signature,
    events_of,
    fill_delivery,
    new_phone,
    open_item,
    results_on_a_postmans_phone,
    sign_in,
    wait_for_outbox,
)
from tests.e2e.live_api import LiveSession
from tests.e2e.postman_day import OFFICE, hand_to, register_result


def _s10(prefix: str, serial: str, country: str) -> str:
    weights = [8, 6, 4, 2, 3, 5, 9, 7]
    c = 11 - sum(int(d) * w for d, w in zip(serial, weights, strict=True)) % 11
    return f"{prefix}{serial}{0 if c == 10 else 5 if c == 11 else c}{country}"


# 5. Identity and cash that differ from the record are said before confirming.

def test_a_last4_or_cash_that_differs_from_the_record_asks_for_a_reason(live_server, browser):
    with results_on_a_postmans_phone(browser, live_server.base_url, {"id_number": "001234567890"}) as phone:
        number, postman, page = phone.number, phone.postman, phone.page
        due = postman.get(f"/items/{number}").json()["cash_due_vnd"]
        open_item(page, number)
        page.click("#go-deliver")
        expect(page.locator("#deviation")).to_be_hidden()
        fill_delivery(page, last4="1234")
        expect(page.locator("#deviation")).to_contain_text("không khớp")
        page.fill("#cash-collected", str(due - 10000))
        expect(page.locator("#deviation")).to_contain_text("khác số phải thu")
        screenshot(page, "door-deviation-360")
        page.click("#confirm-delivery")
        expect(page.locator("#deliver-error")).to_contain_text("Lý do chênh lệch")
        page.fill("#deviation-reason", "Người nhận đưa thẻ mới, thiếu 10.000 đ")
        page.click("#confirm-delivery")
        page.wait_for_selector("#held-items")
        wait_for_outbox(page, 0, timeout=30000)
    [delivered] = events_of(postman, number, "delivered")
    assert delivered["evidence"]["deviation_note"] == "Người nhận đưa thẻ mới, thiếu 10.000 đ"
    assert delivered["evidence"]["cash_collected_vnd"] == due - 10000


# 6. The morning load check: scans kept, removable, VN only, errors that clear, a clear button.

def test_the_load_check_keeps_scans_removes_mistakes_and_takes_only_vn_numbers(live_server, browser):
    clerk = LiveSession(live_server.base_url, "clerk")
    listed, stray = register_result(clerk), register_result(clerk)
    handover = clerk.post("/handovers", json={"to_user": "postman2", "items": [listed]})
    assert handover.status_code == 201, handover.text
    context, page = new_phone(browser)
    try:
        sign_in(page, live_server.base_url, "postman2")
        page.click("#go-load-check")
        page.wait_for_selector("#load-check")
        page.fill("#tracking-input", _s10("KQ", "12345678", "US"))
        page.click("#scan-form button[type=submit]")
        expect(page.locator("#scan-error")).to_contain_text("phải kết thúc bằng VN")
        for number in (listed, stray):
            page.fill("#tracking-input", number)
            page.click("#scan-form button[type=submit]")
        expect(page.locator("#tally-unexpected li .tn")).to_have_text([stray])
        page.click(f"#tally-unexpected button[aria-label='Xóa {stray}']")
        expect(page.locator("#tally-unexpected li")).to_have_count(0)
        page.reload()
        page.wait_for_selector("#load-check")
        expect(page.locator("#tally-scanned li .tn")).to_have_text([listed])
        expect(page.locator("#accept-handover")).to_have_text("Ký nhận 1 bưu gửi đã quét")
        page.click("#accept-handover")
        error = page.locator("#load-check .error").last
        expect(error).to_contain_text("Chữ ký bưu tá")
        draw_signature(page, "receiver")
        expect(error).to_have_text("")
        screenshot(page, "door-load-check-360")
        page.click("#accept-handover")
        page.wait_for_selector("#held-items")
    finally:
        context.close()
    record = LiveSession(live_server.base_url, "postman2").get(f"/handovers/{handover.json()['id']}").json()
    assert {line["tracking_number"]: line["outcome"] for line in record["lines"]} == {listed: "received"}


# 9. The back button mid-form asks before throwing a signature away.

def test_the_back_button_mid_form_asks_before_throwing_away_a_signature(live_server, browser):
    with results_on_a_postmans_phone(browser, live_server.base_url) as phone:
        page = phone.page
        open_item(page, phone.number)
        page.click("#go-deliver")
        page.fill("#id-last4", "4321")
        draw_signature(page, "recipient")
        page.go_back()
        expect(page.locator("#leave-confirm")).to_be_visible()
        screenshot(page, "door-leave-confirm-360")
        page.click("#stay-on-form")
        expect(page.locator("#deliver-form")).to_be_visible()
        assert page.input_value("#id-last4") == "4321"
        page.go_back()
        page.click("#leave-form")
        page.wait_for_selector("#item-screen")


# 10. The outbox in the postman's words: counts entries, not images; says what each waits for.

def test_the_outbox_speaks_of_acts_items_and_recipients_and_counts_entries(live_server, browser):
    with results_on_a_postmans_phone(browser, live_server.base_url, {}, {}, worker=False) as phone:
        (delivered, failed), context, page = phone.numbers, phone.context, phone.page
        name = phone.postman.get(f"/items/{failed}").json()["citizen"]["name"]
        context.set_offline(True)
        open_item(page, delivered)
        page.click("#go-deliver")
        fill_delivery(page)
        page.click("#confirm-delivery")
        page.wait_for_selector("#held-items")
        expect(page.locator("#outbox-count")).to_have_text(re.compile(r"\b1$"))  # one delivery, not its image
        open_item(page, failed)
        page.click("#go-fail")
        page.click("#confirm-failure")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        page.click("#sync-now")
        page.goto(page.url.split("#")[0] + "#/outbox")
        rows = page.locator("#outbox-list li.waiting")
        expect(rows).to_have_count(2)
        expect(rows.filter(has_text=failed)).to_contain_text(f"Phát không thành công · {failed}")
        expect(rows.filter(has_text=failed)).to_contain_text(name)
        expect(rows.filter(has_text=failed)).to_contain_text("Chờ mạng để gửi")
        expect(rows.filter(has_text=delivered)).to_contain_text("Chờ tải 1 ảnh")
        expect(page.locator("#images-waiting")).to_have_text("1 ảnh chờ tải")
        screenshot(page, "door-outbox-waiting-360")
        context.set_offline(False)
        page.click("#sync-now-big")
        wait_for_outbox(page, 0, timeout=30000)


def _wait_for(page: Page, condition, timeout_s: float = 15) -> None:  # type: ignore[no-untyped-def]
    """Wait until `condition()` holds, letting Playwright deliver the page's events meanwhile."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        page.wait_for_timeout(100)


# 8. The route of the day: names, status, due time, navigation, done stops gone, order kept.

def test_the_route_shows_each_stop_keeps_its_order_and_drops_done_stops(live_server, browser):
    here = (OFFICE[0] + 0.05, OFFICE[1] + 0.05)
    asked: list[str] = []
    with results_on_a_postmans_phone(browser, live_server.base_url, *({"spot": 50 + i} for i in range(3)),
                                     username="postman2", signed_in=False, position=here, worker=False) as phone:
        numbers, postman, page = phone.numbers, phone.postman, phone.page
        page.on("request", lambda request: asked.append(request.url) if "/api/v1/route" in request.url else None)
        sign_in(page, live_server.base_url, "postman2")
        page.click("#go-route")
        page.wait_for_selector("#route-stops")
        assert any(f"start_lat={here[0]}" in url for url in asked), asked  # from where the phone is
        before = page.locator("#route-stops .number").all_inner_texts()
        assert set(numbers) <= set(before)
        mine = [n for n in before if n in numbers]
        first = page.locator(f"#route-stops li[data-number={mine[0]}]")
        name = postman.get(f"/items/{mine[0]}").json()["citizen"]["name"]
        expect(first.locator(".name")).to_have_text(name)
        expect(first.locator(".status")).to_have_text("Đang phát")
        expect(first.locator(".due")).to_contain_text("Hạn")
        assert first.locator(".nav-link").get_attribute("href").startswith("geo:")
        screenshot(page, "door-route-360")
        requests_before = len(asked)
        # A sync later in the day does not re-plan: the order stays.
        page.click("#sync-now")
        page.wait_for_timeout(1500)
        assert len(asked) == requests_before
        open_item(page, mine[0])
        page.click("#go-fail")
        page.select_option("#failure-action", "return_to_agency")
        page.click("#confirm-failure")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        open_item(page, mine[1])
        page.click("#go-deliver")
        fill_delivery(page)
        page.click("#confirm-delivery")
        page.wait_for_selector("#held-items")
        page.click("#go-route")
        page.wait_for_selector("#route-stops")
        after = page.locator("#route-stops .number").all_inner_texts()
        assert mine[1] not in after  # delivered: gone at once
        assert after == [n for n in before if n in after]  # same order
        # Re-planned when asked, from where the phone is.
        planned = len(asked)
        with page.expect_response(lambda response: "/api/v1/route" in response.url, timeout=15000):
            page.click("#replan-route")
        assert len(asked) == planned + 1 and f"start_lat={here[0]}" in asked[-1], asked
        # And when a new stop joins the day (a result handed over later): it is on the route.
        late = register_result(LiveSession(live_server.base_url, "clerk"), spot=53)
        hand_to(live_server.base_url, "postman2", [late])
        with page.expect_response(lambda response: "/api/v1/route" in response.url, timeout=15000):
            page.click("#sync-now")
        # The plan is kept on the phone just after its answer: look again until it is there.
        base = page.url.split("#")[0]

        def late_on_the_route() -> bool:
            page.goto(base + "#/")
            page.wait_for_selector("#held-items")
            page.goto(base + "#/route")
            page.wait_for_selector("#route-stops")
            return page.locator(f"#route-stops li[data-number={late}]").count() == 1

        _wait_for(page, late_on_the_route)


# 11. A second notice the same day is warned about.

def test_a_second_notice_the_same_day_is_warned_about(live_server, browser):
    with results_on_a_postmans_phone(browser, live_server.base_url, signed_in=False) as phone:
        number, page = phone.number, phone.page
        event = {"id": str(uuid.uuid4()), "type": "attempt_failed", "tracking_number": number, "reason": "absent",
                 "action": "notice_left", "occurred_at": datetime.now(UTC).isoformat()}
        assert phone.postman.post("/sync", json={"events": [event]}).json()["results"][0]["status"] == "accepted"
        sign_in(page, live_server.base_url, "postman")
        open_item(page, number)
        page.click("#start-delivery")
        expect(page.locator("#item-status")).to_have_text("Đang phát")
        page.click("#go-fail")
        page.select_option("#failure-action", "notice_left")
        expect(page.locator("#second-notice")).to_contain_text("không được tính là lần mời")
        page.select_option("#failure-action", "retry")
        expect(page.locator("#second-notice")).to_be_hidden()


# 12. English covers statuses, reasons, actions and ID types.

def test_english_covers_statuses_reasons_actions_and_id_types(live_server, browser):
    vietnamese = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
    with results_on_a_postmans_phone(browser, live_server.base_url) as phone:
        page = phone.page
        page.click("#language")
        open_item(page, phone.number)
        expect(page.locator("#item-status")).to_have_text("Out for delivery")
        page.click("#go-fail")
        for select in ("#failure-reason", "#failure-action"):
            texts = page.locator(f"{select} option").all_inner_texts()
            assert not [text for text in texts if vietnamese.search(text)], texts
        page.go_back()
        page.click("#go-deliver")
        texts = page.locator("#id-type option").all_inner_texts()
        assert "Passport" in texts and not [text for text in texts if vietnamese.search(text)], texts
        screenshot(page, "door-deliver-en-360")


# 13. Clerks do not ask for the postman's route.

def test_a_clerk_does_not_ask_for_the_route(live_server, browser):
    context, page = new_phone(browser)
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/api/v1/route" in request.url else None)
    try:
        sign_in(page, live_server.base_url, "clerk")
        page.click("#sync-now")
        page.wait_for_timeout(1500)
    finally:
        context.close()
    assert asked == []


# Also: persistent storage is asked for, and a refusal is said.

def test_persistent_storage_is_asked_for_and_a_refusal_is_shown(live_server, browser):
    context, page = new_phone(browser)
    try:
        page.add_init_script("Object.defineProperty(navigator.storage, 'persist', {value: () => { window.__persistAsked = true; return Promise.resolve(false); }});"
                             "Object.defineProperty(navigator.storage, 'persisted', {value: () => Promise.resolve(false)});")
        sign_in(page, live_server.base_url, "postman")
        expect(page.locator("#storage-warning")).to_contain_text("không hứa giữ dữ liệu")
        assert page.evaluate("window.__persistAsked === true")
    finally:
        context.close()
    context, page = new_phone(browser)
    try:
        page.add_init_script("Object.defineProperty(navigator.storage, 'persisted', {value: () => Promise.resolve(true)});")
        sign_in(page, live_server.base_url, "postman")
        expect(page.locator("#storage-warning")).to_be_hidden()
    finally:
        context.close()


# Also: every postman screen passes axe-core, has 44 px targets and holds at 200 % text.

def _small_targets(page: Page) -> list[str]:
    # A visually hidden file input is tapped through its large label (.file-button).
    return page.evaluate("""() => [...document.querySelectorAll('button, a.button, a.tile, .nav-link, input, select, label.file-button, #header-tools a, .items a, .stops a')]
        .filter((el) => el.offsetParent !== null && el.type !== 'checkbox' && el.type !== 'hidden' && !el.classList.contains('visually-hidden'))
        .map((el) => [el, el.getBoundingClientRect()])
        .filter(([, box]) => box.width < 44 || box.height < 44)
        .map(([el, box]) => `${el.tagName}#${el.id}.${el.className} ${Math.round(box.width)}x${Math.round(box.height)}`)""")


def _home_pickup_for(clerk: LiveSession, postman: str) -> str:
    """A dossier to collect at a citizen's home, assigned by the clerk to `postman`."""
    answer = clerk.post("/pickups", json={
        "procedure_code": "TP-LLTP", "postman": postman, "note": "Sau 17 giờ",
        "citizen": {"name": f"Người Gọi Thu Gom {uuid.uuid4().hex[:6]}", "phone": f"0914{uuid.uuid4().int % 10**6:06d}",
                    "address": {"province": "Ninh Bình", "commune": "Phường Hoa Lư", "line": "Số 12 đường Thu Gom",
                                "lat": OFFICE[0] + 0.002, "lon": OFFICE[1] + 0.002}}})
    assert answer.status_code == 201, answer.text
    return answer.json()["tracking_number"]


def test_every_postman_screen_is_accessible_with_large_targets_and_large_text(live_server, browser):
    # axe-core is injected as a script: the page's CSP is bypassed.
    pickup = _home_pickup_for(LiveSession(live_server.base_url, "clerk"), "postman")
    with results_on_a_postmans_phone(browser, live_server.base_url, signed_in=False, bypass_csp=True) as phone:
        number, page = phone.number, phone.page
        page.goto(live_server.base_url + "/")
        page.wait_for_selector("#sign-in")
        assert_accessible(page, "sign-in")
        sign_in(page, live_server.base_url, "postman")
        base = page.url.split("#")[0]
        screens = {"home": ("#/", "#held-items"), "item": (f"#/item/{number}", "#item-screen"),
                   "deliver": (f"#/deliver/{number}", "#deliver-form"), "fail": (f"#/fail/{number}", "#fail-form"),
                   "route": ("#/route", "#route-stops, #route-empty"), "load check": ("#/load-check", "#load-check, #no-handovers"),
                   "outbox": ("#/outbox", ".outbox"), "collect": (f"#/collect/{pickup}", "#collect-form")}
        for language in ("vi", "en"):
            for name, (hash_, ready) in screens.items():
                page.goto(base + hash_)
                page.wait_for_selector(ready)
                assert_accessible(page, f"{name} ({language})")
                assert _small_targets(page) == [], name
                screenshot(page, f"postman-{name.replace(' ', '-')}-{language}-360")
            page.click("#language")
        # The phone's text at 200 %: nothing is cut off sideways.
        page.add_style_tag(content="html { font-size: 200% !important; }")
        for name, (hash_, ready) in screens.items():
            page.goto(base + hash_)
            page.wait_for_selector(ready)
            page.add_style_tag(content="html { font-size: 200% !important; }")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            wide = page.evaluate("""() => [...document.querySelectorAll('main *')].filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .slice(0, 5).map((el) => `${el.tagName}#${el.id}.${el.className}`)""")
            assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at 200 % text: {wide}"
