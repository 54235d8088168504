"""The field app's two budgets: first-load weight and the offline reload of the app shell.

1. Gzipped bytes (level 9) of what the first load fetches to start the app: app.js,
   styles.css and every chunk under dist/chunks except the jsQR decoder, which is loaded only
   when a phone has no BarcodeDetector and the camera is opened. Budget: 100 KB.
2. The app shell reloaded with the network cut, in headless Chromium on a phone-sized page
   signed in as the demo postman, against a real server (gunicorn on a fresh SQLite database,
   migrated and seeded): navigation timing (loadEventEnd − startTime) and the wall time of
   `page.reload(wait_until="load")`, p50 and p99 of N reloads. Budget: 1 s. The same
   reloads online are measured first, as a baseline from the same run.

Prints the details and writes them to bench/results/pwa_budget.json, then the contract's
rows (BENCH_CONTRACT.md; `measure(args)` for bench/run_all.py); asserts nothing. Stops by
itself in well under a minute. Needs the built app (`make pwa`) and Chromium (`make chromium`).

    .venv/bin/python bench/pwa_budget.py [--quick] [--reloads 10]
"""
from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.common import complete_args, percentile, write_details  # noqa: E402
from bench.live_server import Gunicorn, free_port  # noqa: E402
from bench.table import note_row, print_rows, row  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

DIST = PROJECT / "pwa" / "dist"
RESULTS = PROJECT / "bench" / "results" / "pwa_budget.json"
FIRST_LOAD_BUDGET_BYTES = 100 * 1024
RELOAD_BUDGET_S = 1.0
BENCHMARK = "PWA"
LAZY_CHUNK_PREFIX = "jsQR-"
START_TIMEOUT_S = 30
#: The demo postman, as `flask seed-demo` makes them.
USERNAME = "postman"
#: Navigation timing of the page now shown, in milliseconds from the navigation's start.
NAVIGATION_TIMING_JS = """() => {
  const [entry] = performance.getEntriesByType("navigation");
  return { load_ms: entry.loadEventEnd - entry.startTime,
           dom_content_loaded_ms: entry.domContentLoadedEventEnd - entry.startTime,
           response_end_ms: entry.responseEnd - entry.startTime };
}"""


def gzipped_size(path: Path) -> int:
    """Bytes of the file gzipped at level 9, as a server would send it compressed."""
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def first_load_files() -> tuple[list[Path], list[Path]]:
    """The JS and CSS of the first load, and the lazily loaded jsQR chunk(s)."""
    chunks = sorted((DIST / "chunks").glob("*.js")) if (DIST / "chunks").is_dir() else []
    lazy = [chunk for chunk in chunks if chunk.name.startswith(LAZY_CHUNK_PREFIX)]
    eager = [DIST / "app.js", DIST / "styles.css", *(chunk for chunk in chunks if chunk not in lazy)]
    return eager, lazy


def weigh_bundle() -> dict[str, Any]:
    """Raw and gzipped bytes per file, the first-load total and the lazy total."""
    eager, lazy = first_load_files()

    def rows(paths: list[Path]) -> list[dict[str, Any]]:
        return [{"file": str(path.relative_to(DIST)), "bytes": path.stat().st_size,
                 "gzip_bytes": gzipped_size(path)} for path in paths]

    first, later = rows(eager), rows(lazy)
    return {
        "budget_gzip_bytes": FIRST_LOAD_BUDGET_BYTES,
        "first_load": first,
        "first_load_gzip_bytes": sum(row["gzip_bytes"] for row in first),
        "lazy": later,
        "lazy_gzip_bytes": sum(row["gzip_bytes"] for row in later),
    }


def print_bundle(weights: dict[str, Any]) -> None:
    """The per-file table and both totals against the budget."""
    print(f"First-load JS+CSS, gzip -9 (budget {FIRST_LOAD_BUDGET_BYTES / 1024:g} KB = {FIRST_LOAD_BUDGET_BYTES} bytes)")
    print(f"  {'file':<34} {'bytes':>9} {'gzip':>9}")
    for weight in weights["first_load"]:
        print(f"  {weight['file']:<34} {weight['bytes']:>9} {weight['gzip_bytes']:>9}")
    total = weights["first_load_gzip_bytes"]
    verdict = "within" if total <= FIRST_LOAD_BUDGET_BYTES else "OVER"
    print(f"  {'first load total':<34} {'':>9} {total:>9}  = {total / 1024:.1f} KB, "
          f"{100 * total / FIRST_LOAD_BUDGET_BYTES:.0f}% of budget ({verdict})")
    print("Loaded on demand (camera without BarcodeDetector), not counted:")
    for weight in weights["lazy"]:
        print(f"  {weight['file']:<34} {weight['bytes']:>9} {weight['gzip_bytes']:>9}"
              f"  = {weight['gzip_bytes'] / 1024:.1f} KB")
    if not weights["lazy"]:
        print(f"  (no {LAZY_CHUNK_PREFIX}* chunk found)")


class Server(Gunicorn):
    """gunicorn on a fresh SQLite database in a temporary folder; stopped by `stop()`."""

    def __init__(self, folder: Path) -> None:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
               "MEDIA_DIR": str(folder / "media"), "SECRET_KEY": "bench-secret",
               "PASSWORD_HASH_FAST": "1", "BASE_URL": base_url,
               "LOGIN_RATE_LIMIT": "1000 per minute"}
        super().__init__(env, port, folder / "gunicorn.log", workers=2, threads=4,
                         start_timeout_s=START_TIMEOUT_S)

    def start(self) -> None:
        """Migrate, seed the demo, start gunicorn and wait until it answers."""
        for command in (("db", "upgrade"), ("seed-demo", "--citizens", "20")):
            done = self.flask(*command, timeout=120)
            if done.returncode != 0:
                raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stderr}")
        super().start()


def reload_many(page: Any, count: int) -> dict[str, Any]:
    """Reload `count` times; navigation timing, wall times and where the responses came from."""
    responses: list[Any] = []

    def record(response: Any) -> None:
        responses.append(response)

    page.on("response", record)
    load_ms, wall_ms, first_screen_ms, page_from_worker, assets_from_network = [], [], [], [], []
    try:
        for _ in range(count):
            responses.clear()
            began = time.perf_counter()
            document = page.reload(wait_until="load")
            loaded = time.perf_counter()
            page.wait_for_selector("#held-items, #sign-in", timeout=10_000)
            shown = time.perf_counter()
            page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
            timing = page.evaluate(NAVIGATION_TIMING_JS)
            load_ms.append(timing["load_ms"])
            wall_ms.append((loaded - began) * 1000)
            first_screen_ms.append((shown - began) * 1000)
            page_from_worker.append(bool(document and document.from_service_worker))
            assets_from_network.extend(r.url for r in responses
                                       if not r.from_service_worker and "/api/" not in r.url)
    finally:
        page.remove_listener("response", record)

    def summary(values: list[float]) -> dict[str, float]:
        return {"p50": round(percentile(values, 0.5), 1), "p99": round(percentile(values, 0.99), 1),
                "samples": [round(value, 1) for value in values]}

    return {
        "reloads": count,
        "navigation_load_ms": summary(load_ms),
        "reload_wall_ms": summary(wall_ms),
        "first_screen_wall_ms": summary(first_screen_ms),
        "page_from_service_worker": sum(page_from_worker),
        "shell_files_from_network": sorted(set(assets_from_network)),
    }


def measure_reloads(base_url: str, count: int, password: str) -> dict[str, Any]:
    """Sign in on a phone-sized page, let the service worker take control, then reload
    `count` times online and `count` times offline."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: run `make chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                          device_scale_factor=2, is_mobile=True, has_touch=True)
            page = context.new_page()
            page.goto(base_url + "/", wait_until="load")
            page.fill("#username", USERNAME)
            page.fill("#password", password)
            page.click("#sign-in button[type=submit]")
            signed_in = True
            try:
                page.wait_for_selector("#held-items", timeout=15_000)
            except Exception:  # noqa: BLE001 - the shell is still measured, signed out
                signed_in = False
            page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
            online = reload_many(page, count)
            context.set_offline(True)
            offline = reload_many(page, count)
            context.set_offline(False)
            context.close()
        finally:
            browser.close()
    return {"signed_in": signed_in, "budget_ms": RELOAD_BUDGET_S * 1000, "online": online, "offline": offline}


def print_reloads(reloads: dict[str, Any]) -> None:
    """p50/p99 online and offline, against the 1 s budget for the offline reload."""
    who = f"signed in as {USERNAME}" if reloads["signed_in"] else "SIGNED OUT (sign-in failed)"
    count = reloads["offline"]["reloads"]
    print(f"\nApp shell reload, headless Chromium 360×740, {who}, {count} reloads each "
          f"(budget offline p99 ≤ {RELOAD_BUDGET_S * 1000:.0f} ms)")
    print(f"  {'':<9} {'measure':<38} {'p50 ms':>8} {'p99 ms':>8}")
    for label in ("online", "offline"):
        figures = reloads[label]
        for key, name in (("navigation_load_ms", "loadEventEnd − startTime"),
                          ("reload_wall_ms", "page.reload(wait_until=load), wall"),
                          ("first_screen_wall_ms", "reload until the first screen, wall")):
            verdict = ""
            if label == "offline" and key != "first_screen_wall_ms":
                verdict = "  within" if figures[key]["p99"] <= RELOAD_BUDGET_S * 1000 else "  OVER"
            print(f"  {label:<9} {name:<38} {figures[key]['p50']:>8.1f} {figures[key]['p99']:>8.1f}{verdict}")
        from_network = figures["shell_files_from_network"]
        print(f"  {label:<9} page from the service worker: {figures['page_from_service_worker']}/{figures['reloads']};"
              f" shell files from the network: {len(from_network)}"
              + (f" ({', '.join(from_network)})" if from_network else ""))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 reloads online and offline")
    parser.add_argument("--reloads", type=int, default=10, help="reloads online and offline (default 10)")
    return parser


def rows_of(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The contract's rows: first-load weight, offline reload p50/p99 against online."""
    total = figures["bundle"]["first_load_gzip_bytes"]
    rows = [row(BENCHMARK, "first-load JS+CSS gzipped, before the lazy QR decoder", total / 1024,
                "KB", target=f"≤ {FIRST_LOAD_BUDGET_BYTES // 1024} KB",
                meets_target=total <= FIRST_LOAD_BUDGET_BYTES)]
    reload = figures.get("reload")
    if reload is None:
        return rows
    signed = "signed in" if reload["signed_in"] else "SIGNED OUT"
    for name in ("p50", "p99"):
        offline = reload["offline"]["reload_wall_ms"][name]
        rows.append(row(
            BENCHMARK, f"offline reload {name}, headless Chromium 360×740, {signed}, "
                       f"{reload['offline']['reloads']} reloads", offline, "ms",
            baseline=f"online reload {name}, same page", baseline_value=reload["online"]["reload_wall_ms"][name],
            target=f"≤ {RELOAD_BUDGET_S * 1000:.0f} ms",
            meets_target=offline <= RELOAD_BUDGET_S * 1000))
    return rows


def measure(args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """Weigh the bundle, time the reloads, print the details, answer the rows.

    The details also go to bench/results/pwa_budget.json. Bounded: a server start (≤ 30 s),
    one sign-in (≤ 15 s) and 2 × `--reloads` reloads (≤ 10 s each, about 0.1 s usually).
    """
    args = complete_args(build_parser(), args)
    reloads = min(args.reloads, 5) if args.quick else args.reloads
    if not (DIST / "app.js").exists():
        return [note_row(BENCHMARK, "first load and offline reload",
                         f"{DIST.relative_to(PROJECT)}/ is not built: run `make pwa` first")]

    from demo.seed import demo_password

    figures: dict[str, Any] = {"bundle": weigh_bundle()}
    print_bundle(figures["bundle"])
    with tempfile.TemporaryDirectory(prefix="pwa-budget-") as folder:
        server = Server(Path(folder))
        try:
            server.start()
            figures["reload"] = measure_reloads(server.base_url, reloads, demo_password())
        finally:
            server.stop()
    print_reloads(figures["reload"])
    write_details(RESULTS, figures)
    return rows_of(figures)


if __name__ == "__main__":
    print_rows(measure(build_parser().parse_args()))
