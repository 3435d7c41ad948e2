"""Turning checked rows into database rows: which to insert, under which ids.

Ids are kept when the database's table is still empty (so an export imported into a
new database is the same database, ids and all); otherwise new rows are numbered
after the highest id in use, and every reference follows. Rows the database already
has (see ``merge.py``) and their parts are not inserted again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

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


@dataclass
class Plan:
    """``batches``: (table, columns, rows) in dependency order."""

    batches: list[tuple[str, tuple[str, ...], list[tuple]]] = field(default_factory=list)
    idmap: dict[str, dict[int, int]] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)  # tables whose every id stays the same

    def count(self, table: str) -> int:
        return sum(len(rows) for t, _, rows in self.batches if t == table)


def _skipped_with_parent(table: str, row: dict[str, Any], matches: Matches) -> bool:
    return any(
        t == table and row.get(col) in matches.mapped.get(parent, {}) for t, col, parent in _PARTS
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
        if mapped or _may_skip(table, matches):
            new = [
                fid
                for fid in rows  # rows are in id order
                if fid not in mapped and not _skipped_with_parent(table, rows[fid], matches)
            ]
        else:  # nothing of it, nor of its parents, is in the database yet: all of it
            new = list(rows)
        base = max_ids.get(table, 0)
        if base == 0:
            mapped.update((fid, fid) for fid in new)
            if not matches.mapped.get(table):
                plan.kept.add(table)
        else:
            mapped.update((fid, base + i) for i, fid in enumerate(new, start=1))
        refs = [(i, c.target) for i, c in enumerate(columns) if c.kind == "ref"]
        json_cols = [i for i, c in enumerate(columns) if c.kind == "json"]
        names = column_names(table)
        pick = itemgetter(*names[1:])
        # Into a new database every id is kept: the rows go in as they are (each
        # reference is to a row of the file, checked, and so keeps its id too).
        kept = {table, *(target for _, target in refs)} <= plan.kept
        if kept and not json_cols:
            out = [(fid, *pick(rows[fid])) for fid in new]
        elif not refs and not json_cols:
            out = [(mapped[fid], *pick(rows[fid])) for fid in new]
        else:
            out = []
            for fid in new:
                values = [mapped[fid], *pick(rows[fid])]
                for i, target in refs:
                    if values[i] is not None:
                        values[i] = plan.idmap[target][values[i]]
                for i in json_cols:
                    values[i] = json.dumps(values[i], ensure_ascii=False)
                out.append(tuple(values))
        plan.batches.append((table, names, out))
    return plan


def audit_rows(file: Checked) -> list[tuple]:
    """The file's audit log rows, as they are, in id order."""
    pick = itemgetter(*column_names("audit_log")[1:])
    return [(rid, *pick(a)) for rid, a in file.rows.get("audit_log", {}).items()]
