"""The Store: the only place that speaks SQL to a sessionlog database.

Every write runs in one ``BEGIN IMMEDIATE`` transaction with its audit row, so a
session with its sites, adverse events and IMS findings is saved whole or not at all,
and concurrent writers queue on the busy timeout instead of failing. Reads return
plain dicts; their keys are the column names.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.models import Episode, FollowUpInput, Patient, Practitioner, SessionInput
from ..errors import DatabaseError, ValidationError
from . import audit
from .db import default_path, open_connection
from .rows import (
    IMS_COLUMNS,
    SESSION_COLUMNS,
    SITE_COLUMNS,
    ae_values,
    decorate_session,
    ims_values,
    session_values,
    site_from_row,
    site_values,
    stamp,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

Clock = Callable[[], datetime]

_INSERT_SESSION = (
    "INSERT INTO session (record_id, version, supersedes_id, status, amend_reason, "
    + ", ".join(SESSION_COLUMNS)
    + ", recorded_by, recorded_at) VALUES ("
    + ", ".join("?" * (len(SESSION_COLUMNS) + 7))
    + ")"
)
_INSERT_SITE = (
    "INSERT INTO site (session_id, seq, "
    + ", ".join(SITE_COLUMNS)
    + ") VALUES ("
    + ", ".join("?" * (len(SITE_COLUMNS) + 2))
    + ")"
)
_INSERT_IMS = (
    "INSERT INTO ims_finding (session_id, "
    + ", ".join(IMS_COLUMNS)
    + ") VALUES ("
    + ", ".join("?" * (len(IMS_COLUMNS) + 1))
    + ")"
)


@dataclass(frozen=True)
class Saved:
    """What a save returns: the stable record id and the id of the version written."""

    record_id: int
    row_id: int
    version: int = 1


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class Store:
    """A sessionlog database. Open with :meth:`Store.open`; the clock is injectable."""

    def __init__(
        self, db: Database | sqlite3.Connection, path: str, clock: Clock | None = None
    ) -> None:
        if not hasattr(db, "conn"):  # a connection: sqlite3's, or SQLCipher's (cipher.py)
            self.conn, self._db = db, None
        else:
            self.conn, self._db = db.conn, db
        self.path = path
        self.clock: Clock = clock or datetime.now
        self._write_depth = 0

    @classmethod
    def open(cls, path: str | Path | None = None, clock: Clock | None = None) -> Store:
        """Open (creating and migrating if needed) the database at ``path``.

        ``None`` means the default: ``$SESSIONLOG_DB`` or the user data directory.
        """
        target = str(default_path() if path is None else path)
        return cls(open_connection(target), target, clock)

    @property
    def db(self) -> Database:
        """sqlite-utils' view of the connection, made on first use (not at start-up)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()

    def now(self) -> str:
        return stamp(self.clock())

    # -- transactions -------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: everything inside commits or nothing does.

        Writes nested inside an outer ``write()`` (a batch such as the demo clinic) become
        savepoints of the outer transaction, so the batch too is all or nothing.
        """
        conn = self.conn
        if self._write_depth:
            self._write_depth += 1
            name = f"nested_{self._write_depth}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
                conn.execute(f"RELEASE SAVEPOINT {name}")
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            finally:
                self._write_depth -= 1
            return
        if conn.in_transaction:
            raise DatabaseError("a write is already in progress on this connection")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseError(f"the database is busy; nothing was saved ({exc})") from None
        self._write_depth = 1
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            self._write_depth = 0

    def _audit(
        self,
        conn: sqlite3.Connection,
        actor_id: int | None,
        action: str,
        entity: str,
        entity_id: int | None,
        **detail: Any,
    ) -> None:
        audit.append(
            conn,
            at=self.now(),
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail,
        )

    def log_event(self, actor_id: int | None, action: str, entity: str, **detail: Any) -> None:
        """Record an event that changes no clinical row (an export, a backup) in the audit log."""
        with self.write() as conn:
            self._audit(conn, actor_id, action, entity, None, **detail)

    def query(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read-only query as dicts (for the store's siblings: analysis, export)."""
        return _dicts(self.conn.execute(sql, params))

    def counts(self) -> dict[str, int]:
        """How many of each kind of record the database holds (current versions)."""
        return dict(
            self.query(
                "SELECT (SELECT count(*) FROM practitioner) AS practitioners,"
                " (SELECT count(*) FROM patient) AS patients,"
                " (SELECT count(*) FROM current_session) AS sessions,"
                " (SELECT count(*) FROM site WHERE session_id IN (SELECT id FROM current_session))"
                " AS sites,"
                " (SELECT count(*) FROM current_follow_up) AS follow_ups,"
                " (SELECT count(*) FROM adverse_event WHERE session_id IN"
                " (SELECT id FROM current_session) OR follow_up_id IN"
                " (SELECT id FROM current_follow_up)) AS adverse_events"
            )[0]
        )

    # -- people -------------------------------------------------------------------

    def add_practitioner(self, p: Practitioner, actor_id: int | None = None) -> int:
        """Add a practitioner; returns the new id."""
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO practitioner (name, profession, credential, created_at) VALUES (?, ?, ?, ?)",
                (p.name, p.profession, p.credential, self.now()),
            )
            pid = int(cur.lastrowid or 0)
            self._audit(conn, actor_id or pid, "create", "practitioner", pid, name=p.name)
        return pid

    def practitioners(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM practitioner ORDER BY name")

    def practitioner(self, practitioner_id: int) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM practitioner WHERE id = ?", (practitioner_id,))
        return rows[0] if rows else None

    def add_patient(self, p: Patient, actor_id: int | None = None) -> int:
        """Add a patient; a chart id already in use is refused."""
        with self.write() as conn:
            if conn.execute("SELECT 1 FROM patient WHERE chart_id = ?", (p.chart_id,)).fetchone():
                raise ValidationError(
                    "chart_id", f"{p.chart_id!r} is already in use by another patient"
                )
            cur = conn.execute(
                "INSERT INTO patient (chart_id, name, birth_year, sex, created_at) VALUES (?, ?, ?, ?, ?)",
                (p.chart_id, p.name, p.birth_year, p.sex, self.now()),
            )
            pid = int(cur.lastrowid or 0)
            self._audit(conn, actor_id, "create", "patient", pid, chart_id=p.chart_id)
        return pid

    def patient(self, patient_id: int) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM patient WHERE id = ?", (patient_id,))
        return rows[0] if rows else None

    def patient_by_chart(self, chart_id: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM patient WHERE chart_id = ?", (chart_id,))
        return rows[0] if rows else None

    def patients(self) -> list[dict[str, Any]]:
        """Every patient with their session count and last visit."""
        return self.query(
            "SELECT p.*, count(s.id) AS sessions, max(s.started_at) AS last_visit"
            " FROM patient p LEFT JOIN current_session s ON s.patient_id = p.id"
            " GROUP BY p.id ORDER BY p.name COLLATE NOCASE"
        )

    def search_patients(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Patients whose chart id starts with, or whose name contains, ``text``."""
        like = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return self.query(
            "SELECT p.*, (SELECT max(started_at) FROM current_session s WHERE s.patient_id = p.id)"
            " AS last_visit FROM patient p"
            " WHERE p.chart_id LIKE ? ESCAPE '\\' OR p.name LIKE ? ESCAPE '\\'"
            " ORDER BY (p.chart_id LIKE ? ESCAPE '\\') DESC, p.name COLLATE NOCASE LIMIT ?",
            (like + "%", "%" + like + "%", like + "%", limit),
        )

    def recent_patients(self, limit: int = 10) -> list[dict[str, Any]]:
        """Patients seen most recently, newest first."""
        # Walk the sessions newest first (the session_time index) and stop at the
        # ``limit``-th patient: a GROUP BY over every session took ~190 ms at 100k
        # sessions, on the home screen's first frame; this reads a few dozen rows.
        last: dict[int, str] = {}
        cur = self.conn.execute(
            "SELECT patient_id, started_at FROM current_session ORDER BY started_at DESC"
        )
        try:
            for patient_id, started_at in cur:
                last.setdefault(patient_id, started_at)
                if len(last) >= limit:
                    break
        finally:
            cur.close()  # an unfinished statement would hold its read snapshot open
        ids = list(last)
        rows = self.query(f"SELECT * FROM patient WHERE id IN ({', '.join('?' * len(ids))})", ids)
        by_id = {r["id"]: r for r in rows}
        return [{**by_id[i], "last_visit": last[i]} for i in ids if i in by_id]

    def add_episode(self, e: Episode, actor_id: int | None = None) -> int:
        self._require_patient(e.patient_id)
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO episode (patient_id, complaint, body_region, started_on, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (e.patient_id, e.complaint, e.body_region, e.started_on, self.now()),
            )
            eid = int(cur.lastrowid or 0)
            self._audit(conn, actor_id, "create", "episode", eid, patient_id=e.patient_id)
        return eid

    def episodes(self, patient_id: int) -> list[dict[str, Any]]:
        return self.query(
            "SELECT * FROM episode WHERE patient_id = ? ORDER BY started_on", (patient_id,)
        )

    def _require_patient(self, patient_id: int) -> None:
        if not self.conn.execute("SELECT 1 FROM patient WHERE id = ?", (patient_id,)).fetchone():
            raise ValidationError("patient_id", f"there is no patient with id {patient_id}")

    def _require_practitioner(self, practitioner_id: int, field: str = "practitioner_id") -> None:
        if not self.conn.execute(
            "SELECT 1 FROM practitioner WHERE id = ?", (practitioner_id,)
        ).fetchone():
            raise ValidationError(field, f"there is no practitioner with id {practitioner_id}")

    # -- sessions -----------------------------------------------------------------

    def _check_session_refs(self, s: SessionInput, actor_id: int) -> None:
        self._require_patient(s.patient_id)
        self._require_practitioner(s.practitioner_id)
        self._require_practitioner(actor_id, "recorded_by")
        if s.episode_id is not None:
            row = self.conn.execute(
                "SELECT patient_id FROM episode WHERE id = ?", (s.episode_id,)
            ).fetchone()
            if row is None or row[0] != s.patient_id:
                raise ValidationError(
                    "episode_id", f"episode {s.episode_id} is not one of this patient's"
                )

    def _insert_version(
        self,
        conn: sqlite3.Connection,
        record_id: int,
        version: int,
        supersedes: int | None,
        status: str,
        reason: str | None,
        s: SessionInput,
        actor_id: int,
    ) -> int:
        cur = conn.execute(
            _INSERT_SESSION,
            (
                record_id,
                version,
                supersedes,
                status,
                reason,
                *session_values(s),
                actor_id,
                self.now(),
            ),
        )
        sid = int(cur.lastrowid or 0)
        conn.executemany(
            _INSERT_SITE, [(sid, i, *site_values(site)) for i, site in enumerate(s.sites, start=1)]
        )
        if s.adverse_events:
            conn.executemany(
                "INSERT INTO adverse_event (session_id, tier, kind, description) VALUES (?, ?, ?, ?)",
                [(sid, *ae_values(e)) for e in s.adverse_events],
            )
        if s.ims_findings:
            conn.executemany(_INSERT_IMS, [(sid, *ims_values(f)) for f in s.ims_findings])
        return sid

    def save_session(self, s: SessionInput, actor_id: int | None = None) -> Saved:
        """Save a new session with all its parts in one transaction.

        ``actor_id`` is the practitioner recording it (default: the one who treated).
        """
        actor = actor_id or s.practitioner_id
        self._check_session_refs(s, actor)
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO session_record (uid, patient_id, created_at) VALUES (?, ?, ?)",
                (uuid.uuid4().hex, s.patient_id, self.now()),
            )
            record_id = int(cur.lastrowid or 0)
            sid = self._insert_version(conn, record_id, 1, None, "active", None, s, actor)
            self._audit(
                conn,
                actor,
                "create",
                "session",
                record_id,
                version=1,
                row_id=sid,
                sites=len(s.sites),
            )
        return Saved(record_id, sid, 1)

    def _current_row(self, conn: sqlite3.Connection, record_id: int) -> tuple[int, int, str, int]:
        row = conn.execute(
            "SELECT id, version, status, patient_id FROM session WHERE record_id = ?"
            " ORDER BY version DESC LIMIT 1",
            (record_id,),
        ).fetchone()
        if row is None:
            raise ValidationError("session", f"there is no session {record_id}")
        return row

    def amend_session(self, record_id: int, s: SessionInput, actor_id: int, reason: str) -> Saved:
        """Correct a saved session: a new version that keeps the original, with who and why."""
        if not reason.strip():
            raise ValidationError("reason", "say why the session is being corrected")
        self._check_session_refs(s, actor_id)
        with self.write() as conn:
            prev_id, version, status, patient_id = self._current_row(conn, record_id)
            if status == "void":
                raise ValidationError(
                    "session", f"session {record_id} was voided and cannot be amended"
                )
            if patient_id != s.patient_id:
                raise ValidationError(
                    "patient_id",
                    "a session cannot move to another patient:"
                    " void it and record it for the right patient",
                )
            sid = self._insert_version(
                conn, record_id, version + 1, prev_id, "active", reason.strip(), s, actor_id
            )
            self._audit(
                conn,
                actor_id,
                "amend",
                "session",
                record_id,
                version=version + 1,
                row_id=sid,
                supersedes=prev_id,
                reason=reason.strip(),
            )
        return Saved(record_id, sid, version + 1)

    def void_session(self, record_id: int, actor_id: int, reason: str) -> Saved:
        """Withdraw a session recorded in error. Its versions stay, marked void."""
        if not reason.strip():
            raise ValidationError("reason", "say why the session is being voided")
        self._require_practitioner(actor_id, "recorded_by")
        with self.write() as conn:
            prev_id, version, status, _ = self._current_row(conn, record_id)
            if status == "void":
                raise ValidationError("session", f"session {record_id} is already void")
            cols = ", ".join(SESSION_COLUMNS)
            cur = conn.execute(
                f"INSERT INTO session (record_id, version, supersedes_id, status, amend_reason, {cols},"
                f" recorded_by, recorded_at) SELECT record_id, ?, id, 'void', ?, {cols}, ?, ?"
                " FROM session WHERE id = ?",
                (version + 1, reason.strip(), actor_id, self.now(), prev_id),
            )
            sid = int(cur.lastrowid or 0)
            self._audit(
                conn,
                actor_id,
                "void",
                "session",
                record_id,
                version=version + 1,
                row_id=sid,
                reason=reason.strip(),
            )
        return Saved(record_id, sid, version + 1)

    def _full(self, row: dict[str, Any]) -> dict[str, Any]:
        sites = [
            site_from_row(r)
            for r in self.query(
                "SELECT * FROM site WHERE session_id = ? ORDER BY seq", (row["id"],)
            )
        ]
        out = decorate_session(row, sites)
        out["adverse_events"] = self.query(
            "SELECT tier, kind, description FROM adverse_event WHERE session_id = ? ORDER BY id",
            (row["id"],),
        )
        out["ims_findings"] = self.query(
            "SELECT "
            + ", ".join(IMS_COLUMNS)
            + " FROM ims_finding WHERE session_id = ? ORDER BY id",
            (row["id"],),
        )
        return out

    def session(self, record_id: int) -> dict[str, Any] | None:
        """The current version of a session with its sites, adverse events, IMS findings
        and derived values; None if there is none (or it was voided)."""
        rows = self.query("SELECT * FROM current_session WHERE record_id = ?", (record_id,))
        return self._full(rows[0]) if rows else None

    def session_history(self, record_id: int) -> list[dict[str, Any]]:
        """Every version of a session, oldest first, including voids."""
        return [
            self._full(r)
            for r in self.query(
                "SELECT * FROM session WHERE record_id = ? ORDER BY version", (record_id,)
            )
        ]

    def sessions(
        self,
        patient_id: int | None = None,
        *,
        technique: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Current sessions (newest first) with patient, practitioner and site summary."""
        where, params = ["1"], []
        for clause, value in (
            ("s.patient_id = ?", patient_id),
            ("s.technique = ?", technique),
            ("s.started_at >= ?", since),
            ("s.started_at < ?", until),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = (
            "SELECT s.*, p.chart_id, p.name AS patient_name, pr.name AS practitioner_name,"
            " (SELECT count(*) FROM site WHERE session_id = s.id) AS site_count,"
            " (SELECT group_concat(target, ' ') FROM (SELECT target FROM site"
            " WHERE session_id = s.id ORDER BY seq)) AS targets"
            " FROM current_session s JOIN patient p ON p.id = s.patient_id"
            " JOIN practitioner pr ON pr.id = s.practitioner_id"
            f" WHERE {' AND '.join(where)} ORDER BY s.started_at DESC"
            + (" LIMIT ?" if limit else "")
        )
        return self.query(sql, params + ([limit] if limit else []))

    def full_sessions(self, patient_id: int | None = None) -> list[dict[str, Any]]:
        """Current sessions with all their parts, oldest first (for export and JSON)."""
        rows = self.query(
            "SELECT s.* FROM current_session s"
            + (" WHERE s.patient_id = ?" if patient_id else "")
            + " ORDER BY s.started_at",
            (patient_id,) if patient_id else (),
        )
        return [self._full(r) for r in rows]

    def sessions_on(self, day: date) -> list[dict[str, Any]]:
        """The day's sessions, earliest first (the home screen's 'today')."""
        start = day.isoformat()
        end = date.fromordinal(day.toordinal() + 1).isoformat()
        return list(reversed(self.sessions(since=start, until=end)))

    def last_session(self, patient_id: int) -> dict[str, Any] | None:
        """The patient's most recent current session in full, for 'repeat last session'."""
        rows = self.query(
            "SELECT * FROM current_session WHERE patient_id = ? ORDER BY started_at DESC LIMIT 1",
            (patient_id,),
        )
        return self._full(rows[0]) if rows else None

    # -- follow-ups ---------------------------------------------------------------

    def add_follow_up(
        self,
        f: FollowUpInput,
        actor_id: int,
        supersedes: int | None = None,
        reason: str | None = None,
        status: str = "active",
    ) -> int:
        """Record pain (and soreness) after a session; linked to that session's record."""
        self._require_patient(f.patient_id)
        self._require_practitioner(actor_id, "recorded_by")
        row = self.conn.execute(
            "SELECT patient_id FROM session_record WHERE id = ?", (f.session_record_id,)
        ).fetchone()
        if row is None:
            raise ValidationError("session_record_id", f"there is no session {f.session_record_id}")
        if row[0] != f.patient_id:
            raise ValidationError("session_record_id", "that session belongs to another patient")
        started = self.conn.execute(
            "SELECT started_at, status FROM session WHERE record_id = ?"
            " ORDER BY version DESC LIMIT 1",
            (f.session_record_id,),
        ).fetchone()
        if started and started[1] == "void":
            raise ValidationError(
                "session_record_id",
                f"session {f.session_record_id} was voided: a follow-up cannot follow it",
            )
        if started and stamp(f.at) < started[0]:  # relief over time needs at >= the session
            raise ValidationError(
                "at", f"{stamp(f.at)} is before the session it follows ({started[0]})"
            )
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO follow_up (patient_id, session_record_id, supersedes_id, status,"
                " amend_reason, at, pain, soreness, groc, notes, recorded_by, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    f.patient_id,
                    f.session_record_id,
                    supersedes,
                    status,
                    reason,
                    stamp(f.at),
                    f.pain,
                    f.soreness,
                    f.groc,
                    f.notes,
                    actor_id,
                    self.now(),
                ),
            )
            fid = int(cur.lastrowid or 0)
            if f.adverse_events:
                conn.executemany(
                    "INSERT INTO adverse_event (follow_up_id, tier, kind, description) VALUES (?, ?, ?, ?)",
                    [(fid, *ae_values(e)) for e in f.adverse_events],
                )
            action = "create" if supersedes is None else ("void" if status == "void" else "amend")
            self._audit(
                conn,
                actor_id,
                action,
                "follow_up",
                fid,
                supersedes=supersedes,
                reason=reason,
                session_record_id=f.session_record_id,
            )
        return fid

    def amend_follow_up(
        self, follow_up_id: int, f: FollowUpInput, actor_id: int, reason: str, *, void: bool = False
    ) -> int:
        """Correct (or void) a follow-up: a new row that supersedes it, keeping the original."""
        if not reason.strip():
            raise ValidationError("reason", "say why the follow-up is being corrected")
        current = self.query("SELECT * FROM current_follow_up WHERE id = ?", (follow_up_id,))
        if not current:
            raise ValidationError(
                "follow_up",
                f"follow-up {follow_up_id} is not current"
                " (already corrected or voided, or never recorded)",
            )
        return self.add_follow_up(
            f,
            actor_id,
            supersedes=follow_up_id,
            reason=reason.strip(),
            status="void" if void else "active",
        )

    def follow_ups(self, patient_id: int) -> list[dict[str, Any]]:
        """A patient's current follow-ups, oldest first."""
        return self.query(
            "SELECT * FROM current_follow_up WHERE patient_id = ? ORDER BY at", (patient_id,)
        )

    # -- protocols (saved point groups) --------------------------------------------

    def save_protocol(
        self, practitioner_id: int, name: str, technique: str, sites: list[dict[str, Any]]
    ) -> int:
        """Save (or replace) a practitioner's named group of sites."""
        import json

        self._require_practitioner(practitioner_id)
        with self.write() as conn:
            conn.execute(
                "DELETE FROM protocol WHERE practitioner_id = ? AND name = ?",
                (practitioner_id, name),
            )
            cur = conn.execute(
                "INSERT INTO protocol (practitioner_id, name, technique, sites, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (practitioner_id, name, technique, json.dumps(sites), self.now()),
            )
            pid = int(cur.lastrowid or 0)
            self._audit(conn, practitioner_id, "save", "protocol", pid, name=name)
        return pid

    def protocols(self, practitioner_id: int) -> list[dict[str, Any]]:
        import json

        rows = self.query(
            "SELECT * FROM protocol WHERE practitioner_id = ? ORDER BY name", (practitioner_id,)
        )
        for r in rows:
            r["sites"] = json.loads(r["sites"])
        return rows
