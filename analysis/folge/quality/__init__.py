"""Flags for careless answers: straight-lining, speeding and duplicate submissions.

Flagged answers are kept; the flags go to ``results/quality.csv`` (one row per flag, the
columns in :data:`FLAG_COLUMNS`), are counted in the methods page, and exclude answers
from statistics only where ``settings.exclude_flagged`` is true (:func:`flagged_keys`).
``folge analyze`` builds them through :mod:`folge.analysis` from the store (page times
of the web form, stored answers, the quarantine) with the helpers of :mod:`._screen`.

Layers: uses :mod:`folge.definitions` and :mod:`folge.scoring` (missing codes out).
"""

from ._flags import (FLAG_COLUMNS, duplicate_submissions, flagged_keys, identical_answers, quality_table,
                     speeding, straight_lining)
from ._screen import MIN_PAGES, REPEAT_CODES, page_seconds, straight_lined_questionnaires, submissions

__all__ = [
    "FLAG_COLUMNS",
    "MIN_PAGES",
    "REPEAT_CODES",
    "duplicate_submissions",
    "flagged_keys",
    "identical_answers",
    "page_seconds",
    "quality_table",
    "speeding",
    "straight_lined_questionnaires",
    "straight_lining",
    "submissions",
]
