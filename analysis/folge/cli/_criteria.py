"""``folge criteria``: the success-criteria verdicts of the last analysis as a compact table."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from ._common import console, reports_errors, study_option

_STYLE = {"met": "green", "partly-met": "yellow", "not-met": "red", "insufficient-data": "dim"}
_MARK = {"met": "✓", "partly-met": "◐", "not-met": "✗", "insufficient-data": "·"}


def _read(results: Path) -> pd.DataFrame:
    from .._errors import AnalysisError

    path = results / "criteria.csv"
    if not path.exists():
        raise AnalysisError(
            f"ingen analyse i {results} ennå: kjør 'folge analyze' først / "
            f"no analysis in {results} yet: run 'folge analyze' first")
    text = {"criterion": "string", "region": "string", "wave": "string", "verdict": "string",
            "reason": "string", "reason_en": "string", "indicator": "string", "gate": "string"}
    return pd.read_csv(path, dtype=text, keep_default_na=True)


def _short(value, digits: int = 2) -> str:
    return "" if pd.isna(value) else f"{float(value):.{digits}f}"


@click.command(help="Vis suksesskriterier / print the success-criteria verdicts of the last analysis.")
@study_option
@click.option("--results", "results_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder with the result tables  [default: results/ in the study]")
@click.option("--region", default=None, help="Only this region (or 'all' for the national rows).")
@click.option("--wave", default=None, help="Only this wave.")
@click.option("--criterion", "criterion_id", default=None, help="Only this criterion.")
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), default="nb", show_default=True,
              help="Language of the reasons (nn reads bokmål).")
@click.option("--reasons/--no-reasons", default=True, show_default=True, help="Show the reason column.")
@reports_errors
def criteria(study_dir: Path, results_dir: Path | None, region: str | None, wave: str | None,
             criterion_id: str | None, lang: str, reasons: bool):
    """Print one row per criterion × region × wave: verdict, deciding figures and reason.

    Reads criteria.csv written by 'folge analyze' (results/ in the study, or --results).
    """
    from rich.table import Table

    from ..criteria import VERDICT_LABELS

    results = results_dir or (study_dir / "results")
    frame = _read(results)
    for column, value, what in (("region", region, "--region"), ("wave", wave, "--wave"),
                                ("criterion", criterion_id, "--criterion")):
        if value is None:
            continue
        known = list(dict.fromkeys(frame[column].dropna()))
        if value not in known:
            from ..definitions import did_you_mean

            raise click.BadParameter(f"{value!r} is not in criteria.csv{did_you_mean(value, known)}; "
                                     f"known: {', '.join(known)}", param_hint=what)
        frame = frame[frame[column] == value]
    i = 1 if lang == "en" else 0
    heads = (("kriterium", "criterion"), ("region", "region"), ("bølge", "wave"), ("vurdering", "verdict"),
             ("indikator", "indicator"), ("verdi", "value"), ("n", "n"), ("terskel", "threshold"), ("p", "p"),
             ("begrunnelse", "reason"))
    table = Table(show_lines=False, pad_edge=False, expand=False)
    for k, head in enumerate(heads):
        if k == 9 and not reasons:
            continue
        table.add_column(head[i], overflow="fold", ratio=4 if k == 9 else None,
                         justify="right" if k in (5, 6, 7, 8) else "left", no_wrap=k < 9)
    reason_column = "reason_en" if lang == "en" and "reason_en" in frame.columns else "reason"
    for row in frame.itertuples(index=False):
        verdict = str(row.verdict)
        label = f"{_MARK.get(verdict, '')} {VERDICT_LABELS.get(verdict, (verdict, verdict))[i]}"
        cells = [str(row.criterion), str(row.region), str(row.wave),
                 f"[{_STYLE.get(verdict, '')}]{label}[/]", "" if pd.isna(row.indicator) else str(row.indicator),
                 _short(row.value), "" if pd.isna(row.n) else str(int(row.n)), _short(row.threshold),
                 _short(row.p, 3)]
        if reasons:
            text = getattr(row, reason_column)
            cells.append("" if pd.isna(text) else str(text).replace("[", "\\["))
        table.add_row(*cells)
    console.print(table)
    counts = frame["verdict"].value_counts()
    summary = ", ".join(f"{VERDICT_LABELS[v][i]}: {int(counts[v])}" for v in VERDICT_LABELS if v in counts)
    console.print(f"{len(frame)} " + ("rader" if i == 0 else "rows") + f" ({summary})")
