"""The e-mail opt-out pages in headless Chromium: confirm, opt out, and axe-core finds no
WCAG 2.1 A/AA violation on either page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from _axe import format_violations, launch_chromium, run_axe
from _websupport import run_folge


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def optout_id(study, tmp_path_factory) -> str:
    """A contact in the Sogn region (nynorsk), imported as ``folge contacts import`` does."""
    from folge.mail import contact_pseudonym, optout_id
    from folge.pseudonym import load_key

    path = tmp_path_factory.mktemp("contacts") / "contacts.csv"
    path.write_text("email,region,role\nsigne@example.no,sogn,politician\n", encoding="utf-8")
    code, out, err = run_folge("contacts", "import", "--study", str(study), str(path))
    assert code == 0, err
    key = load_key(study)
    return optout_id(key, contact_pseudonym(key, "signe@example.no"))


def _accessible(page, where: str) -> None:
    violations = run_axe(page)
    assert not violations, f"axe-core on {where}:\n{format_violations(violations)}"


def test_optout_pages_are_accessible_and_work(server, browser, optout_id):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/optout/{optout_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Avslutt e-post om undersøkinga")
    assert page.locator("html").get_attribute("lang") == "nn"
    _accessible(page, "the opt-out confirmation page")
    page.get_by_role("button", name="Ja, send meg ikkje fleire e-postar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du får ikkje fleire e-postar")
    _accessible(page, "the opt-out thank-you page")
    context.close()
