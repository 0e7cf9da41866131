"""A small SVG writer for the report charts: shapes, text and markers in points.

The charts are simple (lines, bands, bars, cells, text), so they are written as SVG
directly instead of through a plotting library: a chart costs milliseconds, and nothing
heavy is imported while a site is built. The output is plain SVG 1.1 that browsers show as
an embedded image and typst (usvg) draws as vector graphics in the PDF; text stays text
(DejaVu Sans, which typst gets from the font folder the build names).

Coordinates are points (1/72 inch) from the top left corner.
"""

from __future__ import annotations

from typing import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

__all__ = ["Canvas", "text_width", "wrap", "mix", "FONT"]

FONT = "DejaVu Sans, Verdana, sans-serif"

#: Advance widths of DejaVu Sans in em, by character class (close enough to place labels).
_NARROW = set("iljt.,:;!'|()[]{} f")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float) -> float:
    """The approximate width of ``text`` set in DejaVu Sans at ``size`` points.

    >>> round(text_width("Landet", 10), 1)
    33.1
    """
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.33
        elif ch in _WIDE:
            em += 0.92
        elif ch.isupper() or ch.isdigit():
            em += 0.66
        else:
            em += 0.58
    return em * size


def wrap(text: str, width: float, size: float, max_lines: int = 3) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (the last line shortened with "…")."""
    words, lines, line = str(text).split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if line and text_width(trial, size) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(" ,.;:") + " …"
    return lines or [""]


def mix(colours: Sequence[str], share: float) -> str:
    """The colour at ``share`` (0–1) along the ramp ``colours`` (hex), linearly interpolated.

    >>> mix(["#000000", "#ffffff"], 0.5)
    '#808080'
    """
    share = min(1.0, max(0.0, float(share)))
    pos = share * (len(colours) - 1)
    k = min(int(pos), len(colours) - 2)
    f = pos - k
    a, b = colours[k], colours[k + 1]
    rgb = [round(int(a[i:i + 2], 16) * (1 - f) + int(b[i:i + 2], 16) * f) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _n(x: float) -> str:
    """A coordinate with two decimals at most, without trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _points(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _style(stroke: str | None = None, width: float | None = None, fill: str | None = "none",
           dash: str | None = None, opacity: float | None = None) -> str:
    parts = [f'fill="{fill}"' if fill is not None else ""]
    if stroke:
        parts.append(f'stroke="{stroke}"')
        if width is not None:
            parts.append(f'stroke-width="{_n(width)}"')
    if dash:
        parts.append(f'stroke-dasharray="{dash}"')
    if opacity is not None:
        parts.append(f'fill-opacity="{_n(opacity)}"')
    return " ".join(p for p in parts if p)


class Canvas:
    """One SVG drawing of ``width`` × ``height`` points; add shapes, then :meth:`svg`.

    >>> c = Canvas(100, 50)
    >>> c.line(0, 0, 100, 50, "#000")
    >>> c.text(50, 25, "a < b", anchor="middle")
    >>> b'a &lt; b' in c.svg() and c.svg().startswith(b'<svg')
    True
    """

    def __init__(self, width: float, height: float):
        self.width, self.height = float(width), float(height)
        self._defs: list[str] = []
        self._body: list[str] = []

    # shapes -------------------------------------------------------------------------
    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1.0,
             dash: str | None = None) -> None:
        self._body.append(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
                          f'{_style(stroke, width, None, dash)}/>')

    def polyline(self, points: Sequence[tuple[float, float]], stroke: str, width: float = 1.0,
                 dash: str | None = None) -> None:
        if len(points) >= 2:
            self._body.append(f'<polyline points="{_points(points)}" {_style(stroke, width, "none", dash)} '
                              'stroke-linejoin="round"/>')

    def polygon(self, points: Sequence[tuple[float, float]], fill: str, opacity: float | None = None) -> None:
        if len(points) >= 3:
            self._body.append(f'<polygon points="{_points(points)}" {_style(None, None, fill, None, opacity)}/>')

    def rect(self, x: float, y: float, w: float, h: float, fill: str = "none", stroke: str | None = None,
             width: float | None = None, dash: str | None = None) -> None:
        if w <= 0 or h <= 0:
            return
        self._body.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
                          f'{_style(stroke, width, fill, dash)}/>')

    def hatch(self, name: str, colour: str, spacing: float = 4.0) -> str:
        """A diagonal-line fill pattern; returns its ``url(#…)`` for ``fill``."""
        self._defs.append(f'<pattern id="{name}" patternUnits="userSpaceOnUse" width="{_n(spacing)}" '
                          f'height="{_n(spacing)}"><rect width="{_n(spacing)}" height="{_n(spacing)}" fill="#ffffff"/>'
                          f'<path d="M0,{_n(spacing)} L{_n(spacing)},0" stroke="{colour}" stroke-width="0.8"/>'
                          '</pattern>')
        return f"url(#{name})"

    def marker(self, kind: str, x: float, y: float, size: float, colour: str, filled: bool = True) -> None:
        """A data point: ``circle``, ``square`` or ``diamond`` of ``size`` points across."""
        fill = colour if filled else "#ffffff"
        r = size / 2
        if kind == "circle":
            self._body.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}" stroke="{colour}" '
                              'stroke-width="1"/>')
        elif kind == "square":
            self._body.append(f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(size)}" height="{_n(size)}" '
                              f'fill="{fill}" stroke="{colour}" stroke-width="1"/>')
        elif kind == "diamond":
            r *= 1.25
            self._body.append(f'<polygon points="{_points([(x, y - r), (x + r, y), (x, y + r), (x - r, y)])}" '
                              f'fill="{fill}" stroke="{colour}" stroke-width="1.2"/>')
        else:
            raise ValueError(f"'kind' must be circle, square or diamond (got {kind!r})")

    def text(self, x: float, y: float, text: str, *, size: float = 8.0, anchor: str = "start",
             bold: bool = False, fill: str = "#1a1a1a", rotate: float | None = None) -> None:
        """``text`` with its vertical centre at ``y`` (``anchor``: start, middle, end)."""
        baseline = y + 0.35 * size
        transform = f' transform="rotate({_n(rotate)} {_n(x)} {_n(y)})"' if rotate else ""
        weight = ' font-weight="bold"' if bold else ""
        self._body.append(f'<text x="{_n(x)}" y="{_n(baseline)}" font-size="{_n(size)}" text-anchor="{anchor}" '
                          f'fill="{fill}"{weight}{transform}>{escape(str(text))}</text>')

    def lines(self, x: float, y: float, lines: Sequence[str], *, size: float = 8.0, anchor: str = "start",
              bold: bool = False, leading: float = 1.2) -> None:
        """Several lines of text, vertically centred on ``y`` as a block."""
        top = y - (len(lines) - 1) * size * leading / 2
        for k, line in enumerate(lines):
            self.text(x, top + k * size * leading, line, size=size, anchor=anchor, bold=bold)

    # output -------------------------------------------------------------------------
    def svg(self) -> bytes:
        """The drawing as a standalone SVG document (UTF-8)."""
        defs = f"<defs>{''.join(self._defs)}</defs>" if self._defs else ""
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_n(self.width)}pt" '
                f'height="{_n(self.height)}pt" viewBox="0 0 {_n(self.width)} {_n(self.height)}" '
                f'font-family={quoteattr(FONT)}>')
        return ("\n".join([head, defs, *self._body, "</svg>"]) + "\n").encode("utf-8")
