"""Find a study's definition files and load them through read → check → build."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

from .._errors import DefinitionError
from ._criteria import Criterion, build_criteria, check_criteria
from ._frame import FRAME_FILE, check_frame
from ._instruments import build_instrument, build_scales, check_instrument, check_scales
from ._model import Instrument, Scale, Study
from ._problems import Problem, problem
from ._study import build_study, check_study
from ._yaml import read_yaml

__all__ = [
    "STUDY_FILE",
    "CRITERIA_FILE",
    "INSTRUMENTS_DIR",
    "SCALES_FILE",
    "instrument_files",
    "check_definitions",
    "load_instruments",
    "load_study",
    "load_criteria",
]

STUDY_FILE = Path("research") / "study.yaml"
CRITERIA_FILE = Path("research") / "criteria.yaml"
INSTRUMENTS_DIR = Path("instruments")
SCALES_FILE = INSTRUMENTS_DIR / "scales.yaml"


def instrument_files(root: str | Path) -> list[Path]:
    """The instrument files of the study at ``root`` (every ``instruments/*.yaml`` but scales)."""
    folder = Path(root) / INSTRUMENTS_DIR
    return sorted(p for p in folder.glob("*.yaml") if p.name != SCALES_FILE.name)


def _shared_scales(scales_path: Path) -> tuple[dict[str, Scale], list[Problem]]:
    if not scales_path.exists():
        return {}, []
    doc = read_yaml(scales_path)
    if doc.error:
        return {}, [problem(scales_path, doc.error_line, "yaml-syntax", detail=doc.error)]
    if not isinstance(doc.data, dict) or "scales" not in doc.data:
        return {}, [problem(scales_path, 1, "missing-key", where="the scales file", key="scales")]
    problems = check_scales(scales_path, doc.data["scales"])
    if any(p.is_error for p in problems):
        return {}, problems
    return build_scales(doc.data["scales"]), problems


def _instruments_from(files: Iterable[Path], scales: dict[str, Scale]):
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    instruments: dict[str, Instrument] = {}
    for path in files:
        doc = read_yaml(path)
        found = check_instrument(doc, scales, seen)
        problems += found
        if not any(p.is_error for p in found):
            instrument = build_instrument(doc, scales)
            instruments[instrument.id] = instrument
    return instruments, problems


def _role_of(path: Path) -> str:
    return {SCALES_FILE.name: "scales", STUDY_FILE.name: "study", CRITERIA_FILE.name: "criteria",
            FRAME_FILE.name: "frame"}.get(path.name, "instrument")


def check_definitions(root: str | Path = ".", files: Iterable[str | Path] | None = None) -> list[Problem]:
    """Every problem in a study's definitions; never raises.

    Without ``files``: the shared scales, every instrument, ``research/study.yaml`` and
    ``research/criteria.yaml`` of the study at ``root``. With ``files``: just those, each
    recognised by its name (``scales.yaml``, ``study.yaml``, ``criteria.yaml``, else an
    instrument) and checked against the rest of the study at ``root`` where it refers to it
    (shared scales, instrument ids).
    """
    root = Path(root)
    if files is None:
        chosen = [root / SCALES_FILE, *instrument_files(root), root / STUDY_FILE, root / CRITERIA_FILE]
        chosen += [root / FRAME_FILE] if (root / FRAME_FILE).exists() else []
    else:
        chosen = [Path(f) for f in files]
    roles = {path: _role_of(path) for path in chosen}
    problems: list[Problem] = []
    scales_path = next((p for p, r in roles.items() if r == "scales"), root / SCALES_FILE)
    scales, scale_problems = _shared_scales(scales_path)
    if scales_path in roles:
        problems += scale_problems
    instrument_paths = [p for p, r in roles.items() if r == "instrument"]
    instruments, found = _instruments_from(instrument_paths, scales)
    problems += found
    rest = [p for p, r in roles.items() if r in ("study", "criteria", "frame")]
    if rest:
        # study and criteria refer to instruments: use the whole study's where only some were named
        others = [p for p in instrument_files(root) if p.resolve() not in {q.resolve() for q in instrument_paths}]
        known = {**_instruments_from(others, scales)[0], **instruments}
        for path in rest:
            if not path.exists():
                problems.append(problem(path, 1, "yaml-syntax", detail="file not found"))
            elif roles[path] == "study":
                problems += check_study(read_yaml(path), set(known))
            elif roles[path] == "frame":
                problems += _check_frame_file(path, known, root)
            else:
                problems += _check_criteria(path, known, root)
    return problems


def _check_criteria(path: Path, instruments, root: Path | None = None) -> list[Problem]:
    """The criteria file's problems, with the study's wave ids when the study file is readable."""
    # wave ids let rules name waves ('from: 2016-1'); unknown when the study file is unreadable
    study = read_yaml(Path(root or path.parent.parent) / STUDY_FILE)
    waves = study.data.get("waves") if isinstance(study.data, dict) else None
    wave_ids = [str(w["id"]) for w in waves if isinstance(w, dict) and "id" in w] if isinstance(waves, list) else None
    return check_criteria(read_yaml(path), instruments, wave_ids)


def _study_ids(root: Path, key: str) -> list[str] | None:
    """The ids listed under ``key`` in the study file at ``root`` (None when unreadable)."""
    study = read_yaml(root / STUDY_FILE)
    node = study.data.get(key) if isinstance(study.data, dict) else None
    return [str(x["id"]) for x in node if isinstance(x, dict) and "id" in x] if isinstance(node, list) else None


def _check_frame_file(path: Path, instruments, root: Path) -> list[Problem]:
    """The invited frame's problems, against the study's regions, roles, waves and instruments."""
    return check_frame(path, _study_ids(root, "regions"), _study_ids(root, "roles"), _study_ids(root, "waves"),
                       set(instruments))


def load_instruments(root: str | Path = ".") -> dict[str, Instrument]:
    """Every instrument of the study at ``root``; raises :class:`DefinitionError` on any error."""
    root = Path(root)
    scales, problems = _shared_scales(root / SCALES_FILE)
    instruments, found = _instruments_from(instrument_files(root), scales)
    problems += found
    errors = [p for p in problems if p.is_error]
    if errors:
        raise DefinitionError(errors)
    return instruments


def load_study(root: str | Path = ".") -> Study:
    """The study at ``root`` with its instruments; raises :class:`DefinitionError` on any error."""
    root = Path(root)
    path = root / STUDY_FILE
    if not path.exists():
        raise DefinitionError([problem(path, 1, "yaml-syntax",
                                       detail="no study here: run 'folge init DIR' or pass --study DIR")])
    instruments = load_instruments(root)
    doc = read_yaml(path)
    errors = [p for p in check_study(doc, set(instruments)) if p.is_error]
    if errors:
        raise DefinitionError(errors)
    return build_study(doc, instruments, root)


def load_criteria(root: str | Path = ".", instruments: Mapping[str, Instrument] | None = None,
                  wave_ids: Iterable[str] | None = None) -> tuple[Criterion, ...]:
    """The criteria of the study at ``root``; raises :class:`DefinitionError` with every error.

    ``instruments`` and ``wave_ids`` default to the study's own (loaded from ``root``). A
    study without ``research/criteria.yaml`` has no criteria: the result is empty.
    """
    root = Path(root)
    path = root / CRITERIA_FILE
    if not path.exists():
        return ()
    if instruments is None or wave_ids is None:
        study = load_study(root)
        instruments = study.instruments if instruments is None else instruments
        wave_ids = [w.id for w in study.waves] if wave_ids is None else wave_ids
    doc = read_yaml(path)
    errors = [p for p in check_criteria(doc, instruments, wave_ids) if p.is_error]
    if errors:
        raise DefinitionError(errors)
    return build_criteria(doc, instruments)
