"""Ordinal measurement invariance across groups (waves): multi-group one-factor models
fitted by diagonally weighted least squares to polychoric statistics (WLSMV).

Configural, metric (equal loadings) and scalar (equal loadings and thresholds) models in
the delta parameterisation, identified as lavaan identifies them by default (Rosseel
2012): ``cfa(model, data, ordered = items, group = "wave", estimator = "WLSMV",
parameterization = "delta", std.lv = FALSE, group.equal = …)``. The statistics, fit
indices and difference tests reproduce lavaan 0.6.

References
----------
Muthén, B. (1984). A general structural equation model with dichotomous, ordered
categorical, and continuous latent variable indicators. Psychometrika, 49, 115–132.
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

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2 as chi2_dist

from folge.statistics._wlsmv_model import (
    build_layout,
    fit_dwls,
    implied,
    jacobian_all,
    residual_variances,
)
from folge.statistics._wlsmv_score import equality_constraints, score_statistic
from folge.statistics._wlsmv_tests import scaled_difference, scaled_shifted
from folge.statistics.polychoric import OrdinalStatistics, ordinal_statistics

__all__ = [
    "INVARIANCE_STEPS",
    "SCORE_COLUMNS",
    "WLSMV_COLUMNS",
    "WlsmvFit",
    "invariance_holds",
    "wlsmv_difference",
    "wlsmv_fit",
    "wlsmv_invariance",
    "wlsmv_score_tests",
]

#: Columns of :func:`wlsmv_invariance`, in order.
WLSMV_COLUMNS = (
    "model", "n", "n_groups", "chi2", "chi2_scaled", "df", "cfi", "rmsea", "srmr",
    "delta_cfi", "delta_rmsea", "chi2_diff", "df_diff", "p_diff", "holds", "note",
)  # fmt: skip

#: Columns of :func:`wlsmv_score_tests`, in order.
SCORE_COLUMNS = ("parameter", "item", "threshold", "group", "x2", "df", "p")

#: The nested models in order, with the parameters each holds equal across groups.
INVARIANCE_STEPS = (
    ("configural", ()),
    ("metric", ("loadings",)),
    ("scalar", ("loadings", "thresholds")),
)


@dataclass(frozen=True)
class WlsmvFit:
    """One fitted multi-group ordinal model.

    ``chi2`` is the DWLS statistic T (lavaan's ``chisq``), ``chi2_scaled`` = a·T + b
    (``chisq.scaled``, scaled and shifted) with ``scaling`` a and ``shift`` b; ``cfi``,
    ``rmsea`` are lavaan's ``cfi.scaled``, ``rmsea.scaled``; ``srmr`` its ``srmr``.
    ``deltas`` are the per-group Jacobians ∂σ_g/∂θ' at the estimate (needed by the
    difference test), ``residual_variances`` θ_jg (groups × items).
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


def wlsmv_fit(stats: OrdinalStatistics, equal=(), *, partial=(), start=None) -> WlsmvFit:
    """Fit the one-factor multi-group ordinal model by DWLS and compute its fit.

    Parameters
    ----------
    stats : OrdinalStatistics
        From :func:`~folge.statistics.ordinal_statistics`, at least two groups.
    equal : tuple of str
        Parameters held equal across groups: ``()`` configural, ``("loadings",)``
        metric, ``("loadings", "thresholds")`` scalar.
    partial : collection of (str, str)
        Item parameters exempt from ``equal`` (partial invariance, lavaan's
        ``group.partial``): ``("loading", item)`` or ``("thresholds", item)`` (all of
        the item's thresholds). Latent means and scale factors stay as in the full model.
    start : ndarray, optional
        Starting values for θ (default: from the sample statistics).

    Returns
    -------
    WlsmvFit

    Notes
    -----
    Estimate: θ̂ minimises T(θ) = Σ_g (N_g − 1)(s_g − σ_g(θ))' W_g (s_g − σ_g(θ)) with
    W_g = diag(Γ_g)⁻¹ (lavaan weights group g by N_g − 1 for DWLS; T is its ``chisq``).
    df = G·(thresholds + p(p − 1)/2) − free parameters.
    Scaled and shifted (Asparouhov & Muthén 2010): U = W − WΔ(Δ'WΔ)⁻¹Δ'W over the
    stacked groups (W = ⊕ f_g W_g, Γ = ⊕ Γ_g/f_g, f_g = N_g/N), a = √(df/tr((UΓ)²)),
    b = df − a·tr(UΓ), χ²s = a·T + b.
    CFI = 1 − max(χ²s − df, 0)/max(χ²s − df, χ²s₀ − df₀, 0) against the independence
    model (thresholds free, correlations 0; χ²s₀ its scaled-shifted statistic).
    RMSEA = √G·√(max(χ²s/df − 1, 0)/(N − G)).
    SRMR = Σ_g (N_g/N)·√(Σ_{j<l} (r_jl − σ_jl)² / (p(p + 1)/2)) over the polychoric
    correlations (lavaan's ``srmr``: the zero residuals of the unit diagonal count).
    """
    groups = stats.groups
    layout = _layout(stats, equal, partial)
    theta, stat, converged = fit_dwls(layout, groups, start=start)
    deltas = tuple(jacobian_all(theta, layout))
    if layout.df > 0:
        scaled, a, b = scaled_shifted(stat, layout.df, deltas, groups)
    else:
        scaled, a, b = stat, float("nan"), float("nan")
    base_scaled, base_df = _baseline(stats)
    theta_res = residual_variances(theta, layout)
    note = "" if converged else "the optimiser did not converge"
    if layout.df > 0 and not np.isfinite(scaled):
        note = _join(note, "singular information matrix: the model is not identified by these data")
    if (theta_res < 0).any():
        note = _join(note, "negative residual variance (kept): " + _heywood(stats, theta_res))
    return WlsmvFit(
        tuple(equal), tuple(partial), theta, stat, layout.df, scaled, a, b,
        _cfi(scaled, layout.df, base_scaled, base_df),
        _rmsea(scaled, layout.df, stats.n, len(groups)),
        _srmr(stats, theta, layout), converged, deltas, theta_res, note,
    )  # fmt: skip


def _layout(stats: OrdinalStatistics, equal, partial):
    unknown = [item for _, item in partial if item not in stats.items]
    if unknown:
        raise ValueError(f"'partial' names items that are not in the data: {unknown}")
    positions = [(kind, stats.items.index(item)) for kind, item in partial]
    free_means = "thresholds" in equal
    return build_layout(stats.n_categories, len(stats.groups), equal, free_means=free_means,
                        partial=positions)


def _baseline(stats: OrdinalStatistics) -> tuple[float, int]:
    """Scaled-shifted statistic and df of the independence model (thresholds free)."""
    groups = stats.groups
    n_th = groups[0].thresholds.size
    n_cor = groups[0].correlations.size
    stat = sum((g.n - 1) * np.sum(g.weights[n_th:] * g.correlations**2) for g in groups)
    df = len(groups) * n_cor
    deltas = []
    for g in range(len(groups)):
        d = np.zeros((n_th + n_cor, n_th * len(groups)))
        d[np.arange(n_th), g * n_th + np.arange(n_th)] = 1.0
        deltas.append(d)
    return scaled_shifted(stat, df, deltas, groups)[0], df


def _cfi(scaled, df, base_scaled, base_df) -> float:
    if not (np.isfinite(scaled) and np.isfinite(base_scaled)):
        return float("nan")
    denominator = max(scaled - df, base_scaled - base_df, 0.0)
    if denominator == 0:
        return 1.0
    return float(1.0 - max(scaled - df, 0.0) / denominator)


def _rmsea(scaled, df, n, n_groups) -> float:
    if df == 0:
        return 0.0
    if not np.isfinite(scaled):
        return float("nan")
    return float(np.sqrt(n_groups) * np.sqrt(max(scaled / df - 1.0, 0.0) / (n - n_groups)))


def _srmr(stats, theta, layout) -> float:
    p = layout.n_items
    n_th = stats.groups[0].thresholds.size
    total = 0.0
    for g, group in enumerate(stats.groups):
        residual = group.correlations - implied(theta, layout, g)[n_th:]
        total += group.n * np.sqrt(np.sum(residual**2) / (p * (p + 1) / 2))
    return float(total / stats.n)


def _heywood(stats, theta_res) -> str:
    where = np.argwhere(theta_res < 0)
    return ", ".join(f"{stats.items[j]} in {stats.groups[g].label}" for g, j in where)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def wlsmv_difference(previous: WlsmvFit, model: WlsmvFit, stats: OrdinalStatistics):
    """Scaled-and-shifted difference test of ``model`` nested in ``previous``.

    As ``lavTestLRT(previous, model)`` for WLSMV (lavaan 0.6: method ``"satorra.2000"``
    with the scaled-shifted statistic; Satorra 2000). With H = Δ₁⁺Δ₀, A the orthogonal
    complement of H's columns, P = (Δ₁'WΔ₁)⁻¹, M = PA'(APA')⁺AP and U_d = WΔ₁MΔ₁'W:
    m = df₀ − df₁, a = √(m/tr((U_dΓ)²)), b = m − a·tr(U_dΓ), χ²_d = a(T₀ − T₁) + b,
    p = P(χ²(m) > χ²_d).

    Returns
    -------
    tuple of (chi2_diff, df_diff, p_diff)
    """
    return scaled_difference(previous.chi2, previous.df, previous.deltas,
                             model.chi2, model.df, model.deltas, stats.groups)


def invariance_holds(p_diff, delta_cfi, delta_rmsea, *, alpha=0.05, cfi_drop=0.01,
                     rmsea_rise=0.015):
    """The gate: invariance fails only when the difference is significant *and* large.

    holds = not (p_diff < α and (ΔCFI < −.01 or ΔRMSEA > .015)), with Δ = this model −
    the previous one. Returns ``pd.NA`` when any input is missing (no verdict).

    Examples
    --------
    >>> invariance_holds(0.001, -0.02, 0.0)
    False
    >>> invariance_holds(0.001, -0.005, 0.01)  # significant but trivial
    True
    >>> invariance_holds(0.30, -0.03, 0.02)  # large but not significant
    True
    """
    values = (p_diff, delta_cfi, delta_rmsea)
    if any(v is None or v is pd.NA or not np.isfinite(v) for v in values):
        return pd.NA
    large = delta_cfi < -cfi_drop or delta_rmsea > rmsea_rise
    return not (p_diff < alpha and large)


def wlsmv_invariance(items: pd.DataFrame, group) -> pd.DataFrame:
    """Configural, metric and scalar invariance of an ordinal scale across groups (WLSMV).

    Parameters
    ----------
    items : pandas.DataFrame
        One column per ordinal item (reverse keys applied), NaN for a missing answer;
        respondents who answered every item are used.
    group : pandas.Series
        The group (wave) of each row, aligned by index; sorted order (category order for
        a categorical), the first is the reference group.

    Returns
    -------
    pandas.DataFrame
        Three rows (``model`` configural, metric, scalar), columns
        :data:`WLSMV_COLUMNS`: ``chi2`` (DWLS), ``chi2_scaled`` (scaled and shifted),
        ``df``, ``cfi``, ``rmsea`` (scaled), ``srmr``; ``delta_cfi``, ``delta_rmsea`` =
        this model − the previous one; ``chi2_diff``, ``df_diff``, ``p_diff`` the scaled
        difference test against the previous model; ``holds`` from
        :func:`invariance_holds` (empty for configural); ``note``.

    Notes
    -----
    See :func:`wlsmv_fit` and :func:`wlsmv_difference` for the formulas. Degenerate
    data (one group, fewer than three items, one answer category, a singular weight
    matrix) give NaN rows with the reason in ``note``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> eta = rng.normal(size=600)
    >>> x = pd.DataFrame({f"i{j}": np.digitize(0.7 * eta + rng.normal(scale=0.7, size=600),
    ...                                          [-1, -0.3, 0.3, 1]) for j in range(4)})
    >>> res = wlsmv_invariance(x, pd.Series(np.repeat(["w1", "w2", "w3"], 200)))
    >>> [int(v) for v in res["df"]], [int(v) for v in res["df_diff"].iloc[1:]]
    ([6, 12, 34], [6, 22])
    """
    stats = ordinal_statistics(items, group)
    reason = _unusable(stats)
    if reason:
        return _empty_rows(stats, reason)
    rows, previous = [], None
    for name, equal in INVARIANCE_STEPS:
        fit = wlsmv_fit(stats, equal)
        rows.append(_row(name, fit, previous, stats))
        previous = fit
    return pd.DataFrame(rows, columns=list(WLSMV_COLUMNS)).astype(
        {"df": "Int64", "df_diff": "Int64", "holds": "boolean"}
    )


def _unusable(stats: OrdinalStatistics) -> str:
    if not stats.groups:
        return stats.note or "no usable answers"
    if len(stats.groups) < 2:
        return "invariance needs at least two groups"
    if len(stats.items) < 3:
        return "a one-factor model needs at least three items"
    bad = [g.label for g in stats.groups
           if not (np.all(np.isfinite(g.gamma)) and np.all(np.diag(g.gamma) > 0))]
    if bad:
        return _join(stats.note, "no usable weight matrix (degenerate polychoric tables) in "
                     + ", ".join(bad))
    return ""


def _row(name, fit: WlsmvFit, previous: WlsmvFit | None, stats) -> tuple:
    note = _join(stats.note, fit.note)
    if previous is None:
        diff = (np.nan, pd.NA, np.nan)
        delta_cfi = delta_rmsea = np.nan
        holds = pd.NA
    else:
        diff = wlsmv_difference(previous, fit, stats)
        delta_cfi = fit.cfi - previous.cfi
        delta_rmsea = fit.rmsea - previous.rmsea
        holds = invariance_holds(diff[2], delta_cfi, delta_rmsea)
    return (name, stats.n, len(stats.groups), fit.chi2, fit.chi2_scaled, fit.df, fit.cfi,
            fit.rmsea, fit.srmr, delta_cfi, delta_rmsea, diff[0], diff[1], diff[2], holds, note)


def _empty_rows(stats: OrdinalStatistics, reason: str) -> pd.DataFrame:
    note = _join(stats.note, reason) if reason != stats.note else reason
    rows = [(name, stats.n, len(stats.groups)) + (np.nan,) * 2 + (pd.NA,) + (np.nan,) * 5
            + (np.nan, pd.NA, np.nan, pd.NA, note) for name, _ in INVARIANCE_STEPS]
    return pd.DataFrame(rows, columns=list(WLSMV_COLUMNS)).astype(
        {"df": "Int64", "df_diff": "Int64", "holds": "boolean"}
    )


def wlsmv_score_tests(stats: OrdinalStatistics, fit: WlsmvFit, *, by: str = "constraint"):
    """Score tests (modification indices) for releasing the equality constraints of a fit.

    Parameters
    ----------
    stats : OrdinalStatistics
    fit : WlsmvFit
        A metric or scalar fit of ``stats`` (from :func:`wlsmv_fit`).
    by : {"constraint", "item"}
        ``"constraint"``: one test per constraint (item parameter equal in the first
        group and one later group; ``lavTestScore(fit)$uni``). ``"item"``: one test per
        item and parameter set, releasing the item's loading, or all its thresholds, in
        every group at once (``lavTestScore(fit, release = …)$test``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCORE_COLUMNS`: ``parameter`` (``loading``, ``threshold`` or, by
        item, ``thresholds``), ``item``, ``threshold`` (1 … K − 1; empty by item),
        ``group`` (the later group; empty by item), ``x2``, ``df``, ``p``; sorted as
        lavaan lists the constraints.

    Notes
    -----
    X² = N·u'[Z⁺]₁₁u with u the gradient of the DWLS fit function in the released
    parameterisation and Z the information matrix bordered by the constraints kept
    (Rosseel 2012's ``lavTestScore``). For WLSMV this is the ordinary score test: lavaan
    has no robust version either. Partial invariance frees the set with the largest X².
    """
    if by not in ("constraint", "item"):
        raise ValueError(f"'by' must be 'constraint' or 'item' (got {by!r})")
    layout = _layout(stats, fit.equal, fit.partial)
    constraints = equality_constraints(layout)
    labels = _parameter_labels(stats, layout)
    if by == "constraint":
        sets = [[i] for i in range(len(constraints))]
        keys = [labels[(c.kind, c.column)] + (stats.groups[c.group].label,) for c in constraints]
    else:
        grouped: dict = {}
        for i, c in enumerate(constraints):
            kind, item, _ = labels[(c.kind, c.column)]
            grouped.setdefault(("loading" if kind == "loading" else "thresholds", item), []).append(i)
        sets = list(grouped.values())
        keys = [(kind, item, pd.NA, pd.NA) for kind, item in grouped]
    x2 = score_statistic(fit.theta, layout, stats.groups, sets) if sets else []
    rows = [key + (value, len(s), float(chi2_dist.sf(value, len(s))))
            for key, value, s in zip(keys, x2, sets)]
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS)).astype({"df": "int64"})


def _parameter_labels(stats, layout) -> dict:
    """(kind, column) → (parameter, item, threshold number or NA)."""
    out = {("loading", j): ("loading", stats.items[j], pd.NA) for j in range(layout.n_items)}
    position = 0
    for j, k in enumerate(stats.n_categories):
        for m in range(k - 1):
            out[("threshold", position)] = ("threshold", stats.items[j], m + 1)
            position += 1
    return out
