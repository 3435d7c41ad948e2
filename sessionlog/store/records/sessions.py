"""Sessions: saving, amending and voiding them, and reading them back.

A session is a record (``session_record``) with versions (``session``); the current
version is the newest one that is not a void."""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from ...domain.techniques import group_label
from ...domain.text import clean_text
from ...errors import FollowUpLeftOut, ValidationError
from ..base import _INSERT_IMS, _INSERT_SESSION, _INSERT_SITE, Saved, StoreBase
from ..rows import (
    IMS_COLUMNS,
    SESSION_COLUMNS,
    SITE_COLUMNS,
    ListedSession,
    StoredSession,
    ae_values,
    decorate_session,
    ims_values,
    session_values,
    site_from_row,
    site_values,
    stamp,
)
from .follow_ups import session_between

if TYPE_CHECKING:  # annotations only: the dataclasses load when first used
    from ...domain.models import Episode, SessionInput


_REFS = (
    "SELECT EXISTS (SELECT 1 FROM patient WHERE id = ?1),"
    " EXISTS (SELECT 1 FROM practitioner WHERE id = ?2),"
    " EXISTS (SELECT 1 FROM practitioner WHERE id = ?3),"
    " (SELECT patient_id FROM episode WHERE id = ?4),"
    " (SELECT birth_year FROM patient WHERE id = ?1),"
    " (SELECT name FROM patient WHERE id = ?1)"
)

# A session's follow-ups that another session would then come between: each one's
# time, and the first session of the course after this one's new time up to it.
_OWN_FOLLOW_UPS = "SELECT id, at FROM current_follow_up WHERE session_record_id = ? ORDER BY at, id"
# Other sessions' follow-ups a session at a new time would come between: a session of
# the course before that time, with a follow-up at or after it.
_SPANNING = (
    "SELECT f.id, f.at, s.record_id, s.started_at FROM current_follow_up f"
    " JOIN current_session s ON s.record_id = f.session_record_id"
    " WHERE s.patient_id = ? AND s.episode_id IS ? AND s.record_id != ?"
    " AND s.started_at < ? AND f.at >= ? ORDER BY f.at, f.id"
)


class SessionStore(StoreBase):
    # -- sessions -----------------------------------------------------------------

    def _check_session_refs(self, s: SessionInput, actor_id: int, was: str | None = None) -> None:
        """``was``: the time of the session corrected. Only a new or changed time is
        checked against the birth year: a session saved before the check (or a birth year
        corrected since) keeps its other fields correctable."""
        # One read for the five checks (a save's reads before its write: 4 us, not 13).
        patient, practitioner, actor, episode_patient, born, name = self.conn.execute(
            _REFS, (s.patient_id, s.practitioner_id, actor_id, s.episode_id)
        ).fetchone()
        if not patient:
            raise ValidationError("patient_id", f"there is no patient with id {s.patient_id}")
        if not practitioner:
            raise ValidationError(
                "practitioner_id", f"there is no practitioner with id {s.practitioner_id}"
            )
        if not actor:
            raise ValidationError("recorded_by", f"there is no practitioner with id {actor_id}")
        if s.episode_id is not None and episode_patient != s.patient_id:
            raise ValidationError(
                "episode_id", f"episode {s.episode_id} is not one of this patient's"
            )
        if born is not None and s.started_at.year < born and stamp(s.started_at) != was:
            # a mistyped year: 1900, 2205
            raise ValidationError(
                "started_at",
                f"{stamp(s.started_at)[:16]} is before {name}'s birth year ({born})",
            )

    def _check_follow_ups_after(
        self, conn: sqlite3.Connection, record_id: int, s: SessionInput
    ) -> None:
        """A correction that moves the session keeps it before its follow-ups: moved
        later, they would come before the session they follow and drop out of every
        figure. (A database written before this check may hold such a session: the
        figures still cope, and a correction that leaves the time alone is taken.)"""
        (first, was, course) = conn.execute(
            "SELECT (SELECT min(at) FROM current_follow_up WHERE session_record_id = ?),"
            " started_at, episode_id FROM current_session WHERE record_id = ?",
            (record_id, record_id),
        ).fetchone() or (None, None, None)
        started = stamp(s.started_at)
        if first is not None and started != was and started >= first:
            said = (
                f"{started[:16]} is the time of this session's follow-up"
                if started == first
                else f"{started[:16]} is after this session's follow-up of {first[:16]}"
            )
            raise ValidationError("started_at", f"{said}: a session comes before its follow-ups")
        if (started, s.episode_id) != (was, course):
            self._check_follow_ups_kept(conn, record_id, s, was, course)

    @staticmethod
    def _check_follow_ups_kept(
        conn: sqlite3.Connection,
        record_id: int,
        s: SessionInput,
        was: str | None,
        course: int | None,
    ) -> None:
        """A session moved (another time or course) comes between no session and its
        follow-up, nor has another come between it and its own: the follow-up would
        then follow no session in the figures, silently (the rule a new follow-up is
        checked by, :func:`.follow_ups.session_between`). One already left out before
        the move is no reason to refuse it (``check`` names those)."""
        started, patient, episode = stamp(s.started_at), s.patient_id, s.episode_id
        end = "which would then count in no figure: correct or void that follow-up first"
        # Moved to another episode of care at its own time: the episode is what moved it.
        field, subject, where = "started_at", started[:16], ""
        if started == was:
            field, subject = "episode", f"session {record_id} ({started[:16]})"
            where = " in that episode of care"
        # (A session logged between, moved within the gap: at its old time it is the
        # session between, so the follow-up it left out already is no reason to refuse.)
        words = (
            "which would then count in no figure: keep the session where it was, or first"
            " re-link that follow-up to the session it is about"
        )
        spanned = cut_off(conn, patient, episode, started, record_id)
        if spanned:
            fid, at, other, other_at = spanned[0]
            raise FollowUpLeftOut(
                field,
                f"{subject} would come between session {other} ({other_at[:16]})"
                f" and its follow-up {fid} ({at[:16]}){where}, {end}",
                f"this session ({started[:16]}) would come between the session of"
                f" {other_at[:16]} and its follow-up of {at[:16]}{where}, {words}",
            )
        for fid, at in conn.execute(_OWN_FOLLOW_UPS, (record_id,)).fetchall():
            between = session_between(conn, patient, episode, started, at, record_id)
            if between is None:
                continue
            if was is not None and session_between(conn, patient, course, was, at, record_id):
                return  # left out already, where it was
            rid, rid_at = between
            raise FollowUpLeftOut(
                field,
                f"session {rid} ({rid_at[:16]}) would come between this session"
                f" ({started[:16]}) and its follow-up {fid} ({at[:16]}){where}, {end}",
                f"the session of {rid_at[:16]} would come between this session"
                f" ({started[:16]}) and its follow-up of {at[:16]}{where}, {words}",
            )

    def _refuse_same_session(
        self, conn: sqlite3.Connection, s: SessionInput, new_episode: Episode | None
    ) -> None:
        """Refuse a session already saved: the patient's current session at the same time
        with every value, site, adverse event and IMS finding the same (a command run
        twice, a form saved twice); one that starts an episode, if an episode of the same
        complaint and region holds it. Two sessions at one time that differ in anything
        (another technique, a note or an adverse event of their own) are both saved.
        Checked inside the write's transaction, so two processes saving the same session
        at once save it once."""
        columns, values = list(SESSION_COLUMNS), list(session_values(s))
        where = [f"{c} IS ?" for c in columns]
        if new_episode is not None:  # its episode is not saved yet: the same complaint's
            at = columns.index("episode_id")
            where[at] = (
                "episode_id IN (SELECT id FROM episode WHERE patient_id = ?"
                " AND complaint = ? AND body_region = ?)"
            )
            values[at : at + 1] = [s.patient_id, new_episode.complaint, new_episode.body_region]
        candidates = conn.execute(
            f"SELECT id, record_id FROM current_session WHERE {' AND '.join(where)}", values
        ).fetchall()
        for sid, record_id in candidates:
            if self._same_parts(conn, sid, s):
                (chart,) = conn.execute(
                    "SELECT chart_id FROM patient WHERE id = ?", (s.patient_id,)
                ).fetchone()
                raise ValidationError(
                    "started_at",
                    f"{chart} already has this session at {stamp(s.started_at)[:16]}"
                    f" (session {record_id}: the same technique, sites, pain and notes):"
                    " nothing was saved; if it is another session, give it its own time",
                )

    @staticmethod
    def _same_parts(conn: sqlite3.Connection, sid: int, s: SessionInput) -> bool:
        """Whether stored session version ``sid`` has exactly ``s``'s sites, adverse
        events and IMS findings, in order."""
        events = [ae_values(e) for e in s.adverse_events]
        parts = (
            ("site", ("seq", *SITE_COLUMNS), [site_values(x) for x in s.sites]),
            ("adverse_event", ("tier", "kind", "description"), events),
            ("ims_finding", IMS_COLUMNS, [ims_values(f) for f in s.ims_findings]),
        )
        for table, columns, wanted in parts:
            order = "seq" if table == "site" else "id"
            stored = conn.execute(
                f"SELECT {', '.join(columns)} FROM {table} WHERE session_id = ? ORDER BY {order}",
                (sid,),
            ).fetchall()
            if table == "site":
                wanted = [(seq, *row) for seq, row in enumerate(wanted, start=1)]
            if len(stored) != len(wanted) or any(
                not _same_row(a, b) for a, b in zip(stored, wanted, strict=True)
            ):
                return False
        return True

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
        now: str | None = None,
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
                now or self.now(),
            ),
        )
        sid = int(cur.lastrowid or 0)
        conn.executemany(
            _INSERT_SITE, [(sid, i, *site_values(site)) for i, site in enumerate(s.sites, start=1)]
        )
        if s.adverse_events:
            conn.executemany(
                "INSERT INTO adverse_event (session_id, tier, kind, description)"
                " VALUES (?, ?, ?, ?)",
                [(sid, *ae_values(e)) for e in s.adverse_events],
            )
        if s.ims_findings:
            conn.executemany(_INSERT_IMS, [(sid, *ims_values(f)) for f in s.ims_findings])
        return sid

    def save_session(
        self,
        s: SessionInput,
        actor_id: int | None = None,
        new_episode: Episode | None = None,
        *,
        once: bool = False,
        before_follow_ups: bool | str = True,
    ) -> Saved:
        """Save a new session with all its parts in one transaction.

        ``actor_id`` is the practitioner recording it (default: the one who treated).
        ``new_episode``: the session starts this episode of care, saved with it (in
        the same transaction: never an episode without its first session).
        ``once``: refuse the session if it is saved already (what the front ends save:
        ``_refuse_same_session``).
        ``before_follow_ups``: it may come between an earlier session of its course and
        that session's follow-ups, which then stop counting for it (the front ends say
        so first: :meth:`follow_ups_cut_off`); ``False`` refuses it, naming them; the
        sentence the user was shown and said yes to refuses it if the follow-ups it
        would come between are no longer those (one added at another desk meanwhile).
        """
        actor = actor_id or s.practitioner_id
        self._check_session_refs(s, actor)
        if new_episode is not None and new_episode.patient_id != s.patient_id:
            raise ValidationError("episode", "the new episode is another patient's")
        with self.write() as conn:
            if once:
                self._refuse_same_session(conn, s, new_episode)
            if before_follow_ups is not True and new_episode is None:  # a new course has none
                self._refuse_cut_off(conn, s, before_follow_ups)
            if new_episode is not None:
                import dataclasses

                eid = self._insert_episode(conn, new_episode, actor)  # type: ignore[attr-defined]
                s = dataclasses.replace(s, episode_id=eid)
            now = self.now()  # one reading: the record, its version and its audit row agree
            cur = conn.execute(
                "INSERT INTO session_record (uid, patient_id, created_at) VALUES (?, ?, ?)",
                (new_uid(), s.patient_id, now),
            )
            record_id = int(cur.lastrowid or 0)
            sid = self._insert_version(conn, record_id, 1, None, "active", None, s, actor, now)
            self._audit(
                conn,
                actor,
                "create",
                "session",
                record_id,
                at=now,
                version=1,
                row_id=sid,
                sites=len(s.sites),
            )
        return Saved(record_id, sid, 1)

    @staticmethod
    def _refuse_cut_off(conn: sqlite3.Connection, s: SessionInput, told: bool | str) -> None:
        """Refuse new session ``s`` if it comes between a session and its follow-ups
        (``told`` False) or between others than the sentence ``told`` names."""
        said = cut_off_words(conn, s, 0)
        if said is None or said == told:
            return
        if told is False:
            raise ValidationError(
                "started_at",
                f"{said}: nothing was saved; if it took place then, log it with --before-follow-up",
            )
        raise ValidationError(
            "started_at",
            "the follow-ups this session comes between changed after you were asked:"
            " nothing was saved; save it again to be asked about them as they are now",
        )

    def follow_ups_cut_off(self, s: SessionInput) -> str | None:
        """What saving new session ``s`` would do to other sessions' follow-ups, in one
        sentence (``2026-08-01 10:00 comes between the session of 2026-07-01 10:00
        (Acupuncture) and its follow-up of 2026-07-10 10:00, which then counts in no
        figure ...``); ``None`` when it comes between no session and its follow-up."""
        return cut_off_words(self.conn, s, 0)

    def follow_up_ids_cut_off(self, s: SessionInput) -> list[int]:
        """The follow-ups :meth:`follow_ups_cut_off` names, by id (to re-link them)."""
        rows = cut_off(self.conn, s.patient_id, s.episode_id, stamp(s.started_at), 0)
        return [fid for fid, *_ in rows]

    def _current_row(self, conn: sqlite3.Connection, record_id: int) -> tuple[int, int, str, int]:
        row = conn.execute(
            "SELECT id, version, status, patient_id FROM session WHERE record_id = ?"
            " ORDER BY version DESC LIMIT 1",
            (record_id,),
        ).fetchone()
        if row is None:
            raise ValidationError("session", f"there is no session {record_id}")
        return int(row[0]), int(row[1]), str(row[2]), int(row[3])

    def amend_session(
        self,
        record_id: int,
        s: SessionInput,
        actor_id: int,
        reason: str,
        *,
        version: int | None = None,
    ) -> Saved:
        """Correct a saved session: a new version that keeps the original, with who and why.

        ``version`` is the one the correction was made from: refused when the session has
        been corrected since (the newer correction would be undone unseen)."""
        reason = clean_text(reason)  # as typed text is: no escape sequences
        if not reason:
            raise ValidationError("reason", "say why the session is being corrected")
        (was,) = self.conn.execute(
            "SELECT max(started_at) FROM current_session WHERE record_id = ?", (record_id,)
        ).fetchone()
        self._check_session_refs(s, actor_id, was)
        with self.write() as conn:
            prev_id, current = self._check_amendment(conn, record_id, s, version)
            sid = self._insert_version(
                conn, record_id, current + 1, prev_id, "active", reason, s, actor_id
            )
            self._audit(
                conn,
                actor_id,
                "amend",
                "session",
                record_id,
                version=current + 1,
                row_id=sid,
                supersedes=prev_id,
                reason=reason,
            )
        return Saved(record_id, sid, current + 1)

    def amendment_refused(
        self, record_id: int, s: SessionInput, actor_id: int, *, version: int | None = None
    ) -> ValidationError | None:
        """Why :meth:`amend_session` would refuse this correction as the records stand,
        or None: the form says it before asking for a reason (review21 #6). A read; the
        write checks again, since another desk may save meanwhile."""
        (was,) = self.conn.execute(
            "SELECT max(started_at) FROM current_session WHERE record_id = ?", (record_id,)
        ).fetchone()
        try:
            self._check_session_refs(s, actor_id, was)
            self._check_amendment(self.conn, record_id, s, version)
        except ValidationError as exc:
            return exc
        return None

    def _check_amendment(
        self, conn: sqlite3.Connection, record_id: int, s: SessionInput, version: int | None
    ) -> tuple[int, int]:
        """The checks of a correction against the session as saved: returns the current
        row's id and version."""
        prev_id, current, status, patient_id = self._current_row(conn, record_id)
        if status == "void":
            raise ValidationError(
                "session", f"session {record_id} was voided and cannot be amended"
            )
        if version is not None and current != version:
            raise ValidationError(
                "session",
                f"session {record_id} was corrected since it was opened (version"
                f" {current} now, {version} opened): open it again to correct it",
            )
        if patient_id != s.patient_id:
            raise ValidationError(
                "patient_id",
                "a session cannot move to another patient:"
                " void it and record it for the right patient",
            )
        self._check_follow_ups_after(conn, record_id, s)
        return prev_id, current

    def void_session(self, record_id: int, actor_id: int, reason: str) -> Saved:
        """Withdraw a session recorded in error. Its versions stay, marked void."""
        reason = clean_text(reason)  # as typed text is: no escape sequences
        if not reason:
            raise ValidationError("reason", "say why the session is being voided")
        self._require_practitioner(actor_id, "recorded_by")
        with self.write() as conn:
            prev_id, version, status, _ = self._current_row(conn, record_id)
            if status == "void":
                raise ValidationError("session", f"session {record_id} is already void")
            cols = ", ".join(SESSION_COLUMNS)
            cur = conn.execute(
                "INSERT INTO session (record_id, version, supersedes_id, status, amend_reason,"
                f" {cols},"
                f" recorded_by, recorded_at) SELECT record_id, ?, id, 'void', ?, {cols}, ?, ?"
                " FROM session WHERE id = ?",
                (version + 1, reason, actor_id, self.now(), prev_id),
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
                reason=reason,
            )
        return Saved(record_id, sid, version + 1)

    def _full(self, row: dict[str, Any]) -> StoredSession:
        sites = [
            site_from_row(r)
            for r in self._rows(
                "SELECT * FROM site WHERE session_id = ? ORDER BY seq", (row["id"],)
            )
        ]
        out = decorate_session(row, sites)
        out["adverse_events"] = self._rows(
            "SELECT tier, kind, description FROM adverse_event WHERE session_id = ? ORDER BY id",
            (row["id"],),
        )
        findings = self._rows(
            "SELECT "
            + ", ".join(IMS_COLUMNS)
            + " FROM ims_finding WHERE session_id = ? ORDER BY id",
            (row["id"],),
        )
        # The signs are yes/no: true/false as every other yes/no (stored as 1/0).
        out["ims_findings"] = [
            {k: bool(v) if k not in ("level", "side", "notes") else v for k, v in f.items()}
            for f in findings
        ]
        return cast(StoredSession, out)

    def session(self, record_id: int) -> StoredSession | None:
        """The current version of a session with its sites, adverse events, IMS findings
        and derived values; None if there is none (or it was voided)."""
        rows = self._rows("SELECT * FROM current_session WHERE record_id = ?", (record_id,))
        return self._full(rows[0]) if rows else None

    def session_history(self, record_id: int) -> list[StoredSession]:
        """Every version of a session, oldest first, including voids."""
        return [
            self._full(r)
            for r in self._rows(
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
        include_void: bool = False,
    ) -> list[ListedSession]:
        """Current sessions (newest first) with patient, practitioner, episode of care
        (complaint, region, start; None for a session filed under none) and site summary;
        ``include_void`` adds the voided ones (their void version: ``status`` 'void'), so
        that they can be reviewed."""
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
            " e.complaint, e.body_region, e.started_on AS episode_started_on,"
            " (SELECT count(*) FROM site WHERE session_id = s.id) AS site_count,"
            " (SELECT group_concat(target, ' ') FROM (SELECT target FROM site"
            " WHERE session_id = s.id ORDER BY seq)) AS targets"
            + (
                " FROM (SELECT * FROM session x WHERE NOT EXISTS"
                " (SELECT 1 FROM session n WHERE n.supersedes_id = x.id)) s"
                if include_void
                else " FROM current_session s"
            )
            + " JOIN patient p ON p.id = s.patient_id"
            " JOIN practitioner pr ON pr.id = s.practitioner_id"
            " LEFT JOIN episode e ON e.id = s.episode_id"
            f" WHERE {' AND '.join(where)} ORDER BY s.started_at DESC"
            + (" LIMIT ?" if limit else "")
        )
        return cast("list[ListedSession]", self._rows(sql, params + ([limit] if limit else [])))

    def full_sessions(self, patient_id: int | None = None) -> list[StoredSession]:
        """Current sessions with all their parts, oldest first (for export and JSON)."""
        rows = self._rows(
            "SELECT s.* FROM current_session s"
            + (" WHERE s.patient_id = ?" if patient_id else "")
            + " ORDER BY s.started_at",
            (patient_id,) if patient_id else (),
        )
        return [self._full(r) for r in rows]

    def sessions_on(self, day: date) -> list[ListedSession]:
        """The day's sessions, earliest first (the home screen's 'today')."""
        start = day.isoformat()
        end = date.fromordinal(day.toordinal() + 1).isoformat()
        return list(reversed(self.sessions(since=start, until=end)))

    def last_session(self, patient_id: int) -> StoredSession | None:
        """The patient's most recent current session in full, for 'repeat last session'."""
        rows = self._rows(
            "SELECT * FROM current_session WHERE patient_id = ? ORDER BY started_at DESC LIMIT 1",
            (patient_id,),
        )
        return self._full(rows[0]) if rows else None


def cut_off(
    conn: sqlite3.Connection, patient_id: int, episode_id: int | None, started: str, record_id: int
) -> list[tuple[int, str, int, str]]:
    """The current follow-ups a session of the course at ``started`` (other than session
    ``record_id``; 0 for a new one) comes between, each ``(follow-up, at, session, its
    time)``: an earlier session's follow-ups at or after ``started`` with no other session
    between, which then count no longer for their session (the figures leave out a
    follow-up from its session's next one on). The one rule for a session new or moved."""
    return [
        (int(fid), str(at), int(other), str(other_at))
        for fid, at, other, other_at in conn.execute(
            _SPANNING, (patient_id, episode_id, record_id, started, started)
        ).fetchall()
        if session_between(conn, patient_id, episode_id, other_at, at, other) is None
    ]


def cut_off_words(conn: sqlite3.Connection, s: SessionInput, record_id: int) -> str | None:
    """:func:`cut_off` for session ``s`` in one sentence naming each follow-up and its
    session by their times and the session's technique, as the app shows them (it never
    shows a record's id: review18); ``None`` when there is none."""
    started = stamp(s.started_at)
    rows = cut_off(conn, s.patient_id, s.episode_id, started, record_id)
    if not rows:
        return None
    of: dict[tuple[int, str], list[str]] = {}
    for _fid, at, other, other_at in rows:
        of.setdefault((other, other_at), []).append(at[:16])
    said = []
    for (other, other_at), follow_ups in of.items():
        (technique,) = conn.execute(_TECHNIQUE, (other,)).fetchone()
        listed = ", ".join(follow_ups[:-1]) + " and " if len(follow_ups) > 1 else ""
        one = len(follow_ups) == 1
        said.append(
            f"the session of {other_at[:16]} ({group_label(technique)}) and its"
            f" follow-up{'' if one else 's'} of {listed}{follow_ups[-1]},"
            f" which then count{'s' if one else ''} in no figure"
        )
    between = "; and ".join(said)
    return (
        f"{started[:16]} comes between {between} (a follow-up counts only until its"
        " session's next one)"
    )


_TECHNIQUE = "SELECT technique FROM current_session WHERE record_id = ?"


def new_uid() -> str:
    """A session record's uid: a random (version 4) UUID's 32 hex digits, as
    ``uuid.uuid4().hex`` gives them, without building the UUID object (7 us a save)."""
    b = bytearray(os.urandom(16))
    b[6] = b[6] & 0x0F | 0x40  # version 4
    b[8] = b[8] & 0x3F | 0x80  # the RFC 4122 variant
    return b.hex()


def _same_row(stored: tuple[Any, ...], wanted: tuple[Any, ...]) -> bool:
    """A stored row equal to the values about to be written (1 and True, 2.0 and 2 alike,
    as SQLite compares them)."""
    return len(stored) == len(wanted) and all(
        a == b and (a is None) == (b is None) for a, b in zip(stored, wanted, strict=True)
    )
