"""The analyses behind ``folge analyze``: from stored answers to the result tables
(the result contract in ``analysis/ARCHITECTURE.md``).

Statistics → tables: this package decides *which* statistic is computed for *what*
(construct, wave, region); the formulas live in :mod:`folge.statistics`.
"""

from ._inputs import AnalysisInput, build_input
from ._results import (MANIFEST, TABLE_COLUMNS, Results, column_kind, conform, read_manifest, read_results, typed,
                       wave_dtype, write_results)
from ._runner import STEPS, VERDICT_TABLES, AnalysisResult, analyze, compute_analysis, run_analysis
from ._timings import StepTime, StepTimer

__all__ = [
    "MANIFEST",
    "STEPS",
    "TABLE_COLUMNS",
    "VERDICT_TABLES",
    "AnalysisInput",
    "AnalysisResult",
    "Results",
    "StepTime",
    "StepTimer",
    "analyze",
    "build_input",
    "column_kind",
    "compute_analysis",
    "conform",
    "read_manifest",
    "read_results",
    "run_analysis",
    "typed",
    "wave_dtype",
    "write_results",
]
