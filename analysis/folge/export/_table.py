"""What one exported file holds, before any format: :class:`ExportTable`.

Built from the store (:meth:`folge.store.Store.responses`) and the instrument, in one
language: the columns, each column's label, value labels and missing codes. The writers
(:mod:`._writers`) only render it, as great_tables renders a finished table spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..definitions import Instrument, Study
from ..ingest import PSEUDONYM_COLUMN

__all__ = ["KEY_LABELS", "ExportTable", "export_table"]

#: Labels of the key columns, per language.
KEY_LABELS: dict[str, dict[str, str]] = {
    PSEUDONYM_COLUMN: {"nb": "Pseudonym for respondenten (HMAC-SHA256)", "nn": "Pseudonym for respondenten (HMAC-SHA256)",
                       "en": "Respondent pseudonym (HMAC-SHA256)"},
    "region": {"nb": "Byregion", "nn": "Byregion", "en": "City region"},
    "wave": {"nb": "Bølge", "nn": "Bølgje", "en": "Wave"},
    "role": {"nb": "Rolle", "nn": "Rolle", "en": "Role"},
}


@dataclass(frozen=True)
class ExportTable:
    """One instrument's answers ready to write.

    ``frame`` has the key columns (``respondent_pseudonym`` for respondent-level
    instruments, ``region``, ``wave``, ``role``) then the items: numeric items as ``Int64``
    (scale values and missing codes as stored), free text as ``string``.
    ``value_labels[col]`` maps codes to labels (scale labels, then missing codes);
    ``missing[col]`` lists the column's missing codes.
    """

    instrument: Instrument
    lang: str
    frame: pd.DataFrame
    labels: Mapping[str, str]
    value_labels: Mapping[str, Mapping[int, str]] = field(default_factory=dict)
    missing: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    items: Mapping[str, object] = field(default_factory=dict)

    @property
    def numeric(self) -> list[str]:
        return [c for c in self.frame.columns if str(self.frame[c].dtype) == "Int64"]


def export_table(study: Study, instrument: Instrument, responses: pd.DataFrame, lang: str = "nb",
                 include_text: bool = False) -> ExportTable:
    """The :class:`ExportTable` of ``instrument`` from its stored ``responses``.

    Parameters
    ----------
    study, instrument
        The loaded study and the instrument.
    responses
        :meth:`folge.store.Store.responses` for the instrument (pseudonyms only).
    lang
        Language of variable and value labels (``nb``, ``nn`` or ``en``).
    include_text
        Keep free-text items (left out by default: they may name people or places).
    """
    if lang not in study.languages and lang not in ("nb", "nn", "en"):
        raise ValueError(f"'lang' must be one of nb, nn, en (got {lang!r})")
    keys = ["region", "wave"] if instrument.level == "region" else [PSEUDONYM_COLUMN, "region", "wave", "role"]
    items = [item for item in instrument.items if item.scale.is_numeric or include_text]
    frame = pd.DataFrame({
        PSEUDONYM_COLUMN: responses["respondent"], "region": responses["region"], "wave": responses["wave"],
        "role": responses["role"]})[keys].astype("string")
    for item in items:
        column = responses[item.id] if item.id in responses.columns else pd.Series(pd.NA, index=responses.index)
        frame[item.id] = column.astype("Int64" if item.scale.is_numeric else "string")
    frame = frame.sort_values(["wave", "region", *keys[:1]], kind="stable").reset_index(drop=True)
    labels = {key: KEY_LABELS[key][lang] for key in keys}
    value_labels, missing = {}, {}
    for item in items:
        labels[item.id] = item.text.get_lang(lang)
        scale = item.scale
        if scale.is_numeric:
            value_labels[item.id] = {v: scale.label(v, lang) for v in (*scale.values, *sorted(scale.missing))}
            missing[item.id] = tuple(sorted(scale.missing))
    return ExportTable(instrument, lang, frame, labels, value_labels, missing, {i.id: i for i in items})
