"""Flags for careless answers: straight-lining, speeding and duplicate submissions.

Flagged answers are kept; the flags go to ``results/quality.csv`` (one row per flag, the
columns in :data:`FLAG_COLUMNS`), are counted in the methods page, and exclude answers
from statistics only where ``settings.exclude_flagged`` is true (:func:`flagged_keys`).
Not wired into ``folge analyze`` yet.

Layers: uses :mod:`folge.definitions` and :mod:`folge.scoring` (missing codes out).
"""

from ._flags import (FLAG_COLUMNS, duplicate_submissions, flagged_keys, identical_answers, quality_table,
                     speeding, straight_lining)

__all__ = [
    "FLAG_COLUMNS",
    "duplicate_submissions",
    "flagged_keys",
    "identical_answers",
    "quality_table",
    "speeding",
    "straight_lining",
]
