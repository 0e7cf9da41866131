"""``folge criteria``: the success-criteria verdicts of the last analysis as a compact table."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from ._common import console, reports_errors, study_option

_STYLE = {"met": "green", "partly-met": "yellow", "not-met": "red", "insufficient-data": "dim"}
_MARK = {"met": "✓", "partly-met": "◐", "not-met": "✗", "insufficient-data": "·"}


def _read(results: Path) -> pd.DataFrame:
    """criteria.csv of the analysis in ``results``, typed by the results contract."""
    from .._errors import AnalysisError
    from ..analysis import Results

    found = Results.read(results, ["criteria"])
    if "criteria" not in found.tables:
        raise AnalysisError(
            f"ingen analyse i {results} ennå: kjør 'folge analyze' først / "
            f"no analysis in {results} yet: run 'folge analyze' first")
    return found.table("criteria")


def _short(value, digits: int = 2) -> str:
    return "" if pd.isna(value) else f"{float(value):.{digits}f}"


def _label(verdict: str, i: int) -> str:
    from ..criteria import VERDICT_LABELS

    text = f"{_MARK.get(verdict, '')} {VERDICT_LABELS.get(verdict, (verdict, verdict))[i]}"
    return f"[{_STYLE.get(verdict, '')}]{text}[/]"


def _reason(row, column: str) -> str:
    text = getattr(row, column)
    return "" if pd.isna(text) else str(text).replace("[", "\\[")


def _as_table(frame: pd.DataFrame, shown: list[str], i: int, reasons: bool, reason_column: str):
    """One row per verdict in columns, for wide terminals."""
    from rich.table import Table

    from ..vocabulary import labels

    heads = {column: (words["nb"], words["en"]) for column, words in labels("criteria", "column").items()}
    columns = ["criterion", *shown, "verdict", "indicator", "value", "n", "threshold", "p"]
    columns += ["reason"] if reasons else []
    table = Table(show_lines=False, pad_edge=False, expand=False)
    for column in columns:
        table.add_column(heads[column][i], overflow="fold", ratio=4 if column == "reason" else None,
                         justify="right" if column in ("value", "n", "threshold", "p") else "left",
                         no_wrap=column != "reason")
    for row in frame.itertuples(index=False):
        cells = {"criterion": str(row.criterion), "region": str(row.region), "wave": str(row.wave),
                 "verdict": _label(str(row.verdict), i),
                 "indicator": "" if pd.isna(row.indicator) else str(row.indicator),
                 "value": _short(row.value), "n": "" if pd.isna(row.n) else str(int(row.n)),
                 "threshold": _short(row.threshold), "p": _short(row.p, 3),
                 "reason": _reason(row, reason_column) if reasons else ""}
        table.add_row(*(cells[c] for c in columns))
    return table


def _print_as_list(frame: pd.DataFrame, shown: list[str], i: int, reasons: bool, reason_column: str) -> None:
    """Two lines per verdict, for narrow terminals: the verdict with its figures, then why."""
    for row in frame.itertuples(index=False):
        where = " ".join(str(getattr(row, c)) for c in shown)
        figures = []
        if not pd.isna(row.value):
            figures.append(f"{_short(row.value)}" + (f" / {_short(row.threshold)}" if not pd.isna(row.threshold)
                                                    else ""))
        if not pd.isna(row.n):
            figures.append(f"n={int(row.n)}")
        if not pd.isna(row.p):
            figures.append(f"p={_short(row.p, 3)}")
        console.print(f"{_label(str(row.verdict), i)}  [bold]{row.criterion}[/] {where}"
                      + (f"  ({', '.join(figures)})" if figures else ""))
        if reasons and _reason(row, reason_column):
            from rich.padding import Padding
            from rich.text import Text

            text = getattr(row, reason_column)
            console.print(Padding(Text(str(text), style="dim"), (0, 0, 0, 4)))


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
    reason_column = "reason_en" if lang == "en" and "reason_en" in frame.columns else "reason"
    # a column that holds one value after filtering says nothing row by row
    shown = [c for c in ("region", "wave") if frame[c].nunique() > 1]
    if console.width >= 120:
        console.print(_as_table(frame, shown, i, reasons, reason_column))
    else:
        _print_as_list(frame, shown, i, reasons, reason_column)
    counts = frame["verdict"].value_counts()
    summary = ", ".join(f"{VERDICT_LABELS[v][i]}: {int(counts[v])}" for v in VERDICT_LABELS if v in counts)
    from ..vocabulary import message

    console.print(f"{len(frame)} {message('criteria', 'cli.rows', 'en' if i else 'nb')} ({summary})")
