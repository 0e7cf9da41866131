"""Everything Quarto-, pandoc- and typst-specific, in one place.

Two engines render the same markdown-only ``.qmd`` files:

``quarto``
    ``quarto render`` on the staged project (``_quarto.yml``), where the ``quarto`` binary
    is on PATH or named by ``QUARTO_PATH``.
``pandoc``
    pandoc (from ``pypandoc_binary``) with ``reports/filters/quarto-compat.lua`` to
    self-contained HTML with the embedded stylesheet, and pandoc → typst → PDF with the
    ``typst`` package, the document's title and language set in the PDF. One pandoc run
    per document writes both (``pandoc lua _render.lua``); two runs where that fails.

``choose_engine("auto")`` prefers quarto and falls back to pandoc.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .._errors import FolgeError
from .._paths import defaults_dir

__all__ = ["ENGINES", "Engine", "choose_engine", "quarto_binary", "PandocRenderer", "quarto_render",
           "project_files", "ReportError"]

ENGINES: tuple[str, ...] = ("auto", "quarto", "pandoc")
#: Files of the Quarto project in ``reports/`` that a build stages beside its .qmd files.
PROJECT_FILES: tuple[str, ...] = ("_quarto.yml", "styles/folge.css", "styles/folge.typ", "styles/folge-pandoc.typst",
                                  "filters/quarto-compat.lua")
#: The PDF standard every PDF is checked against by typst while it is written.
PDF_STANDARDS: tuple[str, ...] = ("ua-1",)


class ReportError(FolgeError):
    """A report that could not be rendered (engine missing, pandoc or typst failed)."""


@dataclass(frozen=True)
class Engine:
    name: str
    executable: str

    def describe(self) -> str:
        return f"{self.name} ({self.executable})"


def quarto_binary() -> str | None:
    """The quarto executable: ``QUARTO_PATH`` when set, else ``quarto`` on PATH, else None."""
    named = os.environ.get("QUARTO_PATH")
    if named:
        return named if Path(named).exists() else shutil.which(named)
    return shutil.which("quarto")


@lru_cache(maxsize=1)
def pandoc_binary() -> str:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:  # pragma: no cover - pypandoc_binary is a dependency
        found = shutil.which("pandoc")
        if found:
            return found
        raise ReportError("pandoc is not available: install pypandoc_binary") from exc


def choose_engine(engine: str = "auto") -> Engine:
    """The rendering engine: ``quarto`` or ``pandoc``; ``auto`` takes quarto where installed."""
    if engine not in ENGINES:
        raise ValueError(f"'engine' must be one of {', '.join(ENGINES)} (got {engine!r})")
    if engine in ("auto", "quarto"):
        quarto = quarto_binary()
        if quarto:
            return Engine("quarto", quarto)
        if engine == "quarto":
            raise ReportError("quarto is not installed: put it on PATH, set QUARTO_PATH, or use --engine pandoc")
    return Engine("pandoc", pandoc_binary())


def project_files(reports_dir: Path, source_dir: Path) -> None:
    """Copy the Quarto project's own files (config, styles, filter) into ``source_dir``.

    A file the study's own ``reports/`` lacks (a folder made by an older ``folge init``)
    comes from the shipped project.
    """
    for name in PROJECT_FILES:
        src = reports_dir / name
        if not src.exists():
            src = defaults_dir() / "reports" / name
        if src.exists():
            dst = source_dir / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


#: pandoc's Lua script that writes both outputs of a document in one run.
RENDER_LUA = Path(__file__).with_name("_render.lua")


def _fonts_dir() -> str:
    """matplotlib's DejaVu fonts (the charts' font), found without importing matplotlib."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - matplotlib is a dependency
        return ""
    return str(Path(list(spec.submodule_search_locations)[0]) / "mpl-data" / "fonts" / "ttf")


_ARIA_IMG = re.compile(r'<img role="img" aria-label="([^"]*)"(?![^>]*\balt=)')


def _alt_from_aria(html: Path) -> None:
    """pandoc marks embedded SVG images with role="img" and aria-label; give them alt too."""
    text = html.read_text(encoding="utf-8")
    fixed = _ARIA_IMG.sub(lambda m: f'<img role="img" alt="{m.group(1)}" aria-label="{m.group(1)}"', text)
    if fixed != text:
        html.write_text(fixed, encoding="utf-8")


class PandocRenderer:
    """Render staged .qmd files with pandoc (HTML) and pandoc → typst (PDF).

    One renderer serves a whole build: the typst compiler (with its fonts: typst's own
    plus the DejaVu fonts the charts use) is set up once per process. :meth:`render` is
    the way in: one pandoc run for both outputs, then typst.
    """

    def __init__(self, source_dir: Path, timestamp: dt.datetime | None = None):
        self.source_dir = Path(source_dir).resolve()
        self.pandoc = pandoc_binary()
        self.css = self.source_dir / "styles" / "folge.css"
        self.typst_header = self.source_dir / "styles" / "folge.typ"
        self.typst_template = self.source_dir / "styles" / "folge-pandoc.typst"
        self.filter = self.source_dir / "filters" / "quarto-compat.lua"
        self.timestamp = timestamp
        self._compiler = None
        #: why the one-run path failed (then every document takes two pandoc runs), or empty
        self._single_run_failed = ""

    def _run(self, args: list[str], cwd: Path) -> None:
        result = subprocess.run([self.pandoc, *args], cwd=cwd, capture_output=True, text=True)
        if result.returncode != 0:
            raise ReportError(f"pandoc failed ({' '.join(args[:1])}): {result.stderr.strip()}")

    def render(self, qmd: Path, *, html: Path | None = None, pdf: Path | None = None) -> None:
        """``qmd`` → HTML and/or PDF: one pandoc run writes both the HTML and the typst source.

        The run is ``pandoc lua _render.lua`` (the project's filter applied once per
        output, resources embedded); where that fails (a pandoc without the Lua functions
        it needs), the document is rendered as before, one pandoc run per output, and the
        renderer keeps to that for the rest of the build.
        """
        if html is None and pdf is None:
            return
        typ = qmd.with_suffix(".typ") if pdf is not None else None
        if not self._single_run_failed:
            try:
                self._render_once(qmd, html, typ)
            except ReportError as exc:
                self._single_run_failed = str(exc)
        if self._single_run_failed:
            if html is not None:
                self.html(qmd, html)
            if typ is not None:
                self.typst_source(qmd)
        if pdf is not None:
            self.compile_pdf(typ, pdf)

    def _render_once(self, qmd: Path, html: Path | None, typ: Path | None) -> None:
        args = ["lua", str(RENDER_LUA), qmd.name, str(self.filter)]
        if html is not None:
            html.parent.mkdir(parents=True, exist_ok=True)
            args += ["--html", str(html.resolve()), str(self.css)]
        if typ is not None:
            args += ["--typst", typ.name, str(self.typst_template), str(self.typst_header)]
        self._run(args, qmd.parent)

    def html(self, qmd: Path, out: Path) -> Path:
        """``qmd`` → self-contained HTML at ``out`` (styles and figures embedded)."""
        out.parent.mkdir(parents=True, exist_ok=True)
        args = [qmd.name, "-f", "markdown", "-t", "html5", "--standalone", "--embed-resources",
                "--lua-filter", str(self.filter), "--css", str(self.css), "-o", str(out.resolve())]
        self._run(args, qmd.parent)
        _alt_from_aria(out)
        return out

    def typst_source(self, qmd: Path) -> Path:
        """``qmd`` → a typst file beside it (pandoc's typst writer, folge's header rules)."""
        typ = qmd.with_suffix(".typ")
        args = [qmd.name, "-f", "markdown", "-t", "typst", "--standalone", "--lua-filter", str(self.filter),
                "--template", str(self.typst_template), "--include-in-header", str(self.typst_header),
                "-o", typ.name]
        self._run(args, qmd.parent)
        return typ

    def compiler(self):
        if self._compiler is None:
            import typst

            fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=[_fonts_dir()])
            self._compiler = typst.Compiler(root=str(self.source_dir), font_paths=fonts, ignore_system_fonts=True)
        return self._compiler

    def pdf(self, qmd: Path, out: Path) -> Path:
        """``qmd`` → PDF at ``out`` via typst, tagged, with title and language in the file."""
        return self.compile_pdf(self.typst_source(qmd), out)

    def compile_pdf(self, typ: Path, out: Path) -> Path:
        """A typst file → PDF/UA-1 (one compiler, not thread-safe: callers serialise).

        typst refuses a document that breaks PDF/UA-1 (a skipped heading level, an image
        without alt text, no title), so every PDF written is tagged and identifies itself
        as PDF/UA-1 (``pdfuaid:part = 1``, ``DisplayDocTitle``).
        """
        import typst

        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.compiler().compile(input=str(typ), output=str(out), format="pdf", timestamp=self.timestamp,
                                    root=str(self.source_dir), pdf_standards=list(PDF_STANDARDS))
        except typst.TypstError as exc:
            raise ReportError(f"typst failed on {typ.name}: {exc.message} {exc.diagnostic}") from exc
        return out


def quarto_render(engine: Engine, source_dir: Path, out_dir: Path, formats: tuple[str, ...]) -> None:
    """``quarto render`` of the staged project into ``out_dir`` (each format in turn)."""
    for fmt in formats:
        target = {"html": "html", "pdf": "typst"}[fmt]
        result = subprocess.run([engine.executable, "render", str(source_dir), "--to", target, "--output-dir",
                                 str(Path(out_dir).resolve())], cwd=source_dir, capture_output=True, text=True)
        if result.returncode != 0:
            raise ReportError(f"quarto render --to {target} failed: {result.stderr.strip()[-2000:]}")
