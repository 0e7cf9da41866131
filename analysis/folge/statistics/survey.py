"""Who answered: raking weights, weighted levels, empirical-Bayes region estimates, attrition.

Only part of those invited answer, and not at random. This module holds the survey
statistics that correct for it, as far as a region x role frame allows:

* :func:`rake` and :func:`rake_waves`: raking weights to the invited frame's margins
  (``survey::rake`` semantics), optional trimming, and
  :func:`effective_sample_size` (Kish's n_eff);
* :func:`weighted_mean` and :func:`weighted_levels`: weighted means with
  Taylor-linearised standard errors (``survey::svymean``), clustered by region for
  national figures;
* :func:`empirical_bayes`: each region's empirical-Bayes (shrunken) estimate from a
  one-way random-intercept model fitted by REML (``lme4::lmer``);
* :func:`levels`: the direct weighted levels and the EB estimates in one table;
* :func:`attrition`: who stayed in the panel, and whether stayers differed at
  baseline from leavers.

Wrong *arguments* (and a frame the weights cannot honour) raise ``ValueError`` or
``TypeError``; degenerate *data* (one region, one respondent, constant scores) give NaN
with the reason in ``note``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._attrition import ATTRITION_COLUMNS, attrition
from ._eb import EB_COLUMNS, empirical_bayes
from ._levels import LEVEL_COLUMNS, MEAN_COLUMNS, levels, weighted_levels, weighted_mean
from ._raking import fit_cells, margin_from_totals, trim_weights

__all__ = [
    "ATTRITION_COLUMNS",
    "EB_COLUMNS",
    "ESS_COLUMNS",
    "LEVEL_COLUMNS",
    "MEAN_COLUMNS",
    "RAKE_COLUMNS",
    "Raking",
    "WaveWeights",
    "attrition",
    "effective_sample_size",
    "empirical_bayes",
    "levels",
    "rake",
    "rake_waves",
    "weighted_levels",
    "weighted_mean",
]

#: Diagnostics of one raking (one row per wave in :attr:`WaveWeights.diagnostics`).
RAKE_COLUMNS = (
    "n", "sum_weights", "iterations", "converged", "max_change", "tolerance",
    "trimmed", "max_margin_error", "note",
)
#: Columns of :func:`effective_sample_size` after the grouping columns.
ESS_COLUMNS = ("n", "sum_weights", "n_eff")

_EMPTY_CHOICES = ("error", "spread")


@dataclass(frozen=True)
class Raking:
    """Raked weights and how the raking went (returned by :func:`rake`).

    Attributes
    ----------
    weights : pandas.Series
        One weight per respondent, indexed like the sample.
    iterations : int
        Full raking cycles run (one cycle post-stratifies to every margin once), the
        converging cycle included: the smallest ``control$maxit`` for which
        ``survey::rake`` converges without a warning.
    converged : bool
        Whether the last cycle changed no cell total by ``tolerance`` or more.
    max_change : float
        Largest change of a cell total in the last cycle.
    tolerance : float
        The absolute tolerance used: ``epsilon`` x the sum of the starting weights.
    trimmed : int
        Respondents whose weight was outside the trimming bounds (0 without trimming).
    max_margin_error : float
        Largest absolute difference between a weighted margin total and its population
        total after raking (and trimming).
    note : str
        Empty, or what was spread, trimmed or failed to converge.
    """

    weights: pd.Series
    iterations: int
    converged: bool
    max_change: float
    tolerance: float
    trimmed: int
    max_margin_error: float
    note: str

    def diagnostics(self) -> dict:
        """The raking's diagnostics as a dict keyed by :data:`RAKE_COLUMNS`."""
        return {
            "n": len(self.weights), "sum_weights": float(self.weights.sum()),
            "iterations": self.iterations, "converged": self.converged,
            "max_change": self.max_change, "tolerance": self.tolerance, "trimmed": self.trimmed,
            "max_margin_error": self.max_margin_error, "note": self.note,
        }


def rake(sample: pd.DataFrame, margins: Mapping[str, Mapping | pd.Series], weights=None, *,
         epsilon: float = 1e-10, maxit: int = 1000, weight_trim=None, empty: str = "error") -> Raking:
    """Rake respondent weights to population margins by iterative proportional fitting.

    Parameters
    ----------
    sample : pandas.DataFrame
        One row per respondent with a column for every margin (e.g. ``region``, ``role``).
    margins : mapping of str to mapping or Series
        Column name -> population total per category (e.g. the invited frame's region
        totals and role totals). All margins must have the same grand total.
    weights : array-like of float, optional
        Starting weights (default 1 for everyone), positive.
    epsilon : float
        Convergence tolerance as a share of the sum of the starting weights (the sample
        size when they are 1): stop when no cell of the margins' joint table changes by
        ``epsilon * sum(start)`` or more in a cycle. Default 1e-10.
    maxit : int
        Most raking cycles (default 1000); ``converged`` says whether that was enough.
    weight_trim : float or (float, float), optional
        Trimming bounds as ratios to the mean raked weight: ``upper`` or ``(lower,
        upper)`` with ``lower <= 1 <= upper``. Weights are trimmed once, after raking,
        as ``survey::trimWeights(design, lower = lower * mean(w), upper = upper *
        mean(w), strict = TRUE)``: clipped to the bounds, the trimmed amount shared
        equally by the weights inside, repeated until none is outside. The sum of the
        weights is kept; the margins then hold only approximately (see
        ``max_margin_error``). There is no re-raking after trimming.
    empty : {'error', 'spread'}
        A margin category with a population total but no respondents raises
        ``ValueError`` naming it (default), or with ``'spread'`` is dropped and its total
        spread over the margin's other categories in proportion to their totals, which
        assumes the missing group resembles the others; ``note`` says so.

    Returns
    -------
    Raking
        Weights and diagnostics (iterations, convergence, max change, tolerance).

    Raises
    ------
    ValueError
        For a missing margin column or value, a sample category without population total,
        an empty category (``empty='error'``), unequal grand totals, bad bounds.

    Notes
    -----
    Raking (Deming & Stephan 1940) alternately post-stratifies to each margin: for
    margin :math:`m` with categories :math:`c`, every weight in category :math:`c` is
    multiplied by :math:`N_{c}/\\hat N_{c}`, the population total over the current
    weighted sample total. It converges to the weights closest to the starting ones in
    the raking (multiplicative) distance that reproduce every margin (Deville &
    Särndal 1992). As in ``survey::rake(design, list(~region, ~role), list(region_totals,
    role_totals), control = list(maxit = 1000, epsilon = 1e-10))`` (Lumley 2004,
    2010), convergence is checked on the joint table of the margin variables after
    every full cycle. Since every respondent of one cell of that table gets the same
    factor, the fitting runs on the cell totals.

    References
    ----------
    Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled
    frequency table when the expected marginal totals are known. *Ann. Math. Statist.* 11.
    Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey sampling.
    *JASA* 87, 376-382. Lumley, T. (2010). *Complex Surveys*. Wiley.

    Examples
    --------
    >>> d = pd.DataFrame({"region": ["a", "a", "b", "b"], "role": ["x", "y", "x", "x"]})
    >>> r = rake(d, {"region": {"a": 10, "b": 10}, "role": {"x": 12, "y": 8}})
    >>> r.weights.round(3).tolist(), r.converged
    ([2.0, 8.0, 5.0, 5.0], True)
    """
    _check_rake_arguments(sample, margins, epsilon, maxit, empty)
    start = _start_weights(weights, len(sample))
    built, notes = [], []
    for name, totals in margins.items():
        margin, spread = margin_from_totals(name, sample[name], totals, empty)
        built.append(margin)
        notes.extend(spread)
    _check_grand_totals(built)
    if len(sample) == 0:
        raise ValueError("'sample' has no respondents to rake")
    flat = np.ravel_multi_index(tuple(m.codes for m in built), tuple(len(m.totals) for m in built))
    _, cell_of_unit = np.unique(flat, return_inverse=True)
    cell_of_unit = cell_of_unit.reshape(-1).astype(np.intp)
    tolerance = float(epsilon) * float(start.sum())
    fit = fit_cells(cell_of_unit, start, built, tolerance, int(maxit))
    raked = start * fit.factors[cell_of_unit]
    if not fit.converged:
        notes.append(f"raking did not converge in {maxit} cycles (last change {fit.max_change:.3g})")
    raked, trimmed, trim_note = _trim(raked, weight_trim)
    notes.extend(trim_note)
    return Raking(
        weights=pd.Series(raked, index=sample.index, name="weight"),
        iterations=fit.iterations, converged=fit.converged, max_change=fit.max_change,
        tolerance=tolerance, trimmed=trimmed, max_margin_error=_margin_error(raked, built),
        note="; ".join(notes),
    )


def _check_rake_arguments(sample, margins, epsilon, maxit, empty) -> None:
    """Raise for arguments :func:`rake` cannot use."""
    if not isinstance(sample, pd.DataFrame):
        raise TypeError(f"'sample' must be a DataFrame (got {type(sample).__name__})")
    if not isinstance(margins, Mapping) or not margins:
        raise ValueError("'margins' must map at least one column name to its population totals")
    missing = [name for name in margins if name not in sample.columns]
    if missing:
        raise ValueError(f"'margins' names column {missing[0]!r}, which 'sample' lacks (got {list(sample.columns)!r})")
    if not (np.isfinite(epsilon) and epsilon > 0):
        raise ValueError(f"'epsilon' must be a positive number (got {epsilon!r})")
    if isinstance(maxit, bool) or not isinstance(maxit, (int, np.integer)) or maxit < 1:
        raise ValueError(f"'maxit' must be a positive integer (got {maxit!r})")
    if empty not in _EMPTY_CHOICES:
        raise ValueError(f"'empty' must be one of {_EMPTY_CHOICES} (got {empty!r})")


def _start_weights(weights, n: int) -> np.ndarray:
    """Starting weights as a positive float array of length ``n`` (ones by default)."""
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=float).reshape(-1)
    if len(w) != n:
        raise ValueError(f"'weights' must have one value per respondent (got {len(w)} for {n})")
    if not np.all(np.isfinite(w) & (w > 0)):
        raise ValueError("'weights' must be finite and positive")
    return w


def _check_grand_totals(margins) -> None:
    """Raise when the margins' population totals do not add up to the same number."""
    totals = [float(m.totals.sum()) for m in margins]
    if max(totals) - min(totals) > 1e-9 * max(totals):
        described = ", ".join(f"{m.name!r}: {t:g}" for m, t in zip(margins, totals))
        raise ValueError(f"the margins must have the same grand total (got {described})")


def _trim(raked: np.ndarray, weight_trim) -> tuple[np.ndarray, int, list[str]]:
    """Apply the optional trimming bounds (ratios to the mean weight)."""
    if weight_trim is None:
        return raked, 0, []
    lower, upper = _trim_bounds(weight_trim)
    mean = float(raked.mean())
    lo, hi = lower * mean, upper * mean
    outside = int(np.sum((raked < lo) | (raked > hi)))
    if outside == 0:
        return raked, 0, []
    trimmed, rounds = trim_weights(raked, lo, hi)
    note = (f"{outside} weights trimmed to [{lower:g}, {upper:g}] x the mean weight "
            f"(survey::trimWeights, strict, {rounds} rounds); margins now hold approximately")
    return trimmed, outside, [note]


def _trim_bounds(weight_trim) -> tuple[float, float]:
    """``weight_trim`` as ``(lower, upper)`` ratios to the mean weight, checked."""
    if isinstance(weight_trim, (int, float, np.integer, np.floating)) and not isinstance(weight_trim, bool):
        lower, upper = 0.0, float(weight_trim)
    elif isinstance(weight_trim, Sequence) and len(weight_trim) == 2:
        lower, upper = float(weight_trim[0]), float(weight_trim[1])
    else:
        raise TypeError(f"'weight_trim' must be an upper ratio or a (lower, upper) pair (got {weight_trim!r})")
    if not (0 <= lower <= 1 <= upper):
        raise ValueError(f"'weight_trim' must satisfy 0 <= lower <= 1 <= upper (got ({lower!r}, {upper!r}))")
    return lower, upper


def _margin_error(weights: np.ndarray, margins) -> float:
    """Largest absolute gap between a weighted margin total and its population total."""
    gaps = [np.max(np.abs(np.bincount(m.codes, weights=weights, minlength=len(m.totals)) - m.totals))
            for m in margins]
    return float(max(gaps))


# ------------------------------------------------------------------------ per wave
@dataclass(frozen=True)
class WaveWeights:
    """Weights of every wave (returned by :func:`rake_waves`).

    Attributes
    ----------
    weights : pandas.DataFrame
        The respondents' rows with a ``weight`` column added.
    diagnostics : pandas.DataFrame
        One row per wave: the wave column, then :data:`RAKE_COLUMNS`.
    """

    weights: pd.DataFrame
    diagnostics: pd.DataFrame


def rake_waves(respondents: pd.DataFrame, frame: pd.DataFrame, *, margins: Sequence[str] = ("region", "role"),
               wave: str = "wave", count: str = "invited", **options) -> WaveWeights:
    """Rake every wave's respondents to that wave's invited frame.

    Parameters
    ----------
    respondents : pandas.DataFrame
        One row per respondent and wave with the ``wave`` column and every margin column.
    frame : pandas.DataFrame
        The invited frame, one row per wave x cell: ``wave``, the margin columns and
        ``count`` (e.g. ``wave, region, role, invited``). Each margin's totals are the
        frame's counts summed over the other columns.
    margins : sequence of str
        Margin columns, default ``("region", "role")``; ``("region",)`` is plain
        post-stratification to region totals.
    wave, count : str
        Names of the wave and count columns.
    **options
        Passed to :func:`rake` (``epsilon``, ``maxit``, ``weight_trim``, ``empty``).

    Returns
    -------
    WaveWeights
        ``weights`` (the respondents plus ``weight``) and ``diagnostics`` per wave.

    Raises
    ------
    ValueError
        As :func:`rake`, the message starting with the wave; also for a wave with
        respondents but no frame rows.

    Notes
    -----
    Each wave is raked separately as :func:`rake` describes (``survey::rake`` per wave).
    """
    for name, table, cols in (("respondents", respondents, [wave, *margins]),
                              ("frame", frame, [wave, *margins, count])):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(f"{name!r} must be a DataFrame (got {type(table).__name__})")
        lacking = [c for c in cols if c not in table.columns]
        if lacking:
            raise ValueError(f"{name!r} lacks column {lacking[0]!r} (got {list(table.columns)!r})")
    weights = np.full(len(respondents), np.nan)
    rows = []
    frames = dict(tuple(frame.groupby(wave, sort=False)))
    for value, positions in sorted(respondents.groupby(wave, sort=True).indices.items()):
        value = value.item() if isinstance(value, np.generic) else value
        part = respondents.iloc[positions]
        invited = frames.get(value, frame.iloc[:0])
        if invited.empty:
            raise ValueError(f"wave {value!r}: respondents but no rows in the frame")
        totals = {m: invited.groupby(m)[count].sum() for m in margins}
        try:
            result = rake(part, totals, **options)
        except ValueError as error:
            raise ValueError(f"wave {value!r}: {error}") from None
        weights[positions] = result.weights.to_numpy()
        rows.append({wave: value, **result.diagnostics()})
    out = respondents.copy()
    out["weight"] = weights
    diagnostics = pd.DataFrame(rows, columns=[wave, *RAKE_COLUMNS])
    return WaveWeights(weights=out, diagnostics=diagnostics)


def effective_sample_size(data: pd.DataFrame, by: Sequence[str] = ("region", "wave"),
                          weight: str = "weight") -> pd.DataFrame:
    """Kish's effective sample size of the weights in every group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the grouping columns and the weight column.
    by : sequence of str
        Grouping columns (default region and wave); empty for one overall row.
    weight : str
        Name of the weight column.

    Returns
    -------
    pandas.DataFrame
        The grouping columns, then :data:`ESS_COLUMNS`: ``n`` respondents,
        ``sum_weights`` and ``n_eff``.

    Notes
    -----
    :math:`n_{eff} = (\\sum_i w_i)^2 / \\sum_i w_i^2` (Kish 1965), the size of a simple
    random sample with the same precision for a mean when weights are unrelated to the
    score; it equals ``n`` for equal weights and shrinks as the weights vary.

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. Wiley.

    Examples
    --------
    >>> d = pd.DataFrame({"region": ["a", "a", "b"], "weight": [1.0, 3.0, 2.0]})
    >>> effective_sample_size(d, by=["region"])
      region  n  sum_weights  n_eff
    0      a  2          4.0    1.6
    1      b  1          2.0    1.0
    """
    by = list(by)
    if weight not in data.columns:
        raise ValueError(f"'data' lacks the weight column {weight!r}")
    w = data[weight].to_numpy(dtype=float)
    frame = pd.DataFrame({"w": w, "w2": w * w}, index=data.index)
    if by:
        keys = [data[c] for c in by]
        sums = frame.groupby(keys, sort=True, observed=True).agg(n=("w", "size"), sum_weights=("w", "sum"),
                                                                 sum_sq=("w2", "sum")).reset_index()
    else:
        sums = pd.DataFrame({"n": [len(w)], "sum_weights": [w.sum()], "sum_sq": [frame["w2"].sum()]})
    sums["n_eff"] = sums["sum_weights"] ** 2 / sums["sum_sq"]
    return sums[[*by, *ESS_COLUMNS]]
