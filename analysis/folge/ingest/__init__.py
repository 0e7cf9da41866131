"""Ingest response files: read → map headers → recognise the instrument → validate → store.

Each stage is its own module and can be used alone:

- :func:`read_response_file` (CSV/TSV, XLSX, SPSS, Stata) gives a :class:`RawTable` of
  text cells with source row numbers and a description of what was detected;
- :func:`map_headers` matches column names to canonical names through pluggable header
  maps (:func:`register_header_map` for survey platforms);
- :func:`choose_instrument` takes ``--instrument`` or recognises it from the item columns;
- :func:`validate` checks every row and gives each bad one its reasons (:data:`CODES`);
- :func:`ingest_frame` pseudonymises and validates a frame, then hands the checked batch
  to :meth:`folge.store.Store.write_validated`, which compares it with what is stored and
  writes, in one transaction.

:func:`ingest_file` runs them all for one file; every other source of answers (the web
questionnaire) calls :func:`ingest_frame`.

Survey platforms (:mod:`._platforms`, :mod:`._column_map`): exports of folge's own
XLSForm from KoBoToolbox and ODK Central are recognised by registered header maps; other
platforms come in through a column map (``ingest_file(..., columns=MAP.yaml)``,
:func:`load_column_map`); a ``respondent_pseudonym`` column (``folge export``) is stored
as it is.
"""

from ..store import IngestResult
from ._column_map import (
    MAPS_DIR,
    PSEUDONYM_COLUMN,
    ColumnMap,
    apply_column_map,
    load_column_map,
)
from ._headers import (
    ALIASES,
    HEADER_MAPS,
    KEY_COLUMNS,
    HeaderMapping,
    canonical_header_map,
    map_headers,
    register_header_map,
)
from ._frame import ingest_frame
from ._file import ingest_file, prepare_file
from ._platforms import PLATFORM_MAPS, register_platforms
from ._read import FORMATS, RawTable, cell_text, read_response_file
from ._reasons import CODES, WARNINGS, Reason, format_reasons
from ._recognise import choose_instrument, recognise_instrument
from ._validate import ItemColumn, Validated, parse_number, validate

register_platforms()  # KoBoToolbox and ODK Central header maps (ingest/_platforms.py)

__all__ = [
    "ALIASES",
    "CODES",
    "FORMATS",
    "HEADER_MAPS",
    "KEY_COLUMNS",
    "MAPS_DIR",
    "PLATFORM_MAPS",
    "PSEUDONYM_COLUMN",
    "WARNINGS",
    "ColumnMap",
    "HeaderMapping",
    "IngestResult",
    "ItemColumn",
    "RawTable",
    "Reason",
    "Validated",
    "apply_column_map",
    "canonical_header_map",
    "cell_text",
    "choose_instrument",
    "format_reasons",
    "ingest_file",
    "ingest_frame",
    "load_column_map",
    "map_headers",
    "parse_number",
    "prepare_file",
    "read_response_file",
    "recognise_instrument",
    "register_header_map",
    "register_platforms",
    "validate",
]
