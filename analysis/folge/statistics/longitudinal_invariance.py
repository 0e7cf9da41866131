"""Ordinal measurement invariance over waves for a panel: the longitudinal WLSMV model.

The multi-group models of :mod:`folge.statistics.wlsmv` treat the waves as independent
groups. When the same people answer again, the longitudinal model is the right one
(Liu et al. 2017): the answers in wide form (one row per person, one column per item ×
wave), one factor per wave with the factors freely correlated, each item's residuals
(the latent responses' unique parts, delta parameterisation) correlated across waves,
and every pair of columns used by whoever answered both (pairwise-present data).
Configural, metric (loadings equal across waves) and scalar (loadings and thresholds
equal) models are fitted by DWLS and tested as the multi-group ones are, reproducing
lavaan 0.6::

    cfa(model, data, ordered = <item × wave columns>, estimator = "WLSMV",
        parameterization = "delta", missing = "pairwise")

with the equalities written as labels, the first item's loading 1 in every wave, latent
means 0 and scale factors 1, and — once thresholds are equal — latent means and scale
factors free from the second wave on (lavaan's multi-group defaults for
``group.equal = "thresholds"``, written out for waves; ``tests/reference/wlsmv_panel.R``).
The rows have the columns of :data:`~folge.statistics.wlsmv.WLSMV_COLUMNS` and the models
of :func:`~folge.statistics.ordinal_invariance`: configural, metric, scalar (each against
the previous model), ``scalar-vs-configural`` (the gate's) and, where that fails,
``scalar-partial``, run by the same driver (:mod:`folge.statistics._invariance_steps`).

References
----------
Liu, Y., Millsap, R. E., West, S. G., Tein, J.-Y., Tanaka, R. & Grimm, K. J. (2017).
Testing measurement invariance in longitudinal data with ordered-categorical measures.
Psychological Methods, 22, 486–506.
Muthén, B., du Toit, S. H. C. & Spisic, D. (1997). Robust inference using weighted least
squares and quadratic estimating equations in latent variable modeling with categorical
and continuous outcomes. Unpublished technical report.
Asparouhov, T. & Muthén, B. (2010). Simple second order chi-square correction. Mplus
technical appendix.
Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of
moment structures. In Heijmans, Pollock & Satorra (eds.), Innovations in Multivariate
Statistical Analysis, 233–247. Kluwer.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
Statistical Software, 48(2), 1–36.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2 as chi2_dist

from folge.statistics._invariance_steps import (
    StepModel,
    check_max_freed,
    invariance_rows,
    steps_frame,
    strongest_release,
)
from folge.statistics._pairwise_moments import pairwise_statistics
from folge.statistics._panel_data import PanelCodes, panel_codes
from folge.statistics._panel_model import (
    PanelLayout,
    build_panel_layout,
    fit_panel,
    panel_implied,
    panel_jacobian,
    panel_residual_variances,
)
from folge.statistics._panel_score import panel_constraints, panel_score_statistic
from folge.statistics._wlsmv_tests import scaled_difference, scaled_shifted
from folge.statistics.polychoric import OrdinalGroup, OrdinalStatistics
from folge.statistics.wlsmv import INVARIANCE_STEPS, _baseline, _cfi, _rmsea, invariance_holds

__all__ = [
    "LONGITUDINAL_NOTE",
    "LONGITUDINAL_SCORE_COLUMNS",
    "LongitudinalFit",
    "PanelStatistics",
    "longitudinal_fit",
    "longitudinal_invariance",
    "longitudinal_score_tests",
    "panel_statistics",
]

#: Opens the ``note`` of every row of the longitudinal model.
LONGITUDINAL_NOTE = "longitudinal model, pairwise-present"


@dataclass(frozen=True)
class PanelStatistics:
    """The wide codes of a panel and their pairwise-present polychoric statistics.

    ``stats.items`` are the wide columns ``<item>_<wave number>``; ``stats.groups`` holds
    one group (all N people) or none when the data cannot carry the model.
    """

    codes: PanelCodes
    stats: OrdinalStatistics

    @property
    def items(self) -> tuple[str, ...]:
        return self.codes.items

    @property
    def waves(self) -> tuple[str, ...]:
        return self.codes.waves

    @property
    def n(self) -> int:
        return self.codes.n

    @property
    def group(self) -> OrdinalGroup:
        return self.stats.groups[0]


def panel_statistics(items: pd.DataFrame, wave, respondent) -> PanelStatistics:
    """Pairwise-present thresholds, polychoric correlations and Γ of a panel in wide form.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per ordinal item, one row per person and wave (reverse keys
        applied), NaN for a missing answer.
    wave, respondent : pandas.Series
        Each row's wave and person, aligned with ``items``.

    Returns
    -------
    PanelStatistics

    Notes
    -----
    Column a's thresholds τ_ak = Φ⁻¹(n_a(<k)/n_a) over the n_a people who answered it;
    each pair's polychoric correlation maximises Σ n_ab,cd log π_cd(ρ) over the people
    who answered both (Olsson 1979, two-step); Γ = N B⁻¹(Σᵢ sᵢsᵢ')B⁻ᵀ over all N people,
    a missing answer's scores 0 (Muthén 1984; lavaan's ``missing = "pairwise"``). A
    category nobody chose in some wave is merged with its neighbour in every wave.

    Examples
    --------
    >>> d = pd.DataFrame({"respondent": ["a", "a", "b", "b", "c", "d"],
    ...                   "wave": ["w1", "w2", "w1", "w2", "w1", "w2"],
    ...                   "x": [1, 2, 2, 2, 1, 1], "y": [1, 1, 2, 2, 2, 1], "z": [2, 2, 1, 1, 1, 2]})
    >>> panel = panel_statistics(d[["x", "y", "z"]], d["wave"], d["respondent"])
    >>> panel.n, panel.stats.items[:4]
    (4, ('x_1', 'y_1', 'z_1', 'x_2'))
    """
    codes = panel_codes(items, wave, respondent)
    return PanelStatistics(codes, pairwise_statistics(codes))


@dataclass(frozen=True)
class LongitudinalFit:
    """One fitted longitudinal model; the fields mean what :class:`~folge.statistics.wlsmv.WlsmvFit`'s do.

    ``residual_variances`` are θ_a = 1/δ_a² − λ_a²ψ_tt (waves × items).
    """

    equal: tuple[str, ...]
    partial: tuple[tuple[str, str], ...]
    theta: np.ndarray
    chi2: float
    df: int
    chi2_scaled: float
    scaling: float
    shift: float
    cfi: float
    rmsea: float
    srmr: float
    converged: bool
    deltas: tuple[np.ndarray, ...]
    residual_variances: np.ndarray
    note: str


def longitudinal_fit(panel: PanelStatistics, equal=(), *, partial=(), start=None) -> LongitudinalFit:
    """Fit the longitudinal one-factor-per-wave ordinal model by DWLS, with its fit.

    Parameters
    ----------
    panel : PanelStatistics
        From :func:`panel_statistics`, with a group.
    equal : tuple of str
        Held equal across waves: ``()`` configural, ``("loadings",)`` metric,
        ``("loadings", "thresholds")`` scalar.
    partial : collection of (str, str)
        Item parameters exempt from ``equal``: ``("loading", item)`` or
        ``("thresholds", item)`` (all its thresholds), free in every wave.
    start : ndarray, optional

    Returns
    -------
    LongitudinalFit

    Notes
    -----
    θ̂ minimises T(θ) = (N − 1)(s − σ(θ))'W(s − σ(θ)), W = diag(Γ)⁻¹ (lavaan's
    ``chisq``), σ(θ) as in :mod:`folge.statistics._panel_model`; df = statistics − free
    parameters. Scaled and shifted (Asparouhov & Muthén 2010): U = W − WΔ(Δ'WΔ)⁻¹Δ'W,
    a = √(df/tr((UΓ)²)), b = df − a·tr(UΓ), χ²s = a·T + b. CFI = 1 − max(χ²s − df, 0) /
    max(χ²s − df, χ²s₀ − df₀, 0) against the independence model (thresholds free,
    correlations 0); RMSEA = √(max(χ²s/df − 1, 0)/(N − 1)), N the people;
    SRMR = √(Σ_{a<b} (r_ab − σ_ab)²/(P(P + 1)/2)) over the P = waves × items columns
    (lavaan's ``cfi.scaled``, ``rmsea.scaled``, ``srmr``).
    """
    if not panel.stats.groups:
        raise ValueError("'panel' has no usable statistics: " + (panel.stats.note or "no answers"))
    positions = [(kind, _item_position(panel, item)) for kind, item in partial]
    layout = build_panel_layout(panel.codes.n_categories, len(panel.waves), equal, partial=positions)
    group = panel.group
    theta, stat, converged = fit_panel(layout, group, start=start)
    deltas = (panel_jacobian(theta, layout),)
    if layout.df > 0:
        scaled, a, b = scaled_shifted(stat, layout.df, deltas, (group,))
    else:
        scaled, a, b = stat, float("nan"), float("nan")
    base_scaled, base_df = _baseline(panel.stats)
    theta_res = panel_residual_variances(theta, layout)
    note = "" if converged else "the optimiser did not converge"
    if layout.df > 0 and not np.isfinite(scaled):
        note = _join(note, "singular information matrix: the model is not identified by these data")
    if (theta_res < 0).any():
        where = ", ".join(f"{panel.items[j]} in {panel.waves[t]}" for t, j in np.argwhere(theta_res < 0))
        note = _join(note, "negative residual variance (kept): " + where)
    return LongitudinalFit(
        tuple(equal), tuple(partial), theta, stat, layout.df, scaled, a, b,
        _cfi(scaled, layout.df, base_scaled, base_df), _rmsea(scaled, layout.df, group.n, 1),
        _srmr(group, theta, layout), converged, deltas, theta_res, note,
    )  # fmt: skip


def _item_position(panel: PanelStatistics, item: str) -> int:
    if item not in panel.items:
        raise ValueError(f"'partial' names an item that is not in the data: {item!r}")
    return panel.items.index(item)


def _srmr(group: OrdinalGroup, theta, layout: PanelLayout) -> float:
    n_th = group.thresholds.size
    residual = group.correlations - panel_implied(theta, layout)[n_th:]
    columns = layout.n_columns
    return float(np.sqrt(np.sum(residual**2) / (columns * (columns + 1) / 2)))


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def longitudinal_invariance(items: pd.DataFrame, wave, respondent, *, max_freed: int = 1) -> pd.DataFrame:
    """Configural, metric, scalar and (where scalar fails) partial scalar invariance of an
    ordinal scale over the waves of a panel, by the longitudinal WLSMV model.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per ordinal item, one row per person and wave (reverse keys
        applied), NaN for a missing answer.
    wave, respondent : pandas.Series
        Each row's wave and person, aligned with ``items``: the same person in several
        waves is one row of the wide data.
    max_freed : int, default 1
        Most items whose thresholds (or loading) may be freed across waves; 0 turns
        partial invariance off.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~folge.statistics.wlsmv.WLSMV_COLUMNS`, rows as
        :func:`~folge.statistics.ordinal_invariance`: ``configural``, ``metric``,
        ``scalar`` (each against the previous model), ``scalar-vs-configural`` and, when
        that fails, ``scalar-partial``. ``n`` counts people (rows of the wide data),
        ``n_groups`` waves; every ``note`` opens with :data:`LONGITUDINAL_NOTE`.

    Notes
    -----
    Fits as :func:`longitudinal_fit`; difference tests as ``lavTestLRT(previous,
    model)`` (Satorra 2000, scaled and shifted); ``holds`` = not (p < .05 and (ΔCFI <
    −.01 or ΔRMSEA > .015)). Partial invariance frees one item's thresholds or loading
    at a time in every wave, by the smallest score-test p-value (``lavTestScore(fit,
    release = …)``), until the model holds against the configural one or ``max_freed``
    items are free. Data that cannot carry the model (one wave, fewer than three items,
    too few people answering two waves) give NaN rows with the reason in ``note``.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> n = 300
    >>> eta = rng.normal(size=n)
    >>> rows = [pd.DataFrame({"respondent": np.arange(n), "wave": f"w{t}",
    ...                       **{f"i{j}": np.digitize(0.7 * eta + rng.normal(scale=0.7, size=n),
    ...                                               [-1, -0.3, 0.3, 1]) for j in range(4)}})
    ...         for t in (1, 2)]
    >>> d = pd.concat(rows, ignore_index=True)
    >>> res = longitudinal_invariance(d[["i0", "i1", "i2", "i3"]], d["wave"], d["respondent"])
    >>> res["model"].tolist(), [int(v) for v in res["df"]]
    (['configural', 'metric', 'scalar', 'scalar-vs-configural'], [15, 18, 29, 29])
    """
    check_max_freed(max_freed)
    panel = panel_statistics(items, wave, respondent)
    reason = _unusable(panel)
    if reason:
        return steps_frame([_empty_row(panel, name, reason) for name, _ in INVARIANCE_STEPS])
    return steps_frame(invariance_rows(_longitudinal_steps(panel), max_freed))


def _longitudinal_steps(panel: PanelStatistics) -> StepModel:
    """The longitudinal model's pieces for :func:`~folge.statistics._invariance_steps.invariance_rows`."""
    return StepModel(fit=functools.partial(longitudinal_fit, panel), row=functools.partial(_row, panel=panel),
                     next_release=functools.partial(_next_release, panel),
                     empty_row=functools.partial(_empty_row, panel), across="waves")


def _unusable(panel: PanelStatistics) -> str:
    if not panel.stats.groups:
        return panel.stats.note or "no usable answers"
    gamma = panel.group.gamma
    if not (np.all(np.isfinite(gamma)) and np.all(np.diag(gamma) > 0)):
        return _join(panel.stats.note, "no usable weight matrix (degenerate polychoric tables)")
    return ""


def _base_note(panel: PanelStatistics) -> str:
    share = panel.codes.repeated_share
    return _join(f"{LONGITUDINAL_NOTE} ({share:.0%} of the respondents answered in more than one wave)",
                 panel.stats.note)


def _empty_row(panel: PanelStatistics, name: str, reason: str) -> tuple:
    """A row named ``name`` with no fit, ``reason`` after :data:`LONGITUDINAL_NOTE`."""
    note = _join(f"{LONGITUDINAL_NOTE}", reason)
    return (name, panel.n, len(panel.waves)) + (np.nan,) * 2 + (pd.NA,) + (np.nan,) * 5 \
        + (np.nan, pd.NA, np.nan, pd.NA, note)


def _row(name, fit: LongitudinalFit, previous: LongitudinalFit | None, panel: PanelStatistics) -> tuple:
    note = _join(_base_note(panel), fit.note)
    if previous is None:
        diff, delta_cfi, delta_rmsea, holds = (np.nan, pd.NA, np.nan), np.nan, np.nan, pd.NA
    else:
        diff = scaled_difference(previous.chi2, previous.df, previous.deltas, fit.chi2, fit.df,
                                 fit.deltas, (panel.group,))
        delta_cfi, delta_rmsea = fit.cfi - previous.cfi, fit.rmsea - previous.rmsea
        holds = invariance_holds(diff[2], delta_cfi, delta_rmsea)
    return (name, panel.n, len(panel.waves), fit.chi2, fit.chi2_scaled, fit.df, fit.cfi, fit.rmsea,
            fit.srmr, delta_cfi, delta_rmsea, diff[0], diff[1], diff[2], holds, note)


#: Columns of :func:`longitudinal_score_tests`, in order.
LONGITUDINAL_SCORE_COLUMNS = ("parameter", "item", "x2", "df", "p")


def longitudinal_score_tests(panel: PanelStatistics, fit: LongitudinalFit) -> pd.DataFrame:
    """Score tests (modification indices) for releasing one item's equality constraints
    across waves: its thresholds, or its loading, in every wave at once.

    Parameters
    ----------
    panel : PanelStatistics
    fit : LongitudinalFit
        A metric or scalar fit of ``panel`` (from :func:`longitudinal_fit`).

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter`` (``thresholds`` or ``loading``), ``item``, ``x2``, ``df``,
        ``p``; one row per item and parameter set still held equal.

    Notes
    -----
    X² = N·u'[Z⁺]₁₁u, u the gradient of the DWLS fit function in the released
    parameterisation and Z the information matrix bordered by the constraints kept
    (``lavTestScore(fit, release = …)$test``, the ordinary score test for WLSMV).
    """
    positions = [(kind, _item_position(panel, item)) for kind, item in fit.partial]
    layout = build_panel_layout(panel.codes.n_categories, len(panel.waves), fit.equal, partial=positions)
    item_of = np.repeat(np.arange(len(panel.items)), np.asarray(panel.codes.n_categories) - 1)
    sets: dict = {}
    for i, c in enumerate(panel_constraints(layout)):
        key = ("loading", panel.items[c.column]) if c.kind == "loading" else \
            ("thresholds", panel.items[item_of[c.column]])
        sets.setdefault(key, []).append(i)
    x2 = panel_score_statistic(fit.theta, layout, panel.group, list(sets.values())) if sets else []
    rows = [(kind, item, value, len(s), float(chi2_dist.sf(value, len(s))))
            for (kind, item), value, s in zip(sets, x2, sets.values())]
    return pd.DataFrame(rows, columns=list(LONGITUDINAL_SCORE_COLUMNS)).astype({"df": "int64"})


def _next_release(panel: PanelStatistics, fit: LongitudinalFit, exclude) -> dict | None:
    """The item set (all thresholds, or the loading, of one item, released in every wave)
    with the smallest score-test p-value (ties: the larger X²), skipping ``exclude``."""
    return strongest_release(longitudinal_score_tests(panel, fit), exclude)
