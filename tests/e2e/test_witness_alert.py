"""The witness's refusal reaches the supervisor's screen, in real Chromium.

Two deployments on loopback (tests/api/test_witnesses.py): B witnesses A's custody log.
An insider rewrites A's history and re-signs it with A's own key; B refuses it, and A's
supervisor dashboard shows, in Vietnamese, which witness refused what and when.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.api.test_witnesses import _entries, _grow, _rewrite_history, _staff, pair  # noqa: F401
from tests.e2e.axe import assert_accessible

SHOTS = Path(os.environ.get("SHOTS_DIR", "test-artifacts"))
VIEWPORTS = {"phone-360": (360, 740), "desktop-1280": (1280, 800)}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_rewritten_history_refused_by_the_witness_shows_on_the_dashboard(pair, browser, viewport):
    log, witness = pair
    _staff(log)
    _grow(log, _entries("a", 5))
    width, height = VIEWPORTS[viewport]
    # bypass_csp: axe-core is injected as an inline script (the page itself keeps its CSP).
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{log.url}/supervisor")
        page.fill("#username", "supervisor")
        page.fill("#password", "tantay-demo")
        page.click("#sign-in-form button[type=submit]")
        page.wait_for_selector("#workspace", state="visible")
        page.wait_for_timeout(500)  # the alert's own call has answered: nothing to show
        assert page.locator("#witness-alert").is_hidden()

        _rewrite_history(log, _entries("forged", 12))  # B refuses the forged checkpoint
        page.reload()  # the session stays: the workspace comes back and the alert with it
        alert = page.wait_for_selector("#witness-alert", state="visible")
        text = alert.inner_text()
        assert "Nhân chứng độc lập từ chối sổ giám sát" in text
        assert "b.tantay.test/witness" in text
        assert "điểm kiểm 12 mục" in text and "viết lại" in text
        assert f"{witness.url}/log/witness" in text and "Mã 422" in text
        assert page.locator("#witness-alert-list[role=alert]").count() == 1
        assert_accessible(page, f"supervisor dashboard with a witness refusal ({viewport})")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"witness-alert-{viewport}.png"), full_page=True)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, "the alert makes the page scroll sideways"
        assert errors == []
    finally:
        context.close()
