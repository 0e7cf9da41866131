"""The report charts, written as SVG (:mod:`._svg`) from disclosed tables only.

Each function takes public (disclosed) rows, leaves suppressed rows out of the chart, and
returns a :class:`Chart`: the SVG, a caption and an alt text that states the finding in the
report's language. Colour is never the only carrier of meaning: lines differ in dash and
marker (the region solid with circles, the country dashed with squares, an empirical-Bayes
estimate a hollow diamond), bars carry printed percentages and their labels, heat-map cells
carry their numbers.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from ._disclosure import TOTAL, require_disclosed
from ._i18n import STAGE_LABELS, label_of, number, percent, t
from ._svg import Canvas, mix, text_width, wrap

__all__ = ["Chart", "TrendWords", "construct_chart", "items_chart", "trust_chart", "chain_chart"]

REGION_COLOUR = "#1f5a99"
NATIONAL_COLOUR = "#3b3b3b"
EB_COLOUR = "#8c3b00"
GRID = "#dddddd"
#: Brown–teal diverging palette (ColorBrewer BrBG), readable with common colour blindness.
DIVERGING = {4: ["#a6611a", "#dfc27d", "#80cdc1", "#018571"],
             5: ["#a6611a", "#dfc27d", "#e8e8e8", "#80cdc1", "#018571"],
             6: ["#8c510a", "#d8b365", "#f6e8c3", "#c7eae5", "#5ab4ac", "#01665e"],
             7: ["#8c510a", "#d8b365", "#f6e8c3", "#e8e8e8", "#c7eae5", "#5ab4ac", "#01665e"]}
DARK = {"#a6611a", "#018571", "#8c510a", "#01665e", "#5ab4ac"}
#: ColorBrewer Blues, light to dark: the trust heat map.
BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]


@dataclass(frozen=True)
class Chart:
    """One figure: a file name stem, the SVG, its caption and its alt text."""

    name: str
    svg: bytes
    caption: str
    alt: str


def _shown(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    require_disclosed(frame, what)
    return frame[~frame["suppressed"].astype(bool)]


# ----------------------------------------------------------------------------------------
# one construct over time


@dataclass(frozen=True)
class TrendWords:
    """The words of one construct chart, filled in by the caller from the words files."""

    caption: str
    alt: Callable[[dict], str]
    tick_labels: Mapping[str, str]
    region_label: str
    national_label: str
    eb_label: str = "EB"


class _TimeAxes:
    """A construct chart's plot area: dates across, the scale's range up."""

    WIDTH, HEIGHT = 475.0, 180.0
    LEFT, RIGHT, TOP, BOTTOM = 34.0, 10.0, 30.0, 34.0

    def __init__(self, x_of: Mapping[str, float], low: float, high: float):
        ticks = sorted(x_of.values())
        pad = max(20.0, 0.04 * (ticks[-1] - ticks[0]))
        self.x0, self.x1 = ticks[0] - pad, ticks[-1] + pad
        self.low, self.high = float(low), float(high)
        self.x_of = x_of

    def x(self, value: float) -> float:
        span = self.WIDTH - self.LEFT - self.RIGHT
        return self.LEFT + span * (value - self.x0) / (self.x1 - self.x0)

    def y(self, value: float) -> float:
        span = self.HEIGHT - self.TOP - self.BOTTOM
        value = min(self.high, max(self.low, float(value)))
        return self.HEIGHT - self.BOTTOM - span * (value - self.low) / (self.high - self.low)

    def draw(self, canvas: Canvas, tick_labels: Mapping[str, str]) -> None:
        left, right = self.LEFT, self.WIDTH - self.RIGHT
        for level in range(int(np.ceil(self.low)), int(np.floor(self.high)) + 1):
            yy = self.y(level)
            canvas.line(left, yy, right, yy, GRID, 0.6)
            canvas.text(left - 5, yy, str(level), size=8, anchor="end")
        bottom = self.HEIGHT - self.BOTTOM
        canvas.line(left, bottom, right, bottom, "#555555", 0.8)
        for wave, value in self.x_of.items():
            xx = self.x(value)
            canvas.line(xx, bottom, xx, bottom + 3, "#555555", 0.8)
            canvas.lines(xx, bottom + 13, str(tick_labels.get(wave, wave)).split("\n"), size=8, anchor="middle")


def _series(rows: pd.DataFrame, x_of: Mapping[str, float], mean: str = "mean", low: str = "ci_low",
            high: str = "ci_high") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x (day numbers), mean, lower and upper bound per wave of ``rows``, in time order."""
    rows = rows[rows["wave"].isin(x_of.keys())]
    if rows.empty:
        empty = np.empty(0)
        return empty, empty, empty, empty
    x = rows["wave"].map(x_of).to_numpy(dtype=float)
    order = np.argsort(x, kind="stable")
    values = [rows[c].to_numpy(dtype=float)[order] for c in (mean, low, high)]
    return x[order], *values


def _line_with_band(canvas: Canvas, axes: _TimeAxes, rows: pd.DataFrame, colour: str, dash: str | None,
                    marker: str) -> bool:
    """The mean per wave (line and markers) with its 95 % interval (a band); False when nothing is drawn."""
    x, mid, low, high = _series(rows, axes.x_of)
    ok = np.isfinite(mid)
    if not ok.any():
        return False
    band = np.isfinite(low) & np.isfinite(high)
    if band.sum() >= 2:
        upper = [(axes.x(a), axes.y(b)) for a, b in zip(x[band], high[band])]
        lower = [(axes.x(a), axes.y(b)) for a, b in zip(x[band][::-1], low[band][::-1])]
        canvas.polygon(upper + lower, colour, opacity=0.15)
    elif band.sum() == 1:  # one wave: the interval as a bar
        a, lo, hi = x[band][0], low[band][0], high[band][0]
        canvas.line(axes.x(a), axes.y(lo), axes.x(a), axes.y(hi), colour, 1.2)
    points = [(axes.x(a), axes.y(b)) for a, b in zip(x[ok], mid[ok])]
    canvas.polyline(points, colour, 1.6, dash)
    for px, py in points:
        canvas.marker(marker, px, py, 5, colour)
    return True


def _eb_points(canvas: Canvas, axes: _TimeAxes, eb: pd.DataFrame) -> bool:
    """Empirical-Bayes estimates: a hollow diamond with its 95 % interval, set beside the direct mean."""
    if eb is None or eb.empty:
        return False
    rows = eb.assign(_low=eb["eb"] - 1.96 * eb["eb_se"], _high=eb["eb"] + 1.96 * eb["eb_se"])
    x, mid, low, high = _series(rows, axes.x_of, "eb", "_low", "_high")
    drawn = False
    for a, m, lo, hi in zip(x, mid, low, high):
        if not np.isfinite(m):
            continue
        px = axes.x(a) + 7  # beside the direct estimate, not on it
        if np.isfinite(lo) and np.isfinite(hi):
            canvas.line(px, axes.y(lo), px, axes.y(hi), EB_COLOUR, 1.2)
        canvas.marker("diamond", px, axes.y(m), 5, EB_COLOUR, filled=False)
        drawn = True
    return drawn


def _legend(canvas: Canvas, x: float, y: float, entries: list[tuple[str, str, str | None, str, bool]]) -> None:
    """One row of legend entries: (label, colour, dash, marker, filled); dash None draws a solid
    line, "" no line (a point estimate without a series)."""
    for label, colour, dash, marker, filled in entries:
        if dash != "":
            canvas.line(x, y, x + 22, y, colour, 1.6, dash)
        canvas.marker(marker, x + 11, y, 5, colour, filled)
        canvas.text(x + 28, y, label, size=8)
        x += 28 + text_width(label, 8) + 16


def construct_chart(means: pd.DataFrame, construct: str, wave_x: Mapping[str, float], lang: str, *, name: str,
                    words: TrendWords, region: str | None = None, scale_range=(1, 5),
                    eb: pd.DataFrame | None = None) -> Chart | None:
    """One construct over time: the region's mean against the national one, each with its 95 % interval.

    ``wave_x`` places each wave on the time axis (its date as a day number), so uneven
    spacing between waves shows as such; the tick labels are the waves' dates in words.
    The national line is dashed with squares, the region's solid with circles. ``eb``
    (disclosed ``levels`` rows of the region: ``wave``, ``eb``, ``eb_se``) adds the
    empirical-Bayes estimate where the report uses it: a hollow diamond with its interval
    (eb ± 1.96 eb_se), named in the legend. The alt text states the finding (``words.alt``).
    """
    rows = _shown(means, "construct means")
    rows = rows[(rows["role"] == TOTAL) & (rows["construct"] == construct)]
    national = rows[rows["region"] == TOTAL]
    local = rows[rows["region"] == region] if region else rows.iloc[0:0]
    if national.empty and local.empty:
        return None
    if eb is not None and not eb.empty:
        eb = _shown(eb, "levels")
        eb = eb[(eb["construct"] == construct) & eb["eb"].notna()]
    axes = _TimeAxes(wave_x, *scale_range)
    canvas = Canvas(axes.WIDTH, axes.HEIGHT)
    axes.draw(canvas, words.tick_labels)
    entries = []
    if _line_with_band(canvas, axes, local, REGION_COLOUR, None, "circle"):
        entries.append((words.region_label, REGION_COLOUR, None, "circle", True))
    _line_with_band(canvas, axes, national, NATIONAL_COLOUR, "5 3", "square")
    entries.append((words.national_label, NATIONAL_COLOUR, "5 3", "square", True))
    if region and _eb_points(canvas, axes, eb):
        entries.append((words.eb_label, EB_COLOUR, "", "diamond", False))
    _legend(canvas, axes.LEFT, 12, entries)
    finding = {"national": _by_wave(national), "region": _by_wave(local),
               "eb": dict(zip(eb["wave"], eb["eb"].astype(float))) if region and eb is not None else {}}
    return Chart(name, canvas.svg(), words.caption, words.alt(finding))


def _by_wave(rows: pd.DataFrame) -> dict[str, float]:
    """wave → mean of the shown rows (waves without a mean left out)."""
    rows = rows.dropna(subset=["mean"])
    return dict(zip(rows["wave"], rows["mean"].astype(float)))


# ----------------------------------------------------------------------------------------
# answers per item


def items_chart(shares: pd.DataFrame, items, scale, lang: str, *, name: str, scope: str, wave: str,
                region: str = TOTAL) -> Chart | None:
    """Diverging stacked bars of the answers to ``items`` (all on ``scale``) in one wave.

    Disagreeing answers extend left of zero, agreeing ones right; a middle category
    straddles zero. Percentages of 7 % or more are printed in their segments where they
    fit; the legend names the categories in the order of the bars.
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
    legend_rows = -(-k // 3)
    width, row_h, label_w = 518.0, 30.0, 210.0
    top, plot_h = 8.0, row_h * len(order)
    height = top + plot_h + 34 + 14 * legend_rows + 6
    left, right = label_w + 8, width - 12
    canvas = Canvas(width, height)

    def x(share: float) -> float:
        return left + (right - left) * (share + 1) / 2

    neg = wide[values[:half]].sum(axis=1).to_numpy()
    if k % 2:
        neg = neg + wide[values[half]].to_numpy() / 2
    for tick in (-1, -0.5, 0, 0.5, 1):
        canvas.line(x(tick), top, x(tick), top + plot_h, GRID, 0.5)
    for r, item in enumerate(order):
        yc = top + row_h * (r + 0.5)
        canvas.lines(label_w, yc, wrap(item.text.get_lang(lang), label_w - 4, 7, 3), size=7, anchor="end")
        start = -neg[r]
        for j, value in enumerate(values):
            share = float(wide.iloc[r][value])
            canvas.rect(x(start), yc - row_h * 0.35, x(start + share) - x(start), row_h * 0.7, colours[j],
                        "#ffffff", 0.6)
            label = percent(share, lang)
            if share >= 0.07 and x(start + share) - x(start) >= text_width(label, 7) + 2:
                canvas.text((x(start) + x(start + share)) / 2, yc, label, size=7, anchor="middle",
                            fill="#ffffff" if colours[j] in DARK else "#000000")
            start += share
    canvas.line(x(0), top - 2, x(0), top + plot_h + 2, "#333333", 0.8)
    axis = top + plot_h + 8
    for tick in (-1, -0.5, 0, 0.5, 1):
        canvas.text(x(tick), axis, percent(abs(tick), lang), size=7, anchor="middle")
    canvas.text((left + right) / 2, axis + 13, t("axis_share", lang), size=8, anchor="middle")
    per_row = min(k, 3)
    cell = (width - 40) / per_row
    for j, value in enumerate(values):
        r, c = divmod(j, per_row)
        lx, ly = 20 + c * cell, axis + 30 + 14 * r
        canvas.rect(lx, ly - 4.5, 12, 9, colours[j], "#555555", 0.4)
        canvas.text(lx + 16, ly, labels_text[j] if j < len(labels_text) else str(value), size=7)
    agree = wide[values[(k + 1) // 2:]].sum(axis=1)
    top_item, bottom_item = agree.idxmax(), agree.idxmin()
    text_of = {i.id: i.text.get_lang(lang) for i in order}
    alt = t("alt_items", lang, k=len(order), top=_short(text_of[top_item]), top_share=percent(agree[top_item], lang),
            bottom=_short(text_of[bottom_item]), bottom_share=percent(agree[bottom_item], lang))
    caption = t("cap_items", lang, scope=scope, wave=wave, scale=" / ".join([labels_text[0], labels_text[-1]]))
    return Chart(name, canvas.svg(), caption, alt)


def _short(text: str, width: int = 70) -> str:
    return textwrap.shorten(text, width, placeholder=" …")


# ----------------------------------------------------------------------------------------
# who trusts whom


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
    label_w = max(text_width(s, 8) for s in row_labels) + 30
    cell_w, cell_h = 64.0, 30.0
    header = 52.0
    width = label_w + cell_w * len(col_labels) + 10
    height = header + cell_h * len(row_labels) + 8
    canvas = Canvas(width, height)
    canvas.text(label_w + cell_w * len(col_labels) / 2, 9, t("to_sector", lang), size=8, anchor="middle", bold=True)
    canvas.text(9, header + cell_h * len(row_labels) / 2, t("from_sector", lang), size=8, anchor="middle", bold=True,
                rotate=-90)
    for c, label in enumerate(col_labels):
        canvas.lines(label_w + cell_w * (c + 0.5), 32, wrap(label, cell_w - 4, 7, 2), size=7, anchor="middle")
    for r, label in enumerate(row_labels):
        canvas.text(label_w - 6, header + cell_h * (r + 0.5), label, size=8, anchor="end")
        for c in range(len(col_labels)):
            value = data[r, c]
            x, y = label_w + cell_w * c, header + cell_h * r
            if not np.isfinite(value):
                canvas.rect(x, y, cell_w, cell_h, "#ffffff", "#cccccc", 0.5)
                continue
            shade = (value - 1) / max(1e-9, scale_max - 1)
            canvas.rect(x, y, cell_w, cell_h, mix(BLUES, shade), "#ffffff", 1)
            canvas.text(x + cell_w / 2, y + cell_h / 2, number(value, lang, 1), size=8, anchor="middle",
                        fill="#ffffff" if shade > 0.6 else "#000000")
    hi = np.unravel_index(np.nanargmax(data), data.shape)
    lo = np.unravel_index(np.nanargmin(data), data.shape)
    alt = t("alt_trust", lang, hi_from=row_labels[hi[0]], hi_to=col_labels[hi[1]], hi=number(data[hi], lang, 1),
            lo_from=row_labels[lo[0]], lo_to=col_labels[lo[1]], lo=number(data[lo], lang, 1))
    return Chart(name, canvas.svg(), t("cap_trust", lang, scope=scope, wave=wave), alt)


# ----------------------------------------------------------------------------------------
# the learning chain


def chain_chart(chain: pd.DataFrame, wave: str, lang: str, *, name: str, scope: str,
                region: str | None = None) -> Chart | None:
    """The learning-chain funnel: the share who learned, shared and used, region beside national.

    Each bar is centred (a funnel) and labelled with its series and percentage; the
    country's bars are hatched, the region's solid, so print in black and white still tells them apart.
    """
    rows = _shown(chain, "learning chain")
    rows = rows[rows["wave"] == wave]
    stages = ["learned", "shared", "used"]
    series = []
    for key, label, colour, hatched in ((region, t("legend_region", lang), REGION_COLOUR, False),
                                        (TOTAL, t("legend_national", lang), NATIONAL_COLOUR, True)):
        if key is None:
            continue
        sub = rows[rows["region"] == key].set_index("stage")["share"].reindex(stages)
        if sub.notna().any():
            series.append((label, colour, hatched, sub))
    if not series:
        return None
    stage_labels = [label_of(STAGE_LABELS, s, lang) for s in stages]
    label_w = max(text_width(s, 8) for s in stage_labels) + 14
    bar_h = 16.0
    group_h = bar_h * len(series) + 12
    width, top = 460.0, 6.0
    height = top + group_h * len(stages) + 8
    canvas = Canvas(width, height)
    centre, half = label_w + 150, 140.0
    for g, (stage, label) in enumerate(zip(stages, stage_labels)):
        y0 = top + group_h * g
        canvas.text(label_w - 6, y0 + group_h / 2 - 6, label, size=8, anchor="end")
        for j, (name_, colour, hatched, sub) in enumerate(series):
            share = sub[stage]
            yy = y0 + j * bar_h
            if pd.isna(share):
                continue
            w = half * 2 * float(share)
            fill = canvas.hatch(f"hatch-{g}-{j}", colour) if hatched else colour
            canvas.rect(centre - w / 2, yy, w, bar_h - 2, fill, colour, 0.8)
            canvas.text(centre + max(w / 2, 0) + 6, yy + bar_h / 2 - 1, f"{name_}: {percent(share, lang)}", size=7)
    focus = series[0][3]
    stage_text = ", ".join(f"{label_of(STAGE_LABELS, s, lang).lower()} {percent(focus[s], lang)}"
                           for s in stages if pd.notna(focus[s]))
    alt = t("alt_chain", lang, stages=stage_text)
    if len(series) > 1:
        nat = series[1][3]
        alt += " " + t("legend_national", lang) + ": " + ", ".join(
            f"{label_of(STAGE_LABELS, s, lang).lower()} {percent(nat[s], lang)}" for s in stages if pd.notna(nat[s])) + "."
    return Chart(name, canvas.svg(), t("cap_chain", lang, scope=scope, wave=wave), alt)
