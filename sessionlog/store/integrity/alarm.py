"""The broken-chain alarm: what the app's banner and every CLI write warn about.

A full ``check`` reads every row (seconds at 100,000 sessions), too slow for each start
of the app or each command. So the alarm is two cheap things: a note beside the
database (``DB.chain-broken``) that ``check``, ``audit verify`` and a refused backup
leave when they find the chain or the records tampered with, and that ``check``
removes once it passes again; and, at each start, a look at the end of the audit
chain (its last rows recomputed, linked) and at which append-only triggers exist.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SUFFIX = ".chain-broken"
TAIL = 64  # audit rows recomputed at start-up (about a millisecond)


def note_path(db_path: str | Path) -> Path | None:
    """Where the alarm note of the database at ``db_path`` lives (None: in memory)."""
    name = str(db_path)
    if name == ":memory:":
        return None
    return Path(name).expanduser().with_name(Path(name).name + SUFFIX)


def raise_alarm(db_path: str | Path, problems: list[str]) -> None:
    """Leave the note (the first problems found), so every later start warns."""
    path = note_path(db_path)
    if path is None or not problems:
        return
    try:
        path.write_text("\n".join(problems[:5]) + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only folder: the tail check at start-up still runs


def clear_alarm(db_path: str | Path) -> None:
    """``check`` passed: no more warnings."""
    path = note_path(db_path)
    if path is not None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def _noted(db_path: str | Path) -> bool:
    path = note_path(db_path)
    return path is not None and path.exists()


def tail_problem(conn: sqlite3.Connection, rows: int = TAIL) -> str | None:
    """Whether the last ``rows`` audit rows still hash and link; a sentence if not."""
    from .audit import row_hash

    try:
        tail = conn.execute(
            "SELECT id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash"
            " FROM audit_log ORDER BY id DESC LIMIT ?",
            (rows,),
        ).fetchall()
    except sqlite3.OperationalError as exc:  # Python's sqlite3 cannot decode a row
        if not str(exc).startswith("Could not decode to UTF-8"):
            raise
        return "an audit row's text is not valid UTF-8"
    following = None
    for rid, at, actor, action, entity, entity_id, detail, prev, digest in tail:
        if row_hash(prev, at, actor, action, entity, entity_id, detail) != digest:
            return f"audit row {rid} was altered"
        if following is not None and following != digest:
            return f"the audit log is broken after row {rid}"
        following = prev
    return None


def trigger_problem(conn: sqlite3.Connection) -> str | None:
    """Whether an append-only trigger of the schema is missing (names only: cheap)."""
    from .triggers import applied_migrations, record_triggers

    expected = record_triggers(frozenset(applied_migrations(conn)))
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    missing = sorted(set(expected) - present)
    return f"the trigger {missing[0]} is missing" if missing else None


def chain_alarm(conn: sqlite3.Connection, db_path: str | Path) -> str | None:
    """The one-line warning to show, or None when nothing is known to be wrong."""
    found = tail_problem(conn) or trigger_problem(conn)
    if found is None and not _noted(db_path):
        return None
    why = f" ({found})" if found else ""
    return (
        f"The audit chain is broken{why}: records may have been changed outside sessionlog."
        " Run `sessionlog check` (this warning stays until it passes)."
    )
