"""Disclosure control (*prikking*): what may be published, decided for all tables at once.

The reports publish through :func:`protect`: :func:`count_specs` registers every count of
every public table as cells of one :class:`folge.disclosure.CellModel` (a count printed in
two tables is one cell), :func:`folge.disclosure.suppress` chooses the suppression that
passes the LP audit, and :func:`audit_site` audits the written open data again as an
outsider (``folge disclosure audit``). Renderers refuse frames without a ``suppressed``
flag (:func:`require_disclosed`). See ``analysis/ARCHITECTURE.md``, "Disclosure, in brief".

:func:`disclose` is the older per-table rule set, kept for single tables outside the
reports (it does not protect against combining tables):

1. **Primary**: a row computed from fewer than ``min_n`` respondents (or of unknown n) is
   suppressed, unless it is a region-level fact (``exempt``), such as a status report.
2. **Secondary**: in a table with a total (``"all"``) and its parts along a dimension
   (regions, roles), one suppressed part makes the next-smallest part suppressed too, so
   the hidden part cannot be derived from the total.
3. **Role rule**: a role breakdown inside one region is shown only where every role cell
   of that breakdown reaches ``min_n`` (and the region's own total is shown); otherwise the
   whole breakdown is suppressed.

Suppressed rows keep their keys but lose every number, ``n`` included, and carry
``suppressed = True`` and the reason (``primary``, ``secondary``, ``role``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["disclose", "require_disclosed", "TOTAL", "REASONS", "HIDDEN", "CountSpecs", "count_specs", "site_model",
           "protect", "blank", "Protected"]

#: The label of a total in a part column (``region`` or ``role``).
TOTAL = "all"
REASONS: tuple[str, ...] = ("primary", "secondary", "role")
#: The one reason :func:`protect` gives a hidden row: it does not tell primary from secondary.
HIDDEN = "hidden"


def _as_tuple(x: str | Iterable[str] | None) -> tuple[str, ...]:
    if x is None:
        return ()
    if isinstance(x, str):
        return (x,)
    return tuple(x)


def disclose(
    frame: pd.DataFrame,
    *,
    min_n: int,
    n: str = "n",
    values: Sequence[str] = (),
    by: Sequence[str] = (),
    parts: Sequence[str] = (),
    total: str = TOTAL,
    role: str | None = None,
    within: str = "region",
    exempt: str | None = None,
) -> pd.DataFrame:
    """Apply disclosure control to one result table.

    Parameters
    ----------
    frame
        The table, one row per published cell.
    min_n
        The study's threshold: rows from fewer respondents are suppressed.
    n
        Column with the number of respondents behind each row.
    values
        Columns holding published numbers; blanked (NaN) where a row is suppressed.
    by
        Columns that identify one table inside ``frame`` (e.g. ``construct, wave``): the
        secondary and role rules look at the parts of one total within each such group.
    parts
        Columns whose values are parts of a total labelled ``total`` (e.g. ``region``,
        ``role``). Rows where every other part column holds ``total`` are the parts along
        that dimension.
    role
        The role-breakdown column; rows with a role other than ``total`` inside a region
        (``within`` not ``total``) fall under the role rule.
    within
        The column naming the unit a role breakdown sits in (the region).
    exempt
        Optional boolean column: rows that are facts about a region (region-level
        instruments), to which ``min_n`` does not apply.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``values`` and ``n`` set to NaN on suppressed rows and two
        new columns: ``suppressed`` (bool) and ``suppression`` (``primary``, ``secondary``,
        ``role`` or empty).

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["all", "a", "b", "c"], "n": [30, 3, 12, 15],
    ...                   "mean": [3.2, 2.0, 3.3, 3.4]})
    >>> out = disclose(t, min_n=5, values=["mean"], parts=["region"])
    >>> out[["region", "suppressed", "suppression"]].values.tolist()
    [['all', False, ''], ['a', True, 'primary'], ['b', True, 'secondary'], ['c', False, '']]
    """
    if not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise ValueError(f"'min_n' must be a whole number ≥ 1 (got {min_n!r})")
    by, parts, values = _as_tuple(by), _as_tuple(parts), _as_tuple(values)
    missing = [c for c in (n, *by, *parts, *values, *([role, within] if role else []),
                           *([exempt] if exempt else [])) if c not in frame.columns]
    if missing:
        raise ValueError(f"'frame' lacks the column(s) {', '.join(map(repr, missing))} "
                         f"(has {', '.join(map(str, frame.columns))})")
    out = frame.reset_index(drop=True).copy()
    counts = pd.to_numeric(out[n], errors="coerce")
    is_exempt = out[exempt].fillna(False).astype(bool) if exempt else pd.Series(False, index=out.index)
    reason = pd.Series("", index=out.index, dtype=object)
    reason[(counts.isna() | (counts < min_n)) & ~is_exempt] = "primary"

    changed = True
    while changed:
        changed = False
        for dim in parts:
            changed |= _secondary(out, counts, reason, is_exempt, dim, [p for p in parts if p != dim], by, total)
        if role:
            changed |= _role_rule(out, counts, reason, role, within, by, total)

    out = blank(out, (reason != "").to_numpy(), (*values, n))
    out["suppression"] = reason.to_numpy()
    return out


def blank(frame: pd.DataFrame, hidden, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` set to NaN on ``hidden`` rows and a ``suppressed`` flag added."""
    out = frame.copy()
    hidden = np.asarray(hidden, dtype=bool)
    if hidden.any():
        for col in columns:
            numeric = pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col])
            out[col] = out[col].astype(float) if numeric else out[col].astype(object)
            out.loc[hidden, col] = np.nan
    out["suppressed"] = hidden
    return out


def _keys(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """One hashable group key per row (a constant where there are no columns)."""
    if not columns:
        return pd.Series(0, index=frame.index)
    return pd.Series(list(zip(*(frame[c].astype(str) for c in columns))), index=frame.index)


def _secondary(frame, counts, reason, is_exempt, dim, others, by, total) -> bool:
    """One suppressed part along ``dim`` makes the next-smallest part suppressed."""
    mask = (frame[dim].astype(str) != total) & ~is_exempt
    for other in others:
        mask &= frame[other].astype(str) == total
    if not mask.any():
        return False
    sub = frame.index[mask]
    keys = _keys(frame.loc[sub], tuple(by) + tuple(others))
    hidden = (reason[sub] != "")
    n_hidden = hidden.groupby(keys, sort=False).transform("sum")
    size = (counts[sub].fillna(-1)).where(~hidden, np.inf)
    order = size.groupby(keys, sort=False).rank(method="first")
    pick = (n_hidden == 1) & ~hidden & (order == 1)
    if not pick.any():
        return False
    reason[pick[pick].index] = "secondary"
    return True


def _role_rule(frame, counts, reason, role, within, by, total) -> bool:
    """A role breakdown inside a region: all role cells reach the threshold, or none is shown."""
    breakdown = (frame[role].astype(str) != total) & (frame[within].astype(str) != total)
    if not breakdown.any():
        return False
    columns = tuple(by) + (within,)
    sub = frame.index[breakdown]
    keys = _keys(frame.loc[sub], columns)
    hidden = reason[sub] != ""
    any_hidden = hidden.groupby(keys, sort=False).transform("any")
    # the region's own total (role = all) hidden: its parts would reveal it
    totals = frame[role].astype(str) == total
    total_keys = _keys(frame.loc[totals], columns)
    hidden_totals = set(total_keys[(reason[frame.index[totals]] != "").to_numpy()])
    total_hidden = keys.isin(hidden_totals)
    pick = (any_hidden | total_hidden) & ~hidden
    if not pick.any():
        return False
    reason[pick[pick].index] = "role"
    return True


def require_disclosed(frame: pd.DataFrame, what: str = "table") -> pd.DataFrame:
    """Raise unless ``frame`` came out of :func:`disclose`; renderers call this first."""
    if not isinstance(frame, pd.DataFrame) or "suppressed" not in frame.columns:
        raise ValueError(f"the {what} did not pass disclosure control: call folge.reports.disclose first")
    return frame


# ----------------------------------------------------------------------------------------
# one model of everything published (analysis/ARCHITECTURE.md, "Disclosure, in brief")

#: Marker of the ``kind`` dimension of cells that count respondents with a score.
RESPONDENTS = "respondents"
#: Item identity in a cell key: answers to one item (value ``all`` = the item's ``n``).
ANSWERS = "answers"


@dataclass
class CountSpecs:
    """The :class:`~folge.disclosure.TableSpec` of every count a set of public tables shows.

    ``specs[i]`` belongs to the public table ``owners[i]``; its frame carries ``_row``, the
    row of that table, wherever its rows map one to one onto the table's rows.
    ``ties`` are extra all-or-nothing groups as (spec index, dimensions grouping them);
    ``equal`` pairs of cell keys that are the same count under two identities.
    """

    specs: list = field(default_factory=list)
    owners: list = field(default_factory=list)
    ties: list = field(default_factory=list)
    equal: list = field(default_factory=list)

    def add(self, owner: str, spec) -> None:
        self.owners.append(owner)
        self.specs.append(spec)


def _flags(frame: pd.DataFrame) -> pd.Series:
    """The ``suppressed`` column as booleans (False where there is none)."""
    if "suppressed" not in frame.columns:
        return pd.Series(False, index=frame.index)
    col = frame["suppressed"]
    if pd.api.types.is_bool_dtype(col):
        return col.fillna(False).astype(bool)
    return col.astype(str).str.lower().isin(["true", "1"])


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    out["_row"] = np.arange(len(out))
    out["_hidden"] = _flags(out).to_numpy()
    return out


def _agrees(frame: pd.DataFrame, count: str, keys: pd.Series, reference: dict) -> np.ndarray:
    """Rows whose count is the reference count of the same key.

    Equal counts are one cell. The builder hides one cell everywhere, so where exactly one
    of the two is blank in published output they are different counts; where both are
    blank, the outsider takes them for one.
    """
    mine = pd.to_numeric(frame[count], errors="coerce").to_numpy(float)
    theirs = np.array([reference.get(k, np.nan) for k in keys], dtype=float)
    with np.errstate(invalid="ignore"):
        equal = np.abs(mine - theirs) < 1e-9
    return equal | (np.isnan(mine) & np.isnan(theirs))


def _reference(frame: pd.DataFrame, dims: Sequence[str], count: str = "n") -> dict:
    if frame is None or frame.empty:
        return {}
    values = pd.to_numeric(frame[count], errors="coerce")
    keys = zip(*(frame[d].astype(str) for d in dims))
    hidden = frame["_hidden"] if "_hidden" in frame.columns else pd.Series(False, index=frame.index)
    return {k: v for k, v, h in zip(keys, values, hidden) if not np.isnan(v) or h}


def _covers(frame: pd.DataFrame, dim: str, count: str, others: Sequence[str], total: str = TOTAL) -> bool:
    """Whether the parts along ``dim`` add up exactly to their total everywhere (else ``<=``)."""
    known = frame[pd.to_numeric(frame[count], errors="coerce").notna()]
    if known.empty or "_hidden" in known and known["_hidden"].any():
        return True
    n = pd.to_numeric(known[count])
    is_total = known[dim].astype(str) == total
    keys = [known[o].astype(str) for o in others]
    parts = n[~is_total].groupby([k[~is_total] for k in keys]).sum() if keys else pd.Series([n[~is_total].sum()])
    totals = n[is_total].groupby([k[is_total] for k in keys]).sum() if keys else pd.Series([n[is_total].sum()])
    joined = pd.concat([parts.rename("p"), totals.rename("t")], axis=1).dropna()
    return bool((joined["p"] - joined["t"]).abs().lt(1e-9).all())


def _present(frame: pd.DataFrame, dims: Sequence[str]) -> list[str]:
    return [d for d in dims if d in frame.columns]


def _partial(frame: pd.DataFrame, dim: str, count: str, dims: Sequence[str]) -> tuple[str, ...]:
    """``(dim,)`` when the parts along ``dim`` may not cover their total, else ``()``."""
    return () if _covers(frame, dim, count, [d for d in dims if d != dim]) else (dim,)


def _respondent_key(frame, construct, wave, region, role=TOTAL):
    return pd.Series(list(zip(frame[construct].astype(str), frame[wave].astype(str), frame[region].astype(str),
                              [role] * len(frame) if role == TOTAL else frame[role].astype(str))), index=frame.index)


def _split_shared(out: CountSpecs, owner: str, frame: pd.DataFrame, agree: np.ndarray, shared: dict, own: dict,
                  TableSpec) -> None:
    """Register agreeing rows under the shared key, the others as cells of their own kind."""
    if agree.any():
        out.add(owner, TableSpec(f"{owner}", frame[agree], suppressed="_hidden", **shared))
    if (~agree).any():
        out.add(owner, TableSpec(f"{owner} (own count)", frame[~agree], suppressed="_hidden", **own))


def _item_specs(out: CountSpecs, items: pd.DataFrame, TableSpec) -> dict:
    """``item_shares``: answers per value (not sensitive) under the item's ``n`` (value ``all``), a block."""
    keys = ["construct", "item", "region", "wave"]
    items = items.copy()
    n = pd.to_numeric(items["n"], errors="coerce")
    share = pd.to_numeric(items["share"], errors="coerce")
    items["count"] = np.where(n == 0, 0.0, (share * n).round())
    items["sensitive"] = False
    # the item's n is printed on every shown value row: it is hidden only where all its rows are
    totals = items.assign(_n=n).groupby(keys, as_index=False, sort=False).agg(
        count=("_n", "max"), _hidden=("_hidden", "all"))
    totals["value"], totals["sensitive"] = TOTAL, True
    frame = pd.concat([items, totals], ignore_index=True)
    frame["_row"] = frame["_row"].fillna(-1)
    out.add("item_shares", TableSpec("item_shares", frame, dims=[*keys, "value"], count="count",
                                     margins={"region": TOTAL, "value": TOTAL}, fixed={"kind": ANSWERS},
                                     sensitive="sensitive", blocks=("value",), suppressed="_hidden"))
    return _reference(totals, keys, "count")


def _respondent_specs(out: CountSpecs, tables: Mapping[str, pd.DataFrame], TableSpec) -> dict:
    means = tables.get("construct_means")
    if means is None or means.empty:
        return {}
    partial = () if _covers(means, "role", "n", ["construct", "wave", "region"]) else ("role",)
    out.add("construct_means", TableSpec("construct_means", means, dims=["construct", "wave", "region", "role"],
                                         margins={"region": TOTAL, "role": TOTAL}, partial=partial,
                                         fixed={"kind": RESPONDENTS}, ties={"role": "region"}, suppressed="_hidden"))
    return _reference(means, ["construct", "wave", "region", "role"])


def _national_or_regional(out, owner, frame, respondents, TableSpec, dims):
    """A table whose ``n`` counts respondents with a score (agreement, reliability, icc)."""
    region = "region" if "region" in frame.columns else None
    f = frame.assign(region=TOTAL) if region is None else frame
    keys = _respondent_key(f, "construct", "wave", "region")
    agree = _agrees(f, "n", keys, respondents)
    shared = dict(dims=["construct", "wave", "region"], fixed={"kind": RESPONDENTS, "role": TOTAL})
    own = dict(dims=dims, fixed={"kind": owner})
    _split_shared(out, owner, f, agree, shared, own, TableSpec)


def _change_specs(out, change, respondents, TableSpec) -> None:
    # the Welch rows and the mixed-model rows count each wave's respondents (the mixed rows
    # copy the Welch row's n_from and n_to); the paired rows count the retained pairs
    is_paired = change["method"].astype(str) == "paired-t"
    welch = change[~is_paired]
    for end in ("from", "to"):
        keys = _respondent_key(welch, "construct", f"{end}_wave", "region")
        agree = _agrees(welch, f"n_{end}", keys, respondents)
        shared = dict(dims=["construct", "region", f"{end}_wave"], count=f"n_{end}", rename={f"{end}_wave": "wave"},
                      fixed={"kind": RESPONDENTS, "role": TOTAL})
        own = dict(dims=["construct", "region", f"{end}_wave"], count=f"n_{end}", rename={f"{end}_wave": "wave"},
                   fixed={"kind": f"change n_{end}"})
        _split_shared(out, "change", welch, agree, shared, own, TableSpec)
    paired = change[is_paired]
    if not paired.empty:
        for end in ("from", "to"):
            out.add("change", TableSpec(f"change (paired n_{end})", paired,
                                        dims=["construct", "region", "from_wave", "to_wave", "method"],
                                        count=f"n_{end}", fixed={"kind": "paired"},
                                        margins={"region": TOTAL}, partial=("region",), suppressed="_hidden"))


def _rates_and_panel(out, tables, TableSpec) -> None:
    from ..disclosure import cell_key

    rates = tables.get("response_rates")
    responded = {}
    if rates is not None and not rates.empty:
        partial = () if _covers(rates, "role", "responded", ["wave", "region"]) else ("role",)
        out.add("response_rates", TableSpec("response_rates", rates, dims=["wave", "region", "role"],
                                            count="responded", margins={"region": TOTAL, "role": TOTAL},
                                            partial=partial, fixed={"kind": "responded"}, ties={"role": "region"},
                                            suppressed="_hidden"))
        responded = _reference(rates, ["wave", "region", "role"], "responded")
    panel = tables.get("panel")
    if panel is None or panel.empty:
        return
    keys = pd.Series(list(zip(panel["from_wave"].astype(str), panel["region"].astype(str), [TOTAL] * len(panel))),
                     index=panel.index)
    # the panel keeps its own cells (its national row is the sum of its regions); where
    # n_from is the wave's responses, the two cells are tied by an equation
    out.add("panel", TableSpec("panel", panel, dims=["region", "from_wave", "to_wave"], count="n_from",
                               fixed={"kind": "panel"}, margins={"region": TOTAL},
                               partial=_partial(panel, "region", "n_from", ["from_wave", "to_wave"]),
                               suppressed="_hidden"))
    agree = _agrees(panel, "n_from", keys, responded) & np.array([k in responded for k in keys], dtype=bool)
    for row in panel[agree].itertuples():
        out.equal.append((cell_key(kind="panel", region=row.region, from_wave=row.from_wave, to_wave=row.to_wave),
                          cell_key(kind="responded", region=row.region, wave=row.from_wave, role=TOTAL)))
    out.add("panel", TableSpec("panel (retained)", panel, dims=["region", "from_wave", "to_wave"], count="retained",
                               fixed={"kind": "retained"}, margins={"region": TOTAL}, suppressed="_hidden"))


def _criteria_specs(out, crit, indicators, respondents, answers, TableSpec) -> None:
    """Criteria n's: registered under the key of the count they come from (construct or item n)."""
    crit = crit.copy()
    refs = [indicators.get((str(c), str(i))) for c, i in zip(crit["criterion"], crit["indicator"])]
    kind = np.array([r[0] if r else "" for r in refs], dtype=object)
    crit["_construct"] = [r[1] if r else "" for r in refs]
    crit["_item"] = [r[2] if r else "" for r in refs]
    exempt = "exempt" if "exempt" in crit.columns else None
    by_construct = crit[kind == "construct"]
    agree = _agrees(by_construct, "n", _respondent_key(by_construct, "_construct", "wave", "region"), respondents)
    rest = [by_construct[~agree]]
    if agree.any():
        out.add("criteria", TableSpec("criteria", by_construct[agree], dims=["_construct", "wave", "region"],
                                      rename={"_construct": "construct"}, exempt=exempt,
                                      fixed={"kind": RESPONDENTS, "role": TOTAL}, suppressed="_hidden"))
    by_item = crit[kind == "item"]
    keys = pd.Series(list(zip(by_item["_construct"], by_item["_item"], by_item["region"].astype(str),
                              by_item["wave"].astype(str))), index=by_item.index)
    agree = _agrees(by_item, "n", keys, answers)
    rest.append(by_item[~agree])
    if agree.any():
        out.add("criteria", TableSpec("criteria (item n)", by_item[agree], dims=["_construct", "_item", "region", "wave"],
                                      rename={"_construct": "construct", "_item": "item"}, exempt=exempt,
                                      fixed={"kind": ANSWERS, "value": TOTAL}, suppressed="_hidden"))
    rest.append(crit[(kind != "construct") & (kind != "item")])
    rest = pd.concat(rest)
    if not rest.empty:
        out.add("criteria", TableSpec("criteria (own count)", rest, dims=["criterion", "indicator", "wave", "region"],
                                      exempt=exempt, fixed={"kind": "criteria"}, suppressed="_hidden"))


#: tables whose ``n`` is a count of its own: name → its key dimensions.
_OWN_COUNTS = {"trend": ["construct", "region", "method"], "invariance": ["construct", "estimator", "model"],
               "learning_chain": ["construct", "wave", "stage", "region"]}


def count_specs(tables: Mapping[str, pd.DataFrame], indicators: Mapping | None = None) -> CountSpecs:
    """Every count the public ``tables`` show, as table specs of one linked system.

    Works on the builder's frames (true counts) and on the published open data (rows with
    ``suppressed`` true carry no numbers): the same function describes what is protected
    and what an outsider audits. ``indicators`` maps (criterion, indicator) to (kind,
    construct, item) so that a criterion's ``n`` is the construct's or item's ``n``.
    """
    from ..disclosure import TableSpec

    out = CountSpecs()
    tables = {name: _prepared(frame) for name, frame in tables.items() if frame is not None and not frame.empty}
    answers = _item_specs(out, tables["item_shares"], TableSpec) if "item_shares" in tables else {}
    respondents = _respondent_specs(out, tables, TableSpec)
    for name in ("agreement", "reliability", "icc", "levels"):
        if name in tables:
            dims = ["construct", "wave", "region"] if name in ("agreement", "levels") else ["construct", "wave"]
            _national_or_regional(out, name, tables[name], respondents, TableSpec, dims)
    if "items" in tables:
        f = tables["items"].assign(region=TOTAL)
        keys = pd.Series(list(zip(f["construct"].astype(str), f["item"].astype(str), f["region"], f["wave"].astype(str))),
                         index=f.index)
        agree = _agrees(f, "n", keys, answers)
        _split_shared(out, "items", f, agree, dict(dims=["construct", "item", "region", "wave"],
                                                     fixed={"kind": ANSWERS, "value": TOTAL}),
                      dict(dims=["construct", "wave", "item"], fixed={"kind": "items"}), TableSpec)
    if "change" in tables:
        _change_specs(out, tables["change"], respondents, TableSpec)
    _rates_and_panel(out, tables, TableSpec)
    if "criteria" in tables:
        _criteria_specs(out, tables["criteria"], dict(indicators or {}), respondents, answers, TableSpec)
    if "trust_matrix" in tables:
        trust = tables["trust_matrix"]
        dims = _present(trust, ["construct", "wave", "from_sector", "to_sector", "region"])
        out.add("trust_matrix", TableSpec("trust_matrix", trust, dims=dims, margins={"region": TOTAL},
                                          partial=_partial(trust, "region", "n", dims), fixed={"kind": "trust"},
                                          suppressed="_hidden"))
        # the sectors inside one region are a role breakdown: all shown or none
        out.ties.append((len(out.specs) - 1, _present(trust, ["construct", "wave", "to_sector", "region"])))
    for name, dims in _OWN_COUNTS.items():
        if name in tables:
            dims = _present(tables[name], dims)
            margins = {"region": TOTAL} if "region" in dims else {}
            out.add(name, TableSpec(name, tables[name], dims=dims, margins=margins, fixed={"kind": name},
                                    partial=_partial(tables[name], "region", "n", dims) if margins else (),
                                    suppressed="_hidden"))
    return out


def site_model(specs: CountSpecs):
    """The :class:`~folge.disclosure.CellModel` of ``specs`` and each spec's cell positions."""
    from ..disclosure import CellModel, add_table

    model = CellModel()
    positions = [add_table(model, spec) for spec in specs.specs]
    for i, dims in specs.ties:
        frame, pos = specs.specs[i].frame, positions[i]
        inside = (frame["region"].astype(str) != TOTAL).to_numpy() & (pos >= 0)
        groups = pd.Series(pos[inside]).groupby([frame[d].astype(str).to_numpy()[inside] for d in dims], sort=False)
        for _, members in groups:
            if len(members) > 1:
                model.tie(members.tolist())
    for a, b in specs.equal:
        if a in model and b in model:
            model.add_equal(a, b, label="the same count in two tables")
    return model, positions


@dataclass
class Protected:
    """What :func:`protect` decided: hidden rows per table, the model and the suppression."""

    hidden: dict
    model: object
    suppression: object

    def published(self) -> dict:
        """Key → count of every cell shown, for the next edition's audit."""
        from ..disclosure import published_cells

        return published_cells(self.model, self.suppression.hidden)


def _row_masks(tables, specs: CountSpecs, positions, hidden: np.ndarray) -> dict:
    masks = {name: np.zeros(len(frame), dtype=bool) for name, frame in tables.items()}
    for owner, spec, pos in zip(specs.owners, specs.specs, positions):
        if owner not in masks or "_row" not in spec.frame.columns:
            continue
        rows = spec.frame["_row"].to_numpy(dtype=float)
        ok = (rows >= 0) & (pos >= 0)
        np.logical_or.at(masks[owner], rows[ok].astype(int), hidden[pos[ok]])
    return masks


def protect(tables: Mapping[str, pd.DataFrame], *, min_n: int, level: float | None = None,
            indicators: Mapping | None = None, exempt: Mapping[str, str] | None = None,
            published=None) -> Protected:
    """Choose what to hide in all public ``tables`` at once, so that the LP audit passes.

    Every count of every table becomes a cell of one :class:`~folge.disclosure.CellModel`
    (:func:`count_specs`); :func:`folge.disclosure.suppress` picks the primary cells
    (``0 < n < min_n``) and the fewest, smallest complements; a row is hidden when any
    count in it is. Rows of unknown ``n`` that are not exempt are hidden too.

    Raises
    ------
    folge.disclosure.DisclosureError
        When no suppression passes the audit; the message names the table to coarsen.
    """
    from ..disclosure import Protection, suppress

    tables = {k: v.reset_index(drop=True) for k, v in tables.items() if v is not None and not v.empty}
    specs = count_specs(tables, indicators)
    model, positions = site_model(specs)
    problems = model.check()
    if problems:
        raise ValueError(f"the published counts contradict their relations ({len(problems)}): {problems[0]}")
    result = suppress(model, Protection(min_n=int(min_n), level=level), published=published)
    hidden = model.close(result.hidden)
    masks = _row_masks(tables, specs, positions, hidden)
    for name, frame in tables.items():
        if "n" in frame.columns:
            unknown = np.array(pd.to_numeric(frame["n"], errors="coerce").isna(), dtype=bool)
            column = (exempt or {}).get(name)
            if column and column in frame.columns:
                unknown &= ~frame[column].fillna(False).astype(bool).to_numpy()
            masks[name] |= unknown
    return Protected(masks, model, result)


# ----------------------------------------------------------------------------------------
# the audit of a built site, as an outsider

#: The published open-data tables that carry counts.
COUNT_TABLES = ("item_shares", "construct_means", "criteria", "change", "reliability", "items", "icc", "agreement",
                "response_rates", "panel", "trust_matrix", "learning_chain", "trend", "invariance", "levels")
#: Key columns read as text from the open data.
_TEXT = {c: str for c in ("wave", "from_wave", "to_wave", "region", "role", "value", "item", "construct",
                          "criterion", "indicator", "stage", "from_sector", "to_sector", "method", "model")}
AUDIT_FILE = "disclosure-audit.json"
PUBLISHED_FILE = "disclosure-published.json"


def read_site_tables(data_dir) -> dict[str, pd.DataFrame]:
    """The count tables of a site's open data (``reports/_site/data/*.csv``), as an outsider reads them."""
    from pathlib import Path

    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"no open data at '{data_dir}' (build the site with 'folge report' first)")
    return {name: pd.read_csv(data_dir / f"{name}.csv", dtype=_TEXT, keep_default_na=False, na_values=[""])
            for name in COUNT_TABLES if (data_dir / f"{name}.csv").exists()}


def _leaks(model, min_n: int) -> list[dict]:
    """Counts the attacker reads directly: hidden in one table but printed in another, or
    printed although below ``min_n``."""
    from ..disclosure import key_dict

    values, sensitive, exempt = model.values(), model.sensitive(), model.exempt()
    small = np.flatnonzero((values > 0) & (values < min_n) & sensitive & ~exempt)
    leaks = []
    for pos in sorted(set(model.marked) | {int(p) for p in small}):
        if not np.isnan(values[pos]) and sensitive[pos] and not exempt[pos]:
            leaks.append({"cell": key_dict(model.keys[pos]), "tables": list(model.tables(pos)), "low": values[pos],
                          "high": values[pos], "width": 0.0})
    # the value is no secret of ours here: it is printed in the open data
    for leak in leaks:
        leak["low"] = leak["high"] = float(leak["low"])
    return leaks


def audit_site(site_dir, study, *, published=None, out=None):
    """Audit a built site's open data as an outsider would, and write ``disclosure-audit.json``.

    Every count of ``site_dir/data/*.csv`` is registered in one
    :class:`~folge.disclosure.CellModel` (the same :func:`count_specs` the builder protects
    with, fed with the published files: hidden rows carry no numbers), then
    :func:`folge.disclosure.audit` attacks each hidden cell by linear programming, knowing
    ``published`` (cells of an earlier edition). A hidden cell printed in another table, and
    a printed count of respondents below ``min_n``, are breaches of width 0.

    Returns
    -------
    folge.disclosure.AuditResult
        Also written to ``out`` (default ``site_dir/disclosure-audit.json``).
    """
    from pathlib import Path

    from ..disclosure import Protection, audit

    from ._public import _protection_level, indicator_keys

    site_dir = Path(site_dir)
    tables = read_site_tables(site_dir / "data")
    specs = count_specs(tables, indicator_keys(study))
    model, _ = site_model(specs)
    result = audit(model, Protection(min_n=int(study.min_n), level=_protection_level(study)), published=published)
    leaks = _leaks(model, int(study.min_n))
    if leaks:
        result.breaches = leaks + result.breaches
        result.smallest_interval = 0.0
    result.write_json(Path(out) if out else site_dir / AUDIT_FILE)
    return result


def read_published_dir(path):
    """The cells an earlier edition published: ``path`` is its site, its data folder or the JSON file."""
    from pathlib import Path

    from ..disclosure import read_published

    path = Path(path)
    for candidate in (path, path / PUBLISHED_FILE, path.parent / PUBLISHED_FILE):
        if candidate.is_file():
            return read_published(candidate)
    raise FileNotFoundError(f"no {PUBLISHED_FILE} at '{path}' (an edition built by 'folge report' writes one)")
