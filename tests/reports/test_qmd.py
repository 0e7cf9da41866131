"""The generated .qmd files are well-formed for quarto and pandoc alike."""

from __future__ import annotations

import re

import pytest
from ruamel.yaml import YAML

LABEL = re.compile(r"\{#((?:fig|tbl)-[A-Za-z0-9_-]+)[ }]")
REF = re.compile(r"(?<![\w{#])@((?:fig|tbl)-[A-Za-z0-9_-]+)")


def _front(text: str):
    assert text.startswith("---\n"), "front matter must open the file"
    end = text.index("\n---\n", 4)
    return YAML(typ="safe").load(text[4:end]), text[end + 5:]


def test_every_document_has_a_qmd(site):
    qmds = sorted(p.relative_to(site.source_dir).as_posix() for p in site.source_dir.rglob("*.qmd"))
    assert "national.qmd" in qmds and "methods.qmd" in qmds and "index.qmd" in qmds
    assert {"regions/alfa.qmd", "regions/beta.qmd", "regions/gamma.qmd", "regions/delta.qmd"} <= set(qmds)
    assert (site.source_dir / "_quarto.yml").exists()


def test_front_matter_parses_and_cross_references_resolve(site):
    for doc in site.documents:
        text = doc.qmd.read_text(encoding="utf-8")
        meta, body = _front(text)
        assert meta["title"] and meta["lang"] == doc.lang
        assert re.fullmatch(r"[0-9a-f]{64}", meta["folge"]["snapshot"])
        labels = LABEL.findall(body)
        assert len(labels) == len(set(labels)), f"duplicate labels in {doc.qmd.name}"
        missing = set(REF.findall(body)) - set(labels)
        assert not missing, f"{doc.qmd.name}: unresolved {missing}"
        assert "{{" not in body and "{%" not in body


def test_figures_have_alt_text_and_files(site):
    national = (site.source_dir / "national.qmd").read_text(encoding="utf-8")
    figures = re.findall(r'!\[([^\]]+)\]\(([^)]+)\)\{#fig-[^ ]+ fig-alt="([^"]+)"\}', national)
    assert len(figures) >= 4
    for caption, path, alt in figures:
        assert (site.source_dir / path).exists()
        assert len(alt) > 40 and caption


def test_nynorsk_region_and_headings_in_order(site):
    assert _front((site.source_dir / "regions" / "beta.qmd").read_text(encoding="utf-8"))[0]["lang"] == "nn"
    for doc in site.documents:
        levels = [len(m) for m in re.findall(r"^(#+) ", doc.qmd.read_text(encoding="utf-8"), flags=re.M)]
        assert all(b - a <= 1 for a, b in zip([1] + levels, levels)), doc.qmd.name


def test_no_free_text_in_reports(site, study):
    texts = [i.text["nb"] for i in study.items.values() if i.scale.type == "text"]
    for doc in site.documents:
        if doc.kind in ("national", "region", "methods"):
            body = doc.qmd.read_text(encoding="utf-8")
            assert not any(t in body for t in texts)


@pytest.mark.parametrize("name", ["national", "region", "methods", "index", "questionnaire"])
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_template_exists(name, lang):
    """One template per document; every word it uses is in every language's words file."""
    import re

    from folge._paths import defaults_dir
    from folge.reports._documents import Templates

    reports = defaults_dir() / "reports"
    template = (reports / "templates" / f"{name}.qmd.j2").read_text(encoding="utf-8")
    used = set(re.findall(r"\bw\.([a-z_]+)", template))
    words = Templates(reports / "templates").words(lang).get(name, {})
    assert used <= set(words), sorted(used - set(words))
    assert all(isinstance(words[k], str) and words[k].strip() for k in used)


def test_words_files_share_their_keys():
    from folge._paths import defaults_dir
    from folge.reports._documents import Templates

    templates = Templates(defaults_dir() / "reports" / "templates")
    shape = {lang: {doc: set(words) for doc, words in templates.words(lang).items()} for lang in ("nb", "nn", "en")}
    assert shape["nb"] == shape["nn"] == shape["en"]
    assert shape["nb"]["region"]
