"""What an import did: :class:`IngestResult`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["IngestResult"]


@dataclass(frozen=True)
class IngestResult:
    """The outcome of one import.

    Every row read is stored, skipped (identical to answers already stored, or the whole
    file when it was ingested before) or quarantined: ``read == stored + skipped +
    quarantined`` always holds, and constructing a result that breaks it raises.
    ``warnings`` are :class:`folge.ingest.Reason` values about the file as a whole;
    ``codes`` counts the quarantine codes (a row with two reasons counts under both).
    """

    read: int
    stored: int
    skipped: int
    quarantined: int
    warnings: tuple = ()
    duplicate_file: bool = False
    source: str = ""
    description: str = ""
    instrument: str = ""
    version: int = 0
    waves: tuple[str, ...] = ()
    import_id: int | None = None
    codes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __post_init__(self):
        if self.read != self.stored + self.skipped + self.quarantined:
            raise ValueError(f"rows read ({self.read}) must equal stored ({self.stored}) + skipped "
                             f"({self.skipped}) + quarantined ({self.quarantined})")

    def summary(self) -> str:
        """One line: ``Lest / read 10 = lagret / stored 7 + hoppet over / skipped 1 + karantene / quarantined 2``.

        Examples
        --------
        >>> IngestResult(10, 7, 1, 2).summary()
        'Lest / read 10 = lagret / stored 7 + hoppet over / skipped 1 + karantene / quarantined 2'
        """
        return (f"Lest / read {self.read} = lagret / stored {self.stored} + hoppet over / skipped "
                f"{self.skipped} + karantene / quarantined {self.quarantined}")

    @classmethod
    def duplicate(cls, import_id: int, n_read: int, source: str, description: str, instrument,
                  seconds: float) -> "IngestResult":
        """A file imported before for the same instrument and wave: every row skipped, nothing added."""
        return cls(read=n_read, stored=0, skipped=n_read, quarantined=0, duplicate_file=True, source=source,
                   description=description, instrument=instrument.id, version=instrument.version,
                   import_id=import_id, seconds=seconds)

    @staticmethod
    def count_codes(reasons_by_row) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for found in reasons_by_row:
            counts.update({r.code for r in found})
        return dict(sorted(counts.items()))
