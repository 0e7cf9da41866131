"""The methods page counts the questionnaires ``quality.csv`` flags, in one sentence per language,
never stating a count below ``min_n``, and says whether they are in the statistics."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pytest

from folge.reports._build import _provenance
from folge.reports._documents import Edition, Templates, methods_qmd
from folge.reports._public import public_tables, read_results, waves_upto

TEMPLATES = Path(__file__).resolve().parents[2] / "reports" / "templates"


def _methods(study, study_root, tmp_path, flagged: int | None, lang: str, exclude: bool = False) -> str:
    folder = tmp_path / f"results-{flagged}-{lang}-{exclude}"
    shutil.copytree(study_root / "results", folder)
    wave = study.waves[-1].id
    if flagged is not None:
        rows = [{"respondent": f"p{i}", "region": study.regions[0].id, "wave": wave, "role": study.roles[0].id,
                 "instrument": "participant-survey", "flag": flag, "unit": "participant-survey", "value": 0.5,
                 "threshold": 1.5} for i in range(flagged) for flag in ("speeding", "straight-lining")]
        columns = ["respondent", "region", "wave", "role", "instrument", "flag", "unit", "value", "threshold"]
        pd.DataFrame(rows, columns=columns).to_csv(folder / "quality.csv", index=False)
    if exclude:
        study = dataclasses.replace(study, settings=dataclasses.replace(study.settings, exclude_flagged=True))
    results = read_results(folder, study)
    waves = waves_upto(study, results, None)
    edition = Edition(study, public_tables(results, study), waves, lang, _provenance(results, study, waves))
    return methods_qmd(edition, Templates(TEMPLATES), tmp_path, lang)


@pytest.mark.parametrize(("flagged", "lang", "expected"), [
    (7, "en", "7 questionnaires were flagged; they are included in the statistics"),
    (2, "en", "Fewer than 5 questionnaires were flagged"),
    (0, "nb", "Ingen svar ble flagget."),
    (7, "nn", "7 svar vart flagga; dei er tekne med i statistikken"),
    (7, "nb", "7 svar ble flagget; de er tatt med i statistikken"),
])
def test_methods_counts_flagged_questionnaires(study, study_root, tmp_path, flagged, lang, expected):
    text = _methods(study, study_root, tmp_path, flagged, lang)
    assert expected in text
    assert "1,5 sekund" in text if lang in ("nb", "nn") else "1.5 seconds" in text
    if flagged == 2:
        assert "2 questionnaires" not in text  # no count below min_n


def test_methods_says_when_flagged_answers_are_left_out(study, study_root, tmp_path):
    assert "they are left out of the statistics" in _methods(study, study_root, tmp_path, 7, "en", exclude=True)


def test_no_sentence_without_a_quality_table(study, study_root, tmp_path):
    assert "flagged" not in _methods(study, study_root, tmp_path, None, "en")


def _methods_with(study, study_root, tmp_path, lang: str, model: str) -> str:
    study = dataclasses.replace(study, settings=dataclasses.replace(study.settings, invariance_model=model))
    return " ".join(_methods(study, study_root, tmp_path / model, None, lang).split())


@pytest.mark.parametrize(("lang", "independent", "panel"), [
    ("en", "The model treats the waves as independent groups", "The model therefore follows the same people"),
    ("nb", "Modellen behandler bølgene som uavhengige grupper", "Modellen følger derfor de samme personene"),
    ("nn", "Modellen handsamar bølgjene som uavhengige grupper", "Modellen følgjer difor dei same personane"),
])
def test_methods_names_the_invariance_model_of_the_study(study, study_root, tmp_path, lang, independent, panel):
    multi = _methods_with(study, study_root, tmp_path, lang, "multi-group")
    assert independent in multi and panel not in multi
    longitudinal = _methods_with(study, study_root, tmp_path, lang, "longitudinal")
    assert panel in longitudinal and independent not in longitudinal
