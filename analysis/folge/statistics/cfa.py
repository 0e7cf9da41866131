"""A small confirmatory factor analysis engine (maximum likelihood, analytic gradients).

Scope: reflective measurement models in which every item loads on the factors named for
it (simple structure by default), correlated factors, uncorrelated residuals, one or
several groups, and the equality constraints of measurement invariance testing
(``"loadings"``, ``"intercepts"``). The estimates and fit measures follow lavaan's
defaults for ``cfa()`` with continuous data (``estimator = "ML"``,
``likelihood = "normal"``, listwise deletion):

* the fit function of group :math:`g` is

  .. math:: F_g = \\log|\\Sigma_g| + \\operatorname{tr}(S_g\\Sigma_g^{-1}) - \\log|S_g| - p
            + (\\bar y_g - \\mu_g)'\\Sigma_g^{-1}(\\bar y_g - \\mu_g),

  with :math:`S_g` the covariance matrix with denominator :math:`N_g`, and the mean
  part only for several groups (``meanstructure``, as lavaan adds it then);
  :math:`\\Sigma = \\Lambda\\Phi\\Lambda' + \\Theta`, :math:`\\mu = \\nu + \\Lambda\\kappa`;
* :math:`\\chi^2 = \\sum_g N_g \\hat F_g`;
* CFI against the independence model (free variances and means per group),
  RMSEA :math:`\\sqrt{\\max(0, \\chi^2/(N\\,df) - 1/N)}\\,\\sqrt{G}` and lavaan's
  ``srmr`` (Bentler's, the :math:`N_g`-weighted mean over groups, with the mean
  residuals when there is a mean structure).

Identification: the first loading of each factor is fixed to 1 (or, with ``std_lv``,
the factor variances are fixed to 1). Under ``"intercepts"`` equality the latent means
are free from the second group on. Negative residual variances are kept and flagged.

Public functions: :func:`cfa_fit` (fit measures, one row) and :func:`cfa_parameters`
(the parameter table). Both fit the model; the engine itself is private.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg, optimize

from folge.statistics.reliability import _numeric_items

__all__ = [
    "CFA_FIT_COLUMNS",
    "CFA_PARAMETER_COLUMNS",
    "cfa_fit",
    "cfa_parameters",
]

#: Columns of :func:`cfa_fit`, in order.
CFA_FIT_COLUMNS = (
    "n",
    "n_groups",
    "npar",
    "chi2",
    "df",
    "cfi",
    "rmsea",
    "srmr",
    "converged",
    "heywood",
    "note",
)

#: Columns of :func:`cfa_parameters`, in order (lavaan's ``parameterEstimates`` naming:
#: ``=~`` loading, ``~~`` (co)variance, ``~1`` intercept or latent mean).
CFA_PARAMETER_COLUMNS = ("group", "lhs", "op", "rhs", "est", "free")

_EQUALITIES = ("loadings", "intercepts")
_GRADIENT_TOLERANCE = 1e-6  # max |dF/dθ| accepted as converged
_SINGULAR_TOLERANCE = 1e-10  # smallest / largest eigenvalue of S_g
_PENALTY = 1e10  # fit function value outside the positive definite cone


# --------------------------------------------------------------------------- model ---
@dataclass
class _Model:
    """Where every parameter sits: index arrays (-1 = fixed) and fixed values per group."""

    variables: list[str]
    factors: list[str]
    groups: list[str]
    meanstructure: bool
    lam_idx: np.ndarray  # (G, p, m)
    lam_fix: np.ndarray
    phi_idx: np.ndarray  # (G, m, m), symmetric
    phi_fix: np.ndarray
    theta_idx: np.ndarray  # (G, p)
    nu_idx: np.ndarray  # (G, p)
    kappa_idx: np.ndarray  # (G, m)
    pattern: np.ndarray  # (p, m) bool
    npar: int = 0
    _scatter: tuple | None = field(default=None, repr=False)

    def matrices(self, theta: np.ndarray, g: int):
        lam = self.lam_fix[g].copy()
        mask = self.lam_idx[g] >= 0
        lam[mask] = theta[self.lam_idx[g][mask]]
        phi = self.phi_fix[g].copy()
        mask = self.phi_idx[g] >= 0
        phi[mask] = theta[self.phi_idx[g][mask]]
        resid = theta[self.theta_idx[g]]
        p, m = lam.shape
        nu = np.zeros(p)
        kappa = np.zeros(m)
        if self.meanstructure:
            nu = theta[self.nu_idx[g]]
            mask = self.kappa_idx[g] >= 0
            kappa[mask] = theta[self.kappa_idx[g][mask]]
        return lam, phi, resid, nu, kappa


def _build_model(variables, factors, pattern, groups, std_lv, equal, meanstructure) -> _Model:
    p, m = pattern.shape
    n_groups = len(groups)
    lam_idx = np.full((n_groups, p, m), -1)
    lam_fix = np.zeros((n_groups, p, m))
    phi_idx = np.full((n_groups, m, m), -1)
    phi_fix = np.zeros((n_groups, m, m))
    theta_idx = np.full((n_groups, p), -1)
    nu_idx = np.full((n_groups, p), -1)
    kappa_idx = np.full((n_groups, m), -1)
    shared: dict[tuple, int] = {}
    count = 0

    def new(key=None) -> int:
        nonlocal count
        if key is not None and key in shared:
            return shared[key]
        index = count
        count += 1
        if key is not None:
            shared[key] = index
        return index

    markers = {f: int(np.flatnonzero(pattern[:, f])[0]) for f in range(m)}
    for g in range(n_groups):
        for f in range(m):
            for i in np.flatnonzero(pattern[:, f]):
                if not std_lv and i == markers[f]:
                    lam_fix[g, i, f] = 1.0
                else:
                    lam_idx[g, i, f] = new(("lambda", i, f) if "loadings" in equal else None)
        for f in range(m):
            for h in range(f, m):
                if f == h and std_lv and not (g > 0 and "loadings" in equal):
                    phi_fix[g, f, f] = 1.0
                else:
                    phi_idx[g, f, h] = phi_idx[g, h, f] = new()
        for i in range(p):
            theta_idx[g, i] = new()
        if meanstructure:
            for i in range(p):
                nu_idx[g, i] = new(("nu", i) if "intercepts" in equal else None)
            if "intercepts" in equal and g > 0:
                for f in range(m):
                    kappa_idx[g, f] = new()
    return _Model(
        variables,
        factors,
        groups,
        meanstructure,
        lam_idx,
        lam_fix,
        phi_idx,
        phi_fix,
        theta_idx,
        nu_idx,
        kappa_idx,
        pattern,
        count,
    )


# ---------------------------------------------------------------- fit function ---
@dataclass
class _Sample:
    n: np.ndarray  # (G,)
    cov: list[np.ndarray]  # biased (denominator N_g)
    mean: list[np.ndarray]
    logdet: np.ndarray  # log|S_g|
    _stacked: tuple | None = field(default=None, repr=False)

    def stacked(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(cov (G, p, p), mean (G, p), weight N_g / N (G,)) as arrays, built once."""
        if self._stacked is None:
            self._stacked = (np.stack(self.cov), np.stack(self.mean), self.n / self.n.sum())
        return self._stacked


def _scatter(model: _Model) -> tuple[np.ndarray, np.ndarray]:
    """Where the per-group derivatives go: positions in the flattened
    ``(d_lam, d_phi, d_resid[, d_nu, d_kappa])`` vector of one point, and a 0/1 matrix
    that sums them into the parameter gradient (a parameter shared across groups, or a
    covariance that appears twice in Phi, adds every contribution)."""
    if model._scatter is None:
        parts = [model.lam_idx, model.phi_idx, model.theta_idx]
        if model.meanstructure:
            parts += [model.nu_idx, model.kappa_idx]
        index = np.concatenate([part.reshape(len(model.groups), -1) for part in parts], axis=1).ravel()
        positions = np.flatnonzero(index >= 0)
        matrix = np.zeros((positions.size, model.npar))
        matrix[np.arange(positions.size), index[positions]] = 1.0
        model._scatter = (positions, matrix)
    return model._scatter


def _batch_matrices(model: _Model, thetas: np.ndarray):
    """Lambda, Phi, residual variances, nu and kappa of every group at every point.

    ``thetas`` is (K, npar); the results are (K, G, ...). Index -1 (fixed) reads an
    appended zero column, to which the fixed values are added.
    """
    k = thetas.shape[0]
    extended = np.concatenate([thetas, np.zeros((k, 1))], axis=1)
    lam = extended[:, model.lam_idx] + model.lam_fix
    phi = extended[:, model.phi_idx] + model.phi_fix
    resid = extended[:, model.theta_idx]
    n_groups, p, m = model.lam_idx.shape
    if model.meanstructure:
        nu = extended[:, model.nu_idx]
        kappa = extended[:, model.kappa_idx]
    else:
        nu = np.zeros((k, n_groups, p))
        kappa = np.zeros((k, n_groups, m))
    return lam, phi, resid, nu, kappa


def _cholesky(sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower Cholesky factors of a stack of matrices and a mask of those that are not
    positive definite (their factor is replaced by the identity)."""
    try:
        chol = np.linalg.cholesky(sigma)
        bad = np.zeros(sigma.shape[:-2], dtype=bool)
    except np.linalg.LinAlgError:
        flat = sigma.reshape(-1, *sigma.shape[-2:])
        chol = np.empty_like(flat)
        bad = np.zeros(flat.shape[0], dtype=bool)
        for i, matrix in enumerate(flat):
            try:
                chol[i] = np.linalg.cholesky(matrix)
            except np.linalg.LinAlgError:
                chol[i] = np.eye(matrix.shape[0])
                bad[i] = True
        chol = chol.reshape(sigma.shape)
        bad = bad.reshape(sigma.shape[:-2])
    diagonal = np.diagonal(chol, axis1=-2, axis2=-1)
    bad |= ~np.all(diagonal > 0, axis=-1)
    if bad.any():
        chol = np.where(bad[..., None, None], np.eye(sigma.shape[-1]), chol)
    return chol, bad


def _objectives(thetas: np.ndarray, model: _Model, sample: _Sample) -> tuple[np.ndarray, np.ndarray]:
    """lavaan's ML fit function sum_g (N_g / N) F_g and its analytic gradient at K points.

    ``thetas`` is (K, npar); returns values (K,) and gradients (K, npar), every group of
    every point in one stack of small matrix products. A point whose model-implied
    covariance matrix is not positive definite in some group gets :data:`_PENALTY` and
    a zero gradient.
    """
    cov, mean, weight = sample.stacked()
    lam, phi, resid, nu, kappa = _batch_matrices(model, thetas)
    lam_t = np.swapaxes(lam, -1, -2)
    p = lam.shape[-2]
    sigma = lam @ phi @ lam_t
    diagonal = np.arange(p)
    sigma[..., diagonal, diagonal] += resid
    chol, bad = _cholesky(sigma)
    chol_inv = np.linalg.inv(chol)
    sigma_inv = np.swapaxes(chol_inv, -1, -2) @ chol_inv
    logdet = 2.0 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)
    w = np.broadcast_to(cov, sigma.shape)
    if model.meanstructure:
        d = mean - (nu + (lam @ kappa[..., None])[..., 0])
        w = w + d[..., :, None] * d[..., None, :]
    f_g = logdet + np.sum(sigma_inv * w, axis=(-2, -1)) - sample.logdet - p
    values = f_g @ weight
    # dF/dSigma (entries treated as free) and dF/dmu, each weighted by N_g / N
    scale = weight[:, None, None]
    d_sigma = (sigma_inv - sigma_inv @ w @ sigma_inv) * scale
    d_lam = 2.0 * d_sigma @ lam @ phi
    d_phi = lam_t @ d_sigma @ lam
    d_resid = d_sigma[..., diagonal, diagonal]
    parts = [d_lam, d_phi, d_resid]
    if model.meanstructure:
        d_mu = -2.0 * (sigma_inv @ d[..., None])[..., 0] * weight[:, None]
        d_lam += d_mu[..., :, None] * kappa[..., None, :]
        parts += [d_mu, (lam_t @ d_mu[..., None])[..., 0]]
    k, n_groups = thetas.shape[0], len(weight)
    local = np.concatenate([part.reshape(k, n_groups, -1) for part in parts], axis=2).reshape(k, -1)
    positions, matrix = _scatter(model)
    grads = local[:, positions] @ matrix
    failed = bad.any(axis=-1)
    if failed.any():
        values = np.where(failed, _PENALTY, values)
        grads[failed] = 0.0
    return values, grads


def _objective(theta: np.ndarray, model: _Model, sample: _Sample):
    """lavaan's ML fit function sum_g (N_g / N) F_g and its analytic gradient at one point."""
    values, grads = _objectives(np.asarray(theta, dtype=float)[None, :], model, sample)
    return float(values[0]), grads[0]


def _start_values(model: _Model, sample: _Sample, std_lv: bool) -> np.ndarray:
    """Starting values from a one-factor principal component per factor and group."""
    total = np.zeros(model.npar)
    counts = np.zeros(model.npar)
    p, m = model.pattern.shape
    for g in range(len(sample.n)):
        s = sample.cov[g]
        lam = np.zeros((p, m))
        phi = np.eye(m)
        explained = np.zeros(p)
        for f in range(m):
            rows = np.flatnonzero(model.pattern[:, f])
            sub = s[np.ix_(rows, rows)]
            if len(rows) == 1:
                load = np.sqrt(0.5 * sub[0, 0]) * np.ones(1)
            else:
                values, vectors = np.linalg.eigh(sub)
                load = vectors[:, -1] * np.sqrt(max(values[-1], 1e-8))
                # shrink the component loadings towards factor loadings (PCA overstates them)
                load *= np.sqrt(max(1.0 - (np.trace(sub) - values[-1]) / np.trace(sub), 0.5))
                if load.sum() < 0:
                    load = -load
            if std_lv:
                lam[rows, f] = load
                phi[f, f] = 1.0
            else:
                marker = load[0] if abs(load[0]) > 1e-3 * np.abs(load).max() else 1.0
                lam[rows, f] = load / marker
                phi[f, f] = marker**2
            explained[rows] += load**2
        resid = np.maximum(np.diag(s) - explained, 0.1 * np.diag(s))
        values = {
            "lam": lam,
            "phi": phi,
            "theta": resid,
            "nu": sample.mean[g],
        }
        for name, idx in (
            ("lam", model.lam_idx[g]),
            ("phi", model.phi_idx[g]),
            ("theta", model.theta_idx[g]),
            ("nu", model.nu_idx[g]),
        ):
            if name == "nu" and not model.meanstructure:
                continue
            mask = idx >= 0
            np.add.at(total, idx[mask], values[name][mask] * sample.n[g])
            np.add.at(counts, idx[mask], sample.n[g])
    start = np.divide(total, counts, out=np.zeros_like(total), where=counts > 0)
    return start  # latent means start at 0


def _newton_polish(theta, model, sample, steps: int = 12):
    """A few Newton steps on a forward-difference Hessian of the analytic gradient.

    L-BFGS-B stops with gradients near 1e-8; the Newton steps take them to rounding
    level, so that first-order quantities (estimates, SRMR) are as exact as chi2.
    """
    value, grad = _objective(theta, model, sample)
    for _ in range(steps):
        if np.max(np.abs(grad)) < 1e-12:
            break
        h = 1e-7 * np.maximum(1.0, np.abs(theta))
        # column j: the gradient at theta + h_j e_j, all npar points in one batch
        grads = _objectives(theta[None, :] + np.diag(h), model, sample)[1]
        hess = (grads - grad).T / h
        hess = 0.5 * (hess + hess.T)
        try:
            chol = linalg.cho_factor(hess)
        except linalg.LinAlgError:
            break
        direction = -linalg.cho_solve(chol, grad)
        rate = 1.0
        while rate > 1e-4:
            trial = theta + rate * direction
            trial_value, trial_grad = _objective(trial, model, sample)
            if trial_value <= value + 1e-14 * max(1.0, abs(value)):
                break
            rate /= 2.0
        else:
            break
        if np.max(np.abs(trial_grad)) >= np.max(np.abs(grad)) and trial_value >= value:
            break
        theta, value, grad = trial, trial_value, trial_grad
    return theta, value, grad


# --------------------------------------------------------------------- results ---
@dataclass
class _Fit:
    """Everything :func:`cfa_fit`, the omega and the invariance functions need."""

    n: int = 0
    n_groups: int = 0
    npar: int = 0
    chi2: float = np.nan
    df: float = np.nan
    cfi: float = np.nan
    rmsea: float = np.nan
    srmr: float = np.nan
    converged: bool = False
    heywood: bool = False
    notes: list[str] = field(default_factory=list)
    model: _Model | None = None
    sample: _Sample | None = None
    theta: np.ndarray | None = None
    valid: bool = False  # False: degenerate data, the statistics are NaN

    @property
    def note(self) -> str:
        return "; ".join(dict.fromkeys(self.notes))


def _parse_model(model, columns) -> tuple[list[str], list[str], np.ndarray]:
    if model is None:
        model = {"f": list(columns)}
    if not isinstance(model, Mapping):
        raise TypeError(
            "'model' must be a mapping of factor name to item names, e.g. "
            f"{{'visual': ['x1', 'x2', 'x3']}} (got {type(model).__name__})"
        )
    if not model:
        raise ValueError("'model' must name at least one factor")
    factors = [str(f) for f in model]
    variables: list[str] = []
    for factor, names in model.items():
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise TypeError(
                f"'model' must map factor {factor!r} to a list of item names "
                f"(got {type(names).__name__})"
            )
        if len(names) == 0:
            raise ValueError(f"'model' gives factor {factor!r} no items")
        for name in names:
            if str(name) not in columns:
                raise ValueError(f"'model' names item {name!r}, which is not a column of 'data'")
            if str(name) not in variables:
                variables.append(str(name))
    pattern = np.zeros((len(variables), len(factors)), dtype=bool)
    for f, names in enumerate(model.values()):
        for name in names:
            pattern[variables.index(str(name)), f] = True
    return variables, factors, pattern


def _group_labels(group: pd.Series) -> list:
    present = group.dropna()
    if isinstance(group.dtype, pd.CategoricalDtype):
        return [c for c in group.cat.categories if (present == c).any()]
    labels = list(pd.unique(present))
    try:
        return sorted(labels)
    except TypeError:
        return labels


def _resolve_group(data: pd.DataFrame, group) -> pd.Series | None:
    if group is None:
        return None
    if isinstance(group, str):
        if group not in data.columns:
            raise ValueError(f"'group' names column {group!r}, which is not in 'data'")
        return data[group]
    if not isinstance(group, pd.Series):
        raise TypeError(
            f"'group' must be a pandas Series, a column name of 'data' or None "
            f"(got {type(group).__name__})"
        )
    if group.index.equals(data.index):
        return group
    if group.index.has_duplicates or not data.index.isin(group.index).all():
        raise ValueError("'group' must have an entry for every row of 'data' (matched by index)")
    return group.reindex(data.index)


def _check_equal(group_equal) -> frozenset:
    if isinstance(group_equal, str):
        group_equal = (group_equal,)
    equal = frozenset(group_equal)
    unknown = sorted(equal - set(_EQUALITIES))
    if unknown:
        raise ValueError(
            f"'group_equal' may contain {', '.join(map(repr, _EQUALITIES))} "
            f"(got {', '.join(map(repr, unknown))})"
        )
    return equal


@dataclass
class _Prepared:
    """The data side of a fit, computed once: complete cases, groups and their moments.

    Several models on the same data and groups (the nested invariance models) share it,
    so the raw rows are checked, listwise deleted and summarised a single time.
    """

    variables: list[str]
    factors: list[str]
    pattern: np.ndarray
    labels: list
    grouped: bool
    n: int
    sample: _Sample
    notes: list[str]  # per-group problems (too few cases, constant item, singular matrix)


def _prepare(data, model=None, *, group=None) -> _Prepared:
    """Validate ``data``, ``model`` and ``group``, drop incomplete cases, compute the moments."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"'data' must be a pandas DataFrame (got {type(data).__name__})")
    group_series = _resolve_group(data, group)
    data = data.set_axis([str(c) for c in data.columns], axis=1)
    variables, factors, pattern = _parse_model(model, data.columns)
    items = _numeric_items(data[variables], name="data").to_numpy()
    keep = ~np.isnan(items).any(axis=1)
    if group_series is not None:
        keep &= group_series.notna().to_numpy()
    items = items[keep]
    if group_series is None:
        labels: list = ["all"]
        members = [slice(None)]
    else:
        group_series = group_series[keep]
        labels = _group_labels(group_series)
        if isinstance(group_series.dtype, pd.CategoricalDtype):
            codes = group_series.cat.codes.to_numpy()
            position = {c: i for i, c in enumerate(group_series.cat.categories)}
            members = [codes == position[label] for label in labels]
        else:
            members = [(group_series == label).to_numpy() for label in labels]
    p = len(variables)
    notes: list[str] = []
    sample = _Sample(np.zeros(len(labels)), [], [], np.zeros(len(labels)))
    for g, (label, member) in enumerate(zip(labels, members)):
        x = items[member]
        n_g = len(x)
        sample.n[g] = n_g
        where = "" if group_series is None else f" in group {label}"
        if n_g < p + 1:
            notes.append(f"{n_g} complete cases{where}, fewer than items + 1 ({p + 1})")
            continue
        mean = x.mean(axis=0)
        cov = (x - mean).T @ (x - mean) / n_g
        constant = [
            variables[i] for i in range(p) if cov[i, i] <= 1e-12 * max(1.0, np.abs(x).max()) ** 2
        ]
        if constant:
            notes.append(f"constant item(s){where}: {', '.join(constant)}")
            continue
        eig = np.linalg.eigvalsh(cov)
        if eig[0] <= _SINGULAR_TOLERANCE * eig[-1]:
            notes.append(f"singular covariance matrix{where}")
            continue
        sample.cov.append(cov)
        sample.mean.append(mean)
        sample.logdet[g] = np.linalg.slogdet(cov)[1]
    return _Prepared(variables, factors, pattern, labels, group_series is not None, len(items),
                     sample, notes)


def _fit(data, model=None, *, group=None, group_equal=(), std_lv=False) -> _Fit:
    """Validate the arguments, drop incomplete cases, check the data, estimate."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"'data' must be a pandas DataFrame (got {type(data).__name__})")
    if not isinstance(std_lv, (bool, np.bool_)):
        raise TypeError(f"'std_lv' must be True or False (got {type(std_lv).__name__})")
    equal = _check_equal(group_equal)
    prepared = _prepare(data, model, group=group)
    return _fit_prepared(prepared, equal, std_lv)


def _fit_prepared(prepared: _Prepared, equal: frozenset, std_lv: bool = False,
                  start: np.ndarray | None = None) -> _Fit:
    """Build the model for ``equal`` on prepared data, check identification, estimate.

    ``start``, when given, replaces the default start values (it must have the model's
    number of parameters): a nested model starts from the previous model's estimates.
    """
    labels = prepared.labels
    result = _Fit(n=prepared.n, n_groups=len(labels))
    p, m = prepared.pattern.shape
    meanstructure = prepared.grouped
    if equal and not prepared.grouped:
        raise ValueError("'group_equal' needs 'group'")
    result.model = built = _build_model(
        prepared.variables, prepared.factors, prepared.pattern, [str(x) for x in labels], std_lv,
        equal, meanstructure
    )
    result.npar = built.npar
    moments = len(labels) * (p * (p + 1) // 2 + (p if meanstructure else 0))
    result.df = moments - built.npar
    # --- degenerate data: say why, estimate nothing
    if prepared.n == 0 or not labels:
        result.notes.append("no complete cases")
        return result
    if m == 1 and p < 3:
        result.notes.append(f"fewer than 3 items ({p}): a one-factor model is not identified")
        return result
    if result.df < 0:
        result.notes.append(f"the model is not identified (df = {result.df})")
        return result
    if prepared.notes:
        result.notes.extend(prepared.notes)
        return result
    result.valid = True
    result.sample = prepared.sample
    _estimate(result, built, prepared.sample, std_lv, start)
    return result


def _estimate(result: _Fit, model: _Model, sample: _Sample, std_lv: bool,
              start: np.ndarray | None = None) -> None:
    if start is None or start.shape != (model.npar,):
        start = _start_values(model, sample, std_lv)
    best = None
    # L-BFGS-B first; BFGS (a dense inverse Hessian) only if that stalls. The iteration
    # caps keep diverging (improper) solutions cheap: they end as "did not converge".
    for method, options in (
        ("L-BFGS-B", {"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15, "maxcor": 30}),
        ("BFGS", {"maxiter": 1000, "gtol": 1e-10}),
    ):
        opt = optimize.minimize(
            _objective,
            start if best is None else best.x,
            args=(model, sample),
            jac=True,
            method=method,
            options=options,
        )
        if best is None or opt.fun <= best.fun:
            best = opt
        if np.max(np.abs(best.jac)) < _GRADIENT_TOLERANCE and best.fun < _PENALTY:
            break
    theta, value, grad = _newton_polish(best.x, model, sample)
    result.theta = theta
    result.converged = bool(value < _PENALTY and np.max(np.abs(grad)) < _GRADIENT_TOLERANCE)
    if not result.converged:
        result.notes.append("the estimation did not converge")
    n_total = sample.n.sum()
    n_groups = len(sample.n)
    p = len(model.variables)
    result.chi2 = float(n_total * value)
    # independence model: diagonal covariance, free variances (and means) per group
    chi2_null = float(
        sum(
            n_g * (np.log(np.diag(s)).sum() - ld)
            for n_g, s, ld in zip(sample.n, sample.cov, sample.logdet)
        )
    )
    df_null = n_groups * p * (p - 1) // 2
    excess = max(result.chi2 - result.df, 0.0)
    denominator = max(chi2_null - df_null, result.chi2 - result.df, 0.0)
    result.cfi = 1.0 if denominator == 0 else 1.0 - excess / denominator
    if result.df > 0:
        result.rmsea = float(
            np.sqrt(max(result.chi2 / (n_total * result.df) - 1.0 / n_total, 0.0))
            * np.sqrt(n_groups)
        )
    else:
        result.rmsea = 0.0
    srmr = 0.0
    for g in range(n_groups):
        lam, phi, resid, nu, kappa = model.matrices(theta, g)
        sigma = lam @ phi @ lam.T + np.diag(resid)
        scale = 1.0 / np.sqrt(np.diag(sample.cov[g]))
        standardised = (sample.cov[g] - sigma) * np.outer(scale, scale)
        squares = np.sum(standardised[np.tril_indices(p)] ** 2)
        count = p * (p + 1) / 2
        if model.meanstructure:
            squares += np.sum(((sample.mean[g] - nu - lam @ kappa) * scale) ** 2)
            count += p
        srmr += sample.n[g] / n_total * np.sqrt(squares / count)
        negative = [model.variables[i] for i in range(p) if resid[i] < 0]
        if negative:
            result.heywood = True
            where = "" if n_groups == 1 else f" in group {model.groups[g]}"
            result.notes.append(f"negative residual variance{where}: {', '.join(negative)}")
        if np.linalg.eigvalsh(phi)[0] < 0:
            where = "" if n_groups == 1 else f" in group {model.groups[g]}"
            result.notes.append(f"latent covariance matrix not positive definite{where}")
    result.srmr = float(srmr)


# ------------------------------------------------------------------ public API ---
def cfa_fit(data, model=None, *, group=None, group_equal=(), std_lv=False) -> pd.DataFrame:
    """Fit a confirmatory factor model by maximum likelihood and report its fit.

    Parameters
    ----------
    data : pandas.DataFrame
        Numeric item answers, one row per respondent; may hold other columns.
        Rows missing any model item (or the group) are dropped (listwise).
    model : mapping of str to list of str, optional
        Factor name to the items that load on it, in order; the first item is the
        marker (loading fixed to 1). Default: one factor ``"f"`` over every column.
    group : str or pandas.Series, optional
        Group membership (a column name of ``data`` or a Series aligned by index) for
        a multi-group model with a mean structure.
    group_equal : sequence of {"loadings", "intercepts"}, default ()
        Parameters held equal across groups (metric: ``("loadings",)``; scalar:
        ``("loadings", "intercepts")``, which frees the latent means from the second
        group on).
    std_lv : bool, default False
        Identify the factors by fixing their variances to 1 instead of the first
        loadings (lavaan's ``std.lv = TRUE``).

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :data:`CFA_FIT_COLUMNS`: ``n`` (complete cases),
        ``n_groups``, ``npar`` (free parameters), ``chi2``, ``df``, ``cfi``,
        ``rmsea``, ``srmr``, ``converged``, ``heywood`` (a negative residual
        variance was estimated and kept) and ``note`` (why values are NaN, and
        warnings). Groups are ordered by their sorted labels (categories for a
        categorical Series).

    Notes
    -----
    Minimises :math:`F = \\sum_g (N_g/N) F_g` with :math:`F_g` lavaan's ML discrepancy
    (see the module docstring) by L-BFGS-B with an analytic gradient, then polishes
    with Newton steps. :math:`\\chi^2 = N F`; with the independence model's
    :math:`\\chi^2_0, df_0`,

    .. math:: \\mathrm{CFI} = 1 - \\frac{\\max(\\chi^2 - df, 0)}
              {\\max(\\chi^2_0 - df_0, \\chi^2 - df, 0)}, \\qquad
              \\mathrm{RMSEA} = \\sqrt{G}\\sqrt{\\max\\Bigl(\\frac{\\chi^2}{N\\,df}
              - \\frac1N, 0\\Bigr)},

    and SRMR is :math:`\\sum_g (N_g/N)\\sqrt{\\overline{r^2_g}}`, the mean over the
    lower triangle (and the means) of the residuals standardised by the observed
    standard deviations. These reproduce ``lavaan::fitMeasures(fit, c("chisq",
    "df", "cfi", "rmsea", "srmr"))``.

    References
    ----------
    Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood
    factor analysis. *Psychometrika*, 34, 183-202.

    Bentler, P. M. (1990). Comparative fit indexes in structural models.
    *Psychological Bulletin*, 107, 238-246.

    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from folge.statistics.cfa import cfa_fit
    >>> rng = np.random.default_rng(1)
    >>> eta = rng.normal(size=400)
    >>> data = pd.DataFrame({f"x{i}": l * eta + rng.normal(scale=0.6, size=400)
    ...                      for i, l in enumerate([1.0, 0.8, 0.9, 0.7], start=1)})
    >>> fit = cfa_fit(data)
    >>> fit[["n", "npar", "df", "converged"]]
         n  npar  df  converged
    0  400     8   2       True
    >>> bool(fit.loc[0, "cfi"] > 0.99)
    True
    """
    result = _fit(data, model, group=group, group_equal=group_equal, std_lv=std_lv)
    return _fit_frame(result)


def _fit_frame(result: _Fit) -> pd.DataFrame:
    valid = result.valid
    row = {
        "n": result.n,
        "n_groups": result.n_groups,
        "npar": result.npar,
        "chi2": result.chi2 if valid else np.nan,
        "df": result.df if valid else pd.NA,
        "cfi": result.cfi if valid else np.nan,
        "rmsea": result.rmsea if valid else np.nan,
        "srmr": result.srmr if valid else np.nan,
        "converged": result.converged,
        "heywood": result.heywood,
        "note": result.note,
    }
    out = pd.DataFrame([row], columns=list(CFA_FIT_COLUMNS))
    return out.astype(
        {
            "n": "int64",
            "n_groups": "int64",
            "npar": "int64",
            "df": "Int64",
            "chi2": "float64",
            "cfi": "float64",
            "rmsea": "float64",
            "srmr": "float64",
            "converged": "bool",
            "heywood": "bool",
        }
    )


def cfa_parameters(data, model=None, *, group=None, group_equal=(), std_lv=False) -> pd.DataFrame:
    """Fit a confirmatory factor model and return its parameter estimates.

    Parameters
    ----------
    data, model, group, group_equal, std_lv
        As for :func:`cfa_fit`.

    Returns
    -------
    pandas.DataFrame
        One row per parameter and group with the columns of
        :data:`CFA_PARAMETER_COLUMNS`: ``group`` (label, ``"all"`` without groups),
        ``lhs``, ``op`` (``=~`` loading, ``~~`` variance or covariance, ``~1``
        intercept or latent mean), ``rhs``, ``est`` and ``free`` (False for fixed
        values). Parameters held equal across groups repeat their estimate in every
        group. Empty (no rows) when the data are degenerate; see :func:`cfa_fit`'s
        ``note`` for why.

    Notes
    -----
    Estimates as in :func:`cfa_fit`: maximum likelihood with :math:`\\Sigma = \\Lambda
    \\Phi\\Lambda' + \\Theta` and :math:`\\mu = \\nu + \\Lambda\\kappa`. Negative residual
    variances (Heywood cases) are reported as estimated.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from folge.statistics.cfa import cfa_parameters
    >>> rng = np.random.default_rng(1)
    >>> eta = rng.normal(size=400)
    >>> data = pd.DataFrame({f"x{i}": l * eta + rng.normal(scale=0.6, size=400)
    ...                      for i, l in enumerate([1.0, 0.8, 0.9, 0.7], start=1)})
    >>> est = cfa_parameters(data)
    >>> est[est["op"] == "=~"][["lhs", "op", "rhs", "free"]]
      lhs  op rhs   free
    0   f  =~  x1  False
    1   f  =~  x2   True
    2   f  =~  x3   True
    3   f  =~  x4   True
    """
    result = _fit(data, model, group=group, group_equal=group_equal, std_lv=std_lv)
    return _parameter_frame(result)


def _parameter_frame(result: _Fit) -> pd.DataFrame:
    rows = []
    model = result.model
    if result.valid and model is not None:
        p, m = model.pattern.shape
        for g, label in enumerate(model.groups):
            lam, phi, resid, nu, kappa = model.matrices(result.theta, g)
            for f in range(m):
                for i in np.flatnonzero(model.pattern[:, f]):
                    rows.append(
                        (
                            label,
                            model.factors[f],
                            "=~",
                            model.variables[i],
                            lam[i, f],
                            model.lam_idx[g, i, f] >= 0,
                        )
                    )
            for i in range(p):
                rows.append((label, model.variables[i], "~~", model.variables[i], resid[i], True))
            for f in range(m):
                for h in range(f, m):
                    rows.append(
                        (
                            label,
                            model.factors[f],
                            "~~",
                            model.factors[h],
                            phi[f, h],
                            model.phi_idx[g, f, h] >= 0,
                        )
                    )
            if model.meanstructure:
                for i in range(p):
                    rows.append((label, model.variables[i], "~1", "", nu[i], True))
                for f in range(m):
                    rows.append(
                        (label, model.factors[f], "~1", "", kappa[f], model.kappa_idx[g, f] >= 0)
                    )
    out = pd.DataFrame(rows, columns=list(CFA_PARAMETER_COLUMNS))
    return out.astype({"est": "float64", "free": "bool"})
