"""Disclosure control proved by an audit: published counts as one linked system of cells.

Between the analysis and the reports: every count any public output shows is a cell of one
:class:`CellModel`, identified by its dimensions (so a count printed in two tables is one
cell), tied to the others by linear relations (totals are sums of parts, a change row's
``n_to`` is that wave's ``n``). Then

- :func:`audit` attacks every suppressed cell by linear programming and reports those an
  attacker can pin to an interval narrower than the protection level;
- :func:`suppress` chooses the primary and the fewest, smallest secondary suppressions
  that make the audit pass, or raises :class:`DisclosureError` naming what to coarsen;
- :class:`TableSpec`, :func:`add_table`, :func:`protect_tables` and :func:`audit_tables`
  register tidy tables with their margins: the report builder publishes through
  :func:`protect_tables`, the ``folge disclosure audit`` command calls :func:`audit_tables`;
- :func:`published_cells`, :func:`write_published` and :func:`read_published` carry an
  edition's shown cells to the audit of the next (``published=``).

See :func:`audit` and :func:`suppress` for the method and the references.

Decisions and limits:

- **Zeros** are published by default and never suppressed on their own (a zero discloses
  nobody), so a cell suppressed on its own is known to be at least 1; only members of a
  hidden tie or block may be 0. Publish a row for every answer value
  (:func:`complete_grid`), so the presence of a row tells nothing.
- **The marker** says "suppressed" only; ``Protection(marker="primary")`` models output
  that also says why (the old open data), where a primary cell lies in ``1 .. min_n - 1``.
- **Counts only**: the model holds counts of people and answers. A shown mean times its
  shown ``n`` is a sum of scores, and sums add up like counts (national sum minus the
  shown regions' sums is the hidden region's sum); those are not cells yet, so a hidden
  region's *mean* is protected only through its hidden ``n``. Register score sums as
  cells of their own kind when that is not enough.
- **LP relaxation**: the audit bounds real-valued tables; the integer interval lies inside
  the LP one and equals it for two-way tables with margins (totally unimodular), so for
  three or more linked dimensions an integer attacker may do slightly better.
"""

from ._audit import AuditResult, Protection, as_protection, audit
from ._editions import published_cells, read_published, write_published
from ._model import CellKey, CellModel, cell_key, key_dict
from ._suppress import DisclosureError, Suppression, primary_cells, suppress
from ._tables import TableSpec, add_table, audit_tables, complete_grid, protect_tables, row_flags, with_margins

__all__ = [
    "AuditResult",
    "CellKey",
    "CellModel",
    "DisclosureError",
    "Protection",
    "Suppression",
    "TableSpec",
    "add_table",
    "as_protection",
    "audit",
    "audit_tables",
    "cell_key",
    "complete_grid",
    "key_dict",
    "primary_cells",
    "protect_tables",
    "published_cells",
    "read_published",
    "row_flags",
    "suppress",
    "with_margins",
    "write_published",
]
