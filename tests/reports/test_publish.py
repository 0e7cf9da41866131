"""Public documents people read: PDF/UA-1, tables that read, a one-page summary, charts with dates."""

from __future__ import annotations

import re

import pikepdf
import pdfplumber
import pytest
from ruamel.yaml import YAML

from folge._paths import defaults_dir

from pdf_layout import table_layout


def _words(lang: str) -> dict:
    return YAML(typ="safe").load((defaults_dir() / "reports" / "words" / f"{lang}.yaml").read_text(encoding="utf-8"))


def _pdfs(site):
    found = [d.pdf for d in site.documents if d.pdf is not None]
    assert found
    return found


def _structure_types(pdf: pikepdf.Pdf):
    """Every structure element of the tree: (type, element)."""
    seen, stack = [], [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                seen.append((str(kid.S), kid))
                stack.append(kid)
    return seen


def test_every_pdf_is_pdf_ua_1(site):
    for path in _pdfs(site):
        with pikepdf.open(path) as pdf:
            assert "/StructTreeRoot" in pdf.Root, path
            assert str(pdf.Root.Lang)[:2] in ("nb", "nn", "en"), path
            assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True, path
            meta = pdf.open_metadata()
            assert meta.get("pdfuaid:part") == "1", path
            assert meta.get("dc:title"), path
            elements = _structure_types(pdf)
            figures = [e for kind, e in elements if kind == "/Figure"]
            assert all(str(f.get("/Alt", "")).strip() for f in figures), path
            kinds = {kind for kind, _ in elements}
            assert "/H1" in kinds, path  # the title is the one level-1 heading
            if "/Table" in kinds:
                assert "/TH" in kinds, path


def test_region_pdf_figures_carry_alt_text(site):
    with pikepdf.open(site.out_dir / "regions" / "alfa.pdf") as pdf:
        figures = [e for kind, e in _structure_types(pdf) if kind == "/Figure"]
    assert len(figures) >= 5


def test_table_cells_are_neither_hyphenated_nor_justified(site):
    total_cells = 0
    for path in _pdfs(site):
        found = table_layout(path)
        total_cells += found.cells
        assert found.hyphen_breaks <= 2, (path, found.examples)
        assert found.justified_lines <= 2, path
    assert total_cells > 200  # the counter did see the tables


def test_the_counter_sees_hyphenation_when_cells_are_justified(tmp_path):
    """The layout counter itself: a justified, hyphenated narrow table is caught."""
    import typst

    src = tmp_path / "t.typ"
    src.write_text('#set document(title: [t])\n#set text(lang: "nb")\n#set par(justify: true)\n'
                   '#table(columns: (2.2cm, 2.2cm), table.header([Kriterium], [Vurdering]),\n'
                   + "".join('[Administrativ forankring og samhandling], [ikke oppfylt fordi nivået er for lavt],\n'
                             for _ in range(6)) + ')\n', encoding="utf-8")
    typst.compile(str(src), output=str(tmp_path / "t.pdf"))
    found = table_layout(tmp_path / "t.pdf")
    assert found.hyphen_breaks > 2 and found.justified_lines > 2


def _pages_text(path) -> list[str]:
    with pdfplumber.open(str(path)) as pdf:
        return [(p.extract_text() or "").replace("\xa0", " ") for p in pdf.pages[:2]]


@pytest.mark.parametrize("doc_id", ["alfa", "beta", "national"])
def test_the_summary_fills_the_first_page_and_ends_there(site, doc_id):
    doc = next(d for d in site.documents if d.id == doc_id)
    words = _words(doc.lang)["summary"]
    first, second = _pages_text(doc.pdf)
    flat = " ".join(first.split())
    for key in ("title", "verdicts_title", "changes_title", "thin_title", "response_title", "end"):
        assert " ".join(words[key].split()) in flat, (doc_id, key)
    assert " ".join(words["end"].split()) not in " ".join(second.split())
    assert words["changes_title"] not in second and words["verdicts_title"] not in second
    # every criterion has a line with its verdict's shape and word
    qmd = doc.qmd.read_text(encoding="utf-8")
    summary = qmd.split("::: {.summary}", 1)[1].split(":::", 1)[0]
    verdict_lines = [line for line in summary.splitlines() if line.startswith("- **")]
    assert verdict_lines and all(re.match(r"- \*\*[●◐○–◇·] \S|- \*\*\w", line) for line in verdict_lines)


def test_nynorsk_region_summary_is_in_nynorsk_and_english_on_request(site, study_root, tmp_path):
    beta = (site.source_dir / "regions" / "beta.qmd").read_text(encoding="utf-8")
    nn = _words("nn")["summary"]
    assert f"## {nn['title']}" in beta and nn["verdicts_title"] in beta and "bølgje" in beta
    assert _words("nb")["summary"]["verdicts_title"] not in beta
    from folge.reports import build_reports

    english = build_reports(study_root, out_dir=tmp_path / "en", engine="pandoc", lang="en", formats=("html",),
                            regions=["beta"])
    text = (english.source_dir / "regions" / "beta.qmd").read_text(encoding="utf-8")
    en = _words("en")["summary"]
    assert f"## {en['title']}" in text and en["changes_title"] in text and nn["verdicts_title"] not in text


def test_trend_figures_are_per_construct_with_dates_and_findings(site, study):
    qmd = (site.source_dir / "regions" / "alfa.qmd").read_text(encoding="utf-8")
    figures = re.findall(r'\{#fig-trend-([\w-]+) fig-alt="([^"]*)"\}', qmd)
    scale_constructs = {c.id for i in study.instruments.values() if i.level == "respondent"
                        for c in i.constructs if c.kind == "scale"}
    assert figures and {cid for cid, _ in figures} <= scale_constructs and len(figures) >= 3
    months = _words("nb")["figures"]["months"].split()
    for _, alt in figures:
        assert re.search(r"\d,\d", alt) and any(m in alt for m in months), alt  # numbers and dates, not a chart type
        assert "diagram" not in alt.lower()
    svg = next((site.source_dir / "regions" / "figures").glob("alfa-trend-*.svg")).read_text(encoding="utf-8")
    short = _words("nb")["figures"]["months_short"].split()
    assert any(m in svg for m in short)  # dates on the axis, not wave indexes


def test_summary_uses_intervals_and_mde_when_the_rules_give_them(study_root, study):
    """rules.csv (ci_low, ci_high, mde) feeds the summary: an interval per verdict, the mde where thin."""
    from folge.reports import public_tables, read_results
    from folge.reports._documents import Edition, Templates
    from folge.reports._public import waves_upto
    from folge.reports._summary import summary_blocks

    results = read_results(study_root / "results", study)
    tables = public_tables(results, study)
    crit = tables["criteria"].frame
    region_rows = crit[(crit["region"] == "alfa") & ~crit["suppressed"].astype(bool)]
    wave = max(region_rows["wave"])
    target = region_rows[region_rows["wave"] == wave].index[0]
    crit.loc[target, "verdict"] = "inconclusive"
    crit["ci_low"], crit["ci_high"], crit["mde"] = float("nan"), float("nan"), float("nan")
    crit.loc[target, ["value", "ci_low", "ci_high", "mde"]] = [3.41, 3.12, 3.70, 0.27]
    edition = Edition(study, tables, waves_upto(study, results, None), None, {"analysed": ""})
    templates = Templates(defaults_dir() / "reports" / "templates")
    blocks = summary_blocks(edition, "alfa", "nb", templates.say("nb"))
    assert "3,41, 95 % KI 3,12–3,70" in blocks.verdicts
    assert "? ikke avklart ennå" in blocks.verdicts  # a shape and the catalogue's word, never colour alone
    assert "minste påviselige forskjell 0,27" in blocks.thin
    english = summary_blocks(edition, "alfa", "en", templates.say("en"))
    assert "3.41, 95% CI 3.12–3.70" in english.verdicts and "smallest detectable difference 0.27" in english.thin
