"""From stored answers to scores: missing codes out, reverse keys applied, constructs scored.

Step three of the data flow (instruments → responses → **scores** → statistics → …).
"""

from ._keyed import keyed_items, numeric_answers
from ._scores import SCORE_COLUMNS, required_items, score_construct, score_instrument

__all__ = [
    "SCORE_COLUMNS",
    "keyed_items",
    "numeric_answers",
    "required_items",
    "score_construct",
    "score_instrument",
]
