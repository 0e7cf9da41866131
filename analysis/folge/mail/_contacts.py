"""Contacts: who is mailed, read from a CSV file and kept apart from every answer.

A contact is identified by the lower-cased e-mail address; importing it again updates its
name, region, role and language (never an opt-out). The store keeps contacts in their own
table (``contacts``, migration ``0003-mail``) with the pseudonym HMAC(study key, address),
the one every invitation to that person carries, so web answers join across waves.
Result tables, exports and reports never read this table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .._errors import InputError
from ..definitions import LANGUAGES, Study, did_you_mean
from ..pseudonym import pseudonymise
from ._keys import optout_hash, optout_id

__all__ = ["Contact", "ContactFile", "ImportCounts", "contact_pseudonym", "valid_address", "read_contacts",
           "import_contacts", "list_contacts", "erase_contact", "CONTACT_COLUMNS"]

#: Required columns, then optional ones.
CONTACT_COLUMNS = ("email", "region", "role", "name", "language")
_REQUIRED = CONTACT_COLUMNS[:3]
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class Contact:
    """One person to mail (as stored)."""

    email: str
    pseudonym: str
    name: str
    region: str
    role: str
    language: str | None
    opted_out_at: str | None = None

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None

    def mail_language(self, study: Study) -> str:
        """The contact's own language, else the region's."""
        if self.language:
            return self.language
        try:
            return study.region(self.region).language
        except KeyError:
            return "nb"


@dataclass(frozen=True)
class ContactFile:
    """A contacts file as read: the valid rows (address lower-cased) and ``FILE:LINE: reason`` lines."""

    rows: tuple[dict[str, str], ...]
    invalid: tuple[str, ...]


@dataclass(frozen=True)
class ImportCounts:
    stored: int
    updated: int
    unchanged: int
    invalid: int


def contact_pseudonym(key: bytes, email: str) -> str:
    """HMAC-SHA256 of the lower-cased, stripped address: the contact's pseudonym in every wave.

    Examples
    --------
    >>> contact_pseudonym(b"k", " Kari@Example.NO ") == contact_pseudonym(b"k", "kari@example.no")
    True
    """
    return pseudonymise(key, email.strip().lower())


def valid_address(text: str) -> str | None:
    """Why ``text`` is not a plain ``local@domain`` address, or None when it is one.

    ASCII local part (dot-atoms, as RFC 5322 allows without quotes), at most 64 characters;
    a domain of at least two labels (international domains in their IDNA form), 254 in all.

    Examples
    --------
    >>> valid_address("kari.nordmann@kommune.no") is None
    True
    >>> valid_address("kari@localhost")
    "the domain 'localhost' needs at least one dot"
    """
    if not text:
        return "no address"
    if len(text) > 254 or any(c.isspace() for c in text) or text.count("@") != 1:
        return "not a single address of the form name@domain"
    local, domain = text.split("@")
    if not local or len(local) > 64 or not _LOCAL.match(local):
        return f"the part before '@' ({local!r}) is not a plain address part"
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return f"the domain {domain!r} is not a valid domain name"
    labels = ascii_domain.split(".")
    if len(labels) < 2:
        return f"the domain {domain!r} needs at least one dot"
    if not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        return f"the domain {domain!r} is not a valid domain name"
    return None


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read contacts file {path}: {exc.strerror or exc}") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"cannot read contacts file {path}: neither UTF-8 nor Windows-1252 text")


def _header(path: Path, text: str) -> tuple[list[str], str]:
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter), [])]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise InputError(f"contacts file {path} lacks the column(s) {', '.join(missing)} "
                         f"(it needs email, region, role; optional name, language)")
    return header, delimiter


def read_contacts(path: str | Path, study: Study) -> ContactFile:
    """Read and check a contacts CSV (``,`` or ``;``; UTF-8 with or without BOM, or Windows-1252).

    Each bad row is named ``FILE:LINE: reason`` (the header is line 1): an invalid address,
    an unknown region, role or language, or an address already on an earlier line. The
    first row of an address is kept; later ones are reported.

    Raises
    ------
    InputError
        When the file cannot be read or lacks a required column.
    """
    path = Path(path)
    text = _read_text(path)
    header, delimiter = _header(path, text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader)
    rows, invalid, seen = [], [], {}
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        row = {name: " ".join(cells[i].split()) if i < len(cells) else "" for i, name in enumerate(header)}
        row["email"] = row["email"].lower()  # cells: one line each, so nothing reaches a header but text
        reason = _row_problem(row, study, seen)
        if reason:
            invalid.append(f"{path}:{start}: {reason}")
            continue
        seen[row["email"]] = start
        rows.append({c: row.get(c, "") for c in CONTACT_COLUMNS})
    return ContactFile(tuple(rows), tuple(invalid))


def _row_problem(row: dict[str, str], study: Study, seen: dict[str, int]) -> str | None:
    address = row["email"]
    why = valid_address(address)
    if why:
        return f"invalid address {address!r}: {why}"
    if address in seen:
        return f"the address {address} is already on line {seen[address]}"
    regions = [r.id for r in study.regions]
    if row["region"] not in regions:
        return f"unknown region {row['region']!r}{did_you_mean(row['region'], regions)}"
    roles = [r.id for r in study.roles]
    if row["role"] not in roles:
        return f"unknown role {row['role']!r}{did_you_mean(row['role'], roles)}"
    language = row.get("language", "")
    if language and language not in LANGUAGES:
        return f"unknown language {language!r}; use {', '.join(LANGUAGES)} or leave it blank"
    return None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def import_contacts(store, contacts: ContactFile, key: bytes) -> ImportCounts:
    """Store the valid rows of a checked contacts file in one transaction: new addresses
    stored, known ones updated (``unchanged`` when nothing differs); ``invalid`` counts the
    rows :func:`read_contacts` refused. An opt-out is never undone by an import.
    """
    connection = store.connection
    stored = updated = unchanged = 0
    now = _now()
    connection.execute("BEGIN IMMEDIATE")
    try:
        for row in contacts.rows:
            values = (row["name"], row["region"], row["role"], row["language"] or None)
            old = connection.execute("SELECT name, region, role, language FROM contacts WHERE email = ?",
                                     (row["email"],)).fetchone()
            if old is None:
                pseudonym = contact_pseudonym(key, row["email"])
                connection.execute(
                    "INSERT INTO contacts (email, respondent, name, region, role, language, optout_hash,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (row["email"], pseudonym, *values, optout_hash(optout_id(key, pseudonym)), now, now))
                stored += 1
            elif tuple(old) != values:
                connection.execute("UPDATE contacts SET name = ?, region = ?, role = ?, language = ?,"
                                   " updated_at = ? WHERE email = ?", (*values, now, row["email"]))
                updated += 1
            else:
                unchanged += 1
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return ImportCounts(stored, updated, unchanged, len(contacts.invalid))


def list_contacts(connection, region: str | None = None) -> list[Contact]:
    """Every contact (of ``region``), ordered by region, role and address."""
    where, args = ("WHERE region = ?", (region,)) if region else ("", ())
    rows = connection.execute(
        "SELECT email, respondent, name, region, role, language, opted_out_at FROM contacts "
        f"{where} ORDER BY region, role, email", args).fetchall()
    return [Contact(*row) for row in rows]


def erase_contact(store, key: bytes, email: str) -> dict[str, int]:
    """Remove a contact, its sealed tokens and its send log; rows removed per table.

    Deleted content is overwritten (``secure_delete``) and the WAL checkpointed. The
    invitation itself stays with the web questionnaire (its answers, if any, are erased
    with ``folge erase --respondent``).
    """
    pseudonym = contact_pseudonym(key, email)
    return store.delete_respondent_rows(pseudonym, ("mail_log", "mail_tokens", "contacts"))
