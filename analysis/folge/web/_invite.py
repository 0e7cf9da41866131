"""Making invitations: which instruments a token answers, and whose pseudonym it carries.

Without a panel file every invitation gets a fresh random pseudonym (64 hex digits, the
same form as a keyed one). With ``--panel FILE.csv`` each row's respondent key is turned
into HMAC-SHA256(study key, key) by :func:`folge.pseudonym.pseudonymise`, the pseudonym that
file ingest gives the same person, so web answers join earlier waves; the key itself is not stored.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .._errors import InputError
from ..definitions import Study, did_you_mean
from ..pseudonym import load_key, pseudonymise
from ._tokens import add_invitations

__all__ = ["PanelFile", "read_panel", "choose_instruments", "create_invitations", "KEY_COLUMNS"]

#: Column names taken as the respondent key, in order of preference (else the first column).
KEY_COLUMNS = ("respondent", "key", "id", "respondent_id")


@dataclass(frozen=True)
class PanelFile:
    """A panel file as read: its columns, its rows (text) and the key column's name."""

    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    key_column: str

    @property
    def keys(self) -> list[str]:
        return [row[self.key_column].strip() for row in self.rows]


def read_panel(path: str | Path, key_column: str | None = None) -> PanelFile:
    """Read a panel CSV (UTF-8, with or without BOM; ``,`` or ``;``) with one respondent per row.

    Raises
    ------
    InputError
        When the file cannot be read, has no rows, lacks the key column, or has blank or
        repeated keys (all such rows are named at once).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read panel file {path}: {exc}") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = tuple((name or "").strip() for name in (reader.fieldnames or ()))
    rows = tuple({(k or "").strip(): (v or "") for k, v in row.items()} for row in reader
                 if any((v or "").strip() for v in row.values() if isinstance(v, str)))
    if not columns or not rows:
        raise InputError(f"panel file {path} has no rows")
    if key_column is None:
        key_column = next((c for c in KEY_COLUMNS if c in columns), columns[0])
    elif key_column not in columns:
        raise InputError(f"panel file {path} has no column '{key_column}'{did_you_mean(key_column, columns)}")
    panel = PanelFile(columns, rows, key_column)
    blank = [str(i + 2) for i, key in enumerate(panel.keys) if not key]
    if blank:
        raise InputError(f"panel file {path}: blank '{key_column}' in row(s) {', '.join(blank[:20])}")
    seen: dict[str, int] = {}
    repeated = []
    for i, key in enumerate(panel.keys):
        if key in seen:
            repeated.append(f"{seen[key]}/{i + 2}")
        seen.setdefault(key, i + 2)
    if repeated:
        raise InputError(f"panel file {path}: the same '{key_column}' appears more than once "
                         f"(rows {', '.join(repeated[:20])})")
    return panel


def choose_instruments(study: Study, wave_id: str, instruments: Sequence[str] = (),
                       coordinator: bool = False) -> tuple[str, ...]:
    """The instruments an invitation answers.

    Named ones (checked against the wave), else the wave's region-level instruments for a
    coordinator (the region status report), else its respondent-level ones.
    """
    wave = study.wave(wave_id)
    if instruments:
        for inst in instruments:
            if inst not in study.instruments:
                raise InputError(f"unknown instrument '{inst}'{did_you_mean(inst, study.instruments)}")
            if inst not in wave.instruments:
                raise InputError(f"wave '{wave_id}' does not list instrument '{inst}' "
                                 f"(it lists {', '.join(wave.instruments)})")
        return tuple(instruments)
    level = "region" if coordinator else "respondent"
    chosen = tuple(i for i in wave.instruments if i in study.instruments and study.instruments[i].level == level)
    if not chosen:
        who = "a coordinator" if coordinator else "respondents"
        raise InputError(f"wave '{wave_id}' has no {level}-level instrument for {who} "
                         f"(it lists {', '.join(wave.instruments)})")
    return chosen


def create_invitations(store, study: Study, *, wave: str, region: str, role: str, count: int | None = None,
                       panel_keys: Sequence[str] | None = None, instruments: Sequence[str] = (),
                       coordinator: bool = False) -> tuple[list[str], tuple[str, ...]]:
    """Create invitations in the store; return their tokens (in panel order) and the instruments.

    Raises
    ------
    InputError
        For an unknown region, role or wave, a closed wave, or a count below 1.
    """
    for kind, value, known in (("region", region, [r.id for r in study.regions]),
                               ("role", role, [r.id for r in study.roles]),
                               ("wave", wave, [w.id for w in study.waves])):
        if value not in known:
            raise InputError(f"unknown {kind} '{value}'{did_you_mean(value, known)}; "
                             f"the study has {', '.join(known)}")
    if study.wave(wave).closed:
        raise InputError(f"wave '{wave}' is closed (research/study.yaml): it takes no new invitations")
    chosen = choose_instruments(study, wave, instruments, coordinator)
    if panel_keys is not None:
        key = load_key(study.root)
        pseudonyms = [(pseudonymise(key, k), True) for k in panel_keys]
    else:
        if count is None or count < 1:
            raise InputError("--count must be a whole number of at least 1 (or give --panel FILE.csv)")
        pseudonyms = [(secrets.token_hex(32), False) for _ in range(count)]
    try:
        level = "region" if all(study.instruments[i].level == "region" for i in chosen) else "respondent"
        tokens = add_invitations(store.connection, region=region, wave=wave, role=role,
                                 instruments=chosen, pseudonyms=pseudonyms, level=level)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return tokens, chosen
