"""WCAG 2.1 AA with axe-core in headless Chromium: the national report and one region report.

Needs Debian's chromium, Playwright (pip) and axe-core (``npm ci``); a missing one fails
the test (tests/_axe.py), so CI cannot pass without checking.
"""

from __future__ import annotations

import pytest

from _axe import WCAG_TAGS, format_violations, launch_chromium, run_axe



@pytest.mark.parametrize("page_path", ["national.html", "regions/alfa.html", "regions/beta.html"])
def test_no_serious_or_critical_axe_violations(site, page_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the test extra
        pytest.fail("playwright is missing: pip install playwright (the test extra)")
    target = (site.out_dir / page_path).resolve()
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page()
            requests = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(target.as_uri())
            violations = run_axe(page, WCAG_TAGS, include_best_practice=False)
        finally:
            browser.close()
    external = [u for u in requests if u.startswith(("http://", "https://"))]
    assert not external, external
    bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
    assert not bad, format_violations(bad)
