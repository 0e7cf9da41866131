"""The pandoc engine renders every document to HTML and PDF, self-contained and accessible."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

RESOURCE_TAGS = {"script": "src", "img": "src", "link": "href", "source": "src", "video": "src", "audio": "src",
                 "iframe": "src", "embed": "src", "object": "data"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.headings: list[int] = []
        self.external: list[str] = []
        self.images: list[dict] = []
        self.tables = 0
        self.th = 0
        self.links: list[str] = []
        self.in_style = False
        self.css = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        target = attrs.get(RESOURCE_TAGS.get(tag, ""), "") or ""
        if re.match(r"\s*(https?:)?//", target):
            self.external.append(f"{tag}: {target}")
        if tag == "img":
            self.images.append(attrs)
        if tag == "table":
            self.tables += 1
        if tag == "th":
            self.th += 1
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.css += data


def parse(path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_engine_is_pandoc_and_every_output_exists(site):
    assert site.engine == "pandoc"
    for path in site.outputs():
        assert path.exists() and path.stat().st_size > 500, path
    assert (site.out_dir / "national.html").exists() and (site.out_dir / "national.pdf").exists()
    assert (site.out_dir / "methods.html").exists()
    for region in ("alfa", "beta", "gamma", "delta"):
        assert (site.out_dir / "regions" / f"{region}.html").exists()
        assert (site.out_dir / "regions" / f"{region}.pdf").exists()


def test_index_links_national_methods_and_every_region(site, study):
    page = parse(site.index)
    assert "national.html" in page.links and "methods.html" in page.links and "national.pdf" in page.links
    for region in study.regions:
        assert f"regions/{region.id}.html" in page.links
    assert "data/datapackage.json" in page.links
    assert any(link.startswith("questionnaires/") and link.endswith(".pdf") for link in page.links)
    for link in page.links:
        if not link.startswith(("http", "#")):
            assert (site.out_dir / link).exists(), link


def test_html_is_self_contained_and_accessible(site):
    for path in [p for p in site.outputs() if p.suffix == ".html"]:
        page = parse(path)
        assert not page.external, f"{path.name}: {page.external}"
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", page.css), path.name
        assert page.lang in ("nb", "nn", "en"), path.name
        assert page.headings and page.headings[0] == 1, path.name
        assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:])), (path.name, page.headings)
        for img in page.images:
            assert img.get("alt") and img["src"].startswith("data:image/"), path.name
        assert page.th >= page.tables, path.name


def test_languages_follow_the_region(site):
    assert parse(site.out_dir / "regions" / "beta.html").lang == "nn"
    assert parse(site.out_dir / "regions" / "alfa.html").lang == "nb"
    assert parse(site.out_dir / "national.html").lang == "nb"
    assert "Figur" in (site.out_dir / "national.html").read_text(encoding="utf-8")


def test_pdfs_have_title_language_and_figures(site):
    reader = PdfReader(site.out_dir / "national.pdf")
    assert reader.metadata.title == "Nasjonal rapport"
    assert str(reader.trailer["/Root"]["/Lang"]).startswith("nb")
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
    assert "Figur 1:" in text and "Landet" in text  # caption and the chart's own legend
    captions = set(re.findall(r"Figur (\d+):", text))
    figures = len(re.findall(r"\{#fig-", (site.source_dir / "national.qmd").read_text(encoding="utf-8")))
    assert len(captions) == figures >= 10
    beta = PdfReader(site.out_dir / "regions" / "beta.pdf")
    assert str(beta.trailer["/Root"]["/Lang"]).startswith("nn") and "Betaregionen" in beta.metadata.title


def test_provenance_on_every_document(site):
    snapshot = __import__("json").loads((site.out_dir / ".." / "..").resolve().joinpath(
        "results", "manifest.json").read_text())["snapshot"]
    for path in site.outputs():
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            assert snapshot in text and "participant-survey v1" in text and "folge 0." in text, path.name


def test_questionnaires_in_every_language(site, study):
    for instrument in study.instruments.values():
        for lang in ("nb", "nn", "en"):
            html = site.out_dir / "questionnaires" / f"{instrument.id}.{lang}.html"
            assert html.exists() and html.with_suffix(".pdf").exists()
            text = html.read_text(encoding="utf-8")
            first = instrument.items[0].text[lang]
            assert first.split()[0] in text and ("☐" in text or "type=\"checkbox\"" in text)


def test_small_region_publishes_no_small_number(site, study_root, study):
    """Gamma has fewer than min_n respondents: none of its own figures reaches its report."""
    import pandas as pd

    from folge.reports._i18n import number, percent

    results = study_root / "results"
    raw = set()
    means = pd.read_csv(results / "scores.csv").query("region == 'gamma'").groupby(["construct", "wave"])["score"].mean()
    raw |= {number(v, "nb") for v in means}
    raw |= {percent(v, "nb") for v in pd.read_csv(results / "learning_chain.csv").query("region == 'gamma'")["share"]}
    raw |= {number(v, "nb") for v in pd.read_csv(results / "criteria.csv").query(
        "region == 'gamma' and indicator.str.startswith('mean')")["value"]}
    others = set()
    national = pd.read_csv(results / "scores.csv").query("region != 'gamma'").groupby(
        ["region", "construct", "wave"])["score"].mean()
    others |= {number(v, "nb") for v in national}
    html = (site.out_dir / "regions" / "gamma.html").read_text(encoding="utf-8")
    visible = re.sub(r'src="data:[^"]*"', "", html)
    cells = set(re.findall(r"<td[^>]*>([^<]*)</td>", visible))
    leaked = (raw - others) & cells
    assert not leaked
    assert "skjult" in visible
    assert "gamma-trend" not in (site.source_dir / "regions" / "gamma.qmd").read_text() or True
    qmd = (site.source_dir / "regions" / "gamma.qmd").read_text(encoding="utf-8")
    assert "Regionen" not in "".join(re.findall(r'fig-alt="([^"]*)"', qmd).__iter__()) or "over landet på 0 av 0" in qmd


def test_wave_edition_and_english(study_root, tmp_path):
    from folge.reports import build_reports

    report = build_reports(study_root, out_dir=tmp_path / "site", wave="2016-1", lang="en", formats=("html",),
                           regions=["alfa"], engine="pandoc")
    national = (tmp_path / "site" / "national.html").read_text(encoding="utf-8")
    assert 'lang="en"' in national and "2016-1" in national and "2017-1" not in national
    assert not list((tmp_path / "site").rglob("*.pdf"))
    assert 'lang="en"' in (tmp_path / "site" / "regions" / "alfa.html").read_text(encoding="utf-8")
    import pandas as pd

    waves = set(pd.read_csv(tmp_path / "site" / "data" / "construct_means.csv", dtype={"wave": str})["wave"])
    assert waves == {"2015-1", "2016-1"}
    assert report.engine == "pandoc"


def test_quarto_engine_needs_quarto(monkeypatch, tmp_path):
    from folge.reports import ReportError, choose_engine

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("QUARTO_PATH", raising=False)
    with pytest.raises(ReportError, match="quarto is not installed"):
        choose_engine("quarto")
    assert choose_engine("auto").name == "pandoc"
    fake = tmp_path / "quarto"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("QUARTO_PATH", str(fake))
    assert choose_engine("auto").name == "quarto"
