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

_CREATE = re.compile(r"^\s*CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
_DROP = re.compile(r"^\s*DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


def plain(sql: str) -> str:
    """A statement as compared: white space folded, no closing semicolon."""
    return " ".join(sql.rstrip().rstrip(";").split())


@cache
def expected_triggers(applied: frozenset[str]) -> dict[str, str]:
    """The triggers the ``applied`` migrations leave, by name, as SQL (whitespace folded)."""
    triggers: dict[str, str] = {}
    for path in migration_files():
        if path.stem not in applied:
            continue
        for statement in split_sql(path.read_text(encoding="utf-8")):
            if made := _CREATE.match(statement):
                triggers[made.group(1)] = plain(statement)
            elif dropped := _DROP.match(statement):
                triggers.pop(dropped.group(1), None)
    return triggers


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
