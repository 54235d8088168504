"""The postman's hand, measured (issue 11, "Also"): what one delivery costs him on the phone.

Drives real headless Chromium at 360×740 (a phone: touch, device pixel ratio 2, a position
granted) against a real server (gunicorn on a fresh SQLite database, migrated and seeded, as
bench/pwa_budget.py starts it), signed in as the demo postman, with N results registered by the
clerk and handed to him. Prints, each with a baseline measured in the same run and the ratio:

1. Interactions for one delivery from the route to "saved": the taps, fields and signature
   strokes this script actually performs (counted as it performs them), and the scrolls it
   needed (a target outside the screen when its turn came). Baseline: the issue's count
   before it, "6 interactions plus scrolling" (the confirm button was below the fold).
2. Time from tapping "confirm" to the saved state (the home screen shown with its toast),
   p50/p99 over the N deliveries. Baseline: the time from tapping "deliver" to the delivery
   form shown, the same screen change without saving (no position fix, no signature PNG,
   no IndexedDB write).
3. First load (a fresh phone: no cache, no service worker) until the sign-in screen, and the
   reload of the signed-in app with the network cut until the first screen; p50/p99.
   Baselines: a bare static file of the same server opened in the same browser, and the same
   reload online.

Asserts nothing; no figure fails a run. Writes the details to bench/results/field_bench.json
and answers the contract's rows (`measure(args)` for bench/run_all.py). SQLite only (the
phone's figures do not depend on the server's database). Needs `make pwa` and Chromium.

    .venv/bin/python bench/field_bench.py [--quick] [--deliveries 20] [--reloads 10]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench.common import complete_args, percentile, write_details  # noqa: E402
from bench.pwa_budget import DIST, Server  # noqa: E402
from bench.table import note_row, print_rows, row  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.live_api import LiveSession  # noqa: E402
from tests.e2e.postman_day import OFFICE, hand_to, register_result  # noqa: E402

BENCHMARK = "Field app"
RESULTS = PROJECT / "bench" / "results" / "field_bench.json"
USERNAME = "postman"
#: The issue's count before it: route stop, deliver, last four digits, paper, signature,
#: confirm — "6 interactions plus scrolling".
ISSUE_BASELINE_INTERACTIONS = 6
#: A small static file of the same server, opened as a page: the bare-load baseline.
STATIC_BASELINE = "/manifest.webmanifest"
STEP_TIMEOUT_MS = 15_000
IN_VIEW_JS = """(el) => { const box = el.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight && box.left >= 0 && box.right <= window.innerWidth; }"""


class Hand:
    """The postman's hand: every tap, field and stroke goes through here and is counted,
    with a scroll counted whenever its target was not on the screen when its turn came."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.counts = {"taps": 0, "fields": 0, "signature_strokes": 0, "scrolls": 0}
        self.scrolled_to: dict[str, int] = {}

    def _reach(self, selector: str) -> Any:
        target = self.page.locator(selector).first
        target.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
        if not target.evaluate(IN_VIEW_JS):
            self.counts["scrolls"] += 1
            kind = selector.split(" >> ", maxsplit=1)[0].split("[data-number", maxsplit=1)[0]
            self.scrolled_to[kind] = self.scrolled_to.get(kind, 0) + 1
            target.scroll_into_view_if_needed()
        return target

    def tap(self, selector: str) -> None:
        self._reach(selector).tap()
        self.counts["taps"] += 1

    def type(self, selector: str, text: str) -> None:
        target = self._reach(selector)
        target.tap()
        target.fill(text)
        self.counts["fields"] += 1

    def sign(self, name: str) -> None:
        pad = self._reach(f"canvas[data-signature={name}]")
        box = pad.bounding_box()
        x, y = box["x"], box["y"]
        mouse = self.page.mouse
        mouse.move(x + 20, y + box["height"] * 0.7)
        mouse.down()
        for step in range(1, 12):
            mouse.move(x + 20 + step * 22, y + box["height"] * (0.7 - 0.4 * (step % 2)), steps=3)
        mouse.up()
        self.counts["signature_strokes"] += 1


def _summary(values: list[float]) -> dict[str, Any]:
    return {"p50": round(percentile(values, 0.5), 1), "p99": round(percentile(values, 0.99), 1),
            "samples": [round(value, 1) for value in values]}


def _timed(action: Callable[[], None], until: Callable[[], None]) -> float:
    began = time.perf_counter()
    action()
    until()
    return (time.perf_counter() - began) * 1000


def _phone(browser: Any, **extra: Any) -> Any:
    return browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", device_scale_factor=2,
                               is_mobile=True, has_touch=True, permissions=["geolocation"],
                               geolocation={"latitude": OFFICE[0] + 0.001, "longitude": OFFICE[1] + 0.001,
                                            "accuracy": 10}, **extra)


def measure_first_loads(browser: Any, base_url: str, count: int) -> dict[str, Any]:
    """A fresh phone each time: the app until its sign-in screen, and the bare static file."""
    app_ms, bare_ms = [], []
    for _ in range(count):
        context = _phone(browser)
        page = context.new_page()
        app_ms.append(_timed(lambda page=page: page.goto(base_url + "/", wait_until="commit"),
                             lambda page=page: page.wait_for_selector("#sign-in", timeout=STEP_TIMEOUT_MS)))
        context.close()
        context = _phone(browser)
        page = context.new_page()
        bare_ms.append(_timed(lambda page=page: page.goto(base_url + STATIC_BASELINE, wait_until="load"),
                              lambda: None))
        context.close()
    return {"app_until_sign_in_ms": _summary(app_ms), "bare_static_file_ms": _summary(bare_ms)}


def _sign_in(page: Any, base_url: str, password: str) -> None:
    page.goto(base_url + "/")
    page.fill("#username", USERNAME)
    page.fill("#password", password)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#held-items", timeout=STEP_TIMEOUT_MS)


def measure_reloads(page: Any, context: Any, count: int) -> dict[str, Any]:
    """The signed-in app reloaded until its first screen, online then with the network cut."""
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=STEP_TIMEOUT_MS)
    figures = {}
    for label, offline in (("online", False), ("offline", True)):
        context.set_offline(offline)
        figures[label] = _summary([
            _timed(lambda: page.reload(wait_until="commit"),
                   lambda: page.wait_for_selector("#held-items", timeout=STEP_TIMEOUT_MS))
            for _ in range(count)])
    context.set_offline(False)
    return figures


def deliver_one(hand: Hand, number: str) -> tuple[float, float]:
    """One delivery from the route to "saved", as a postman taps it. Answers the time from
    tapping "deliver" to the form, and from tapping "confirm" to the saved home screen."""
    page = hand.page
    page.goto(page.url.split("#")[0] + "#/route")
    page.wait_for_selector("#route-stops", timeout=STEP_TIMEOUT_MS)
    hand.tap(f"#route-stops li[data-number={number}] a[href^='#/item/']")
    page.wait_for_selector("#item-screen", timeout=STEP_TIMEOUT_MS)
    to_form = _timed(lambda: hand.tap("#go-deliver"),
                     lambda: page.wait_for_selector("#deliver-form", timeout=STEP_TIMEOUT_MS))
    hand.type("#id-last4", "1234")
    for index in range(page.locator("input.paper").count()):
        hand.tap(f"input.paper >> nth={index}")
    hand.sign("recipient")
    # The previous delivery's toast may still show: hidden, so the wait sees this one's.
    page.evaluate("document.getElementById('toast').classList.remove('visible')")
    saved = _timed(lambda: hand.tap("#confirm-delivery"),
                   lambda: (page.wait_for_selector("#held-items", timeout=STEP_TIMEOUT_MS),
                            page.wait_for_selector("#toast.visible", timeout=STEP_TIMEOUT_MS)))
    return to_form, saved


def measure_deliveries(page: Any, numbers: list[str]) -> dict[str, Any]:
    """Every delivery through one counted hand; the per-delivery counts and the two timings."""
    hand = Hand(page)
    form_ms, saved_ms = [], []
    for number in numbers:
        to_form, saved = deliver_one(hand, number)
        form_ms.append(to_form)
        saved_ms.append(saved)
    per_delivery = {key: value / len(numbers) for key, value in hand.counts.items()}
    interactions = per_delivery["taps"] + per_delivery["fields"] + per_delivery["signature_strokes"]
    return {"deliveries": len(numbers), "per_delivery": per_delivery, "interactions": interactions,
            "scrolls_by_target": hand.scrolled_to,
            "confirm_to_saved_ms": _summary(saved_ms), "deliver_to_form_ms": _summary(form_ms)}


def run(base_url: str, password: str, deliveries: int, reloads: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    clerk = LiveSession(base_url, "clerk", password)
    numbers = [register_result(clerk, spot=index % 9) for index in range(deliveries)]
    hand_to(base_url, USERNAME, numbers)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            first = measure_first_loads(browser, base_url, reloads)
            context = _phone(browser)
            page = context.new_page()
            _sign_in(page, base_url, password)
            reload = measure_reloads(page, context, reloads)
            delivered = measure_deliveries(page, numbers)
            context.close()
        finally:
            browser.close()
    return {"first_load": first, "reload": reload, "delivery": delivered}


def print_figures(figures: dict[str, Any]) -> None:
    delivery = figures["delivery"]
    each = delivery["per_delivery"]
    print(f"\nOne delivery from the route to \"saved\", headless Chromium 360×740, {delivery['deliveries']} deliveries")
    print(f"  taps {each['taps']:.1f} + fields {each['fields']:.1f} + signature strokes {each['signature_strokes']:.1f}"
          f" = {delivery['interactions']:.1f} interactions, scrolls needed {each['scrolls']:.1f}"
          f"  (issue's baseline: {ISSUE_BASELINE_INTERACTIONS} interactions plus scrolling;"
          f" ratio {delivery['interactions'] / ISSUE_BASELINE_INTERACTIONS:.2f})")
    print(f"  scrolled to, over all deliveries: {delivery['scrolls_by_target'] or 'nothing'}"
          " (the confirm button is not among them when it is within reach)")
    rows = (("tap confirm → saved (home + toast)", delivery["confirm_to_saved_ms"]),
            ("baseline: tap deliver → form shown", delivery["deliver_to_form_ms"]),
            ("first load → sign-in screen, fresh phone", figures["first_load"]["app_until_sign_in_ms"]),
            (f"baseline: bare static file {STATIC_BASELINE}", figures["first_load"]["bare_static_file_ms"]),
            ("reload offline → first screen", figures["reload"]["offline"]),
            ("baseline: reload online → first screen", figures["reload"]["online"]))
    print(f"  {'measure':<44} {'p50 ms':>8} {'p99 ms':>8}")
    for name, values in rows:
        print(f"  {name:<44} {values['p50']:>8.1f} {values['p99']:>8.1f}")
    for name, value, base in (("confirm → saved", delivery["confirm_to_saved_ms"], delivery["deliver_to_form_ms"]),
                              ("first load", figures["first_load"]["app_until_sign_in_ms"], figures["first_load"]["bare_static_file_ms"]),
                              ("offline reload", figures["reload"]["offline"], figures["reload"]["online"])):
        print(f"  ratio {name}: p50 ×{value['p50'] / base['p50']:.2f}, p99 ×{value['p99'] / base['p99']:.2f}")


def rows_of(figures: dict[str, Any]) -> list[dict[str, Any]]:
    delivery = figures["delivery"]
    count = delivery["deliveries"]
    rows = [row(BENCHMARK, "interactions for one delivery, route → saved (taps + fields + signature)",
                delivery["interactions"], "interactions",
                baseline="issue 11 before: 6 interactions plus scrolling",
                baseline_value=ISSUE_BASELINE_INTERACTIONS),
            row(BENCHMARK, "scrolls needed for one delivery, route → saved", delivery["per_delivery"]["scrolls"],
                "scrolls")]
    rows.extend(row(BENCHMARK, f"tap confirm → saved {name}, 360×740, {count} deliveries",
                    delivery["confirm_to_saved_ms"][name], "ms",
                    baseline=f"tap deliver → form shown {name}", baseline_value=delivery["deliver_to_form_ms"][name])
                for name in ("p50", "p99"))
    for name in ("p50", "p99"):
        rows.append(row(BENCHMARK, f"first load → sign-in screen {name}, fresh phone",
                        figures["first_load"]["app_until_sign_in_ms"][name], "ms",
                        baseline=f"bare static file {name}, same browser",
                        baseline_value=figures["first_load"]["bare_static_file_ms"][name]))
        rows.append(row(BENCHMARK, f"reload offline → first screen {name}", figures["reload"]["offline"][name], "ms",
                        baseline=f"reload online {name}", baseline_value=figures["reload"]["online"][name]))
    return rows


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 deliveries, 5 loads and reloads")
    parser.add_argument("--deliveries", type=int, default=30, help="deliveries timed (default 30, at least 20)")
    parser.add_argument("--reloads", type=int, default=10, help="first loads and reloads each (default 10)")
    parser.add_argument("--postgres", default=None, help="ignored: the phone's figures use SQLite")
    return parser


def measure(args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """Start the server, run the phone, print the details, answer the rows. Bounded: a server
    start (≤ 30 s) and every browser step waits at most 15 s."""
    args = complete_args(build_parser(), args)
    deliveries = 20 if args.quick else max(20, args.deliveries)
    reloads = 5 if args.quick else args.reloads
    if not (DIST / "app.js").exists():
        return [note_row(BENCHMARK, "one delivery", f"{DIST.relative_to(PROJECT)}/ is not built: run `make pwa` first")]
    if not Path(CHROMIUM).exists():
        return [note_row(BENCHMARK, "one delivery", f"Chromium not found at {CHROMIUM}: run `make chromium`")]

    from demo.seed import demo_password

    with tempfile.TemporaryDirectory(prefix="field-bench-") as folder:
        server = Server(Path(folder))
        try:
            server.start()
            figures = run(server.base_url, demo_password(), deliveries, reloads)
        finally:
            server.stop()
    print_figures(figures)
    write_details(RESULTS, figures)
    return rows_of(figures)


if __name__ == "__main__":
    print_rows(measure(build_parser().parse_args()))
