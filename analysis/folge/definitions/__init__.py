"""Definitions as data: instruments, response scales and the study design.

Loaded in three stages, as pyxform does: read the YAML with line numbers
(:mod:`._yaml`), check it and report every problem at once (:mod:`._instruments`,
:mod:`._study`, :mod:`._criteria`), and build frozen objects (:mod:`._model`).
``check_definitions`` never raises; ``load_study``, ``load_instruments`` and
``load_criteria`` raise :class:`folge.DefinitionError` with every problem.
"""

from ._criteria import (
    DEFAULT_MILESTONE_SHARE,
    INDICATOR_KINDS,
    RULE_KINDS,
    WAVE_KEYWORDS,
    Criterion,
    Indicator,
    Rule,
    build_criteria,
    check_criteria,
)
from ._load import (
    CRITERIA_FILE,
    INSTRUMENTS_DIR,
    SCALES_FILE,
    STUDY_FILE,
    check_definitions,
    instrument_files,
    load_criteria,
    load_instruments,
    load_study,
)
from ._model import (
    CONSTRUCT_KINDS,
    LANGUAGES,
    SCALE_TYPES,
    SECTORS,
    STAGES,
    TARGETS,
    Construct,
    Instrument,
    Item,
    Region,
    Role,
    Scale,
    Settings,
    Study,
    Text,
    Wave,
    previous_wave,
    waves_upto,
)
from ._problems import CATALOGUE, Problem, did_you_mean
from ._schedule import OSLO, parse_moment
from ._yaml import Document, plain, read_yaml

__all__ = [
    "CATALOGUE",
    "CONSTRUCT_KINDS",
    "CRITERIA_FILE",
    "DEFAULT_MILESTONE_SHARE",
    "INDICATOR_KINDS",
    "RULE_KINDS",
    "WAVE_KEYWORDS",
    "Construct",
    "Criterion",
    "Document",
    "INDICATOR_KINDS",
    "INSTRUMENTS_DIR",
    "Indicator",
    "Instrument",
    "Item",
    "LANGUAGES",
    "OSLO",
    "Problem",
    "RULE_KINDS",
    "Region",
    "Role",
    "Rule",
    "SCALES_FILE",
    "SCALE_TYPES",
    "SECTORS",
    "STAGES",
    "STUDY_FILE",
    "Scale",
    "Settings",
    "Study",
    "TARGETS",
    "Text",
    "Wave",
    "build_criteria",
    "check_criteria",
    "check_definitions",
    "did_you_mean",
    "instrument_files",
    "load_criteria",
    "load_instruments",
    "load_study",
    "plain",
    "parse_moment",
    "previous_wave",
    "read_yaml",
    "waves_upto",
]
