"""The triggers a database should have: those its applied migrations create.

Read from the migrations themselves (``schema/*.sql``), so a trigger is declared once:
``check`` compares them with the database's, and the app's start-up (``alarm.py``)
looks for missing ones. Light to import: no hashing here.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache

from ..db import MIGRATION_SET, migration_files, split_sql

_CREATE = re.compile(
    r"^\s*CREATE\s+(?:UNIQUE\s+)?(TRIGGER|VIEW|INDEX)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)",
    re.IGNORECASE,
)
_DROP = re.compile(
    r"^\s*DROP\s+(TRIGGER|VIEW|INDEX|TABLE)\s+(?:IF\s+EXISTS\s+)?(\w+)", re.IGNORECASE
)
_ON = re.compile(r"\bON\s+(\w+)", re.IGNORECASE)
# The outcome cache's tables (derived, rebuilt at will) and their triggers (schema 0022)
# are named so: the cache checks those triggers itself (store/outcomes/edits.py); one
# dropped is a hand edit of the cache, not of the records.
CACHE_PREFIX = "outcome_"


def plain(sql: str) -> str:
    """A statement as compared: white space folded, no closing semicolon."""
    return " ".join(sql.rstrip().rstrip(";").split())


@cache
def expected_objects(applied: frozenset[str], kind: str) -> dict[str, str]:
    """The objects of ``kind`` ("trigger", "view", "index") the ``applied`` migrations
    leave, by name, as SQL (whitespace folded). A table dropped takes its indexes and
    triggers with it."""
    made: dict[str, tuple[str, str, str]] = {}  # name: (kind, its table, SQL)
    for path in migration_files():
        if path.stem not in applied:
            continue
        for statement in split_sql(path.read_text(encoding="utf-8")):
            if created := _CREATE.match(statement):
                on = _ON.search(statement, created.end())
                table = on.group(1).lower() if on and created.group(1).upper() != "VIEW" else ""
                made[created.group(2)] = (created.group(1).lower(), table, plain(statement))
            elif dropped := _DROP.match(statement):
                name = dropped.group(2)
                made.pop(name, None)
                if dropped.group(1).upper() == "TABLE":
                    made = {n: m for n, m in made.items() if m[1] != name.lower()}
    return {name: sql for name, (k, _, sql) in made.items() if k == kind}


def expected_triggers(applied: frozenset[str]) -> dict[str, str]:
    """The triggers the ``applied`` migrations leave, by name, as SQL (whitespace folded)."""
    return expected_objects(applied, "trigger")


def record_triggers(applied: frozenset[str]) -> dict[str, str]:
    """:func:`expected_triggers` but the outcome cache's (:data:`CACHE_PREFIX`)."""
    return {n: s for n, s in expected_triggers(applied).items() if not n.startswith(CACHE_PREFIX)}


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """The names of the migrations applied to the database on ``conn``."""
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,)
            )
        ]
    except sqlite3.OperationalError:
        return []
