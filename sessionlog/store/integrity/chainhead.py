"""The chain head kept outside the file, and proving today's chain extends it.

A rewrite of the whole audit chain with recomputed hashes and seals cannot be seen in
the file alone. Every backup (a copy of the database, audit log included) and every
export (its ``chain_head`` and, for JSON and CSV, its audit log) carries the head of the
chain it was taken at; ``sessionlog check --against FILE`` compares that with today's
chain: every audit row of the file must be in today's chain, same id, same hash (each
hash covers all before it), or the two part at the first one that is not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Head:
    """The last audit row: the chain's length, its id and hash (GENESIS id 0 if empty)."""

    rows: int
    id: int
    hash: str

    def as_dict(self) -> dict[str, int | str]:
        return {"rows": self.rows, "id": self.id, "hash": self.hash}

    def words(self) -> str:
        return f"audit row {self.id:,} (hash {self.hash[:16]}...)"


def head(conn: sqlite3.Connection) -> Head:
    """The head of the chain in the database on ``conn``."""
    from .audit import GENESIS

    count, last = conn.execute(
        "SELECT count(*), (SELECT id FROM audit_log ORDER BY id DESC LIMIT 1) FROM audit_log"
    ).fetchone()
    if not last:
        return Head(0, 0, GENESIS)
    digest = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (last,)).fetchone()[0]
    return Head(int(count), int(last), str(digest))


@dataclass(frozen=True)
class Comparison:
    """``extends``: today's chain holds every row of theirs; ``text`` says so, or where
    the two part."""

    extends: bool
    text: str


def compare(conn: sqlite3.Connection, theirs: Iterable[tuple[int, str]], what: str) -> Comparison:
    """Compare ``theirs`` ((id, hash) in id order: a whole audit log, or just its head)
    with today's audit log on ``conn``."""
    ours = dict(conn.execute("SELECT id, hash FROM audit_log"))
    last: tuple[int, str] | None = None
    seen = 0
    for rid, digest in theirs:
        seen += 1
        mine = ours.get(rid)
        if mine is None:
            return Comparison(
                False,
                f"Today's chain does not extend {what}: its audit row {rid:,} is missing"
                " today (audit rows were removed, or the chain was rewritten from there).",
            )
        if mine != digest:
            return Comparison(
                False,
                f"Today's chain does not extend {what}: they part at audit row {rid:,}"
                f" ({what}: {digest[:16]}..., today: {mine[:16]}...). The chain was"
                " rewritten from that row on: compare the records with it.",
            )
        last = (rid, digest)
    if last is None:
        return Comparison(
            True, f"{what[0].upper()}{what[1:]} holds no audit rows: nothing to compare."
        )
    newer = sum(1 for rid in ours if rid > last[0])
    return Comparison(
        True,
        f"Today's chain extends {what}: its head, audit row {last[0]:,}"
        f" (hash {last[1][:16]}...), is in today's chain"
        + (f" ({seen:,} rows compared)" if seen > 1 else "")
        + f", followed by {newer:,} newer row{'s' if newer != 1 else ''}.",
    )
