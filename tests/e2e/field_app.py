"""Steps of the field app as a postman does them, for the end-to-end tests."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.live_api import LiveSession
from tests.e2e.postman_day import hand_to, register_result


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


def new_phone(browser: Browser, position: tuple[float, float] | None = None, accuracy: float = 9,
              worker: bool = True, **extra: Any) -> tuple[BrowserContext, Page]:
    """A 360×740 phone; with `position`, geolocation is allowed and set there. Without
    `worker` the service worker is blocked: Playwright's offline switch does not reach it,
    and its Background Sync would send what a test needs kept on the phone."""
    options: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "locale": "vi-VN", "is_mobile": True,
                               "has_touch": True, "device_scale_factor": 2,
                               "service_workers": "allow" if worker else "block", **extra}
    if position:
        options["geolocation"] = {"latitude": position[0], "longitude": position[1], "accuracy": accuracy}
        options["permissions"] = [*options.get("permissions", []), "geolocation"]
    context = browser.new_context(**options)
    return context, context.new_page()


@dataclass
class PostmansPhone:
    """Results the clerk registered and handed to a postman, and a phone signed in as him."""

    numbers: list[str]
    postman: LiveSession
    context: BrowserContext
    page: Page

    @property
    def number(self) -> str:
        return self.numbers[0]


@contextmanager
def results_on_a_postmans_phone(browser: Browser, base_url: str, *results: dict[str, Any],
                                username: str = "postman", signed_in: bool = True,
                                **phone: Any) -> Iterator[PostmansPhone]:
    """The setup of the doorstep tests: the clerk registers one result per `results` entry
    (the keywords of `register_result`; one plain result when none is given), hands them to
    `username`, who signs for them and sets out; a new phone (`new_phone`'s keywords) opens
    the app, signed in as him unless `signed_in` is false. The phone is closed afterwards."""
    clerk = LiveSession(base_url, "clerk")
    numbers = [register_result(clerk, **fields) for fields in (results or ({},))]
    postman = hand_to(base_url, username, numbers)
    context, page = new_phone(browser, **phone)
    try:
        if signed_in:
            sign_in(page, base_url, username)
        yield PostmansPhone(numbers, postman, context, page)
    finally:
        context.close()


def fill_delivery(page: Page, last4: str = "1234") -> None:
    """The recipient's last four ID digits, every paper collected back, the signature."""
    page.fill("#id-last4", last4)
    for box in page.locator("input.paper").all():
        box.check()
    draw_signature(page, "recipient")


def events_of(session: LiveSession, number: str, kind: str) -> list[dict]:
    """The events of `kind` the server holds for `number`, as `session` reads them."""
    return [e for e in session.get(f"/items/{number}").json()["events"] if e["type"] == kind]
