"""The methods page explains the invariance gate in plain words, in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from folge.reports._build import _provenance
from folge.reports._documents import Edition, Templates, methods_qmd
from folge.reports._public import public_tables, read_results, waves_upto

TEMPLATES = Path(__file__).resolve().parents[2] / "reports" / "templates"
WORDS = Path(__file__).resolve().parents[2] / "reports" / "words"

#: What the paragraph must say in each language: the one test against the free model, both
#: conditions of the rule with their cut-offs, why the metric step does not decide, and
#: that the gate itself errs by chance (with the command that measures how often).
SAYS = {
    "en": ["compares the two in one test", "p < .05", "CFI down by more than .01",
           "RMSEA up by more than .015", "that step does not decide", "differ more from each other",
           "errs now and then", "folge simulate"],
    "nb": ["sammenligner de to i én test", "p < 0,05", "CFI faller mer enn 0,01",
           "RMSEA stiger mer enn 0,015", "det trinnet avgjør ikke", "mer ulike hverandre",
           "tar feil", "folge simulate"],
    "nn": ["samanliknar dei to i éin test", "p < 0,05", "CFI fell meir enn 0,01",
           "RMSEA stig meir enn 0,015", "det steget avgjer ikkje", "meir ulike kvarandre",
           "tek feil", "folge simulate"],
}


def _methods(study, study_root, tmp_path, lang: str) -> str:
    results = read_results(study_root / "results", study)
    waves = waves_upto(study, results, None)
    edition = Edition(study, public_tables(results, study), waves, lang, _provenance(results, study, waves))
    return methods_qmd(edition, Templates(TEMPLATES), tmp_path, lang)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("lang", sorted(SAYS))
def test_the_methods_page_explains_the_gate_in_each_language(study, study_root, tmp_path, lang):
    page = _flat(_methods(study, study_root, tmp_path, lang))
    paragraph = _flat(YAML(typ="safe").load((WORDS / f"{lang}.yaml").read_text(encoding="utf-8"))
                      ["methods"]["invariance_gate"])
    assert paragraph in page
    for phrase in SAYS[lang]:
        assert phrase in paragraph, (lang, phrase)
    # the simulated rates are filled in, as whole numbers of ten
    caught = re.findall(r"(\d+) (?:of|av) 10\b", paragraph)
    assert len(caught) == 2 and all(0 <= int(c) <= 10 for c in caught), caught
    # the page is in one language: no other language's paragraph leaks in
    for other in set(SAYS) - {lang}:
        assert SAYS[other][0] not in page
