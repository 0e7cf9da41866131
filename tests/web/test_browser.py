"""The HTML questionnaire in headless Chromium: consent, pages, resume elsewhere, nb/nn/en, submit.

Also the acceptance path: a respondent invited by ``folge invite`` completes the whole
questionnaire in bokmål, and the answers appear in ``folge status`` and ``folge analyze``;
and axe-core finds no WCAG 2.1 A/AA violation on any of the pages.
"""

from __future__ import annotations

import csv
import re

import pytest

from folge.definitions import load_study
from folge.store import Store
from folge.web import hash_token
from folge.web._forms import pages_for

from playwright.sync_api import expect, sync_playwright

from _axe import format_violations, launch_chromium, run_axe
from _websupport import ADMIN_PASSWORD, invite, run_folge


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def assert_accessible(page, where: str) -> None:
    violations = run_axe(page)
    assert not violations, f"axe-core on {where}:\n{format_violations(violations)}"


def answer_page(page, values_by_item: dict[str, str]) -> None:
    for item, value in values_by_item.items():
        page.locator(f"input[name='{item}'][value='{value}']").check()


def test_respondent_completes_the_questionnaire_in_bokmal(study, server, browser, tmp_path):
    row = invite(study, "--wave", "2015-1", "--region", "kongsberg", "--role", "politician", "--count", "1",
                 "--base-url", server.url)[0]
    url = row["url"]
    loaded = load_study(study)
    pages = pages_for(loaded, ("participant-survey",))
    context = browser.new_context()
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    # --- information and consent, in the region's language
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "nb"
    expect(page.get_by_role("heading", level=1)).to_have_text("Informasjon om undersøkelsen")
    for heading in ("Hvem er ansvarlig?", "Formål", "Frivillig å delta", "Slik trekker du deg"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_text("personvern@example.org")).to_be_visible()
    assert_accessible(page, "the consent page")
    page.get_by_role("button", name="Start undersøkelsen", exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()  # consent is required
    assert_accessible(page, "the consent page with its error")
    # keyboard only: tab to the checkbox, tick it with space, submit with enter
    page.get_by_label("Jeg har lest informasjonen over og samtykker i å delta.").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    # --- page 1: a fieldset per question, progress shown, answered by keyboard
    expect(page).to_have_url(re.compile(r"/p/1\?lang=nb$"))
    expect(page.locator("#progress-text")).to_have_text(f"Side 1 av {len(pages)}")
    first = pages[0].construct.items
    assert page.locator("fieldset").count() == len(first)
    expect(page.locator("fieldset").first.locator("legend")).to_have_text(first[0].text["nb"])
    assert_accessible(page, "a question page")
    page.locator(f"input[name='{first[0].id}']").first.focus()  # arrow keys move within a radio group
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    chosen = {first[0].id: "3"}
    assert page.locator(f"input[name='{first[0].id}'][value='3']").is_checked()
    rest = {item.id: str(item.scale.values[-1]) for item in first[1:]}
    answer_page(page, rest)
    chosen.update(rest)
    page.get_by_role("button", name="Lagre og gå videre", exact=True).click()

    # --- an invalid value (a tampered form) is explained next to the question
    expect(page).to_have_url(re.compile(r"/p/2\?lang=nb$"))
    second = pages[1].construct.items
    page.evaluate(f"document.querySelector(\"input[name='{second[0].id}']\").value = '77'")
    page.locator(f"input[name='{second[0].id}']").first.check()
    page.get_by_role("button", name="Lagre og gå videre", exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(f"#{second[0].id}-error")).to_have_text("Velg ett av alternativene.")
    assert_accessible(page, "a question page with an error")
    values = {item.id: "2" for item in second}
    answer_page(page, values)
    chosen.update(values)
    page.get_by_role("button", name="Lagre og fortsett senere", exact=True).click()
    expect(page.locator("#saved")).to_contain_text("Svarene er lagret")

    # --- resume on another device: the saved page, answers filled in
    other = browser.new_context()
    elsewhere = other.new_page()
    elsewhere.goto(url)
    expect(elsewhere).to_have_url(re.compile(r"/p/2\?lang=nb$"))
    for item_id, value in values.items():
        assert elsewhere.locator(f"input[name='{item_id}'][value='{value}']").is_checked()

    # --- switch language: nynorsk, then English, then back to bokmål
    elsewhere.get_by_role("link", name="Nynorsk").click()
    assert elsewhere.locator("html").get_attribute("lang") == "nn"
    expect(elsewhere.locator("#progress-text")).to_have_text(f"Side 2 av {len(pages)}")
    expect(elsewhere.get_by_role("button", name="Lagre og gå vidare", exact=True)).to_be_visible()
    expect(elsewhere.locator("fieldset").first.locator("legend")).to_have_text(second[0].text["nn"])
    assert_accessible(elsewhere, "a question page in nynorsk")
    elsewhere.get_by_role("link", name="English").click()
    expect(elsewhere.get_by_role("button", name="Save and continue", exact=True)).to_be_visible()
    elsewhere.get_by_role("link", name="Bokmål").click()
    elsewhere.get_by_role("button", name="Lagre og gå videre", exact=True).click()
    other.close()

    # --- back on the first device: the remaining pages
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/p/3\?lang=nb$"))
    for number in range(3, len(pages) + 1):
        current = pages[number - 1].construct
        expect(page.locator("#progress-text")).to_have_text(f"Side {number} av {len(pages)}")
        if current.kind == "text":
            page.get_by_label(current.items[0].text["nb"]).fill("Godt samarbeid <b>i regionen</b>")
            chosen[current.items[0].id] = "Godt samarbeid <b>i regionen</b>"
        else:
            values = {item.id: str(item.scale.values[0]) for item in current.items}
            answer_page(page, values)
            chosen.update(values)
        page.get_by_role("button", name="Lagre og gå videre", exact=True).click()

    # --- review and submit, once
    expect(page.get_by_role("heading", level=1)).to_have_text("Send inn svarene")
    assert_accessible(page, "the submit page")
    page.get_by_role("button", name="Send inn", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Takk for svarene!")
    assert_accessible(page, "the thank-you page")
    page.goto(url + "/p/1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Takk for svarene!")
    assert page.locator("form").count() == 0
    assert not csp_errors, csp_errors
    context.close()

    # --- the answers are stored as a web import, exactly as given
    with Store.open(study) as store:
        (pseudonym,) = store.connection.execute(
            "SELECT respondent FROM invitations WHERE token_hash = ?", (hash_token(row["token"]),)).fetchone()
        stored = store.responses("participant-survey")
    mine = stored[stored["respondent"] == pseudonym]
    assert len(mine) == 1
    for item_id, value in chosen.items():
        assert str(mine.iloc[0][item_id]) == value, item_id

    # --- acceptance: folge status and folge analyze include them
    code, out, err = run_folge("status", "--study", str(study), "--by-role")
    assert code == 0, err
    assert re.search(r"participant-survey\s.*2015-1\s.*kongsberg\s.*politician\s", out), out
    results = tmp_path / "results"
    code, out, err = run_folge("analyze", "--study", str(study), "--out", str(results))
    assert code == 0, err + out
    with open(results / "scores.csv", encoding="utf-8") as handle:
        scores = [r for r in csv.DictReader(handle) if r["respondent"] == pseudonym]
    assert {r["construct"] for r in scores} >= {"learning-culture", "vision"}
    assert all(r["region"] == "kongsberg" and r["wave"] == "2015-1" and r["role"] == "politician" for r in scores)
    # response rates count the web invitations
    with Store.open(study) as store:
        invited = store.invitations()
    expected = len(invited[(invited["region"] == "kongsberg") & (invited["wave"] == "2015-1")
                           & (invited["role"] == "politician")])
    with open(results / "response_rates.csv", encoding="utf-8") as handle:
        rates = [r for r in csv.DictReader(handle)
                 if (r["region"], r["wave"], r["role"]) == ("kongsberg", "2015-1", "politician")]
    assert len(rates) == 1 and int(float(rates[0]["invited"])) == expected
    assert rates[0].get("source", "invitations") == "invitations"


def test_admin_page_is_accessible(server, browser):
    context = browser.new_context(http_credentials={"username": "admin", "password": ADMIN_PASSWORD})
    page = context.new_page()
    page.goto(f"{server.url}/admin")
    expect(page.get_by_role("table")).to_be_visible()
    assert_accessible(page, "/admin")
    context.close()


def test_message_pages_are_accessible(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/s/{'Z' * 32}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lenken er ikke gyldig")
    assert_accessible(page, "the unknown-link page")
    context.close()
