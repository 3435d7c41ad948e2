"""Turning checked rows into database rows: which to insert, under which ids.

Ids are kept when the database's table is still empty (so an export imported into a
new database is the same database, ids and all); otherwise new rows are numbered
after the highest id in use, and every reference follows. Rows the database already
has (see ``merge.py``) and their parts are not inserted again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .compact import CheckedSite
from .merge import Matches
from .rowcheck import Checked
from .tables import TABLES, column_names

# Parts that go (or stay) with their parent: (table, parent column, parent table).
_PARTS = (
    ("session", "record_id", "session_record"),
    ("site", "session_id", "session"),
    ("ims_finding", "session_id", "session"),
    ("adverse_event", "session_id", "session"),
    ("adverse_event", "follow_up_id", "follow_up"),
)
# (A scale reading of a session the database already has is matched on its own, as a
# follow-up is: merge.py.)


@dataclass
class Plan:
    """``batches``: (table, columns, rows) in dependency order; the rows of each are
    made as they are written (an iterator), so they are never all held twice."""

    batches: list[tuple[str, tuple[str, ...], Iterator[tuple[Any, ...]]]] = field(
        default_factory=list
    )
    counts: dict[str, int] = field(default_factory=dict)
    idmap: dict[str, dict[int, int]] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)  # tables whose every id stays the same

    def count(self, table: str) -> int:
        return self.counts.get(table, 0)


class _Same(dict[int, int]):
    """The ids of a table whose every row goes in under its own id."""

    def __missing__(self, fid: int) -> int:
        return fid


def _skipped_with_parent(table: str, row: Any, matches: Matches) -> bool:
    if table == "session" and row.record_id in matches.extended:
        return False  # a later version of a session already there (its own are mapped)
    return any(
        t == table and getattr(row, col) in matches.mapped.get(parent, {})
        for t, col, parent in _PARTS
    )


def _may_skip(table: str, matches: Matches) -> bool:
    """Whether some parent of ``table``'s rows is already in the database."""
    return any(t == table and matches.mapped.get(parent) for t, _, parent in _PARTS)


def make_plan(file: Checked, matches: Matches, max_ids: dict[str, int]) -> Plan:
    """The rows to insert, with ids assigned and every reference translated."""
    plan = Plan(idmap={t: dict(matches.mapped.get(t, {})) for t in TABLES})
    for table, columns in TABLES.items():
        if table == "audit_log":
            continue  # copied as it is, or not at all (see importer.py)
        rows = file.rows.get(table, {})
        mapped = plan.idmap[table]
        new: list[int] | None = None  # None: every row of the file (the usual case)
        if mapped or _may_skip(table, matches):
            new = [
                fid
                for fid in rows  # rows are in id order
                if fid not in mapped and not _skipped_with_parent(table, rows[fid], matches)
            ]
        base = max_ids.get(table, 0)
        if base == 0:
            if new is None:
                plan.idmap[table] = _Same()
            else:
                mapped.update((fid, fid) for fid in new)
            if not matches.mapped.get(table):
                plan.kept.add(table)
        else:
            ids = rows if new is None else new
            mapped.update((fid, base + i) for i, fid in enumerate(ids, start=1))
        refs = [(i, c.target) for i, c in enumerate(columns) if c.kind == "ref"]
        json_cols = [i for i, c in enumerate(columns) if c.kind == "json"]
        # Into a new database every id is kept: the rows go in as they are (each
        # reference is to a row of the file, checked, and so keeps its id too).
        kept = {table, *(target for _, target in refs)} <= plan.kept
        plan.counts[table] = len(rows) if new is None else len(new)
        out = _rows(rows, new, plan.idmap, table, refs if not kept else [], json_cols)
        plan.batches.append((table, column_names(table), out))
    return plan


def _rows(
    rows: dict[int, Any],
    new: list[int] | None,
    idmap: dict[str, dict[int, int]],
    table: str,
    refs: list[tuple[int, str]],
    json_cols: list[int],
) -> Iterator[tuple[Any, ...]]:
    """The database rows of ``table`` (made one at a time, as they are written)."""
    chosen: Iterable[Any] = rows.values() if new is None else (rows[fid] for fid in new)
    if table == "site":
        chosen = map(CheckedSite.flat, chosen)
    mapped = idmap[table]
    if not refs and not json_cols and type(mapped) is _Same:
        yield from chosen  # the checked rows are the database rows: ids kept
        return
    # Each value's JSON text, by the value itself: rows checked alike share one list (a
    # scale reading's answers: scalecheck.py), written once. The value is kept with its
    # text, so its id is not reused while this table is written.
    texts: dict[int, tuple[Any, str]] = {}
    for row in chosen:
        values = list(row)
        values[0] = mapped[row[0]]
        for i, target in refs:
            if values[i] is not None:
                values[i] = idmap[target][values[i]]
        for i in json_cols:
            value = values[i]
            if value is not None:  # a nullable JSON column (scale items) stays NULL
                known = texts.get(id(value))
                if known is None or known[0] is not value:
                    known = texts[id(value)] = (value, json.dumps(value, ensure_ascii=False))
                values[i] = known[1]
        yield tuple(values)


def audit_rows(file: Checked) -> list[tuple[Any, ...]]:
    """The file's audit log rows, as they are, in id order."""
    return list(file.rows.get("audit_log", {}).values())
