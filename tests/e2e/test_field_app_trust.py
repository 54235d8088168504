"""The field app is trustworthy in the postman's hand (issue 11), in real headless Chromium
at 360×740: fresh positions, refusals that cannot be missed, safe sign-out, a signature that
survives rotation, and several items for one person at one door."""
from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.field_app import draw_signature, open_item, sign_in, wait_for_outbox
from tests.e2e.live_api import LiveSession
from tests.e2e.postman_day import OFFICE, hand_to, register_result


def new_phone(browser, position: tuple[float, float] | None = None, accuracy: float = 9,  # type: ignore[no-untyped-def]
              worker: bool = True, **extra):
    """A 360×740 phone; with `position`, geolocation is allowed and set there. Without
    `worker` the service worker is blocked: Playwright's offline switch does not reach it,
    and its Background Sync would send what a test needs kept on the phone."""
    options = {"viewport": {"width": 360, "height": 740}, "locale": "vi-VN", "is_mobile": True, "has_touch": True,
               "device_scale_factor": 2, "service_workers": "allow" if worker else "block", **extra}
    if position:
        options |= {"geolocation": {"latitude": position[0], "longitude": position[1], "accuracy": accuracy},
                    "permissions": ["geolocation"]}
    context = browser.new_context(**options)
    return context, context.new_page()


def fill_delivery(page: Page, last4: str = "1234") -> None:
    page.fill("#id-last4", last4)
    for box in page.locator("input.paper").all():
        box.check()
    draw_signature(page, "recipient")


def events_of(session: LiveSession, number: str, kind: str) -> list[dict]:
    return [e for e in session.get(f"/items/{number}").json()["events"] if e["type"] == kind]


# 1. A fresh fix for every doorstep event, its own time and accuracy in the evidence.

def test_each_doorstep_event_records_a_fresh_fix_with_its_time_and_accuracy(live_server, browser):
    clerk = LiveSession(live_server.base_url, "clerk")
    stop_a, stop_b = register_result(clerk, spot=2), register_result(clerk, spot=9)
    postman = hand_to(live_server.base_url, "postman2", [stop_a, stop_b])
    at_a = (OFFICE[0] + 0.002, OFFICE[1] + 0.002)
    at_b = (OFFICE[0] + 0.009, OFFICE[1] + 0.009)
    context, page = new_phone(browser, at_a, accuracy=11)
    try:
        sign_in(page, live_server.base_url, "postman2")
        open_item(page, stop_a)
        page.click("#go-fail")
        expect(page.locator("#position")).to_contain_text("± 11 m")
        page.click("#confirm-failure")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        # Ride to B: the phone must not record A's fix at B.
        context.set_geolocation({"latitude": at_b[0], "longitude": at_b[1], "accuracy": 7})
        open_item(page, stop_b)
        page.click("#go-fail")
        expect(page.locator("#position")).to_contain_text("± 7 m")
        page.click("#confirm-failure")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        wait_for_outbox(page, 0, timeout=30000)
    finally:
        context.close()
    [event_a] = events_of(postman, stop_a, "attempt_failed")
    [event_b] = events_of(postman, stop_b, "attempt_failed")
    assert event_a["position"]["lat"] == pytest.approx(at_a[0], abs=1e-3)
    assert event_b["position"]["lat"] == pytest.approx(at_b[0], abs=1e-3) and event_b["position"]["lon"] == pytest.approx(at_b[1], abs=1e-3)
    fix = event_b["evidence"]["position_fix"]
    assert fix["accuracy_m"] == 7
    fixed_at = datetime.fromisoformat(fix["fixed_at"])
    assert abs((datetime.fromisoformat(event_b["occurred_at"]) - fixed_at).total_seconds()) < 120


def test_no_fix_is_said_on_screen_and_the_event_is_recorded_without_one(live_server, browser):
    clerk = LiveSession(live_server.base_url, "clerk")
    number = register_result(clerk)
    postman = hand_to(live_server.base_url, "postman2", [number])
    context, page = new_phone(browser)  # the postman refused the location permission
    try:
        sign_in(page, live_server.base_url, "postman2")
        open_item(page, number)
        page.click("#go-fail")
        expect(page.locator("#position")).to_have_attribute("data-state", "none", timeout=20000)
        expect(page.locator("#position")).to_contain_text("Không lấy được vị trí")
        page.click("#confirm-failure")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        wait_for_outbox(page, 0, timeout=30000)
    finally:
        context.close()
    [event] = events_of(postman, number, "attempt_failed")
    assert event["position"] is None


# 2. The phone applies the server's limits; a refused entry is an alert until dealt with.

def test_a_name_over_the_servers_limit_is_refused_on_the_phone_not_called_saved(live_server, browser):
    clerk = LiveSession(live_server.base_url, "clerk")
    number = register_result(clerk)
    postman = hand_to(live_server.base_url, "postman", [number])
    context, page = new_phone(browser)
    try:
        sign_in(page, live_server.base_url, "postman")
        open_item(page, number)
        page.click("#go-deliver")
        page.fill("#recipient-name", "Nguyễn " + "A" * 200)
        fill_delivery(page)
        page.click("#confirm-delivery")
        expect(page.locator("#deliver-error")).to_contain_text("tối đa 200 ký tự")
        assert page.locator("#deliver-form").is_visible()
        assert page.inner_text("#outbox-count").endswith("0")
    finally:
        context.close()
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
    image = Image.new("RGB", (80, 30), "white")
    image.putpixel((uuid.uuid4().int % 80, 15), (0, 0, 64))
    out = io.BytesIO()
    image.save(out, format="PNG")
    sha = hashlib.sha256(out.getvalue()).hexdigest()
    put = session.http.put(f"{session.base_url}/api/v1/media/{sha}", data=out.getvalue(),
                           headers={"X-CSRF-Token": session.csrf, "Content-Type": "image/png"}, timeout=30)
    assert put.status_code in (200, 201), put.text
    return sha


def test_a_refused_entry_is_an_alert_on_every_screen_until_corrected_or_discarded(live_server, browser):
    clerk = LiveSession(live_server.base_url, "clerk")
    to_correct, to_discard = register_result(clerk), register_result(clerk)
    postman = hand_to(live_server.base_url, "postman", [to_correct, to_discard])
    signature = _uploaded_signature(postman)
    now = datetime.now(timezone.utc).isoformat()

    def too_long(number: str) -> dict:
        return {"id": str(uuid.uuid4()), "type": "delivered", "tracking_number": number, "occurred_at": now,
                "recipient": {"name": "B" * 201, "relation": "self", "id_type": "cccd", "id_last4": "1234"},
                "signature_sha256": signature, "cash_collected_vnd": 26000, "papers_collected": []}

    context, page = new_phone(browser)
    try:
        sign_in(page, live_server.base_url, "postman")
        _inject(page, "postman", too_long(to_correct))
        _inject(page, "postman", too_long(to_discard))
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
    finally:
        context.close()
    # Read by the clerk: a postman no longer reads the recipient of an item he delivered.
    [delivered] = events_of(clerk, to_correct, "delivered")
    assert delivered["evidence"]["recipient"]["name"] == "Nguyễn Văn Sửa"
    assert events_of(clerk, to_discard, "delivered") == []


# 3. Sign-out offline ends the session at once; another postman never sees the entries.

def test_signing_out_offline_ends_the_session_and_keeps_the_entries_for_their_postman(live_server, browser):
    clerk = LiveSession(live_server.base_url, "clerk")
    number = register_result(clerk)
    hand_to(live_server.base_url, "postman", [number])

    def recorded() -> list[dict]:
        # A new session each time: the app's sign-out ends every session of the postman.
        return events_of(LiveSession(live_server.base_url, "supervisor"), number, "attempt_failed")

    context, page = new_phone(browser, worker=False)
    try:
        sign_in(page, live_server.base_url, "postman")
        context.set_offline(True)
        open_item(page, number)
        page.click("#go-fail")
        page.click("#confirm-failure")
        expect(page.locator("#item-status")).to_have_text("Phát không thành công")
        page.click("#sign-out")
        expect(page.locator("#sign-out-waiting")).to_contain_text("Còn 1 mục chưa gửi")
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
    finally:
        context.close()
    assert len(recorded()) == 1


# 4. The signature keeps every stroke across a rotation.

def _ink_columns(png: bytes) -> tuple[int, list[bool]]:
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.load()
    return width, [any(pixels[x, y] < 128 for y in range(0, height, 2)) for x in range(width)]


def test_a_signature_survives_a_rotation_mid_signature(live_server, browser):
    clerk = LiveSession(live_server.base_url, "clerk")
    number = register_result(clerk)
    postman = hand_to(live_server.base_url, "postman", [number])
    context, page = new_phone(browser)
    try:
        sign_in(page, live_server.base_url, "postman")
        open_item(page, number)
        page.click("#go-deliver")
        page.fill("#id-last4", "1234")
        draw_signature(page, "recipient")  # in portrait, on the left part of the pad
        page.set_viewport_size({"width": 740, "height": 360})  # the phone turns
        page.wait_for_timeout(500)
        pad = page.locator("canvas[data-signature=recipient]")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        assert box is not None
        # A last flourish near the right edge of the now wide pad.
        page.mouse.move(box["x"] + box["width"] - 60, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] - 15, box["y"] + box["height"] - 40, steps=6)
        page.mouse.up()
        screenshot(page, "trust-signature-rotated-740")
        page.click("#confirm-delivery")
        page.wait_for_selector("#held-items")
        wait_for_outbox(page, 0, timeout=30000)
    finally:
        context.close()
    [delivered] = events_of(postman, number, "delivered")
    sha = delivered["evidence"]["signature_sha256"]
    stored = next(Path(live_server.env["MEDIA_DIR"]).glob(f"*/*/{sha}")).read_bytes()
    width, inked = _ink_columns(stored)
    assert any(inked[: width // 3]), "the strokes drawn before the rotation are in the stored PNG"
    assert any(inked[width - width // 8:]), "the stroke drawn at the right edge after the rotation is in the stored PNG"
    drawn = [x for x, ink in enumerate(inked[: width // 2]) if ink]
    # Not stretched: the portrait stroke (about 240 px wide on screen) keeps its width.
    assert (drawn[-1] - drawn[0]) / 2 < 330


# 7. Several items for one person at one door: one form, one signature, an event each.

def test_several_items_for_one_person_take_one_form_and_one_signature(live_server, browser):
    clerk = LiveSession(live_server.base_url, "clerk")
    name = f"Trần Thị Nhiều {uuid.uuid4().hex[:4]}"
    first, second = register_result(clerk, name=name, spot=40), register_result(clerk, name=name, spot=40, fees=30000)
    neighbour = register_result(clerk, spot=40)
    postman = hand_to(live_server.base_url, "postman", [first, second, neighbour])
    due = [postman.get(f"/items/{n}").json()["cash_due_vnd"] for n in (first, second)]
    context, page = new_phone(browser)
    try:
        sign_in(page, live_server.base_url, "postman")
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
    finally:
        context.close()
    [one] = events_of(postman, first, "delivered")
    [two] = events_of(postman, second, "delivered")
    assert one["id"] != two["id"]
    assert one["evidence"]["signature_sha256"] == two["evidence"]["signature_sha256"]
    assert (one["evidence"]["cash_collected_vnd"], two["evidence"]["cash_collected_vnd"]) == tuple(due)
    assert events_of(postman, neighbour, "delivered") == []
