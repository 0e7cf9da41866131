"""``build_reports``: from a result folder to the published site, in one Python process.

Every table and figure is computed here once; each document becomes a markdown-only .qmd
in ``OUT/_source`` (the staged Quarto project), then quarto or pandoc + typst render them.
With pandoc, rendering runs in a small thread pool (pandoc and typst do the work) while the
next document's figures are drawn.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .._paths import RESULTS_DIR, SITE_DIR, defaults_dir
from .._version import __version__
from ._documents import Doc, Edition, Templates, index_qmd, methods_qmd, national_qmd, region_qmd
from ._i18n import LANGS, t
from ._open_data import write_open_data
from ._public import public_tables, read_results, waves_upto
from ._quarto import PandocRenderer, ReportError, choose_engine, project_files, quarto_render
from ._questionnaires import questionnaire_qmd

__all__ = ["ReportSet", "build_reports", "reports_folder", "FORMATS"]

FORMATS: tuple[str, ...] = ("html", "pdf")


@dataclass
class ReportSet:
    """What a build made: the engine, the documents with their outputs, the open data."""

    engine: str
    out_dir: Path
    source_dir: Path
    documents: list[Doc] = field(default_factory=list)
    data_files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"

    def outputs(self) -> list[Path]:
        """Every rendered file (HTML and PDF) of the build."""
        return [p for d in self.documents for p in (d.html, d.pdf) if p is not None]

    def by_kind(self, kind: str) -> list[Doc]:
        return [d for d in self.documents if d.kind == kind]


def reports_folder(study_root: Path) -> Path:
    """The study's own ``reports/`` (templates, styles) when it has templates, else the shipped one."""
    own = Path(study_root) / "reports"
    if (own / "templates").is_dir():
        return own
    return defaults_dir() / "reports"


def _provenance(results, study, waves) -> dict:
    manifest = results.manifest
    created = str(manifest.get("created", ""))
    instruments = manifest.get("instruments") or {i.id: i.version for i in study.instruments.values()}
    return {
        "snapshot": str(manifest.get("snapshot", "")),
        "toolkit": __version__,
        "analysis_toolkit": str(manifest.get("toolkit", "")),
        "instruments": [{"id": k, "version": v} for k, v in sorted(instruments.items())],
        "analysed": created[:10],
        "analysed_iso": created,
        "licence": study.licence,
        "min_n": study.min_n,
        "edition": waves[-1] if waves else "",
        "flagged": _flagged(results, waves),
    }


def _flagged(results, waves) -> int | None:
    """Questionnaires (respondent, wave, instrument) that ``quality.csv`` flags in ``waves``; None without it."""
    quality = results.table("quality")
    if "flag" not in quality.columns:
        return None
    quality = quality[quality["wave"].astype(str).isin([str(w) for w in waves])]
    return len(quality[["respondent", "wave", "instrument"]].drop_duplicates())


def _timestamp(created: str) -> dt.datetime | None:
    try:
        stamp = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)


def build_reports(
    study_root: str | Path = ".",
    results_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    *,
    wave: str | None = None,
    formats: Iterable[str] = FORMATS,
    lang: str | None = None,
    engine: str = "auto",
    regions: Iterable[str] | None = None,
    workers: int = 2,
    progress: Callable[[Doc], None] | None = None,
    on_start: Callable[[int, str], None] | None = None,
) -> ReportSet:
    """Build every public document of the study at ``study_root``.

    Parameters
    ----------
    study_root
        The study folder (``research/study.yaml``).
    results_dir
        The output of ``folge analyze`` (default ``STUDY/results``).
    out_dir
        Where the site goes (default ``STUDY/reports/_site``).
    wave
        Build the edition as of this wave (later waves are left out).
    formats
        Any of ``html`` and ``pdf``.
    lang
        ``nb``, ``nn`` or ``en`` for every document; default: bokmål, and each region's
        own language for its report.
    engine
        ``auto`` (quarto where installed, else pandoc), ``quarto`` or ``pandoc``.
    regions
        Only these regions' reports (default: all).
    workers
        Rendering threads for the pandoc engine.
    progress, on_start
        Callbacks: ``on_start(total_documents, engine)`` once, ``progress(doc)`` after each.

    Returns
    -------
    ReportSet
    """
    from ..definitions import load_study

    started = time.perf_counter()
    formats = _checked_formats(formats, lang)
    study_root = Path(study_root)
    study = load_study(study_root)
    results = read_results(Path(results_dir) if results_dir else study_root / RESULTS_DIR, study)
    out_dir = Path(out_dir) if out_dir else study_root / SITE_DIR
    chosen = choose_engine(engine)
    waves = waves_upto(study, results, wave)
    tables = public_tables(results, study, wave)
    prov = _provenance(results, study, waves)
    edition = Edition(study, tables, waves, lang, prov, engine=chosen.name)

    reports_dir = reports_folder(study_root)
    source = _fresh_source(reports_dir, out_dir)
    report = ReportSet(chosen.name, out_dir, source)
    report.data_files = write_open_data(tables, out_dir / "data", study=study, provenance=prov)
    plan = _plan(edition, Templates(reports_dir / "templates"), report, formats, lang, regions)
    report.documents = [d for d, _ in plan]
    if on_start:
        on_start(len(report.documents), chosen.describe())
    if chosen.name == "pandoc":
        _render_with_pandoc(plan, PandocRenderer(source, _timestamp(prov["analysed_iso"])), workers, progress)
    else:
        _render_with_quarto(plan, chosen, source, out_dir, formats, progress)
    missing = [p for p in report.outputs() if not p.exists()]
    if missing:
        raise ReportError(f"{len(missing)} output(s) were not written, e.g. {missing[0]}")
    report.seconds = time.perf_counter() - started
    return report


def _checked_formats(formats: Iterable[str], lang: str | None) -> tuple[str, ...]:
    """``formats`` as a tuple, after checking it and ``lang``."""
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"'formats' must be some of {', '.join(FORMATS)} (got {', '.join(formats) or 'none'})")
    if lang is not None and lang not in LANGS:
        raise ValueError(f"'lang' must be one of {', '.join(LANGS)} (got {lang!r})")
    return formats


def _fresh_source(reports_dir: Path, out_dir: Path) -> Path:
    """An empty ``OUT/_source`` holding the Quarto project files of ``reports_dir``."""
    source = out_dir / "_source"
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    project_files(reports_dir, source)
    return source


#: One document of a build and the function that writes its .qmd text.
Planned = tuple[Doc, Callable[[], str]]


def _plan(edition: Edition, templates: Templates, report: ReportSet, formats: tuple[str, ...], lang: str | None,
          regions: Iterable[str] | None) -> list[Planned]:
    """Every document of the build in order (national, methods, regions, questionnaires, index)."""
    study, source, out_dir = edition.study, report.source_dir, report.out_dir
    wanted = set(regions) if regions is not None else None
    chosen_regions = [r for r in study.regions if wanted is None or r.id in wanted]
    main_lang = lang or "nb"
    languages = [lang] if lang else [l for l in study.languages if l in LANGS] or ["nb"]

    def doc(kind, doc_id, title, qmd_rel: str, lang_: str) -> Doc:
        stem = Path(qmd_rel).with_suffix("")
        return Doc(kind, doc_id, lang_, title, source / qmd_rel,
                   out_dir / f"{stem}.html" if "html" in formats else None,
                   out_dir / f"{stem}.pdf" if "pdf" in formats and kind != "index" else None)

    plan: list[Planned] = [
        (doc("national", "national", t("title_national", main_lang), "national.qmd", main_lang),
         lambda: national_qmd(edition, templates, source, main_lang)),
        (doc("methods", "methods", t("title_methods", main_lang), "methods.qmd", main_lang),
         lambda: methods_qmd(edition, templates, source, main_lang)),
    ]
    for region in chosen_regions:
        lang_ = edition.lang_of(region)
        plan.append((doc("region", region.id, region.name, f"regions/{region.id}.qmd", lang_),
                     lambda region=region, lang_=lang_: region_qmd(edition, templates, source / "regions", region,
                                                                   lang_)))
    for instrument in study.instruments.values():
        for lang_ in languages:
            title = f"{instrument.title.get_lang(lang_)} ({lang_})"
            plan.append((doc("questionnaire", f"{instrument.id}.{lang_}", title,
                             f"questionnaires/{instrument.id}.{lang_}.qmd", lang_),
                         lambda instrument=instrument, lang_=lang_: questionnaire_qmd(edition, templates, instrument,
                                                                                      lang_)))
    index_doc = doc("index", "index", t("title_index", main_lang), "index.qmd", main_lang)
    others = [d for d, _ in plan]
    plan.append((index_doc, lambda: index_qmd(edition, templates, main_lang, others, report.data_files)))
    return plan


def _write_qmd(d: Doc, make: Callable[[], str]) -> None:
    d.qmd.parent.mkdir(parents=True, exist_ok=True)
    d.qmd.write_text(make(), encoding="utf-8")


def _render_with_pandoc(plan: list[Planned], renderer: PandocRenderer, workers: int,
                        progress: Callable[[Doc], None] | None) -> None:
    """Write each .qmd, then render it in a small thread pool while the next one is written.

    HTML is rendered in parallel; typst compiles one PDF at a time.
    """
    lock = threading.Lock()

    def render(d: Doc) -> Doc:
        if d.html is not None:
            renderer.html(d.qmd, d.html)
        if d.pdf is not None:
            typ = renderer.typst_source(d.qmd)
            with lock:
                renderer.compile_pdf(typ, d.pdf)
        return d

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures: list[Future] = []
        for d, make in plan:
            _write_qmd(d, make)
            future = pool.submit(render, d)
            if progress:
                future.add_done_callback(lambda f: f.exception() is None and progress(f.result()))
            futures.append(future)
        for future in futures:
            future.result()


def _render_with_quarto(plan: list[Planned], engine, source: Path, out_dir: Path, formats: tuple[str, ...],
                        progress: Callable[[Doc], None] | None) -> None:
    """Write every .qmd, then let quarto render the whole project at once."""
    for d, make in plan:
        _write_qmd(d, make)
    quarto_render(engine, source, out_dir, tuple(formats))
    if progress:
        for d, _ in plan:
            progress(d)
