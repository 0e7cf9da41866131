"""``folge report``: the public reports (national, regions, methods), questionnaires and open data."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ._common import console, reports_errors, study_option

__all__ = ["report"]


def _formats(value: str) -> tuple[str, ...]:
    formats = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    bad = [f for f in formats if f not in ("html", "pdf")]
    if bad or not formats:
        raise click.BadParameter(f"choose html, pdf or html,pdf (got {value!r})")
    return formats


@click.command(name="report")
@study_option
@click.option("--results", "results_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder 'folge analyze' wrote (default: STUDY/results).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the site goes (default: STUDY/reports/_site).")
@click.option("--wave", default=None, help="Build the edition as of this wave (later waves left out).")
@click.option("--format", "formats", default="html,pdf", show_default=True, help="html, pdf or html,pdf.")
@click.option("--lang", type=click.Choice(["nb", "nn", "en", "all"]), default=None,
              help="Language of every document (default: bokmål; nynorsk regions in nynorsk). 'all': every "
                   "document in each of the study's languages, the first at OUT and the others in OUT/LANG "
                   "(OUT/nn, OUT/en), with one disclosure choice, one open data folder and one set of "
                   "questionnaires for all of them.")
@click.option("--engine", type=click.Choice(["auto", "quarto", "pandoc"]), default="auto", show_default=True,
              help="quarto where installed, else pandoc + typst.")
@click.option("--published", "published_dir", type=click.Path(exists=True, path_type=Path), default=None,
              help="An earlier edition's site (or its disclosure-published.json): counts already public.")
@reports_errors
def report(study_dir: Path, results_dir, out_dir, wave, formats, lang, engine, published_dir):
    """Lag evalueringsrapportene / build the evaluation reports.

    National report, one report per region, methods appendix, printable questionnaires
    (HTML and PDF) and the open data (CSV + datapackage.json), in one language or, with
    --lang all, in every language of the study; all after disclosure control:
    the suppression is chosen so that the LP audit of everything published passes, and the
    audit is run again on the open data as written (SITE/disclosure-audit.json); the build
    stops with exit 1, naming the table to coarsen, when it cannot pass.
    """
    from ..reports import build_reports, build_sites, read_published_dir

    chosen_formats = _formats(formats)
    published = None
    if published_dir is not None:
        try:
            published = read_published_dir(published_dir)
        except FileNotFoundError as exc:
            raise click.BadParameter(str(exc), param_hint="--published") from None
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("Rapporter / reports", total=None)

        def on_start(total: int, engine_name: str) -> None:
            console.print(f"engine: {engine_name}")
            progress.update(task, total=total)

        def on_doc(doc) -> None:
            progress.update(task, advance=1, description=f"{doc.kind}: {doc.id}")

        if lang == "all":
            result = build_sites(study_dir, results_dir, out_dir, wave=wave, formats=chosen_formats, engine=engine,
                                 progress=on_doc, on_start=on_start, published=published)
        else:
            result = build_reports(study_dir, results_dir, out_dir, wave=wave, formats=chosen_formats, lang=lang,
                                   engine=engine, progress=on_doc, on_start=on_start, published=published)
    console.print(f"engine: {result.engine}")
    for doc in result.documents:
        outputs = ", ".join(str(p) for p in (doc.html, doc.pdf) if p is not None)
        console.print(f"  {doc.kind:<13} {doc.id:<28} {outputs}", markup=False, soft_wrap=True)
    console.print(f"open data: {result.out_dir / 'data'} ({len(result.data_files)} files + datapackage.json)",
                  markup=False, soft_wrap=True)
    audit = result.audit
    if audit is not None:
        console.print(f"disclosure audit: {audit.cells} cells, {audit.suppressed} suppressed, {len(audit.breaches)} "
                      f"breaches, {audit.seconds:.1f} s -> {result.out_dir / 'disclosure-audit.json'}",
                      markup=False, soft_wrap=True)
    console.print(f"index: {result.index}  ({result.seconds:.1f} s)", markup=False, soft_wrap=True)
