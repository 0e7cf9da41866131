"""XLSForm export, so an instrument can be fielded on KoBoToolbox or ODK.

Sheets ``survey``, ``choices`` and ``settings``. Labels come in one column per language
(``label::Norsk bokmål (nb)``); each construct is a group named by the construct id, so
platform exports name columns ``construct/item`` (KoBoToolbox) or ``construct-item``
(ODK Central) and come back in through ``folge ingest``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..definitions import LANGUAGES, Instrument, Study, Text

__all__ = ["LANGUAGE_NAMES", "xlsform_sheets", "write_xlsform"]

LANGUAGE_NAMES = {"nb": "Norsk bokmål (nb)", "nn": "Norsk nynorsk (nn)", "en": "English (en)"}
_UI = {
    "respondent": {"nb": "Panelkode (fra invitasjonen)", "nn": "Panelkode (frå invitasjonen)",
                   "en": "Panel code (from the invitation)"},
    "region": {"nb": "Byregion", "nn": "Byregion", "en": "City region"},
    "role": {"nb": "Din rolle i arbeidet", "nn": "Rolla di i arbeidet", "en": "Your role in the work"},
}


def _labels(text, prefix: str = "label") -> dict[str, str]:
    text = Text(text) if not isinstance(text, Text) else text
    return {f"{prefix}::{LANGUAGE_NAMES[lang]}": text.get_lang(lang) for lang in LANGUAGES}


def xlsform_sheets(instrument: Instrument, study: Study, default_lang: str = "nb") -> dict[str, pd.DataFrame]:
    """The three XLSForm sheets of ``instrument`` as DataFrames (``survey``, ``choices``, ``settings``)."""
    survey: list[dict] = []
    choices: list[dict] = []
    if instrument.level == "respondent":
        survey.append({"type": "text", "name": "respondent", **_labels(_UI["respondent"]), "required": "yes"})
    survey.append({"type": "select_one region", "name": "region", **_labels(_UI["region"]), "required": "yes"})
    for region in study.regions:
        choices.append({"list_name": "region", "name": region.id, **_labels({lang: region.name for lang in LANGUAGES})})
    if instrument.level == "respondent":
        survey.append({"type": "select_one role", "name": "role", **_labels(_UI["role"]), "required": "yes"})
        for role in study.roles:
            choices.append({"list_name": "role", "name": role.id, **_labels(role.title or {"nb": role.id})})
    for scale in instrument.scales.values():
        if not scale.is_numeric:
            continue
        for i, value in enumerate(scale.values):
            choices.append({"list_name": scale.id, "name": str(value),
                            **_labels({lang: scale.labels[lang][i] for lang in LANGUAGES})})
        for code, text in sorted(scale.missing.items()):
            choices.append({"list_name": scale.id, "name": str(code), **_labels(text)})
    for construct in instrument.constructs:
        survey.append({"type": "begin_group", "name": construct.id, **_labels(construct.title)})
        for item in construct.items:
            kind = f"select_one {item.scale.id}" if item.scale.is_numeric else "text"
            survey.append({"type": kind, "name": item.id, **_labels(item.text)})
        survey.append({"type": "end_group", "name": construct.id})
    settings = pd.DataFrame([{
        "form_title": instrument.title.get_lang(default_lang),
        "form_id": instrument.id,
        "version": str(instrument.version),
        "default_language": LANGUAGE_NAMES[default_lang],
    }])
    survey_columns = ["type", "name", *[f"label::{LANGUAGE_NAMES[lang]}" for lang in LANGUAGES], "required"]
    choice_columns = ["list_name", "name", *[f"label::{LANGUAGE_NAMES[lang]}" for lang in LANGUAGES]]
    return {
        "survey": pd.DataFrame(survey, columns=survey_columns).fillna(""),
        "choices": pd.DataFrame(choices, columns=choice_columns).fillna(""),
        "settings": settings,
    }


def write_xlsform(instrument: Instrument, study: Study, path: str | Path, default_lang: str = "nb") -> Path:
    """Write the XLSForm of ``instrument`` to ``path`` (.xlsx)."""
    path = Path(path)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in xlsform_sheets(instrument, study, default_lang).items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path
