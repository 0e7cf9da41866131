"""The whole site in every language (``folge report --lang all``), its renderer and its charts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from folge.cli import main
from folge.reports._i18n import t

LANGS = ("nb", "nn", "en")
#: the marker word of a hidden cell, per language (reports.yaml, ``suppressed``)
HIDDEN = {lang: t("suppressed", lang) for lang in LANGS}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang, self.links = None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def all_site(study_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("all") / "site"
    code = main(["report", "--study", str(study_root), "--out", str(out), "--lang", "all", "--format", "html",
                 "--engine", "pandoc"])
    assert code == 0
    return out


def test_every_language_gets_every_document(all_site, study):
    homes = {"nb": all_site, "nn": all_site / "nn", "en": all_site / "en"}
    for lang, home in homes.items():
        for name in ("index.html", "national.html", "methods.html"):
            assert _page(home / name).lang == lang, (lang, name)
        for region in study.regions:  # every region in every language, whatever the region's own
            assert _page(home / "regions" / f"{region.id}.html").lang == lang, (lang, region.id)


def test_open_data_audit_and_questionnaires_are_made_once(all_site, study):
    assert (all_site / "data" / "datapackage.json").exists() and (all_site / "disclosure-audit.json").exists()
    for lang in ("nn", "en"):
        assert not (all_site / lang / "data").exists() and not (all_site / lang / "questionnaires").exists()
        assert not (all_site / lang / "disclosure-audit.json").exists()
    for instrument in study.instruments:
        for lang in LANGS:
            assert (all_site / "questionnaires" / f"{instrument}.{lang}.html").exists()


def test_every_index_link_resolves(all_site):
    for home in (all_site, all_site / "nn", all_site / "en"):
        links = [link for link in _page(home / "index.html").links if not link.startswith(("http", "#"))]
        assert any(link.endswith("datapackage.json") for link in links)
        assert any("questionnaires/" in link for link in links)
        for link in links:
            assert (home / link).resolve().exists(), (home, link)


def test_each_index_links_the_other_languages_in_their_own_names(all_site):
    homes = {"nb": all_site, "nn": all_site / "nn", "en": all_site / "en"}
    names = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
    for lang, home in homes.items():
        text = (home / "index.html").read_text(encoding="utf-8")
        for other, other_home in homes.items():
            link = Path(os.path.relpath(other_home / "index.html", home)).as_posix()
            anchor = f'<a href="{link}"><span lang="{other}">{names[other]}</span></a>'
            assert (anchor in text) == (other != lang), (lang, other)


def test_one_disclosure_choice_for_every_language(all_site, study):
    """The same cells are hidden in every language's report of every region."""
    for region in study.regions:
        counts = {lang: (all_site / ("" if lang == "nb" else lang) / "regions" / f"{region.id}.html")
                  .read_text(encoding="utf-8").count(f"<em>{HIDDEN[lang]}</em>") for lang in LANGS}
        assert len(set(counts.values())) == 1, (region.id, counts)
    assert sum((all_site / "regions" / f"{r.id}.html").read_text(encoding="utf-8").count(f"<em>{HIDDEN['nb']}</em>")
               for r in study.regions) > 0  # the fabricated study has hidden cells (gamma)


def test_report_help_names_lang_all(capsys):
    assert main(["report", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "[nb|nn|en|all]" in text and "OUT/LANG" in text


def test_one_pandoc_run_writes_what_two_runs_write(site, tmp_path):
    """``_render.lua`` (one run, both outputs) against the two-run fallback on the same document."""
    from folge.reports._quarto import PandocRenderer

    source = tmp_path / "source"
    shutil.copytree(site.source_dir, source)
    qmd = source / "regions" / "alfa.qmd"
    qmd.with_suffix(".typ").unlink(missing_ok=True)
    once = PandocRenderer(source)
    once._render_once(qmd, tmp_path / "once.html", qmd.with_suffix(".typ"))
    assert not once._single_run_failed
    typ_once = qmd.with_suffix(".typ").read_text(encoding="utf-8")
    twice = PandocRenderer(source)
    twice.html(qmd, tmp_path / "twice.html")
    typ_twice = twice.typst_source(qmd).read_text(encoding="utf-8")
    assert typ_once == typ_twice
    strip = lambda path: re.sub(r"\s+", " ", re.sub(r'<style[^>]*>.*?</style>|src="data:[^"]*"|role="img" '
                                                   r'|aria-label="[^"]*" ', "", path.read_text(encoding="utf-8"),
                                                   flags=re.S))
    assert strip(tmp_path / "once.html") == strip(tmp_path / "twice.html")
    html = (tmp_path / "once.html").read_text(encoding="utf-8")
    assert 'src="data:image/svg+xml;base64,' in html and "th, td { hyphens: manual" in html


def test_the_renderer_falls_back_to_two_runs(site, tmp_path):
    from folge.reports._quarto import PandocRenderer

    source = tmp_path / "source"
    shutil.copytree(site.source_dir, source)
    renderer = PandocRenderer(source)
    renderer._single_run_failed = "pandoc lua unavailable (forced by the test)"
    renderer.render(source / "national.qmd", html=tmp_path / "national.html")
    html = (tmp_path / "national.html").read_text(encoding="utf-8")
    assert 'lang="nb"' in html and "data:image/svg+xml" in html


def test_charts_need_no_plotting_library():
    """Drawing every kind of chart imports no matplotlib (it is only a font folder for typst)."""
    code = """
import sys
import pandas as pd
from folge.reports._figures import TrendWords, construct_chart
means = pd.DataFrame({"construct": ["c"] * 4, "region": ["all", "all", "r", "r"], "role": ["all"] * 4,
                      "wave": ["1", "2", "1", "2"], "mean": [3.0, 3.4, 2.8, 3.6], "ci_low": [2.8, 3.2, 2.4, 3.1],
                      "ci_high": [3.2, 3.6, 3.2, 4.1], "suppressed": [False] * 4})
eb = pd.DataFrame({"construct": ["c"], "region": ["r"], "wave": ["2"], "n": [8], "eb": [3.5], "eb_se": [0.2],
                   "suppressed": [False]})
words = TrendWords("cap", lambda f: str(sorted(f["eb"].items())), {"1": "mars\\n2015", "2": "mars\\n2016"},
                   "Regionen", "Landet", "EB-estimat")
chart = construct_chart(means, "c", {"1": 735658.0, "2": 736024.0}, "nb", name="t", words=words, region="r", eb=eb)
svg = chart.svg.decode()
assert "EB-estimat" in svg and "Landet" in svg and "mars" in svg and chart.alt == "[('2', 3.5)]", chart.alt
assert "matplotlib" not in sys.modules
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]
