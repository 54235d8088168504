"""Steps of the field app as a postman does them, for the end-to-end tests."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def sign_in(page: Page, base_url: str, username: str = "postman") -> None:
    """Open the app and sign in."""
    page.goto(base_url + "/")
    page.fill("#username", username)
    page.fill("#password", "tantay-demo")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#held-items, #overseer-home")  # a supervisor and an admin hold nothing


def draw_signature(page: Page, name: str) -> None:
    """Sign with the finger (pointer events) on the pad named `name`."""
    pad = page.locator(f"canvas[data-signature={name}]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 20 + step * 22, y + box["height"] * (0.7 - 0.4 * (step % 2)), steps=3)
    page.mouse.up()


def outbox_count(page: Page) -> int:
    """The number the header shows as waiting."""
    text = page.inner_text("#outbox-count")
    return int(re.search(r"(\d+)", text).group(1))  # type: ignore[union-attr]


def wait_for_outbox_at_most(page: Page, count: int, timeout: float = 20000) -> None:
    """Wait until the header shows `count` or fewer entries waiting (some may have gone)."""
    expect(page.locator("#outbox-count")).to_have_text(
        re.compile(rf"\b({'|'.join(str(n) for n in range(count + 1))})$"), timeout=timeout)


def wait_for_outbox(page: Page, count: int, timeout: float = 20000) -> None:
    """Wait until the header shows `count` entries waiting."""
    expect(page.locator("#outbox-count")).to_have_text(re.compile(rf"\b{count}$"), timeout=timeout)


def open_item(page: Page, number: str) -> None:
    """Type the number on the home screen and open the item."""
    page.goto(page.url.split("#")[0] + "#/")
    page.wait_for_selector("#tracking-input")
    page.fill("#tracking-input", number)
    page.click("#scan-form button[type=submit]")
    page.wait_for_selector("#item-screen")
