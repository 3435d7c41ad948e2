"""Importing an export (JSON document, or CSV zip/folder): all or nothing.

1. read the file into tables; 2. check every row (content through the domain's
``parse_*``, then ids, references and version chains), collecting every problem;
3. only if there is none, in ONE ``BEGIN IMMEDIATE`` transaction: match against the
database (nothing overwritten, nothing added twice: see ``merge.py``), insert every
table with ``executemany``, and write one audit row with the counts.

The file's audit log is copied as it is (its chain intact) only into a database that
is still empty, where every id is kept; into a database with its own history it is
not copied, and the import's audit row records the file's last hash instead.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..store.records import bulk
from ..store.store import Store
from .aside import Aside
from .collector import collector_paused
from .csvfiles import read_csv
from .document import ROLES, Tables, tables_from_json
from .jsonlimits import (
    MAX_LINE,
    TOO_DEEP,
    WHOLE_MAX,
    check_document,
    check_size,
    check_whole,
)
from .links import check_audit_chain, check_links
from .merge import Matches, match
from .mergeseals import FileSealCheck
from .plan import Plan, audit_rows, make_plan
from .problems import ImportRefused, Problems
from .rolecheck import check_roles
from .rowcheck import Checked, check_references, check_simple, shape
from .rowlines import read_row_per_line
from .scalecheck import check_scale_links, check_scale_readings
from .sealcheck import SEALS, FileSeals, rows_match_seals
from .sessioncheck import check_follow_ups, check_sessions
from .tables import TABLES

Progress = Callable[[int], None]
# SQLite's page cache (and sort memory) while the rows are written. A cache as large as
# what is written (about 300 MB at 100,000 sessions) was not measurably faster than
# this one (the rows of the 100,000-session benchmark inserted, indexes built after:
# 11.5-14.4 s with 947 MiB, 11.7-13.5 s with 64 MiB but for one 17.5 s, on a busy
# machine), and it was a third of the import's peak memory.
CACHE_MIB = 64
LABELS = {  # table: (one, many)
    "practitioner": ("practitioner", "practitioners"),
    "patient": ("patient", "patients"),
    "episode": ("episode", "episodes"),
    "session_record": ("session", "sessions"),
    "session": ("session version", "session versions"),
    "site": ("needling site", "needling sites"),
    "ims_finding": ("IMS finding", "IMS findings"),
    "follow_up": ("follow-up", "follow-ups"),
    "adverse_event": ("adverse event", "adverse events"),
    "protocol": ("protocol", "protocols"),
    "scale_reading": ("scale reading", "scale readings"),
    "patient_contact": ("contact note", "contact notes"),
}


def _count(table: str, n: int) -> str:
    return f"{n:,} {LABELS[table][0 if n == 1 else 1]}"


@dataclass
class ImportReport:
    """What an import did: rows added and rows already there, per table."""

    added: dict[str, int] = field(default_factory=dict)
    already_there: dict[str, int] = field(default_factory=dict)
    audit_copied: int = 0
    audit_in_file: int = 0
    # Whether the rows were compared with the seals the file's audit log recorded
    # (sealcheck.py; a merge: mergeseals.py): None when the file has no audit log.
    rows_checked: bool | None = None

    def summary(self) -> str:
        """The report in plain words."""
        added = {t: n for t, n in self.added.items() if n}
        if added:
            parts = ", ".join(_count(t, n) for t, n in added.items())
            lines = [f"Imported {parts}."]
        else:
            lines = ["Nothing new to import."]
        skipped = {t: n for t, n in self.already_there.items() if n}
        if skipped:
            parts = ", ".join(_count(t, n) for t, n in skipped.items())
            lines.append(f"Already in this database, so not added again: {parts}.")
        lines.append(self._audit_line())
        return "\n".join(lines)

    def _audit_line(self) -> str:
        if self.audit_copied and self.rows_checked:
            return (
                f"The file's audit log ({self.audit_copied:,} rows) was kept, chain intact,"
                " and every record row matches the seal it recorded."
            )
        if self.audit_copied:
            return (
                f"The file's audit log ({self.audit_copied:,} rows) was kept, its chain"
                " intact, but the file holds no record seals (an export made before they"
                " were written), so its rows could not be compared with it: they are"
                " sealed as this import brought them."
            )
        if self.audit_in_file:
            compared = ""
            if self.rows_checked is not None:
                compared = (
                    "; every record row of the file matches the seal its audit log recorded"
                    if self.rows_checked
                    else "; the file holds no record seals (an export made before they were"
                    " written), so its rows could not be compared with it"
                )
            return (
                f"The file's audit log ({self.audit_in_file:,} rows) was not copied: this"
                " database has its own history (the import's audit row names the file's"
                f" last hash){compared}."
            )
        return (
            "The file has no audit log: nothing in it vouches for its rows (they are"
            " sealed as this import brought them)."
        )


def read_source(path: Path) -> tuple[Tables, bool]:
    """The tables of an export file, and whether it was CSV."""
    with collector_paused():
        return _read_source(path)


def _read_source(path: Path) -> tuple[Tables, bool]:
    if not path.is_dir() and not path.is_file():  # /dev/zero, a pipe: endless or unsized
        raise ValidationError(
            str(path), "is not a file: give an export (a JSON file, a CSV .zip or folder)"
        )
    if path.is_dir() or path.suffix.lower() == ".zip":
        return read_csv(path), True
    with path.open("rb") as fh:
        start = fh.read(4)
    if start.startswith(b"PK"):
        return read_csv(path), True
    size = check_size(path)
    data = read_row_per_line(path)  # the usual file: read a line at a time
    if data is not None:
        return tables_from_json(data), False
    if size > WHOLE_MAX:
        raise ValidationError(
            str(path),
            f"is over {WHOLE_MAX >> 20} MB on lines over {MAX_LINE >> 20} MB: not an export"
            " as `sessionlog export` writes it (one row per line); export it again",
        )
    try:
        text = path.read_text("utf-8-sig")
        check_whole(text, path)
        data = json.loads(text)
        del text
    except UnicodeDecodeError:
        raise ValidationError(str(path), "is neither a JSON export nor a CSV zip") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            str(path), f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise ValidationError(str(path), TOO_DEEP) from None
    except ValidationError:
        raise
    except ValueError as exc:  # a whole number of more than 4,300 digits
        raise ValidationError(str(path), f"is not a sessionlog export ({exc})") from None
    check_document(data)
    return tables_from_json(data), False


def work_units(tables: Mapping[str, Any]) -> int:
    """How many steps a progress bar has: every row is checked once and written once."""
    return 2 * sum(len(v) for v in tables.values() if isinstance(v, list))


def check_tables(
    tables: Mapping[str, Any], store: Store, *, csv: bool, progress: Progress | None = None
) -> Checked:
    """Every row checked; raises :class:`ImportRefused` naming each problem.

    The lists of ``tables`` (a dict) are taken out of it as they are read: each row is
    held once, packed, and dropped as soon as it is checked."""
    problems = Problems(csv=csv)
    now = store.clock()
    out = Checked()
    raw = shape(tables, problems, out)
    rest = sum(len(r) for t, r in raw.items() if t != "session")
    check_simple(raw, now, problems, out)
    # The audit rows are checked: their chain is walked aside while the rest is checked.
    chain = Aside.start(lambda: _chain_intact(out), len(out.rows.get("audit_log", ())))
    try:
        check_sessions(raw, now, problems, out, progress)
        check_follow_ups(raw, now, problems, out)
        check_scale_readings(raw, now, problems, out)
        check_references(out, problems)
        check_links(out, problems)
        check_scale_links(out, problems)
        if chain is None or not chain.passed():
            check_audit_chain(out, problems)
    finally:
        if chain is not None:
            chain.close()
    if problems:
        raise ImportRefused(problems)
    if progress:
        progress(rest)
    return out


def _chain_intact(out: Checked) -> bool:
    problems = Problems(csv=False)
    check_audit_chain(out, problems)
    return not problems


def import_tables(
    tables: Mapping[str, Any],
    store: Store,
    *,
    csv: bool = False,
    actor_id: int | None = None,
    source: str = "",
    progress: Progress | None = None,
    then: Callable[[Mapping[int, str] | None], object] | None = None,
) -> ImportReport:
    """Check, then write everything in one transaction (or nothing). ``then`` runs last
    inside that transaction (its own writes nest in it), given the roles the file's audit
    log vouches for: an import into a new database sets its admin's secret there, so no
    kill between the two leaves practitioners without an admin, whom anyone at the
    keyboard could claim."""
    seals = tables.pop(SEALS, None) if isinstance(tables, dict) else tables.get(SEALS)
    # The roles are read by whoever imports (services/import_admin.py), and compared here
    # with the file's audit log (rolecheck.py).
    roles = tables.pop(ROLES, None) if isinstance(tables, dict) else tables.get(ROLES)
    with collector_paused():
        return _import_tables(tables, store, csv, actor_id, source, progress, seals, roles, then)


def _import_tables(
    tables: Mapping[str, Any],
    store: Store,
    csv: bool,
    actor_id: int | None,
    source: str,
    progress: Progress | None,
    seals: FileSeals | None = None,
    roles: dict[int, str] | None = None,
    then: Callable[[Mapping[int, str] | None], object] | None = None,
) -> ImportReport:
    checked = check_tables(tables, store, csv=csv, progress=progress)
    has_seals = seals is not None and seals.count > 0
    vouched = check_roles(roles, checked.rows.get("audit_log", {}).values(), has_seals)
    report = ImportReport(audit_in_file=len(checked.rows.get("audit_log", {})))
    with bulk.big_cache(store.conn, mib=CACHE_MIB), store.write() as conn:
        max_ids = bulk.max_ids(conn)
        audit = audit_rows(checked)
        problems = Problems(csv=csv)
        if any(max_ids.values()) and audit:  # a merge: the file's rows against its seals
            report.rows_checked = seals is not None
            matches = _match_sealed(conn, checked, seals, audit, problems)
        else:
            matches = match(conn, checked, problems)
        if problems:
            raise ImportRefused(problems)
        plan = make_plan(checked, matches, max_ids)
        # Into a new database, a second process seals the rows while they are written.
        ahead = None if any(max_ids.values()) else bulk.seals_ahead(conn, plan.batches, plan.counts)
        try:
            _write(conn, checked, plan, audit, max_ids, report, progress)
            if report.audit_copied:  # the kept log must vouch for every row written
                report.rows_checked = seals is not None  # (compared below, or refused)
            import_audit_id = bulk.next_audit_id(conn)
            sealed = ahead.finish(conn, import_audit_id) if ahead else None
            report.added = {t: plan.count(t) for t in TABLES if t != "audit_log"}
            report.already_there = {t: matches.skipped[t] for t in LABELS if matches.skipped.get(t)}
            bulk.record_event(
                conn,
                store.now(),
                actor_id,
                "import",
                {
                    "source": source,
                    "added": report.added,
                    "already_there": report.already_there,
                    "audit_rows_in_file": report.audit_in_file,
                    "audit_rows_copied": report.audit_copied,
                    "file_audit_head": audit[-1][-1] if audit else None,
                    "rows_match_file_seals": report.rows_checked,
                },
                sealed=sealed,
            )
            if report.audit_copied and report.rows_checked:  # each row's seal as written,
                # against the file's (a merge compared the file's rows before writing:
                # mergeseals.py). The seals the second process made are the very ones
                # written (each id checked as it went in): read from its shared memory.
                written = ahead.pairs if ahead is not None and sealed is not None else None
                rows_match_seals(conn, seals, audit, import_audit_id, written)
        finally:
            if ahead:
                ahead.close()
        if then is not None:
            then(vouched)
    return report


def _match_sealed(
    conn: sqlite3.Connection,
    checked: Checked,
    seals: FileSeals | None,
    audit: list[tuple[Any, ...]],
    problems: Problems,
) -> Matches:
    """:func:`match`, the file's rows compared with its seals meanwhile (mergeseals.py);
    a row that does not match its seal is refused before any other problem."""
    if seals is None:
        return match(conn, checked, problems)
    check = FileSealCheck(conn, checked, seals)
    try:
        matches = match(conn, checked, problems)
        check.finish(audit)
    finally:
        check.close()
    return matches


def _write(
    conn: sqlite3.Connection,
    checked: Checked,
    plan: Plan,
    audit: list[tuple[Any, ...]],
    max_ids: dict[str, int],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Insert the plan's rows and, into a new database, the file's audit log."""
    # Into tables still empty (a new database: the migration case), indexes are
    # built once after the rows are in, within this same transaction.
    with bulk.indexes_built_after(conn, bulk.empty_tables(conn)):
        for table, columns, batch in plan.batches:
            bulk.insert_rows(conn, table, columns, batch, progress)
            checked.rows.pop(table, None)  # written: its rows are not needed again
        plan.batches.clear()
        if audit and not any(max_ids.values()):
            bulk.copy_audit(conn, audit)
            report.audit_copied = len(audit)


def import_file(
    path: Path,
    store: Store,
    *,
    actor_id: int | None = None,
    progress_factory: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Import the export at ``path`` (JSON file, CSV zip or folder) into ``store``.

    ``progress_factory(total)`` may return a context manager with ``update(n)`` (such as
    ``click.progressbar``) to show progress on a large file.
    """
    tables, csv = read_source(path)
    if progress_factory is None:
        return import_tables(tables, store, csv=csv, actor_id=actor_id, source=path.name)
    with progress_factory(work_units(tables)) as bar:
        return import_tables(
            tables, store, csv=csv, actor_id=actor_id, source=path.name, progress=bar.update
        )
