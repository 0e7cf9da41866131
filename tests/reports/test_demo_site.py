"""The demo's published site: every page linked, nothing external, nothing from too few answers."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from folge.definitions import load_study


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append((tag, name, value))


def _links(path) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


@pytest.fixture(scope="module")
def site(demo_study):
    return demo_study / "reports" / "_site"


@pytest.fixture(scope="module")
def truth(demo_study):
    return json.loads((demo_study / "truth.json").read_text(encoding="utf-8"))


def test_index_links_national_methods_and_every_region(site, demo_study):
    hrefs = {value for tag, _, value in _links(site / "index.html") if tag == "a"}
    study = load_study(demo_study)
    expected = {"national.html", "methods.html", *(f"regions/{r.id}.html" for r in study.regions)}
    assert expected <= hrefs
    for target in expected:
        assert (site / target).exists(), target
        assert (site / target).with_suffix(".pdf").exists() or target == "methods.html"


def test_no_page_makes_an_external_request(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        for tag, name, value in _links(page):
            if tag == "a":
                continue  # links a reader may follow are not requests the page makes
            assert not re.match(r"(?i)^(https?:)?//", value), (page.name, tag, name, value)


def test_every_open_data_row_has_n_and_suppressed_and_none_below_min_n(site, truth):
    files = sorted((site / "data").glob("*.csv"))
    assert len(files) >= 10
    min_n = truth["min_n"]
    for path in files:
        table = pd.read_csv(path, dtype={"suppressed": "string", "exempt": "string"})
        assert {"n", "suppressed"} <= set(table.columns), path.name
        assert set(table["suppressed"].dropna()) <= {"true", "false"}, path.name
        shown = table[table["suppressed"] == "false"]
        if "exempt" in shown:
            shown = shown[shown["exempt"] != "true"]
        assert (shown["n"] >= min_n).all(), (path.name, shown.loc[shown["n"] < min_n].head())
        hidden = table[table["suppressed"] == "true"]
        assert hidden["n"].isna().all(), path.name


def test_the_small_regions_page_shows_none_of_its_own_figures(site, demo_study, truth):
    small = truth["small_region"]
    scores = pd.read_csv(demo_study / "results" / "scores.csv", dtype={"region": "string", "wave": "string"})
    own = scores[(scores["region"] == small) & scores["score"].notna()]
    means = own.groupby(["construct", "wave"])["score"].mean()
    figures = {f"{value:.2f}".replace(".", ",") for value in means}
    # a figure that also stands on the national page may be a national figure by chance
    national = (site / "national.html").read_text(encoding="utf-8")
    telling = {f for f in figures if f not in national}
    assert len(telling) >= 5  # the check has something to look for
    page = (site / "regions" / f"{small}.html").read_text(encoding="utf-8")
    leaked = sorted(f for f in telling if re.search(rf"(?<![\d,]){re.escape(f)}(?![\d])", page))
    assert leaked == []
    assert "skjult" in page
