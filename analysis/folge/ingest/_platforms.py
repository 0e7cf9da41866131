"""Exports of folge's own XLSForm from KoBoToolbox and ODK Central, read without any map.

``folge instruments export ID --format xlsform`` puts each construct in a group named by
its construct id, with ``respondent`` (text), ``region`` and ``role`` (select_one) first.
The platforms export the answers in these shapes, all recognised here as header maps
(:func:`folge.ingest.register_header_map`) and chosen by :func:`folge.ingest.map_headers`
like any other:

``kobotoolbox``
    "XML values and headers": headers ``construct/item`` (groups included) or the bare
    ``item``; answers are the choice names (codes). CSV with ``;``, every field quoted,
    CRLF, UTF-8; or XLSX.
``kobotoolbox-labels``
    KoBoToolbox's default "labels" export: headers are question labels in one language
    (``Group label/Question label`` with groups), answers are choice labels. Both are
    mapped back to item ids and codes through the instrument's own XLSForm labels (any of
    nb, nn, en); a label two questions share is left unmapped rather than guessed.
``odk-central``
    ODK Central's ``submissions.csv``: ``,``, headers ``construct-item`` (a group path
    joined with ``-``; item ids never hold ``-``), rows newest first.

The platforms' own columns (KoBoToolbox ``start``, ``end``, ``_id``, ``_uuid``,
``_submission_time``, ``_validation_status``, ``_notes``, ``_status``, ``_submitted_by``,
``__version__``, ``_tags``, ``_index`` …; ODK ``SubmissionDate``, ``meta-instanceID``,
``KEY``, ``SubmitterID``, ``ReviewState`` …) are recognised and dropped without a warning.

:func:`finish_frame` runs after the header map: it drops those columns, turns labels
back into codes for ``kobotoolbox-labels``, and accepts a ``respondent_pseudonym`` column
(what ``folge export`` writes) as pseudonyms that are stored as they are, never hashed again.
:func:`restore_stata_missing` gives a Stata file's labelled extended missing values
(``.a`` "Vet ikke", as ``folge export --format dta`` writes them) back their missing codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._errors import InputError
from ._column_map import PSEUDONYM_COLUMN, _translate, value_key
from ._headers import KEY_COLUMNS, canonical_header_map, register_header_map

__all__ = [
    "IGNORED",
    "KOBO_META",
    "ODK_META",
    "PLATFORM_MAPS",
    "finish_frame",
    "kobo_header_map",
    "kobo_labels_header_map",
    "odk_header_map",
    "register_platforms",
]

#: Header maps name the columns they drop ``IGNORED + column`` (unique, so never "both mean").
IGNORED = "\x00ignored:"

#: KoBoToolbox's own columns (compared case-insensitively; ``meta/…`` and ``formhub/…`` too).
KOBO_META = frozenset({
    "start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber", "audit",
    "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
    "__version__", "_version_", "_tags", "_index", "_parent_index", "_parent_table_name",
    "_xform_id_string", "_attachments", "_geolocation", "_media_all_received", "_total_media",
})
#: ODK Central's own columns.
ODK_META = frozenset({
    "submissiondate", "key", "submitterid", "submittername", "attachmentspresent", "attachmentsexpected",
    "status", "reviewstate", "deviceid", "edits", "formversion", "start", "end", "today", "username",
})
_META_PREFIXES = ("meta/", "formhub/", "meta-")
_PSEUDONYM = re.compile(r"[0-9a-f]{64}")


def _key(column) -> str:
    return re.sub(r"\s+", " ", str(column).strip()).casefold()


def _is_meta(column, names: frozenset[str]) -> bool:
    key = _key(column)
    return key in names or key.startswith(_META_PREFIXES)


def kobo_header_map(columns: Sequence[str], study) -> dict[str, str]:
    """KoBoToolbox "XML values and headers": ``construct/item`` or ``item``, meta columns dropped.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> study = SimpleNamespace(items={"lc1": None})
    >>> found = kobo_header_map(["start", "learning-culture/lc1", "region", "_uuid"], study)
    >>> {k: v.replace(IGNORED, "-") for k, v in found.items()}
    {'start': '-start', 'learning-culture/lc1': 'lc1', 'region': 'region', '_uuid': '-_uuid'}
    """
    found = canonical_header_map(columns, study)
    for column in columns:
        if column not in found and _is_meta(column, KOBO_META):
            found[column] = IGNORED + str(column)
    return {c: found[c] for c in columns if c in found}


def odk_header_map(columns: Sequence[str], study) -> dict[str, str]:
    """ODK Central: ``construct-item`` (the text after the last ``-``) or ``item``, meta columns dropped.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> study = SimpleNamespace(items={"lc1": None})
    >>> found = odk_header_map(["SubmissionDate", "learning-culture-lc1", "meta-instanceID", "KEY"], study)
    >>> {k: v.replace(IGNORED, "-") for k, v in found.items()}
    {'SubmissionDate': '-SubmissionDate', 'learning-culture-lc1': 'lc1', 'meta-instanceID': '-meta-instanceID', 'KEY': '-KEY'}
    """
    known = set(KEY_COLUMNS) | set(study.items)
    found = {}
    for column in columns:
        key = _key(column)
        if "/" in key:
            continue
        if key in known:
            found[column] = key
        elif _is_meta(column, ODK_META):
            found[column] = IGNORED + str(column)
        elif "-" in key and key.rsplit("-", 1)[1] in known:
            found[column] = key.rsplit("-", 1)[1]
    return found


# ---------------------------------------------------------------- labels
def _form_labels(study):
    """(question label → name, {list name: {choice label → name}}) from every instrument's XLSForm."""
    from ..forms import xlsform_sheets

    questions: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    clash_q: set[str] = set()
    clash_c: set[tuple[str, str]] = set()
    for instrument in study.instruments.values():
        sheets = xlsform_sheets(instrument, study)
        label_columns = [c for c in sheets["survey"].columns if c.startswith("label::")]
        for row in sheets["survey"].to_dict("records"):
            kind = str(row["type"])
            name = "" if kind in ("begin_group", "end_group") else str(row["name"])
            for column in label_columns:
                label = _key(row[column])
                if not label:
                    continue
                target = name or IGNORED + "group"
                if questions.get(label, target) != target:
                    clash_q.add(label)
                questions[label] = target
        for row in sheets["choices"].to_dict("records"):
            table = choices.setdefault(str(row["list_name"]), {})
            for column in label_columns:
                label = value_key(row[column])
                if label and table.get(label, str(row["name"])) != str(row["name"]):
                    clash_c.add((str(row["list_name"]), label))
                if label:
                    table[label] = str(row["name"])
    questions = {k: v for k, v in questions.items() if k not in clash_q and not v.startswith(IGNORED)}
    choices = {ln: {k: v for k, v in t.items() if (ln, k) not in clash_c} for ln, t in choices.items()}
    return questions, choices


def kobo_labels_header_map(columns: Sequence[str], study) -> dict[str, str]:
    """KoBoToolbox "labels": question labels (``Group/Question`` or bare) in nb, nn or en; meta dropped."""
    questions, _ = _form_labels(study)
    found = {}
    for column in columns:
        key = _key(column)
        target = questions.get(key)
        if target is None:  # "Group label/Question label": the longest tail after a "/" that is a label
            parts = key.split("/")
            target = next((questions[t] for t in ("/".join(parts[i:]) for i in range(1, len(parts)))
                           if t in questions), None)
        if target is not None:
            found[column] = target
        elif _is_meta(column, KOBO_META):
            found[column] = IGNORED + str(column)
    return found


#: The platform header maps, in the order they are registered.
PLATFORM_MAPS = {
    "kobotoolbox": kobo_header_map,
    "odk-central": odk_header_map,
    "kobotoolbox-labels": kobo_labels_header_map,
}


def register_platforms() -> None:
    """Register :data:`PLATFORM_MAPS` with :func:`folge.ingest.register_header_map` (idempotent)."""
    for name, header_map in PLATFORM_MAPS.items():
        register_header_map(name, header_map)


# ---------------------------------------------------------------- after the header map
def _labels_to_codes(frame: pd.DataFrame, study) -> pd.DataFrame:
    _, choices = _form_labels(study)
    items = study.items
    out = {}
    for column in frame.columns:
        if column in ("region", "role"):
            list_name = column
        elif column in items and items[column].scale.is_numeric:
            list_name = items[column].scale.id
        else:
            continue
        out[column] = pd.Series(_translate(frame[column].to_numpy(dtype=object), [choices.get(list_name, {})]),
                                index=frame.index, dtype=object)
    return frame.assign(**out) if out else frame


def _pseudonyms(frame: pd.DataFrame, row_numbers) -> tuple[pd.DataFrame, bool]:
    matches = [c for c in frame.columns if _key(c) == PSEUDONYM_COLUMN]
    if not matches:
        return frame, False
    if "respondent" in frame.columns:
        raise InputError(f"the file has both 'respondent' and '{PSEUDONYM_COLUMN}'; keep one "
                         f"('{PSEUDONYM_COLUMN}' holds pseudonyms from 'folge export', 'respondent' raw ids)")
    values = [str(v).strip() if isinstance(v, str) else "" for v in frame[matches[0]].to_numpy(dtype=object)]
    bad = [i for i, v in enumerate(values) if v and not _PSEUDONYM.fullmatch(v)]
    if bad:
        rows = ", ".join(str(int(row_numbers[i])) if row_numbers is not None else str(i + 2) for i in bad[:5])
        raise InputError(f"column '{PSEUDONYM_COLUMN}' must hold folge pseudonyms (64 lower-case hex digits, "
                         f"as 'folge export' writes them); {len(bad)} row(s) do not (rows {rows}"
                         f"{' …' if len(bad) > 5 else ''}). Name a column of raw ids 'respondent' instead")
    frame = frame.drop(columns=matches[0])
    frame.insert(0, "respondent", pd.Series([v or None for v in values], index=frame.index, dtype=object))
    return frame, True


def finish_frame(frame: pd.DataFrame, header_map_name: str, study, row_numbers=None) -> tuple[pd.DataFrame, bool]:
    """After the header map: drop ignored columns, labels → codes, pseudonyms recognised.

    Returns the frame and whether its ``respondent`` column already holds pseudonyms
    (pass it to :func:`folge.ingest.ingest_frame` as ``pseudonymised``).

    Raises
    ------
    InputError
        When a ``respondent_pseudonym`` column holds anything but pseudonyms, or sits
        beside a ``respondent`` column.
    """
    ignored = [c for c in frame.columns if str(c).startswith(IGNORED)]
    if ignored:
        frame = frame.drop(columns=ignored)
    if header_map_name == "kobotoolbox-labels":
        frame = _labels_to_codes(frame, study)
    return _pseudonyms(frame, row_numbers)


# ---------------------------------------------------------------- Stata extended missing values
def restore_stata_missing(raw, path, study):
    """Stata ``.a`` … ``.z`` labelled like a scale's missing code (``.a`` = "Vet ikke") → that code (9).

    Stata has no user-missing codes, so ``folge export --format dta`` writes missing codes
    as extended missing values with the code's label. Read plainly they are blank; here
    each one whose label names a missing code of the column's scale (in nb, nn or en)
    becomes that code again, and the file's labels are keyed by the code. Other files and
    columns are returned unchanged.
    """
    if raw.format != "dta" or not any(k.isalpha() for found in raw.labels.values() for k in found):
        return raw
    import dataclasses

    import pyreadstat

    names = canonical_header_map(list(raw.frame.columns), study)
    letters: dict[str, dict[str, str]] = {}
    for column, found in raw.labels.items():
        item = study.items.get(names.get(column, column))
        if item is None or not item.scale.missing:
            continue
        texts = {value_key(t): code for code, text in item.scale.missing.items() for t in text.values()}
        by_letter = {k: str(texts[value_key(v)]) for k, v in found.items() if k.isalpha() and value_key(v) in texts}
        if by_letter:
            letters[column] = by_letter
    if not letters:
        return raw
    try:
        data, _ = pyreadstat.read_dta(str(path), user_missing=True, apply_value_formats=False)
    except Exception:  # noqa: BLE001 - the plain read succeeded; keep its result
        return raw
    frame = raw.frame.copy()
    position = np.asarray(raw.row_numbers, dtype=np.int64) - 1
    columns = list(raw.frame.columns)
    labels = dict(raw.labels)
    for column, by_letter in letters.items():
        source = data.iloc[position, columns.index(column)].to_numpy(dtype=object)
        cells = frame[column].to_numpy(dtype=object).copy()
        for i, value in enumerate(source):
            if isinstance(value, str) and value in by_letter:
                cells[i] = by_letter[value]
        frame[column] = cells
        labels[column] = {by_letter.get(k, k): v for k, v in raw.labels[column].items()}
    return dataclasses.replace(raw, frame=frame, labels=labels)
