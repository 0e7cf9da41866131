"""Public reports: national, per region and methods, as HTML and PDF, plus open data.

``build_reports`` reads ``folge analyze``'s result folder, passes every table through
``disclose`` (the one disclosure-control function), draws the figures, writes a
markdown-only .qmd per document from the templates in ``reports/`` and renders them with
quarto or with pandoc + typst. See ``analysis/ARCHITECTURE.md``, "Disclosure, in brief".
"""

from ._build import FORMATS, ReportSet, build_reports, reports_folder
from ._disclosure import TOTAL, disclose, require_disclosed
from ._documents import Doc
from ._public import PublicTable, public_tables, read_results
from ._quarto import ENGINES, Engine, ReportError, choose_engine, quarto_binary

__all__ = [
    "Doc",
    "ENGINES",
    "Engine",
    "FORMATS",
    "PublicTable",
    "ReportError",
    "ReportSet",
    "TOTAL",
    "build_reports",
    "choose_engine",
    "disclose",
    "public_tables",
    "quarto_binary",
    "read_results",
    "reports_folder",
    "require_disclosed",
]
