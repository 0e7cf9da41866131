"""The study's embedded database: :class:`Store`."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from pathlib import Path
from typing import Self

import pandas as pd

from .._errors import StoreError
from .._paths import DATABASE
from ._result import IngestResult
from ._schema import APPLICATION, applied_migrations, migrate
from ._response_tables import quote, table_infos

__all__ = ["KEY_DTYPE", "Store"]

#: dtype of the key columns in frames the store returns
KEY_DTYPE = "string"

#: Columns per SQLite printf() call (its argument limit is 127 by default).
_PRINTF_CHUNK = 100


def _packed(expressions: list[str], separator: str) -> str:
    """One SQL text expression joining ``expressions`` with ``separator``, NULL as ''.

    A million rows of integers travel from SQLite as one short string per row instead of
    one Python object per cell; pandas' C parser reads them back. printf() takes at most
    127 arguments, so long lists are joined from chunks.
    """
    chunks = []
    for start in range(0, len(expressions), _PRINTF_CHUNK):
        part = expressions[start:start + _PRINTF_CHUNK]
        chunks.append(f"printf('{separator.join(['%s'] * len(part))}', {', '.join(part)})")
    return f" || '{separator}' || ".join(chunks)


def _json_cells(values, cache: dict) -> list[str]:
    """``json.dumps(v, ensure_ascii=False)`` of every value, each distinct value encoded once."""
    out = []
    for value in values:
        text = cache.get(value)
        if text is None:
            text = cache[value] = json.dumps(value, ensure_ascii=False)
        out.append(text)
    return out


def _reasons_text(raw: str) -> str:
    try:
        found = json.loads(raw)
    except (TypeError, ValueError):
        return str(raw)
    return "; ".join(f"{r.get('code', '')}:{r.get('column', '')}:{r.get('value', '')}: {r.get('message', '')}"
                     for r in found)


class Store:
    """One study's responses, import log and quarantine, in ``data/folge.sqlite`` (SQLite, WAL).

    Open it with :meth:`Store.open` (also a context manager). Every source of answers
    writes through :meth:`write_validated` (fed by :func:`folge.ingest.ingest_frame`), one
    transaction per import.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as root:
    ...     with Store.open(root, create=True) as store:
    ...         store.status().columns.tolist()
    ['instrument', 'wave', 'region', 'role', 'n']
    """

    def __init__(self, root: Path, connection: sqlite3.Connection):
        self.root = Path(root)
        self._connection = connection

    # ------------------------------------------------------------ opening
    @classmethod
    def open(cls, root: str | Path, create: bool = False) -> Store:
        """Open the store of the study at ``root`` (``root/data/folge.sqlite``).

        Raises
        ------
        StoreError
            When there is no store and ``create`` is false, when the file is not a folge
            store, or when it was written by a newer folge.
        """
        root = Path(root)
        path = root / DATABASE
        if not path.exists():
            if not create:
                raise StoreError(f"no store at {path}: nothing has been ingested yet "
                                 "(run 'folge ingest FILE --wave W' first)")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
        try:
            connection = sqlite3.connect(str(path), isolation_level=None, timeout=60)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {path}: {exc}") from None
        try:
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"cannot put {path} in WAL mode (got {mode})")
            for pragma in ("synchronous = NORMAL", "foreign_keys = ON", "temp_store = MEMORY",
                           "cache_size = -65536"):
                connection.execute(f"PRAGMA {pragma}")
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "schema_migrations" not in tables:
                raise StoreError(f"{path} is an SQLite database but not a folge store")
            migrate(connection)
            row = connection.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()
            if row is None or row[0] != APPLICATION:
                raise StoreError(f"{path} is not a folge store")
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise StoreError(f"{path} cannot be used as a store: {exc}") from None
        except BaseException:
            connection.close()
            raise
        return cls(root, connection)

    @property
    def path(self) -> Path:
        return self.root / DATABASE

    @property
    def connection(self) -> sqlite3.Connection:
        """The sqlite3 connection (autocommit; use ``BEGIN``/``COMMIT`` for transactions)."""
        if self._connection is None:
            raise StoreError("the store is closed")
        return self._connection

    @property
    def schema_version(self) -> int:
        """How many schema migrations this store has (see :data:`folge.store.MIGRATIONS`)."""
        return len(applied_migrations(self.connection))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # ------------------------------------------------------------ writing
    def previous_import(self, sha256: str, instrument_id: str, wave: str | None) -> int | None:
        """The id of an earlier import of the same file (SHA-256) for this instrument and wave, or ``None``."""
        from ._write import previous_import

        return previous_import(self.connection, sha256, instrument_id, wave)

    def write_validated(self, validated, *, wave: str | None, source: str, sha256: str,
                        source_kind: str = "file", description: str = "", progress=None,
                        in_transaction: bool = False) -> IngestResult:
        """Store one validated batch of answers in one transaction: the path every source takes.

        The batch comes from :func:`folge.ingest.validate` (through
        :func:`folge.ingest.ingest_frame`): respondents are pseudonyms, every row is checked
        and the bad ones carry their reasons. The store adds only what needs the stored
        answers: rows identical to stored ones are skipped, rows that differ from them are
        quarantined as ``conflict``.

        Parameters
        ----------
        validated
            A :class:`folge.ingest.Validated` batch (its instrument, typed columns, reasons,
            warnings and the text cells, kept for the quarantine).
        wave
            The wave the import was made for (``None`` when the rows name their own).
        source, sha256, source_kind, description
            What the answers came from, for the import log; the same ``sha256`` for the same
            instrument and wave is a file already imported, and adds nothing.
        progress
            Callback ``progress("store", done, total)``.
        in_transaction
            The caller has begun a transaction (``BEGIN IMMEDIATE``) and commits or rolls it
            back itself, so this import joins its other writes atomically (a web
            submission and its invitation's ``submitted_at``).

        Returns
        -------
        IngestResult
            Counts (``read == stored + skipped + quarantined``), warnings and the import id.
        """
        from ._write import write_validated

        return write_validated(self, validated, wave=wave, source=source, sha256=sha256,
                               source_kind=source_kind, description=description, progress=progress,
                               in_transaction=in_transaction)

    # ------------------------------------------------------------ reading
    def instrument_versions(self) -> pd.DataFrame:
        """Instrument versions with a table: instrument, version, level, table, items (list)."""
        infos = table_infos(self.connection)
        return pd.DataFrame({"instrument": [i.instrument for i in infos],
                             "version": [i.version for i in infos],
                             "level": [i.level for i in infos],
                             "table": [i.table for i in infos],
                             "items": [i.item_ids for i in infos]})

    def responses(self, instrument_id: str, waves: list[str] | None = None) -> pd.DataFrame:
        """One instrument's answers, wide: one row per respondent (or region) and wave.

        Columns: ``respondent`` (pseudonym), ``region``, ``wave``, ``role`` (NA for
        region-level instruments), ``version``, then one column per item in questionnaire
        order (the newest version's order; items only older versions had come last).
        Numeric items are ``Int64`` and hold scale values *and* missing codes as stored;
        free-text items are ``string``. Rows of every version, ordered by wave, region,
        role and respondent.
        """
        infos = table_infos(self.connection, instrument_id)
        order: list[str] = []
        kinds: dict[str, str] = {}
        for info in sorted(infos, key=lambda i: -i.version):
            for item_id, kind in info.items:
                if item_id not in kinds:
                    order.append(item_id)
                    kinds[item_id] = kind
        columns = ["respondent", "region", "wave", "role", "version", *order]
        integers = [i for i in order if kinds[i] == "integer"]
        texts = [i for i in order if kinds[i] != "integer"]
        selects, args = [], []
        for info in infos:
            present = set(info.item_ids)
            # the integer items as one text per row ("3,,5,9"), the text items as they are
            fields = [_packed([quote(i) if i in present else "NULL" for i in integers], ",")] if integers else []
            fields += [quote(i) if i in present else "NULL" for i in texts]
            where = ""
            if waves is not None:
                where = f" WHERE wave IN ({','.join('?' * len(waves))})"
                args += list(waves)
            selects.append(f"SELECT respondent, region, wave, role, {info.version} AS version"
                           + "".join(f", {f}" for f in fields) + f" FROM {quote(info.table)}{where}")
        if selects and (waves is None or waves):
            sql = " UNION ALL ".join(selects) + " ORDER BY wave, region, role, respondent"
            records = self.connection.execute(sql, args).fetchall()
        else:
            records = []
        if not records:
            frame = pd.DataFrame.from_records([], columns=columns)
            for column in ("respondent", "region", "wave", "role"):
                frame[column] = frame[column].astype(KEY_DTYPE)
            frame["version"] = frame["version"].astype("int64")
            for item_id in order:
                frame[item_id] = frame[item_id].astype("Int64" if kinds[item_id] == "integer" else "string")
            return frame
        fields = list(zip(*records))
        del records
        data: dict[str, object] = {}
        for position, column in enumerate(("respondent", "region", "wave", "role")):
            data[column] = pd.Series(fields[position], dtype=object).astype(KEY_DTYPE)
        data["version"] = pd.Series(fields[4], dtype="int64")
        values: dict[str, pd.Series] = {}
        if integers:
            text = "\n".join(fields[5])
            # pandas parses float64 many times faster than Int64; integers up to 2**53 come
            # through exactly, and a column with larger values is parsed again as Int64
            parsed = pd.read_csv(io.StringIO(text), header=None, names=integers, dtype="float64",
                                 skip_blank_lines=False, keep_default_na=False, na_values=[""], engine="c")
            wide = [item_id for item_id in integers if parsed[item_id].abs().max() >= 2**53]
            if wide:
                exact = pd.read_csv(io.StringIO(text), header=None, names=integers, dtype="Int64",
                                    skip_blank_lines=False, keep_default_na=False, na_values=[""],
                                    engine="c", usecols=wide)
            values.update({item_id: exact[item_id] if item_id in wide else parsed[item_id].astype("Int64")
                           for item_id in integers})
        first_text = 6 if integers else 5
        for offset, item_id in enumerate(texts):
            values[item_id] = pd.Series(fields[first_text + offset], dtype=object).astype("string")
        for item_id in order:
            data[item_id] = values[item_id]
        return pd.DataFrame(data, columns=columns)

    def imports(self) -> pd.DataFrame:
        """The import log: id, source, source_kind, sha256, description, instrument, version,
        wave, read, stored, skipped, quarantined, warnings (JSON), started, finished, folge_version."""
        frame = pd.read_sql_query("SELECT * FROM imports ORDER BY id", self.connection)
        return frame.rename(columns={"n_read": "read", "n_stored": "stored", "n_skipped": "skipped",
                                     "n_quarantined": "quarantined"})

    def quarantine(self) -> pd.DataFrame:
        """Quarantined rows: source, row, respondent (pseudonym), instrument, version, wave,
        codes, reasons (``code:column:value: message; …``), values (JSON), import_id."""
        frame = pd.read_sql_query(
            'SELECT source, row, respondent, instrument, version, wave, codes, reasons, "values", import_id '
            "FROM quarantine ORDER BY import_id, row, id", self.connection)
        frame["reasons"] = [_reasons_text(r) for r in frame["reasons"]]
        for column in ("source", "respondent", "instrument", "wave", "codes", "reasons", "values"):
            frame[column] = frame[column].astype(KEY_DTYPE)
        return frame

    def invitations(self, level: str | None = "respondent") -> pd.DataFrame:
        """Web invitations, one row each (never a token): region, wave, role, instruments, submitted,
        opted_out (the invitation's e-mail contact has opted out).

        ``level="respondent"`` (default) leaves out coordinators' status-report invitations,
        so response rates count the people asked; ``None`` gives every invitation. Empty
        when the web questionnaire was never used.
        """
        where, args = ("WHERE i.level = ?", (level,)) if level else ("", ())
        frame = pd.read_sql_query(
            "SELECT i.region, i.wave, i.role, i.instruments, i.submitted_at IS NOT NULL AS submitted,"
            " c.opted_out_at IS NOT NULL AS opted_out"
            " FROM invitations AS i LEFT JOIN contacts AS c ON c.respondent = i.respondent"
            f" {where} ORDER BY i.wave, i.region, i.role, i.created_at", self.connection, params=args)
        return frame.astype({"submitted": bool, "opted_out": bool})

    def page_times(self) -> pd.DataFrame:
        """When the web form showed and saved each page of submitted invitations (never a token).

        One row per invitation, page and instrument: ``respondent`` (the invitation's
        pseudonym), ``region, wave, role, instrument, page`` (0: saved through the API),
        ``items`` (answered at the last save), ``shown_at`` and ``saved_at`` (UTC ISO
        8601; ``shown_at`` is empty for API saves). Invitations not yet submitted are left
        out: their answers are not in the store.
        """
        frame = pd.read_sql_query(
            "SELECT i.respondent, i.region, i.wave, i.role, p.instrument, p.page, p.items, p.shown_at, p.saved_at"
            " FROM page_times AS p JOIN invitations AS i ON i.token_hash = p.token_hash"
            " WHERE i.submitted_at IS NOT NULL ORDER BY i.wave, i.region, i.role, i.respondent, p.page",
            self.connection)
        for column in ("respondent", "region", "wave", "role", "instrument", "shown_at", "saved_at"):
            frame[column] = frame[column].astype(KEY_DTYPE)
        return frame.astype({"page": "int64", "items": "int64"})

    def status(self) -> pd.DataFrame:
        """How many rows are stored: instrument, wave, region, role, n (all versions together)."""
        parts = []
        for info in table_infos(self.connection):
            rows = self.connection.execute(
                f"SELECT wave, region, role, count(*) FROM {quote(info.table)} GROUP BY wave, region, role"
            ).fetchall()
            parts += [(info.instrument, w, r, role, n) for w, r, role, n in rows]
        frame = pd.DataFrame.from_records(parts, columns=["instrument", "wave", "region", "role", "n"])
        if frame.empty:
            return frame.astype({"n": "int64"})
        frame = frame.groupby(["instrument", "wave", "region", "role"], dropna=False, as_index=False)["n"].sum()
        return frame.sort_values(["instrument", "wave", "region", "role"]).reset_index(drop=True)

    def quarantine_counts(self) -> pd.DataFrame:
        """Quarantined rows per instrument and code: instrument, code, n (a row counts under each code)."""
        rows = self.connection.execute("SELECT instrument, codes FROM quarantine").fetchall()
        records = [(inst, code) for inst, codes in rows for code in codes.split()]
        frame = pd.DataFrame.from_records(records, columns=["instrument", "code"])
        return (frame.groupby(["instrument", "code"]).size().rename("n").reset_index()
                if not frame.empty else frame.assign(n=pd.Series(dtype="int64")))

    # ------------------------------------------------------------ erasing
    def _personal_tables(self) -> list[str]:
        names = [r[0] for r in self.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return [name for name in names
                if any(col[1] == "respondent" for col in self.connection.execute(f"PRAGMA table_info({quote(name)})"))]

    def erase_counts(self, pseudonym: str) -> dict[str, int]:
        """Erase a respondent from every table with a ``respondent`` column; rows removed per table.

        Response tables of every instrument version, the quarantine, and any table a
        colleague adds later with a ``respondent`` column. Deleted content is overwritten
        (``secure_delete``) and the WAL is checkpointed, so nothing of it stays on disk.
        """
        return self.delete_respondent_rows(pseudonym, self._personal_tables())

    def delete_respondent_rows(self, pseudonym: str, tables) -> dict[str, int]:
        """Delete ``pseudonym``'s rows from ``tables`` in one transaction, leaving nothing on disk.

        Deleted content is overwritten (``secure_delete``) and the WAL is checkpointed.
        Returns the rows removed per table (tables with none are left out).
        """
        if not isinstance(pseudonym, str) or not pseudonym.strip():
            raise ValueError(f"'pseudonym' must be a non-empty string (got {pseudonym!r})")
        connection = self.connection
        connection.execute("PRAGMA secure_delete = ON")
        counts: dict[str, int] = {}
        connection.execute("BEGIN IMMEDIATE")
        try:
            for table in tables:
                cursor = connection.execute(f"DELETE FROM {quote(table)} WHERE respondent = ?", (pseudonym,))
                if cursor.rowcount:
                    counts[table] = cursor.rowcount
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return counts

    def erase(self, pseudonym: str) -> int:
        """Remove a respondent (by pseudonym) from every wave and the quarantine; rows removed."""
        return sum(self.erase_counts(pseudonym).values())

    # ------------------------------------------------------------ provenance
    def snapshot_hash(self) -> str:
        """SHA-256 over every stored response in a canonical order, for report provenance.

        Tables in order of instrument and version, each introduced by its name and columns;
        rows ordered by wave, region, role and respondent; values as JSON. The import log
        and the quarantine are not part of it: the same answers give the same hash.
        """
        digest = hashlib.sha256()
        for info in table_infos(self.connection):
            columns = ["respondent", "region", "wave", "role", *info.item_ids]
            digest.update(json.dumps([info.instrument, info.version, columns]).encode("utf-8") + b"\n")
            # Each row's line is json.dumps(row, ensure_ascii=False): keys and text items are
            # encoded in Python (each distinct value once); runs of integer items arrive from
            # SQLite already joined as JSON ("3, null, 5"), which is what json.dumps writes
            # for integers and None.
            segments: list[tuple[str, list[str]]] = []
            for item_id, kind in info.items:
                if kind == "integer":
                    if not segments or segments[-1][0] != "integers":
                        segments.append(("integers", []))
                    segments[-1][1].append(f"ifnull({quote(item_id)}, 'null')")
                else:
                    segments.append(("text", [quote(item_id)]))
            selects = ["respondent", "region", "wave", "role"]
            selects += [_packed(exprs, ", ") if kind == "integers" else exprs[0] for kind, exprs in segments]
            cursor = self.connection.execute(
                f"SELECT {', '.join(selects)} FROM {quote(info.table)} "
                "ORDER BY wave, region, role, respondent")
            caches = [{} for _ in selects]
            encode = [kind == "text" for kind, _ in segments]
            while True:
                batch = cursor.fetchmany(50_000)
                if not batch:
                    break
                cells = list(zip(*batch))
                parts = [_json_cells(cells[i], caches[i]) for i in range(4)]
                for j, text in enumerate(encode):
                    parts.append(_json_cells(cells[4 + j], caches[4 + j]) if text else cells[4 + j])
                lines = ["[" + ", ".join(row) + "]\n" for row in zip(*parts)]
                digest.update("".join(lines).encode("utf-8"))
        return digest.hexdigest()
