"""The study's store: one SQLite database (WAL mode) at ``data/folge.sqlite``.

What it holds:

- one wide response table per instrument version (one row per respondent, or region, and
  wave; one column per item), respondents only by pseudonym;
- the import log (source, SHA-256, description, counts, instrument version, times);
- the quarantine (source row, pseudonym, reasons, the row's values);
- ``schema_migrations`` and ``meta``: the schema is versioned by :data:`MIGRATIONS`,
  a list colleagues append to when they add tables.

Every source of answers is validated by :mod:`folge.ingest` first and then written through
:meth:`Store.write_validated`, one transaction per import, so an interrupted import leaves
nothing half-written. The store imports nothing from ingest.
"""

from .._errors import StoreError
from ._result import IngestResult
from ._schema import MIGRATIONS, SCHEMA_VERSION, Migration, applied_migrations, migrate
from ._store import Store
from ._response_tables import TableInfo, ensure_table, table_infos

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "IngestResult",
    "Migration",
    "Store",
    "StoreError",
    "TableInfo",
    "applied_migrations",
    "ensure_table",
    "migrate",
    "table_infos",
]
