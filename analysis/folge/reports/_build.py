"""``build_reports`` and ``build_sites``: from a result folder to the published site.

Every public table is protected once per build (one disclosure choice for every document
and language), the open data are written and audited once, then each document becomes a
markdown-only .qmd in ``OUT/_source`` (the staged Quarto project) and quarto or pandoc +
typst render it. With pandoc, the documents are spread over a small pool of forked worker
processes: each writes its document's .qmd and charts, runs pandoc once for both outputs
(HTML and typst source) and compiles the PDF with typst.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .._paths import RESULTS_DIR, SITE_DIR, defaults_dir
from .._version import __version__
from ..disclosure import write_published
from ._documents import Doc, Edition, Templates, index_qmd, methods_qmd, national_qmd, region_qmd
from ._i18n import LANGS, t
from ._disclosure import PUBLISHED_FILE, audit_site
from ._open_data import write_open_data
from ._public import public_tables, read_results, waves_upto
from ._quarto import PandocRenderer, ReportError, choose_engine, project_files, quarto_render
from ._questionnaires import questionnaire_qmd

__all__ = ["ReportSet", "build_reports", "build_sites", "reports_folder", "FORMATS"]

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
    audit: object = None

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
        "weighting_margins": _margins(manifest),
        "flagged": _flagged(results, waves),
    }


def _margins(manifest) -> str:
    """``region+role``, ``region`` or empty: the margins the analysis raked to (the most common)."""
    raked = (manifest.get("weighting") or {}).get("raked") or []
    found = [str(r.get("margins", "")) for r in raked]
    return max(set(found), key=found.count) if found else ""


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
    published=None,
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
        Rendering processes for the pandoc engine (1: render in this process).
    progress, on_start
        Callbacks: ``on_start(total_documents, engine)`` once, ``progress(doc)`` after each.
    published
        Cells an earlier edition published (key → count, from
        :func:`folge.disclosure.read_published`): the attacker knows them.

    Returns
    -------
    ReportSet
        With ``audit``, the LP audit of the open data as an outsider sees it (also written
        to ``OUT/disclosure-audit.json``); this edition's shown cells are written to
        ``OUT/disclosure-published.json`` for the next edition's audit.

    Raises
    ------
    folge.disclosure.DisclosureError
        When no suppression makes the audit pass, or the built open data fail it: nothing
        is rendered, and the message names the table to coarsen.
    """
    if lang is not None and lang not in LANGS:
        raise ValueError(f"'lang' must be one of {', '.join(LANGS)} (got {lang!r})")
    return _build(study_root, results_dir, out_dir, wave=wave, formats=formats, langs=[lang], engine=engine,
                  regions=regions, processes=workers, progress=progress, on_start=on_start, published=published)


def build_sites(
    study_root: str | Path = ".",
    results_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    *,
    langs: Sequence[str] | None = None,
    wave: str | None = None,
    formats: Iterable[str] = FORMATS,
    engine: str = "auto",
    regions: Iterable[str] | None = None,
    processes: int = 2,
    progress: Callable[[Doc], None] | None = None,
    on_start: Callable[[int, str], None] | None = None,
    published=None,
) -> ReportSet:
    """The whole site in several languages at once (``folge report --lang all``).

    Every document (national, methods, every region, index) is built in each of ``langs``
    (default: the study's ``languages``): the first language at ``OUT`` as
    :func:`build_reports` with ``lang`` would place it, each other one in ``OUT/LANG/``.
    What does not depend on the language is made once: the disclosure choice (one
    suppression shared by every document and language), the open data in ``OUT/data``
    with its audit, and the questionnaires (every language) in ``OUT/questionnaires``.
    With the pandoc engine the documents are rendered by ``processes`` forked workers.
    Parameters and result as :func:`build_reports`; the documents of every language are
    in ``ReportSet.documents``.
    """
    if langs is None:
        from ..definitions import load_study

        langs = [lang for lang in load_study(Path(study_root).resolve()).languages if lang in LANGS] or list(LANGS)
    langs = list(dict.fromkeys(langs))
    bad = [lang for lang in langs if lang not in LANGS]
    if bad or not langs:
        raise ValueError(f"'langs' must be some of {', '.join(LANGS)} (got {', '.join(map(str, langs)) or 'none'})")
    return _build(study_root, results_dir, out_dir, wave=wave, formats=formats, langs=langs, engine=engine,
                  regions=regions, processes=processes, progress=progress, on_start=on_start, published=published)


def _build(study_root, results_dir, out_dir, *, wave, formats, langs: list[str | None], engine, regions, processes,
           progress, on_start, published) -> ReportSet:
    """The shared path: protect once, write and audit the open data once, then render every document."""
    from ..definitions import load_study

    started = time.perf_counter()
    formats = _checked_formats(formats)
    # Absolute from here on: pandoc runs in each document's folder, so a relative path
    # (the default ``reports/_site`` inside a study folder) would point nowhere.
    study_root = Path(study_root).resolve()
    study = load_study(study_root)
    results = read_results(Path(results_dir).resolve() if results_dir else study_root / RESULTS_DIR, study)
    out_dir = Path(out_dir).resolve() if out_dir else study_root / SITE_DIR
    chosen = choose_engine(engine)
    waves = waves_upto(study, results, wave)
    decided: list = []
    tables = public_tables(results, study, wave, published=published, protected=decided)
    prov = _provenance(results, study, waves)
    edition = Edition(study, tables, waves, langs[0] if len(langs) == 1 else None, prov, engine=chosen.name)

    reports_dir = reports_folder(study_root)
    source = _fresh_source(reports_dir, out_dir)
    report = ReportSet(chosen.name, out_dir, source)
    report.data_files = write_open_data(tables, out_dir / "data", study=study, provenance=prov)
    report.audit = _audited(out_dir, study, published)
    write_published(decided[0].published(), out_dir / PUBLISHED_FILE)
    templates = Templates(reports_dir / "templates")
    plan: list[Planned] = []
    shared: list[Planned] = []
    homes = {lang: report.out_dir / ("" if k == 0 else str(lang)) / "index.html" for k, lang in enumerate(langs)}
    for k, lang in enumerate(langs):
        translations = [(other, page) for other, page in homes.items() if other != lang] \
            if "html" in formats else []
        part = _plan(edition, templates, report, formats, lang, regions, prefix="" if k == 0 else str(lang),
                     shared=shared if k else None, questionnaires=langs if len(langs) > 1 else (),
                     translations=translations)
        if k == 0:
            shared = [p for p in part if p[0].kind == "questionnaire"]
        plan += part
    report.documents = [d for d, _ in plan]
    if on_start:
        on_start(len(report.documents), chosen.describe())
    if chosen.name == "pandoc":
        _render_with_pandoc(plan, PandocRenderer(source, _timestamp(prov["analysed_iso"])), processes, progress)
    else:
        _render_with_quarto(plan, chosen, source, out_dir, formats, progress)
    missing = [p for p in report.outputs() if not p.exists()]
    if missing:
        raise ReportError(f"{len(missing)} output(s) were not written, e.g. {missing[0]}")
    report.seconds = time.perf_counter() - started
    return report


def _audited(out_dir: Path, study, published):
    """The outsider's audit of the open data just written; raises when it finds a breach."""
    from ..disclosure import DisclosureError

    result = audit_site(out_dir, study, published=published)
    if not result.passed:
        tables = sorted({t for b in result.breaches for t in b["tables"]})
        raise DisclosureError(f"the open data fail the disclosure audit ({len(result.breaches)} cell(s) narrower "
                              f"than {result.protection:g}, e.g. {result.breaches[0]['cell']}): nothing is published; "
                              f"coarsen the breakdown in {', '.join(tables)}", tables=tables,
                              cells=[b["cell"] for b in result.breaches])
    return result


def _checked_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """``formats`` as a tuple, after checking it."""
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"'formats' must be some of {', '.join(FORMATS)} (got {', '.join(formats) or 'none'})")
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
          regions: Iterable[str] | None, *, prefix: str = "", shared: list[Planned] | None = None,
          questionnaires: Sequence[str] = (), translations: Sequence[tuple[str, Path]] = ()) -> list[Planned]:
    """Every document of one language in order (national, methods, regions, questionnaires, index).

    ``prefix`` is the language's folder under ``_source`` and the site ("" for the first);
    ``shared`` are documents another language's plan already holds (the questionnaires):
    this language's index links them instead of building them again. ``questionnaires``:
    the languages of the printable questionnaires (default: ``lang``, else the study's).
    ``translations``: (language, index page) of the same site in the other languages.
    """
    study = edition.study
    source, out_dir = report.source_dir / prefix, report.out_dir / prefix
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
        lang_ = lang or region.language or "nb"
        plan.append((doc("region", region.id, region.name, f"regions/{region.id}.qmd", lang_),
                     lambda region=region, lang_=lang_: region_qmd(edition, templates, source / "regions", region,
                                                                   lang_)))
    if shared is None:
        for instrument in study.instruments.values():
            for lang_ in questionnaires or languages:
                title = f"{instrument.title.get_lang(lang_)} ({lang_})"
                plan.append((doc("questionnaire", f"{instrument.id}.{lang_}", title,
                                 f"questionnaires/{instrument.id}.{lang_}.qmd", lang_),
                             lambda instrument=instrument, lang_=lang_: questionnaire_qmd(edition, templates,
                                                                                          instrument, lang_)))
    index_doc = doc("index", "index", t("title_index", main_lang), "index.qmd", main_lang)
    others = [d for d, _ in plan] + [d for d, _ in shared or []]
    plan.append((index_doc, lambda: index_qmd(edition, templates, main_lang, others, report.data_files,
                                              home=out_dir, data_dir=report.out_dir / "data",
                                              translations=translations)))
    return plan


def _write_qmd(d: Doc, make: Callable[[], str]) -> None:
    d.qmd.parent.mkdir(parents=True, exist_ok=True)
    d.qmd.write_text(make(), encoding="utf-8")


#: The build a forked worker renders from: (plan, renderer), set just before the pool starts.
_WORK: tuple[list[Planned], PandocRenderer] | None = None


def _render_one(i: int) -> Doc:
    """Write document ``i`` of the plan and render it (in a worker, or in this process)."""
    plan, renderer = _WORK
    d, make = plan[i]
    _write_qmd(d, make)
    renderer.render(d.qmd, html=d.html, pdf=d.pdf)
    return d


def _can_fork() -> bool:
    """Whether worker processes may be forked from this one.

    typst's threads do not survive a fork: a process that has loaded typst (compiled a PDF
    in-process) would fork workers that hang in their first compile, so it renders alone.
    """
    return "fork" in multiprocessing.get_all_start_methods() and "typst" not in sys.modules


def _render_with_pandoc(plan: list[Planned], renderer: PandocRenderer, processes: int,
                        progress: Callable[[Doc], None] | None) -> None:
    """Write and render every document: over ``processes`` forked workers, or here one by one.

    Each document is one task (its .qmd and charts, one pandoc run, one typst compile); the
    largest (national, methods) start first.
    """
    global _WORK
    order = sorted(range(len(plan)), key=lambda i: (plan[i][0].kind not in ("national", "methods"), i))
    _WORK = (plan, renderer)
    try:
        if processes <= 1 or len(plan) < 2 or not _can_fork():
            for i in order:
                d = _render_one(i)
                if progress:
                    progress(d)
            return
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            futures = [pool.submit(_render_one, i) for i in order]
            for future in as_completed(futures):
                d = future.result()
                if progress:
                    progress(d)
    finally:
        _WORK = None


def _render_with_quarto(plan: list[Planned], engine, source: Path, out_dir: Path, formats: tuple[str, ...],
                        progress: Callable[[Doc], None] | None) -> None:
    """Write every .qmd, then let quarto render the whole project at once."""
    for d, make in plan:
        _write_qmd(d, make)
    quarto_render(engine, source, out_dir, tuple(formats))
    if progress:
        for d, _ in plan:
            progress(d)
