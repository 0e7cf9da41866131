"""The report charts, drawn with matplotlib from disclosed tables only.

Each function takes public (disclosed) rows, leaves suppressed rows out of the chart, and
returns a :class:`Chart`: the SVG, a caption and an alt text that states the finding in the
report's language. Colour is never the only carrier of meaning: lines differ in style and
marker, bars carry printed percentages, heat-map cells carry their numbers.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.lines  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ._disclosure import TOTAL, require_disclosed  # noqa: E402
from ._i18n import STAGE_LABELS, label_of, number, percent, t  # noqa: E402

__all__ = ["Chart", "trend_chart", "items_chart", "trust_chart", "chain_chart", "STYLE"]

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "folge",
    "font.family": ["DejaVu Sans"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
}
REGION_COLOUR = "#1f5a99"
NATIONAL_COLOUR = "#3b3b3b"
#: Brown–teal diverging palette (ColorBrewer BrBG), readable with common colour blindness.
DIVERGING = {4: ["#a6611a", "#dfc27d", "#80cdc1", "#018571"],
             5: ["#a6611a", "#dfc27d", "#e8e8e8", "#80cdc1", "#018571"],
             6: ["#8c510a", "#d8b365", "#f6e8c3", "#c7eae5", "#5ab4ac", "#01665e"],
             7: ["#8c510a", "#d8b365", "#f6e8c3", "#e8e8e8", "#c7eae5", "#5ab4ac", "#01665e"]}
DARK = {"#a6611a", "#018571", "#8c510a", "#01665e", "#5ab4ac"}


@dataclass(frozen=True)
class Chart:
    """One figure: a file name stem, the SVG, its caption and its alt text."""

    name: str
    svg: bytes
    caption: str
    alt: str


def _svg(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def _shown(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    require_disclosed(frame, what)
    return frame[~frame["suppressed"].astype(bool)]


def _series(frames, cid_boxes, x_of, span):
    """One polyline (NaN-separated) and one set of CI polygons for every panel of a series."""
    xs, ys, polygons = [], [], []
    for cid, (x0, y0, w, h, low, high) in cid_boxes.items():
        sub = frames.get(cid)
        if sub is None or sub.empty:
            continue
        waves = sub["wave"].map(x_of)
        keep = waves.notna().to_numpy()
        order = np.argsort(waves[keep].to_numpy())
        x = (x0 + w * waves[keep].to_numpy(dtype=float) / span)[order]

        def y(col):
            values = np.clip(sub[col].to_numpy(dtype=float), low, high)
            return (y0 + h * (values - low) / (high - low))[keep][order]

        lo, hi, mid = y("ci_low"), y("ci_high"), y("mean")
        ok = np.isfinite(lo) & np.isfinite(hi)
        if ok.sum() >= 1:
            polygons.append(np.column_stack([np.r_[x[ok], x[ok][::-1]], np.r_[lo[ok], hi[ok][::-1]]]))
        xs.extend([*x, np.nan])
        ys.extend([*mid, np.nan])
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float), polygons


def _draw_series(ax, frames, boxes, x_of, span, colour, style, marker) -> list:
    x, y, polygons = _series(frames, boxes, x_of, span)
    added = []
    if polygons:
        added.append(ax.add_collection(PolyCollection(polygons, facecolors=colour, alpha=0.15, linewidths=0)))
    if len(x):
        added.extend(ax.plot(x, y, linestyle=style, marker=marker, color=colour, markersize=3, linewidth=1.3))
    return added


def _trend_base(national, constructs, waves, lang, scales):
    """The parts of a trend chart every region shares: panels, labels and the national series."""
    x_of = {w: i for i, w in enumerate(waves)}
    span = max(1, len(waves) - 1)
    cols = min(4, len(constructs))
    nrows = -(-len(constructs) // cols)
    fig = Figure(figsize=(1.9 * cols + 0.4, 1.45 * nrows + 0.6))
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98 - 0.35 / fig.get_figheight()))
    ax.set_axis_off()
    ax.set_xlim(-0.12, cols)
    ax.set_ylim(-(nrows) - 0.02, 0.02)
    boxes, grid = {}, []
    for k, (cid, title) in enumerate(constructs):
        r, c = divmod(k, cols)
        x0, y0, w, h = c + 0.12, -(r + 1) + 0.18, 0.8, 0.5  # the panel's box in figure units
        scale = scales.get(cid) if scales else None
        low, high = (scale.min, scale.max) if scale is not None and scale.min is not None else (1, 5)
        boxes[cid] = (x0, y0, w, h, low, high)
        for level in range(int(low), int(high) + 1):
            yy = y0 + h * (level - low) / (high - low)
            grid.append([(x0, yy), (x0 + w, yy)])
        ax.text(x0 - 0.02, y0, str(int(low)), ha="right", va="center", fontsize=6)
        ax.text(x0 - 0.02, y0 + h, str(int(high)), ha="right", va="center", fontsize=6)
        ax.text(x0 + w / 2, y0 + h + 0.05, "\n".join(textwrap.wrap(title, 26)[:2]), ha="center", va="bottom",
                fontsize=7, fontweight="bold")
        if r == nrows - 1 or k + cols >= len(constructs):
            for wave, i in x_of.items():
                ax.text(x0 + w * i / span, y0 - 0.04, wave, ha="center", va="top", fontsize=6)
    ax.add_collection(LineCollection(grid, colors="#dddddd", linewidths=0.5))
    frames = {cid: sub for cid, sub in national.groupby("construct", sort=False)}
    _draw_series(ax, frames, boxes, x_of, span, NATIONAL_COLOUR, "--", "s")
    return fig, ax, boxes


def trend_chart(means: pd.DataFrame, constructs, waves: list[str], lang: str, *, name: str, scope: str,
                instrument: str, region: str | None = None, scales=None, cache: dict | None = None) -> Chart | None:
    """Small multiples: the mean of each construct per wave with its 95 % CI band.

    ``constructs`` is a list of ``(id, title)``; ``region`` adds the region's line (solid,
    circles) against the national one (dashed, squares). The panels are drawn on one set
    of axes (each in its own box, with its scale's range). The national part is the same
    in every region's chart: with a ``cache`` (a dict that lives for one build) it is drawn
    once, and each region only adds its own line before the SVG is written.
    """
    rows = _shown(means, "construct means")
    rows = rows[rows["role"] == TOTAL]
    national = rows[rows["region"] == TOTAL]
    local = rows[rows["region"] == region] if region else rows.iloc[0:0]
    constructs = [(cid, title) for cid, title in constructs if (national["construct"] == cid).any()]
    if not constructs:
        return None
    x_of = {w: i for i, w in enumerate(waves)}
    span = max(1, len(waves) - 1)
    with plt.rc_context(STYLE):
        key = ("trend", name, lang, tuple(constructs), tuple(waves))
        base = cache.get(key) if cache is not None else None
        if base is None:
            base = _trend_base(national, constructs, waves, lang, scales)
            if cache is not None:
                cache[key] = base
        fig, ax, boxes = base
        frames = {cid: sub for cid, sub in local.groupby("construct", sort=False)}
        added = _draw_series(ax, frames, boxes, x_of, span, REGION_COLOUR, "-", "o")
        handles = [matplotlib.lines.Line2D([], [], color=NATIONAL_COLOUR, linestyle="--", marker="s", markersize=3,
                                           label=t("legend_national", lang))]
        if not local.empty:
            handles.append(matplotlib.lines.Line2D([], [], color=REGION_COLOUR, linestyle="-", marker="o",
                                                   markersize=3, label=t("legend_region", lang)))
        legend = fig.legend(handles=handles, loc="upper center", ncol=2, frameon=False, bbox_to_anchor=(0.5, 1.0))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        svg = buffer.getvalue()
        for artist in (*added, legend):
            artist.remove()
    alt = t("alt_trend", lang, k=len(constructs), finding=_trend_finding(national, local, constructs, waves, lang))
    caption = t("cap_trend", lang, scope=scope, instrument=instrument)
    return Chart(name, svg, caption, alt)


def _trend_finding(national, local, constructs, waves, lang) -> str:
    focus = local if not local.empty else national
    titles = dict(constructs)
    first, last = waves[0], waves[-1]
    wide = focus[focus["construct"].isin(titles)].pivot_table(index="construct", columns="wave", values="mean")
    if wide.empty:
        return ""
    parts = []
    if first in wide.columns and last in wide.columns and first != last:
        diff = (wide[last] - wide[first]).dropna()
        if not diff.empty:
            up, down = diff.idxmax(), diff.idxmin()
            key = "alt_trend_up" if diff[up] >= 0 else "alt_trend_down"
            parts.append(t(key, lang, construct=titles[up], a=number(wide.loc[up, first], lang, 1),
                           b=number(wide.loc[up, last], lang, 1)))
            if diff[down] < 0 and down != up:
                parts.append(t("alt_trend_down", lang, construct=titles[down], a=number(wide.loc[down, first], lang, 1),
                               b=number(wide.loc[down, last], lang, 1)))
    if not parts:
        column = wide.columns[-1]
        col = wide[column].dropna()
        hi, lo = col.idxmax(), col.idxmin()
        parts.append(t("alt_trend_one", lang, construct=titles[hi], a=number(col[hi], lang, 1), low=titles[lo],
                       b=number(col[lo], lang, 1)))
    if not local.empty:
        nat = national.pivot_table(index="construct", columns="wave", values="mean")
        reg = local.pivot_table(index="construct", columns="wave", values="mean")
        column = [w for w in waves if w in reg.columns and w in nat.columns]
        if column:
            both = pd.concat([reg[column[-1]], nat[column[-1]]], axis=1, keys=["r", "n"]).dropna()
            both = both[both.index.isin(titles)]
            parts.append(t("alt_trend_region", lang, above=int((both["r"] > both["n"]).sum()), k=len(both)))
    return " ".join(parts)


def items_chart(shares: pd.DataFrame, items, scale, lang: str, *, name: str, scope: str, wave: str,
                region: str = TOTAL) -> Chart | None:
    """Diverging stacked bars of the answers to ``items`` (all on ``scale``) in one wave.

    Disagreeing answers extend left of zero, agreeing ones right; a middle category
    straddles zero. Percentages of 7 % or more are printed in their segments.
    """
    rows = _shown(shares, "item shares")
    rows = rows[(rows["region"] == region) & (rows["wave"] == wave)]
    wide = rows[rows["item"].isin([i.id for i in items])].pivot_table(index="item", columns="value", values="share")
    order = [i for i in items if i.id in wide.index]
    if not order:
        return None
    values = list(scale.values)
    wide = wide.reindex(index=[i.id for i in order], columns=values).fillna(0.0)
    k = len(values)
    colours = DIVERGING.get(k, DIVERGING[5] if k % 2 else DIVERGING[6])
    half = k // 2
    labels_text = scale.labels.get(lang) or scale.labels.get("nb") or [str(v) for v in values]
    with plt.rc_context(STYLE):
        height = 0.42 * len(order) + 1.3
        fig, ax = plt.subplots(figsize=(7.2, height))
        fig.subplots_adjust(left=0.42, right=0.97, top=1 - 0.15 / height, bottom=1.05 / height)
        y = np.arange(len(order))[::-1]
        neg = wide[values[:half]].sum(axis=1).to_numpy()
        if k % 2:
            neg = neg + wide[values[half]].to_numpy() / 2
        left = -neg
        for j, value in enumerate(values):
            width = wide[value].to_numpy()
            bars = ax.barh(y, width, left=left, color=colours[j], edgecolor="white", linewidth=0.6,
                           label=labels_text[j] if j < len(labels_text) else str(value), height=0.7)
            for bar, w, x0 in zip(bars, width, left):
                if w >= 0.07:
                    ax.text(x0 + w / 2, bar.get_y() + bar.get_height() / 2, percent(w, lang),
                            ha="center", va="center", fontsize=7,
                            color="white" if colours[j] in DARK else "black")
            left = left + width
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(["\n".join(textwrap.wrap(i.text.get_lang(lang), 48)[:3]) for i in order], fontsize=7)
        ax.set_xlim(-1, 1)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1])
        ax.set_xticklabels([percent(abs(v), lang) for v in (-1, -0.5, 0, 0.5, 1)], fontsize=7)
        ax.set_xlabel(t("axis_share", lang))
        fig.legend(*ax.get_legend_handles_labels(), loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=min(k, 3),
                   frameon=False, fontsize=7)
        svg = _svg(fig)
    agree = wide[values[(k + 1) // 2:]].sum(axis=1)
    top, bottom = agree.idxmax(), agree.idxmin()
    text_of = {i.id: i.text.get_lang(lang) for i in order}
    alt = t("alt_items", lang, k=len(order), top=_short(text_of[top]), top_share=percent(agree[top], lang),
            bottom=_short(text_of[bottom]), bottom_share=percent(agree[bottom], lang))
    caption = t("cap_items", lang, scope=scope, wave=wave, scale=" / ".join([labels_text[0], labels_text[-1]]))
    return Chart(name, svg, caption, alt)


def _short(text: str, width: int = 70) -> str:
    return textwrap.shorten(text, width, placeholder=" …")


def trust_chart(trust: pd.DataFrame, region: str, wave: str, lang: str, *, name: str, scope: str,
                sector_labels, target_labels, scale_max: float = 5.0) -> Chart | None:
    """Heat map of who trusts whom: rows the answering sector, columns the partner, numbers in cells."""
    rows = _shown(trust, "trust matrix")
    rows = rows[(rows["region"] == region) & (rows["wave"] == wave)]
    if rows.empty:
        return None
    wide = rows.pivot_table(index="from_sector", columns="to_sector", values="mean")
    row_labels = [label_of(sector_labels, s, lang) for s in wide.index]
    col_labels = [label_of(target_labels, s, lang) for s in wide.columns]
    data = wide.to_numpy(dtype=float)
    with plt.rc_context(STYLE):
        width, height = 1.0 * len(col_labels) + 2.4, 0.5 * len(row_labels) + 1.5
        fig, ax = plt.subplots(figsize=(width, height))
        fig.subplots_adjust(left=2.1 / width, right=0.98, top=1 - 0.9 / height, bottom=0.1 / height)
        masked = np.ma.masked_invalid(data)
        image = ax.imshow(masked, cmap="Blues", vmin=1, vmax=scale_max, aspect="auto")
        for (r, c), value in np.ndenumerate(data):
            if np.isfinite(value):
                shade = image.norm(value)
                ax.text(c, r, number(value, lang, 1), ha="center", va="center", fontsize=8,
                        color="white" if shade > 0.6 else "black")
        ax.set_xticks(range(len(col_labels)))
        ax.set_xticklabels(["\n".join(textwrap.wrap(x, 12)) for x in col_labels], fontsize=7)
        ax.set_yticks(range(len(row_labels)))
        ax.set_yticklabels(row_labels, fontsize=7)
        ax.xaxis.tick_top()
        ax.set_ylabel(t("from_sector", lang))
        ax.set_xlabel(t("to_sector", lang))
        ax.xaxis.set_label_position("top")
        for spine in ax.spines.values():
            spine.set_visible(False)
        svg = _svg(fig)
    hi = np.unravel_index(np.nanargmax(data), data.shape)
    lo = np.unravel_index(np.nanargmin(data), data.shape)
    alt = t("alt_trust", lang, hi_from=row_labels[hi[0]], hi_to=col_labels[hi[1]], hi=number(data[hi], lang, 1),
            lo_from=row_labels[lo[0]], lo_to=col_labels[lo[1]], lo=number(data[lo], lang, 1))
    return Chart(name, svg, t("cap_trust", lang, scope=scope, wave=wave), alt)


def chain_chart(chain: pd.DataFrame, wave: str, lang: str, *, name: str, scope: str,
                region: str | None = None) -> Chart | None:
    """The learning-chain funnel: the share who learned, shared and used, region beside national."""
    rows = _shown(chain, "learning chain")
    rows = rows[rows["wave"] == wave]
    stages = ["learned", "shared", "used"]
    series = []
    for key, label, colour, hatch in ((region, t("legend_region", lang), REGION_COLOUR, ""),
                                      (TOTAL, t("legend_national", lang), NATIONAL_COLOUR, "///")):
        if key is None:
            continue
        sub = rows[rows["region"] == key].set_index("stage")["share"].reindex(stages)
        if sub.notna().any():
            series.append((label, colour, hatch, sub))
    if not series:
        return None
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 0.75 * len(stages) * len(series) / 1.5 + 1.2))
        fig.subplots_adjust(left=0.16, right=0.98, top=0.95, bottom=0.05)
        height = 0.8 / len(series)
        for j, (label, colour, hatch, sub) in enumerate(series):
            y = np.arange(len(stages))[::-1] + (len(series) - 1 - 2 * j) * height / 2
            widths = sub.fillna(0).to_numpy()
            ax.barh(y, widths, left=-widths / 2, height=height * 0.92, color=colour if not hatch else "#d9d9d9",
                    hatch=hatch, edgecolor=colour, linewidth=0.8, label=label)
            for yy, w, s in zip(y, widths, sub):
                if pd.notna(s):
                    ax.text(w / 2 + 0.02, yy, f"{label}: {percent(s, lang)}", va="center", fontsize=7)
        ax.set_yticks(np.arange(len(stages))[::-1])
        ax.set_yticklabels([label_of(STAGE_LABELS, s, lang) for s in stages])
        ax.set_xlim(-0.55, 1.05)
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        ax.legend(loc="lower right", frameon=False, fontsize=7)
        svg = _svg(fig)
    focus = series[0][3]
    stage_text = ", ".join(f"{label_of(STAGE_LABELS, s, lang).lower()} {percent(focus[s], lang)}"
                           for s in stages if pd.notna(focus[s]))
    alt = t("alt_chain", lang, stages=stage_text)
    if len(series) > 1:
        nat = series[1][3]
        alt += " " + t("legend_national", lang) + ": " + ", ".join(
            f"{label_of(STAGE_LABELS, s, lang).lower()} {percent(nat[s], lang)}" for s in stages if pd.notna(nat[s])) + "."
    return Chart(name, svg, t("cap_chain", lang, scope=scope, wave=wave), alt)
