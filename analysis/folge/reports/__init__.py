"""Public reports: national, per region and methods, as HTML and PDF, plus open data.

``build_reports`` (one language) and ``build_sites`` (several) read ``folge analyze``'s result folder, protects every public table at
once through the disclosure model (``folge.disclosure``; the suppression passes the LP
audit, and the open data are audited again as an outsider with ``audit_site``), draws the figures, writes a
markdown-only .qmd per document from the templates in ``reports/`` and renders them with
quarto or with pandoc + typst. See ``analysis/ARCHITECTURE.md``, "Disclosure, in brief".
"""

from ._build import FORMATS, ReportSet, build_reports, build_sites, reports_folder
from ._disclosure import AUDIT_FILE, PUBLISHED_FILE, TOTAL, audit_site, disclose, read_published_dir, require_disclosed
from ._documents import Doc
from ._public import PublicTable, public_tables, read_results
from ._quarto import ENGINES, Engine, ReportError, choose_engine, quarto_binary

__all__ = [
    "AUDIT_FILE",
    "PUBLISHED_FILE",
    "audit_site",
    "read_published_dir",
    "Doc",
    "ENGINES",
    "Engine",
    "FORMATS",
    "PublicTable",
    "ReportError",
    "ReportSet",
    "TOTAL",
    "build_reports",
    "build_sites",
    "choose_engine",
    "disclose",
    "public_tables",
    "quarto_binary",
    "read_results",
    "reports_folder",
    "require_disclosed",
]
