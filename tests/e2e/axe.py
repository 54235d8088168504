"""Accessibility checks in the browser tests: axe-core (npm, pinned in pwa/package.json).

Every screen a person uses must pass with no serious or critical violation; moderate and
minor findings are reported by axe but do not fail a test.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page (or on the element matching `context`); its violations."""
    assert AXE_SCRIPT.exists(), f"axe-core missing at {AXE_SCRIPT}: run `make test` to install it"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "async (context) => await window.axe.run(context ? document.querySelector(context) : document,"
        " {resultTypes: ['violations']})", context)
    return list(result["violations"])


def assert_accessible(page: Page, screen: str, context: str | None = None) -> None:
    """Fail with a readable list when axe finds a serious or critical violation on the screen."""
    blocking = [v for v in axe_violations(page, context) if v.get("impact") in BLOCKING_IMPACTS]
    described = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                    for node in v["nodes"][:5])
        for v in blocking)
    assert not blocking, f"axe-core on {screen}: serious or critical violations\n{described}"
