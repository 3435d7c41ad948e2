"""Before a merge: the file's rows compared with the file's own seals.

Into a database that already has records the file's audit log is not kept and its rows
get new ids, so the seals they get there vouch for nothing the file said: an edited row
would be sealed as edited, and ``check`` would call it healthy. So before anything
merges, every record row of the file is sealed as the file gives it (its own ids, the
form ``seal.canonical_sql`` defines, computed by ``bulk`` as for rows about to be
written: a large file's in a second process while the merge matches the rows) and
compared with the newest seal the file gives it, and each audit row's digest with its
seals (``sealcheck.compare_rows``): a row altered, added or removed is named by table
and id, as into a new database, and nothing is imported. That form is a shortcut: a
table whose rows differ is sealed again by SQLite's own form before any is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import ValidationError
from ..store.records import bulk
from .merge import Matches
from .plan import Plan, make_plan
from .rowcheck import Checked
from .sealcheck import FileSeals, compare_rows


def _as_in_file(checked: Checked) -> Plan:
    """The file's rows as they would be written with every id kept (the file's own)."""
    return make_plan(checked, Matches(), {})


class FileSealCheck:
    """The comparison, started (a large file's seals made aside) and then finished."""

    def __init__(self, conn: sqlite3.Connection, checked: Checked, seals: FileSeals) -> None:
        self.conn, self.checked, self.seals = conn, checked, seals
        plan = _as_in_file(checked)
        self.ahead = bulk.seals_ahead(conn, plan.batches, plan.counts)

    def finish(self, audit: Sequence[Any]) -> None:
        """Refuse (ValidationError, one line) unless each record row of the file matches
        the newest seal the file gives its (table, id), and each audit row's digest its
        seals. Nothing is written."""
        fast = self.ahead.pairs if self.ahead is not None and self.ahead.wait() else None
        compare_rows(fast or self._sealed_here, self.seals, audit, self._sealed_in_sql)

    def _sealed_in_sql(self, table: str) -> Iterator[tuple[int, bytes]]:
        return self._sealed_here(table, exact=True)

    def _sealed_here(self, table: str, *, exact: bool = False) -> Iterator[tuple[int, bytes]]:
        batch = [b for b in _as_in_file(self.checked).batches if b[0] == table]
        try:
            made = bulk.seals_before_writing(self.conn, batch, exact=exact)
            return iter(next(made, (table, []))[1])
        except (sqlite3.Error, ValueError) as exc:
            raise ValidationError(
                "import",
                f"nothing was imported: the file's {table} rows cannot be sealed as this"
                f" database would hold them ({str(exc)[:80]})",
            ) from None

    def close(self) -> None:
        if self.ahead is not None:
            self.ahead.close()
