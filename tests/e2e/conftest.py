"""A real server (gunicorn on a migrated, seeded database) and real headless Chromium.

Nothing here skips: without Chromium or the database the tests fail, as CI requires.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import free_port, own_database, wait_until_answers

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT / "test-artifacts"
#: Flags for a closed network: no background calls home, no sandbox as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


#: Re-exported under the names the fault tests import.
_free_port = free_port


class LiveServer:
    """The running server: its address and the environment it was started with."""

    def __init__(self, base_url: str, env: dict[str, str]) -> None:
        self.base_url = base_url
        self.env = env

    def flask(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a `flask --app wsgi` command against the server's database."""
        return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args],
                              cwd=PROJECT, env=self.env, capture_output=True, text=True, timeout=300,
                              check=False)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """gunicorn (gthread workers) serving the app on a migrated, seeded database."""
    tmp = tmp_path_factory.mktemp("live")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": own_database(tmp, "e2e"), "MEDIA_DIR": str(tmp / "media"),
           "SECRET_KEY": "e2e-secret", "PASSWORD_HASH_FAST": "1",
           "BASE_URL": f"http://127.0.0.1:{port}", "LOGIN_RATE_LIMIT": "1000 per minute"}
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    for command in (("db", "upgrade"), ("seed-demo", "--citizens", "40")):
        done = server.flask(*command)
        assert done.returncode == 0, done.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread",
         "--threads", "4", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "gunicorn.log", "w"))  # noqa: SIM115 (the server's, while it runs)
    try:
        wait_until_answers(server.base_url, process, 60, tmp / "gunicorn.log")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """Playwright, for tests that launch Chromium with flags of their own."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: run `make test` to install it"
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, driven by Playwright."""
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    """A page the size of a cheap Android phone (360×740), in Vietnamese."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Keep a screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
