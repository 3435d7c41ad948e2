"""The record seals as the database keeps them, for an export to carry.

An export holds every ``record_seal`` row (table, row id, audit row id, seal): the audit
rows' digests (covered by their chained hashes) vouch for these seals, and the seals for
the rows. An import into a new database compares the rows with them
(``exchange/sealcheck.py``), so a row edited in the file is found before it is kept.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


def kept_seals(conn: sqlite3.Connection) -> Iterator[tuple[str, int, int, bytes]]:
    """Every seal row (table, row id, audit id, seal), in (table, row id, audit id) order."""
    yield from conn.execute(
        "SELECT tbl, row_id, audit_id, hash FROM record_seal ORDER BY tbl, row_id, audit_id"
    )
