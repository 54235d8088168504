"""The field app is trustworthy in the postman's hand (issue 11), in real headless Chromium
at 360×740: fresh positions, refusals that cannot be missed, safe sign-out, a signature that
survives rotation, and several items for one person at one door."""
from __future__ import annotations

import hashlib
import io
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot
from tests.e2e.field_app import (
    draw_signature,
    events_of,
    fill_delivery,
    open_item,
    results_on_a_postmans_phone,
    sign_in,
    wait_for_outbox,
)
from tests.e2e.live_api import LiveSession
from tests.e2e.postman_day import OFFICE, signature_png

# 1. A fresh fix for every doorstep event, its own time and accuracy in the evidence.

def test_each_doorstep_event_records_a_fresh_fix_with_its_time_and_accuracy(live_server, browser):
    at_a = (OFFICE[0] + 0.002, OFFICE[1] + 0.002)
    at_b = (OFFICE[0] + 0.009, OFFICE[1] + 0.009)
    with results_on_a_postmans_phone(browser, live_server.base_url, {"spot": 2}, {"spot": 9}, username="postman2",
                                     position=at_a, accuracy=11) as phone:
        (stop_a, stop_b), postman, page = phone.numbers, phone.postman, phone.page
        open_item(page, stop_a)
        page.click("#go-fail")
        expect(page.locator("#position")).to_contain_text("± 11 m")
        page.click("#confirm-failure")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        # Ride to B: the phone must not record A's fix at B.
        phone.context.set_geolocation({"latitude": at_b[0], "longitude": at_b[1], "accuracy": 7})
        open_item(page, stop_b)
        page.click("#go-fail")
        expect(page.locator("#position")).to_contain_text("± 7 m")
        page.click("#confirm-failure")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        wait_for_outbox(page, 0, timeout=30000)
    [event_a] = events_of(postman, stop_a, "attempt_failed")
    [event_b] = events_of(postman, stop_b, "attempt_failed")
    assert event_a["position"]["lat"] == pytest.approx(at_a[0], abs=1e-3)
    assert event_b["position"]["lat"] == pytest.approx(at_b[0], abs=1e-3) and event_b["position"]["lon"] == pytest.approx(at_b[1], abs=1e-3)
    fix = event_b["evidence"]["position_fix"]
    assert fix["accuracy_m"] == 7
    fixed_at = datetime.fromisoformat(fix["fixed_at"])
    assert abs((datetime.fromisoformat(event_b["occurred_at"]) - fixed_at).total_seconds()) < 120


#: Fixes held back while `window.__holdFixes` is set, until `window.__releaseFixes()`: the
#: phone is "waiting for a position" for as long as the test says.
_HELD_FIXES = """(() => {
  const held = [];
  const real = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);
  window.__releaseFixes = () => { window.__holdFixes = false; held.splice(0).forEach((go) => go()); };
  navigator.geolocation.getCurrentPosition = (ok, fail, options) => {
    if (window.__holdFixes) held.push(() => real(ok, fail, options)); else real(ok, fail, options);
  };
})()"""


def test_the_phone_says_it_waits_for_a_position_and_confirming_waits_for_the_fix(live_server, browser):
    here = (OFFICE[0] + 0.003, OFFICE[1] + 0.003)
    with results_on_a_postmans_phone(browser, live_server.base_url, signed_in=False, position=here, accuracy=6) as phone:
        page = phone.page
        phone.context.add_init_script(_HELD_FIXES)
        sign_in(page, live_server.base_url, "postman")
        open_item(page, phone.number)
        page.evaluate("window.__holdFixes = true")
        page.click("#go-fail")
        expect(page.locator("#position")).to_have_attribute("data-state", "waiting")
        expect(page.locator("#position")).to_contain_text("Đang lấy vị trí")
        page.click("#confirm-failure")
        page.wait_for_timeout(300)
        expect(page.locator("#fail-form")).to_be_visible()  # not recorded without the fix
        page.evaluate("window.__releaseFixes()")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        wait_for_outbox(page, 0, timeout=30000)
    [event] = events_of(phone.postman, phone.number, "attempt_failed")
    assert event["position"]["lat"] == pytest.approx(here[0], abs=1e-4)
    assert event["evidence"]["position_fix"]["accuracy_m"] == 6


def test_no_fix_is_said_on_screen_and_the_event_is_recorded_without_one(live_server, browser):
    # The postman refused the location permission (the phone has none).
    with results_on_a_postmans_phone(browser, live_server.base_url, username="postman2") as phone:
        number, postman, page = phone.number, phone.postman, phone.page
        open_item(page, number)
        page.click("#go-fail")
        expect(page.locator("#position")).to_have_attribute("data-state", "none", timeout=20000)
        expect(page.locator("#position")).to_contain_text("Không lấy được vị trí")
        page.click("#confirm-failure")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        wait_for_outbox(page, 0, timeout=30000)
    [event] = events_of(postman, number, "attempt_failed")
    assert event["position"] is None


# 2. The phone applies the server's limits; a refused entry is an alert until dealt with.

def test_a_name_over_the_servers_limit_is_refused_on_the_phone_not_called_saved(live_server, browser):
    with results_on_a_postmans_phone(browser, live_server.base_url) as phone:
        number, postman, page = phone.number, phone.postman, phone.page
        open_item(page, number)
        page.click("#go-deliver")
        page.fill("#recipient-name", "Nguyễn " + "A" * 200)
        fill_delivery(page)
        page.click("#confirm-delivery")
        expect(page.locator("#deliver-error")).to_contain_text("tối đa 200 ký tự")
        assert page.locator("#deliver-form").is_visible()
        assert page.inner_text("#outbox-count").endswith("0")
    assert postman.get(f"/items/{number}").json()["status"] == "out_for_delivery"


def _inject(page: Page, owner: str, event: dict) -> None:
    """An entry saved on the phone that the server will refuse (as an older app version did)."""
    page.evaluate("""([owner, event]) => new Promise((resolve, reject) => {
        const open = indexedDB.open("tantay", 1);
        open.onsuccess = () => {
          const tx = open.result.transaction("outbox", "readwrite");
          tx.objectStore("outbox").add({ kind: "event", id: event.id, event, owner, state: "waiting", created_at: new Date().toISOString() });
          tx.oncomplete = () => resolve(true); tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
    })""", [owner, event])


def _uploaded_signature(session: LiveSession) -> str:
    png = signature_png()  # never made before: another's image would be refused
    sha = hashlib.sha256(png).hexdigest()
    put = session.http.put(f"{session.base_url}/api/v1/media/{sha}", data=png,
                           headers={"X-CSRF-Token": session.csrf, "Content-Type": "image/png"}, timeout=30)
    assert put.status_code in (200, 201), put.text
    return sha


def test_a_refused_entry_is_an_alert_on_every_screen_until_corrected_or_discarded(live_server, browser):
    now = datetime.now(UTC).isoformat()

    def too_long(number: str, signature: str) -> dict:
        return {"id": str(uuid.uuid4()), "type": "delivered", "tracking_number": number, "occurred_at": now,
                "recipient": {"name": "B" * 201, "relation": "self", "id_type": "cccd", "id_last4": "1234"},
                "signature_sha256": signature, "cash_collected_vnd": 26000, "papers_collected": []}

    # axe-core is injected as a script: the page's CSP is bypassed.
    with results_on_a_postmans_phone(browser, live_server.base_url, {}, {}, bypass_csp=True) as phone:
        (to_correct, to_discard), page = phone.numbers, phone.page
        signature = _uploaded_signature(phone.postman)
        _inject(page, "postman", too_long(to_correct, signature))
        _inject(page, "postman", too_long(to_discard, signature))
        page.click("#sync-now")
        alert = page.locator("#refused-alert")
        expect(alert).to_contain_text("2 mục bị máy chủ từ chối")
        open_item(page, to_correct)
        expect(alert).to_be_visible()  # on every screen, not only the outbox
        screenshot(page, "trust-refused-alert-360")
        page.click("#refused-alert-link")
        rows = page.locator("#outbox-list li.rejected")
        expect(rows).to_have_count(2)
        first = rows.filter(has_text=to_correct)
        expect(first.locator(".refusal")).to_contain_text("Thông tin không hợp lệ")
        assert "String should" not in page.inner_text("#outbox-list")
        expect(first).to_contain_text("Ô cần sửa: Họ tên")
        screenshot(page, "trust-outbox-refused-360")
        first.locator("button.correct").click()
        expect(first.locator("input[data-path='recipient.name']")).to_be_visible()
        assert_accessible(page, "correction of a refused entry")
        first.locator("input[data-path='recipient.name']").fill("Nguyễn Văn Sửa")
        first.locator("button[type=submit]").click()
        expect(page.locator("#outbox-list li.corrected")).to_have_count(1, timeout=30000)
        expect(alert).to_contain_text("1 mục bị máy chủ từ chối")
        second = page.locator("#outbox-list li.rejected")
        second.locator("button.discard").click()
        second.locator("button[type=submit]").click()
        expect(second.locator(".error")).to_have_text("Hãy ghi lý do bỏ mục này.")
        second.locator("input.discard-reason").fill("Đã phát lại bằng giấy tờ khác")
        second.locator("button[type=submit]").click()
        expect(page.locator("#outbox-list li.discarded")).to_contain_text("Đã phát lại bằng giấy tờ khác")
        expect(alert).to_be_hidden()
        wait_for_outbox(page, 0, timeout=30000)
    # Read by the clerk: a postman no longer reads the recipient of an item he delivered.
    # A new session: the first one's kept-alive connection may have been closed meanwhile.
    clerk = LiveSession(live_server.base_url, "clerk")
    [delivered] = events_of(clerk, to_correct, "delivered")
    assert delivered["evidence"]["recipient"]["name"] == "Nguyễn Văn Sửa"
    assert events_of(clerk, to_discard, "delivered") == []


# 3. Sign-out offline ends the session at once; another postman never sees the entries.

def test_signing_out_offline_ends_the_session_and_keeps_the_entries_for_their_postman(live_server, browser):
    def recorded() -> list[dict]:
        # A new session each time: the app's sign-out ends every session of the postman.
        return events_of(LiveSession(live_server.base_url, "supervisor"), number, "attempt_failed")

    with results_on_a_postmans_phone(browser, live_server.base_url, worker=False, bypass_csp=True) as phone:
        number, context, page = phone.number, phone.context, phone.page
        context.set_offline(True)
        open_item(page, number)
        page.click("#go-fail")
        page.click("#confirm-failure")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        page.click("#sign-out")
        expect(page.locator("#sign-out-waiting")).to_contain_text("Còn 1 mục chưa gửi")
        assert_accessible(page, "sign-out warning")
        page.click("#confirm-sign-out")
        page.wait_for_selector("#sign-in")
        assert page.inner_text("#who") == ""
        # Back online, the app reopened: nobody is signed back in, and the server session is over.
        context.set_offline(False)
        page.reload()
        page.wait_for_selector("#sign-in")
        expect(page.locator("#sign-in")).to_be_visible()
        page.wait_for_timeout(1000)
        page.reload()
        page.wait_for_selector("#sign-in")
        assert page.request.get(live_server.base_url + "/api/v1/auth/me").status == 401
        assert recorded() == []
        # Another postman on the same phone: nothing of the first one's.
        sign_in(page, live_server.base_url, "postman2")
        assert page.inner_text("#outbox-count").endswith("0")
        page.click("#go-outbox")
        expect(page.locator("#outbox-list")).to_have_count(0)
        page.wait_for_timeout(1500)
        assert recorded() == []
        page.click("#sign-out")
        page.wait_for_selector("#sign-in")
        # The first postman is back: his entry is sent in his name.
        sign_in(page, live_server.base_url, "postman")
        wait_for_outbox(page, 0, timeout=30000)
    assert len(recorded()) == 1


# 4. The signature keeps every stroke across a rotation.

def _ink_columns(png: bytes) -> tuple[int, list[bool]]:
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.load()
    return width, [any(pixels[x, y] < 128 for y in range(0, height, 2)) for x in range(width)]


def test_a_signature_survives_a_rotation_mid_signature(live_server, browser):
    with results_on_a_postmans_phone(browser, live_server.base_url) as phone:
        number, postman, page = phone.number, phone.postman, phone.page
        open_item(page, number)
        page.click("#go-deliver")
        page.fill("#id-last4", "1234")
        draw_signature(page, "recipient")  # in portrait, on the left part of the pad
        # signature_pad applies a stroke's last points on a 16 ms timer: let it finish, as a
        # hand lifted from the screen does before the phone turns.
        page.wait_for_timeout(300)
        page.set_viewport_size({"width": 740, "height": 360})  # the phone turns
        pad = page.locator("canvas[data-signature=recipient]")
        # The pad has been laid out again at its new width (its bitmap follows its box).
        page.wait_for_function("""() => { const pad = document.querySelector('canvas[data-signature=recipient]');
            return pad.offsetWidth > 600 && pad.width === Math.round(pad.offsetWidth * window.devicePixelRatio); }""")
        page.wait_for_timeout(500)  # and the page has settled at its new size
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        assert box is not None
        # A last flourish near the right edge of the now wide pad.
        page.mouse.move(box["x"] + box["width"] - 60, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] - 15, box["y"] + box["height"] - 40, steps=6)
        page.mouse.up()
        page.wait_for_timeout(300)  # the stroke's last points, as above
        screenshot(page, "trust-signature-rotated-740")
        page.click("#confirm-delivery")
        page.wait_for_selector("#held-items")
        wait_for_outbox(page, 0, timeout=30000)
    [delivered] = events_of(postman, number, "delivered")
    sha = delivered["evidence"]["signature_sha256"]
    stored = next(Path(live_server.env["MEDIA_DIR"]).glob(f"*/*/{sha}")).read_bytes()
    width, inked = _ink_columns(stored)
    assert any(inked[: width // 3]), "the strokes drawn before the rotation are in the stored PNG"
    assert any(inked[width - width // 8:]), "the stroke drawn at the right edge after the rotation is in the stored PNG"
    drawn = [x for x, ink in enumerate(inked[: width // 2]) if ink]
    # Not stretched: the portrait stroke (about 240 px wide on screen) keeps its width.
    assert (drawn[-1] - drawn[0]) / 2 < 330


def test_a_stroke_drawn_while_the_screen_changes_size_is_kept(live_server, browser):
    """The keyboard closes (or the phone turns) while the finger is on the pad: the pad is
    laid out again only once the stroke ends, so the stroke is whole in the stored PNG."""
    with results_on_a_postmans_phone(browser, live_server.base_url) as phone:
        page = phone.page
        open_item(page, phone.number)
        page.click("#go-deliver")
        page.fill("#id-last4", "1234")
        pad = page.locator("canvas[data-signature=recipient]")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        assert box is not None
        before = box["width"]
        page.mouse.move(box["x"] + 20, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + 120, box["y"] + 140, steps=5)
        page.set_viewport_size({"width": 420, "height": 740})  # mid-stroke
        page.wait_for_function(f"document.querySelector('canvas[data-signature=recipient]').offsetWidth > {before}")
        page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        page.mouse.move(box["x"] + 260, box["y"] + 40, steps=5)
        page.mouse.up()
        page.click("#confirm-delivery")
        page.wait_for_selector("#held-items")
        wait_for_outbox(page, 0, timeout=30000)
    [delivered] = events_of(phone.postman, phone.number, "delivered")
    stored = next(Path(live_server.env["MEDIA_DIR"]).glob(f"*/*/{delivered['evidence']['signature_sha256']}")).read_bytes()
    width, inked = _ink_columns(stored)
    drawn = [x for x, ink in enumerate(inked) if ink]
    # The stroke ran from 20 to 260 CSS px (×2 device pixels): its end after the resize is there.
    assert drawn and drawn[0] < 80 and drawn[-1] > 460, (drawn[:1], drawn[-1:], width)


# 7. Several items for one person at one door: one form, one signature, an event each.

def test_several_items_for_one_person_take_one_form_and_one_signature(live_server, browser):
    name = f"Trần Thị Nhiều {uuid.uuid4().hex[:4]}"
    with results_on_a_postmans_phone(browser, live_server.base_url, {"name": name, "spot": 40},
                                     {"name": name, "spot": 40, "fees": 30000}, {"spot": 40}) as phone:
        (first, second, neighbour), postman, page = phone.numbers, phone.postman, phone.page
        due = [postman.get(f"/items/{n}").json()["cash_due_vnd"] for n in (first, second)]
        open_item(page, first)
        page.click("#go-deliver")
        together = page.locator("#same-recipient input.also-deliver")
        expect(together).to_have_count(1)
        assert together.first.get_attribute("value") == second and together.first.is_checked()
        expect(page.locator("#cash-due-total")).to_have_text(f"{sum(due):,} đ".replace(",", "."))
        assert page.input_value("#cash-collected") == str(sum(due))
        fill_delivery(page)
        screenshot(page, "trust-two-items-one-signature-360")
        page.click("#confirm-delivery")
        page.wait_for_selector("#held-items")
        wait_for_outbox(page, 0, timeout=30000)
    [one] = events_of(postman, first, "delivered")
    [two] = events_of(postman, second, "delivered")
    assert one["id"] != two["id"]
    assert one["evidence"]["signature_sha256"] == two["evidence"]["signature_sha256"]
    assert (one["evidence"]["cash_collected_vnd"], two["evidence"]["cash_collected_vnd"]) == tuple(due)
    assert events_of(postman, neighbour, "delivered") == []


# Also: the confirm button within the thumb's reach at 360×740 (it was below the fold).

_REACH = """(selector) => {
    const el = document.querySelector(selector);
    const box = el.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return {top: box.top, bottom: box.bottom, width: box.width, height: box.height,
            viewport: window.innerHeight, uncovered: hit === el || el.contains(hit), scrollY: window.scrollY};
}"""

_OVERLAP = """([field, bar]) => {
    const a = document.querySelector(field).getBoundingClientRect();
    const b = document.querySelector(bar).getBoundingClientRect();
    return Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
}"""


def test_the_confirm_button_is_within_reach_and_never_covers_the_field_being_typed_in(live_server, browser):
    with results_on_a_postmans_phone(browser, live_server.base_url) as phone:
        page = phone.page
        open_item(page, phone.number)
        page.click("#go-deliver")
        page.wait_for_selector("#deliver-form")
        opened = page.evaluate(_REACH, "#confirm-delivery")
        assert opened["scrollY"] == 0 and opened["top"] >= 0 and opened["bottom"] <= opened["viewport"], opened
        assert opened["uncovered"], opened
        # Typing in a field: the bar never lies over it (the keyboard takes the bottom).
        for field in ("#recipient-name", "#id-last4", "#cash-collected"):
            page.focus(field)
            assert page.evaluate(_OVERLAP, [field, "#deliver-form .action-bar"]) == 0, field
        fill_delivery(page)
        filled = page.evaluate(_REACH, "#confirm-delivery")
        assert filled["top"] >= 0 and filled["bottom"] <= filled["viewport"], filled
        assert filled["uncovered"] and filled["width"] >= 44 and filled["height"] >= 44, filled
        screenshot(page, "trust-confirm-within-reach-360")
        # Tapped where it is, without scrolling to it: the delivery is saved.
        page.touchscreen.tap(160, (filled["top"] + filled["bottom"]) / 2)
        page.wait_for_selector("#held-items")
        wait_for_outbox(page, 0, timeout=30000)
    assert len(events_of(phone.postman, phone.number, "delivered")) == 1
