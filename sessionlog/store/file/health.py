"""``sessionlog check``: is the database file sound, and is its history untouched?

Runs SQLite's ``quick_check``, then the full ``integrity_check``, then
``foreign_key_check``, then walks the audit chain, and says in plain words what is
wrong and what to do. The same checks guard ``restore`` against a damaged file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import DatabaseError
from ..db import BUSY_TIMEOUT_MS, _check_ours, remove_empty
from ..integrity import alarm, audit, tamper
from ..integrity.chainhead import head
from ..outcomes import edits as cache_edits
from ..outcomes import verify as cache_verify
from ..outcomes.sound import describe, unsound_groups
from ..records.credentials import access_problems
from ..records.follow_ups import left_out_follow_ups
from ..records.roles import role_problems
from .cipher import connect_file, passphrase
from .guard import RESTORE_HINT, guard
from .netfs import filesystem_type, is_network

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Health:
    """What ``check`` found. ``problems`` are sentences for a person, with what to do."""

    path: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sessions: int = 0
    versions: int = 0
    patients: int = 0
    audit_rows: int = 0
    chain_head: dict[str, int | str] = field(default_factory=dict)  # see chainhead.py
    tampered: bool = False  # the audit chain is broken or records do not match their seals
    damaged: bool = False  # the file itself: SQLite cannot read it, or links are broken
    # (table, id, column) of record text that is not valid UTF-8, when that is all
    # that is wrong: the file is otherwise sound, and a copy of it keeps what is left
    only_not_utf8: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """The findings in plain words, first line the verdict."""
        if self.ok:
            lines = [
                f"The database is healthy: {self.sessions:,} session"
                f"{'s' if self.sessions != 1 else ''} ({self.patients:,} patient"
                f"{'s' if self.patients != 1 else ''}), audit chain of"
                f" {self.audit_rows:,} row{'s' if self.audit_rows != 1 else ''} intact."
            ]
        else:
            lines = [f"The database at {self.path} has a problem:"]
            lines += [f"- {p}" for p in self.problems]
        return "\n".join(lines + [f"Note: {w}" for w in self.warnings])


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection to a file that should be a sessionlog database.

    Raises :class:`DatabaseError` when it is not an SQLite file, not ours, or newer.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    encrypted = passphrase() is not None
    if head != SQLITE_MAGIC and not encrypted:
        raise DatabaseError(f"{path} is not a sessionlog database (not an SQLite file at all)")
    guard(path, encrypted=encrypted)  # a -wal of another database, as opening refuses it
    new_beside = [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if not p.exists()]
    conn = connect_file(f"file:{path}?mode=ro", BUSY_TIMEOUT_MS / 1000, uri=True)
    try:
        _check_ours(conn, str(path))
        if conn.execute("PRAGMA application_id").fetchone()[0] == 0:
            raise DatabaseError(f"{path} is not a sessionlog database (it holds no records)")
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        conn.close()
        remove_empty(new_beside)  # the file refused is left as it was: nothing beside it
        raise DatabaseError(str(exc)) from None
    return conn


def inspect(conn: sqlite3.Connection, health: Health) -> None:
    """Run the checks on an open connection, adding to ``health``."""
    tampering = tamper.in_background(conn)  # the record rows' seals, meanwhile
    try:
        quick = [r[0] for r in conn.execute("PRAGMA quick_check")]
        full = [r[0] for r in conn.execute("PRAGMA integrity_check")] if quick == ["ok"] else quick
    except sqlite3.DatabaseError as exc:
        health.problems.append(
            f"The file is damaged: SQLite cannot read it ({exc}). {RESTORE_HINT}"
        )
        health.damaged = True
        return
    if full != ["ok"]:
        found = [
            line.strip()
            for row in full
            for line in str(row).splitlines()
            if line.strip() and not line.startswith("***")
        ]
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        shown = "; ".join(found[:3]) + more
        health.problems.append(f"The file is damaged (SQLite found: {shown}). {RESTORE_HINT}")
        health.damaged = True
        return
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        health.damaged = True
        tables = sorted({f"{r[0]} -> {r[2]}" for r in broken})
        health.problems.append(
            f"{len(broken):,} row{'s' if len(broken) != 1 else ''} point at records that do not"
            f" exist ({', '.join(tables)}): rows were removed outside sessionlog. {RESTORE_HINT}"
        )
    chain = audit.verify(conn)
    health.audit_rows = chain.rows
    if not chain.ok:
        health.problems.append(
            f"The audit log is broken at row {chain.broken_at}: {chain.reason}. Records may"
            " have been changed outside sessionlog. Keep this file as evidence, compare it"
            " with a backup made before that row's time, and restore the backup if needed."
        )
    findings = tampering()
    bad_audit = [] if chain.ok or chain.reason != audit.NOT_UTF8 else [chain.broken_at or 0]
    if (
        not health.damaged
        and (chain.ok or bad_audit)
        and (findings or bad_audit)
        and all(f.not_utf8 for f in findings)
    ):
        health.only_not_utf8 = [("audit_log", rid, "text") for rid in bad_audit] + [
            (f.table, f.row_id or 0, column) for f in findings for column in f.not_utf8
        ]
    found = tamper.problems(findings)
    health.problems += found
    health.tampered = bool(found) or not chain.ok
    health.chain_head = head(conn).as_dict()
    try:  # (these read the current_* views, which may have been dropped or rewritten)
        left_out = left_out_follow_ups(conn)
        health.sessions, health.versions, health.patients = conn.execute(
            "SELECT (SELECT count(*) FROM current_session), (SELECT count(*) FROM session),"
            " (SELECT count(*) FROM patient)"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        if not any(" view " in p for p in found):  # the view's finding already says it
            health.problems.append(f"A view of the records cannot be read ({exc}).")
            health.tampered = True
        return
    if left_out:
        health.warnings.append(left_out)
    edited = unsound_groups(conn)
    if edited:  # derived, not records: a note (the next comparison rebuilds it)
        health.warnings.append(
            "the outcome figures kept for comparisons do not match the records"
            f" ({describe(edited)}): changed outside sessionlog? The next comparison"
            " rebuilds them."
        )
    elif written := cache_edits.edited(conn):  # (any write: a sum kept consistent too)
        health.warnings.append(
            "the outcome figures kept for comparisons were written outside sessionlog"
            f" ({cache_edits.describe(written)}). The next comparison rebuilds them from"
            " the records."
        )


def cache_problems(conn: sqlite3.Connection) -> list[str]:
    """The line for an outcome cache that is not what the records give although nothing
    noted a write to it (its note emptied after a hand edit: the next comparison would
    show it), found by building it again (outcomes/verify.py)."""
    found = cache_verify.differences(conn)
    if not found:
        return []
    return [
        "The outcome figures kept for comparisons are not what the records give"
        f" ({cache_verify.describe(found)}), and nothing noted the write: changed outside"
        " sessionlog, its note in outcome_edited emptied too? Comparisons show them until"
        " they are rebuilt: `sessionlog compare --rebuild`."
    ]


def practitioner_exists(conn: sqlite3.Connection, practitioner_id: int) -> bool:
    """Whether the database on ``conn`` has this practitioner."""
    row = conn.execute("SELECT 1 FROM practitioner WHERE id = ?", (practitioner_id,)).fetchone()
    return row is not None


def check(path: str | Path) -> Health:
    """Check the database at ``path``; never raises for a bad file: it reports it."""
    target = Path(path).expanduser()
    health = Health(str(target))
    if not target.exists():
        health.problems.append(
            f"There is no database at {target} yet (it is created when sessionlog first opens"
            " it). Check --db or $SESSIONLOG_DB."
        )
        return health
    fstype = filesystem_type(target)
    if is_network(fstype):
        health.warnings.append(
            f"the file is on a network file system ({fstype}): sessionlog will refuse to open"
            " it there. Move it to a local disk of the clinic's host computer."
        )
    try:
        conn = open_readonly(target)
    except DatabaseError as exc:
        health.problems.append(str(exc) if str(exc).endswith(".") else f"{exc}.")
        return health
    try:
        inspect(conn, health)
        if not health.damaged:  # (a sign-in row edited by hand stops that sign-in)
            health.problems += access_problems(conn)
            health.problems += role_problems(conn)  # (sessionlog goes by the audit log's)
        if not health.damaged and not health.tampered:
            health.problems += cache_problems(conn)
    finally:
        conn.close()
    if health.ok:
        alarm.clear_alarm(target)
    elif health.tampered:
        alarm.raise_alarm(target, health.problems)
    return health
