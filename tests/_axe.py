"""Accessibility checks with axe-core in a Playwright page, shared by the web and report tests.

axe-core comes from npm (``package.json`` at the repository root; ``.ci/setup-test-env``
runs ``npm ci``). It is injected through Playwright's evaluate, which a page's
content-security policy does not block, so pages are checked with their real headers.
A missing axe-core or chromium fails the test: CI must install them, not skip them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["AXE_PATH", "CHROMIUM", "CHROMIUM_ARGS", "WCAG_TAGS", "launch_chromium", "run_axe",
           "format_violations"]

AXE_PATH = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: WCAG 2.1 level A and AA, the bar for public web solutions in Norway.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def launch_chromium(playwright):
    """Debian's chromium under Playwright, headless; fails (never skips) when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), "
                    "as .ci/setup-test-env does")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def _axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail(f"axe-core is missing ({AXE_PATH}): run 'npm ci' at the repository root")
    return AXE_PATH.read_text(encoding="utf-8")


def run_axe(page, tags: list[str] | None = None, include_best_practice: bool = True) -> list[dict]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A/AA, plus best practice)."""
    page.evaluate(_axe_source())
    values = list(tags or WCAG_TAGS) + (["best-practice"] if include_best_practice else [])
    result = page.evaluate(
        "async (values) => await axe.run(document, {runOnly: {type: 'tag', values}, resultTypes: ['violations']})",
        values)
    return result["violations"]


def format_violations(violations: list[dict]) -> str:
    """Violations as readable lines: rule, impact, help and the offending elements."""
    lines = []
    for v in violations:
        targets = "; ".join(", ".join(map(str, node["target"]))
                            for node in v["nodes"][:5])
        lines.append(f"{v['id']} ({v.get('impact')}): {v['help']} → {targets}")
    return "\n".join(lines)
