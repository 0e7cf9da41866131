"""Ordinal (WLSMV) invariance across waves: the gate's test, and partial invariance.

The configural, metric and scalar rows of :func:`folge.statistics.wlsmv.wlsmv_invariance`
(each against the previous model, as ``lavTestLRT`` compares them), then the row the gate
reads, ``scalar-vs-configural``: the scalar model tested against the configural one. In
the delta parameterisation lavaan's metric model keeps every wave's latent response
variances at 1 while thresholds are free (scale factors are freed only once thresholds
are equal), so a latent variance that grows over the waves, as it does when some regions
improve and others do not, shows as a failed metric step although loadings and
thresholds are the same (Wu & Estabrook 2016, who show that the steps are not nested as
they look). The scalar model (equal loadings and thresholds, scale factors and latent
variances free) is nested in the configural model and tests exactly what comparing means
needs; it is the same model under lavaan's identification and under Wu & Estabrook's
(``semTools::measEq.syntax(..., ID.cat = "Wu.Estabrook.2016")`` with thresholds, loadings
and intercepts equal), so its test does not depend on how the steps in between are
identified. The metric step is also liberal in small samples. Its df all fall on the
polychoric correlations (the thresholds are free and fitted exactly in both models), and
the WLSMV test is somewhat liberal at small N (Flora & Curran 2004). On invariant data
(``folge simulate --scenario invariance-gate``: 4 waves, five 5-point items) it rejects at
.05 in 18–20 % of studies at 40 answers a wave and 7–13 % at 100 (runs of 200–400
replications), exactly as lavaan does on the same data, while the scalar-vs-configural
test stays near 5 % (1.5–6 %). Wu & Estabrook's steps (thresholds first, then loadings
with each wave's latent response scales free) on the same data at 100 a wave, in two
samples of 121 and 116 data sets lavaan can fit: lavaan's metric step rejects in 11.6 %
and 6.9 % (mean p .39 and .43), Wu & Estabrook's loadings step in 4.1 % and 6.9 % (mean p
.47 and .48) and their thresholds step in 2.5 % and 2.6 %. Most of the excess seems to
belong to lavaan's metric identification rather than to the scaled difference test, though
samples of this size cannot settle it (``benchmarks/invariance/gate_vs_lavaan.py`` repeats
the comparison).

Where the gate's test fails, a ``scalar-partial`` row: the scalar model with one item's
thresholds (or loading) at a time free across groups, chosen by the score test, until it
holds against the configural model or ``max_freed`` items are free (Byrne, Shavelson &
Muthén 1989; Yoon & Millsap 2007 for freeing by the largest modification index). The
steps run in :mod:`folge.statistics._invariance_steps`, the driver this model shares with
:func:`~folge.statistics.longitudinal_invariance`.

References
----------
Byrne, B. M., Shavelson, R. J. & Muthén, B. (1989). Testing for the equivalence of factor
covariance and mean structures: the issue of partial measurement invariance.
Psychological Bulletin, 105, 456–466.
Flora, D. B. & Curran, P. J. (2004). An empirical evaluation of alternative methods of
estimation for confirmatory factor analysis with ordinal data. Psychological Methods, 9,
466–491.
Wu, H. & Estabrook, R. (2016). Identification of confirmatory factor analysis models of
different levels of invariance for ordered categorical outcomes. Psychometrika, 81,
1014–1045.
Rhemtulla, M., Brosseau-Liard, P. É. & Savalei, V. (2012). When can categorical variables
be treated as continuous? Psychological Methods, 17, 354–373.
Yoon, M. & Millsap, R. E. (2007). Detecting violations of factorial invariance using
data-based specification searches: a Monte Carlo study. Structural Equation Modeling,
14, 435–463.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from folge.statistics._invariance_steps import (
    GATE_MODEL,
    PARTIAL_MODEL,
    StepModel,
    check_max_freed,
    invariance_rows,
    steps_frame,
    strongest_release,
)
from folge.statistics.polychoric import OrdinalStatistics, ordinal_statistics
from folge.statistics.wlsmv import (
    WlsmvFit,
    _empty_rows,
    _join,
    _row,
    _unusable,
    wlsmv_fit,
    wlsmv_score_tests,
)

__all__ = ["GATE_MODEL", "ORDINAL_MAX_POINTS", "PARTIAL_MODEL", "gate_estimator", "ordinal_invariance",
           "next_release"]

#: Response scales of up to this many points are modelled as ordinal (WLSMV); longer
#: ones as continuous (ML). Rhemtulla, Brosseau-Liard & Savalei (2012): with five or
#: more categories ML is often acceptable, but with few categories or asymmetric
#: thresholds it biases loadings and fit, and WLSMV does not.
ORDINAL_MAX_POINTS = 7


def gate_estimator(points: int) -> str:
    """The estimator whose rows decide invariance for a scale of ``points`` points.

    >>> gate_estimator(5), gate_estimator(11)
    ('WLSMV', 'ML')
    """
    return "WLSMV" if 2 <= int(points) <= ORDINAL_MAX_POINTS else "ML"


def ordinal_invariance(items: pd.DataFrame, group, *, max_freed: int = 1) -> pd.DataFrame:
    """Configural, metric, scalar and (where scalar fails) partial scalar invariance, WLSMV.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per ordinal item (reverse keys applied), NaN for a missing answer;
        respondents who answered every item are used.
    group : pandas.Series
        The group (wave) of each row, aligned by index.
    max_freed : int, default 1
        Most items whose thresholds (or loading) may be freed across groups; 0 turns
        partial invariance off.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`~folge.statistics.wlsmv.wlsmv_invariance` (columns
        :data:`~folge.statistics.wlsmv.WLSMV_COLUMNS`); a fourth row ``model`` =
        ``scalar-vs-configural``: the scalar fit with its deltas, difference test and
        ``holds`` against the configural model; and a fifth row ``scalar-partial`` when
        that fails (``holds`` False) and ``max_freed`` ≥ 1: the partial scalar fit
        against the configural model, with a ``note`` naming what was freed and the
        score test that chose it.

    Notes
    -----
    Each step releases the equality constraints of one item's set, its K − 1
    thresholds or its loading, in every group at once (``lavTestScore(fit, release =
    …)``; X² = N·u'[Z⁺]₁₁u, see :func:`~folge.statistics.wlsmv.wlsmv_score_tests`).
    A threshold set and a loading have different df ((K − 1)(G − 1) against G − 1), so
    sets are compared by the p-value of their score test, the smallest first (the
    larger X² breaks a tie, such as two p-values that underflow to 0). An item once
    freed is not a candidate again. The search stops when the partial model holds
    against the configural model (:func:`~folge.statistics.wlsmv.invariance_holds`:
    not (p < .05 and (ΔCFI < −.01 or ΔRMSEA > .015))) or ``max_freed`` items are free;
    the row shows the last model fitted. Means are then compared on the partial model:
    the items still held equal anchor the latent scale.

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> eta = rng.normal(size=900)
    >>> wave = np.repeat(["w1", "w2", "w3"], 300)
    >>> shift = np.where(wave == "w3", 0.8, 0.0)
    >>> x = pd.DataFrame({f"i{j}": np.digitize(0.7 * eta + rng.normal(scale=0.7, size=900)
    ...                                          - (shift if j == 2 else 0), [-1, -0.3, 0.3, 1])
    ...                   for j in range(4)})
    >>> res = ordinal_invariance(x, pd.Series(wave))
    >>> res["model"].tolist()
    ['configural', 'metric', 'scalar', 'scalar-vs-configural', 'scalar-partial']
    >>> res["note"].iloc[4].split(" (")[0]
    'thresholds of i2 free across groups'
    """
    check_max_freed(max_freed)
    stats = ordinal_statistics(items, group)
    reason = _unusable(stats)
    if reason:
        return _empty_rows(stats, reason)
    return steps_frame(invariance_rows(_multi_group_steps(stats), max_freed))


def _multi_group_steps(stats: OrdinalStatistics) -> StepModel:
    """The multi-group model's pieces for :func:`~folge.statistics._invariance_steps.invariance_rows`."""
    return StepModel(fit=functools.partial(wlsmv_fit, stats), row=functools.partial(_row, stats=stats),
                     next_release=functools.partial(next_release, stats),
                     empty_row=functools.partial(_empty_row, stats), across="groups")


def _empty_row(stats: OrdinalStatistics, name: str, reason: str) -> tuple:
    """A row named ``name`` with no fit, ``reason`` after the data's note."""
    return (name, stats.n, len(stats.groups)) + (np.nan,) * 2 + (pd.NA,) + (np.nan,) * 5 \
        + (np.nan, pd.NA, np.nan, pd.NA, _join(stats.note, reason))


def next_release(stats: OrdinalStatistics, fit: WlsmvFit, exclude=()) -> dict | None:
    """The item parameter set whose release the score test favours most.

    Returns ``{"parameter", "item", "x2", "df", "p"}`` for the set (``thresholds`` or
    ``loading`` of one item) with the smallest score-test p-value (ties: the larger X²),
    skipping items in ``exclude``; ``None`` when no finite test is left.
    """
    return strongest_release(wlsmv_score_tests(stats, fit, by="item"), exclude)
