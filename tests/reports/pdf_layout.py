"""How the text of a tagged PDF's tables is laid out: hyphenated line breaks and justified lines.

The PDFs are tagged, so a table cell is a ``TD``/``TH`` structure element whose marked
content ids (MCIDs) name the glyphs drawn in it. The glyphs of each cell are grouped into
lines by their baseline; a line that ends in a hyphen and is followed by another line of
the same cell that starts with a lower-case letter is a hyphenated break (typst draws the
hyphen it adds outside the cell's marked content, so a hyphen glyph right after the line's
last glyph counts too); a line that is
not the last of its cell and whose word gaps are stretched beyond a normal space (more
than 0.45 em on average) is a justified line.

    python tests/reports/pdf_layout.py SITE_DIR     # counts per PDF, then the totals
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HYPHENS = ("-", "\u2010", "\u00ad")
CELL_TYPES = {"TD", "TH"}


@dataclass
class TableLayout:
    cells: int = 0
    lines: int = 0
    hyphen_breaks: int = 0
    justified_lines: int = 0
    examples: list | None = None


def _cell_mcids(tree: list) -> list[set[int]]:
    """The MCIDs of each table cell of one page's structure tree."""
    cells: list[set[int]] = []

    def collect(node) -> set[int]:
        found = set(node.get("mcids") or [])
        for child in node.get("children") or []:
            found |= collect(child)
        return found

    def walk(node):
        if node.get("type") in CELL_TYPES:
            cells.append(collect(node))
            return
        for child in node.get("children") or []:
            walk(child)

    for node in tree:
        walk(node)
    return [c for c in cells if c]


def _lines(chars: list[dict]) -> list[list[dict]]:
    """Glyphs grouped into lines (same baseline within a third of the font size), top to bottom."""
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (round(c["bottom"], 1), c["x0"])):
        if lines and abs(lines[-1][0]["bottom"] - ch["bottom"]) < ch["size"] / 3:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _loose_hyphen(line: list[dict], loose: list[dict]) -> bool:
    """A hyphen glyph without MCID right after the line's last glyph, on its baseline."""
    last = line[-1]
    size = last["size"]
    return any(abs(h["bottom"] - last["bottom"]) < size / 3 and -0.5 <= h["x0"] - last["x1"] < 0.3 * size for h in loose)


def _text(line: list[dict]) -> str:
    return "".join(c["text"] for c in line).strip()


def _stretched(line: list[dict]) -> bool:
    """Word gaps wider on average than 0.45 em: the line was stretched to the cell's width."""
    glyphs = [c for c in line if c["text"].strip()]
    gaps = [b["x0"] - a["x1"] for a, b in zip(glyphs, glyphs[1:])]
    size = glyphs[0]["size"] if glyphs else 1.0
    words = [g for g in gaps if g > 0.15 * size]
    return len(words) >= 1 and sum(words) / len(words) > 0.45 * size


def table_layout(pdf_path: Path) -> TableLayout:
    """Cells, lines, hyphenated breaks and justified lines inside the tables of ``pdf_path``."""
    import pdfplumber

    result = TableLayout(examples=[])
    with pdfplumber.open(str(pdf_path)) as pdf:
        for page in pdf.pages:
            cells = _cell_mcids(page.structure_tree)
            if not cells:
                continue
            by_mcid = defaultdict(list)
            loose = []
            for ch in page.chars:
                if ch.get("mcid") is not None:
                    by_mcid[ch["mcid"]].append(ch)
                elif ch["text"] in HYPHENS:
                    loose.append(ch)
            for mcids in cells:
                lines = _lines([ch for m in mcids for ch in by_mcid.get(m, [])])
                if not lines:
                    continue
                result.cells += 1
                result.lines += len(lines)
                for line, following in zip(lines, lines[1:]):
                    text, nxt = _text(line), _text(following)
                    hyphen = (text.endswith(HYPHENS) and len(text) > 1 and text[-2].isalpha()) or (
                        text[-1:].isalpha() and _loose_hyphen(line, loose))
                    if hyphen and nxt[:1].islower():
                        result.hyphen_breaks += 1
                        result.examples.append(f"{text} / {nxt}")
                    if _stretched(line):
                        result.justified_lines += 1
    return result


def main(argv: list[str]) -> int:
    site = Path(argv[0])
    total = TableLayout()
    for pdf in sorted(site.rglob("*.pdf")):
        found = table_layout(pdf)
        total.cells += found.cells
        total.hyphen_breaks += found.hyphen_breaks
        total.justified_lines += found.justified_lines
        print(f"{pdf.relative_to(site)}: {found.cells} cells, {found.hyphen_breaks} hyphen breaks, "
              f"{found.justified_lines} justified lines {found.examples[:3]}")
    print(f"TOTAL: {total.cells} cells, {total.hyphen_breaks} hyphen breaks, {total.justified_lines} justified lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
