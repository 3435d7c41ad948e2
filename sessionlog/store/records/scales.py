"""Outcome scale readings (NDI, ODI, PSFS...), patients' contact notes, and what the
due list reads: typed rows, append-only writes with their audit rows."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from ...domain.text import clean_text
from ...errors import DatabaseError, ValidationError
from ..base import StoreBase
from ..rows import stamp

if TYPE_CHECKING:
    from ...analysis.due import Course, Visit
    from ...analysis.scale_compare import ScaleFact
    from ...domain.scales import ScaleReadingInput
    from .lazy_rows import ContactRow, ScaleReadingRow

MAX_CONTACT = 200


_COLUMNS = (
    "id, patient_id, session_record_id, follow_up_id, scale, at, items, labels, score,"
    " entered_by, recorded_by, recorded_at, supersedes_id"
)


# The current readings, each one recorded with a follow-up read through to that
# follow-up's current version (rows are append-only: a correction of the follow-up is a
# new row, and the readings keep the id of the row they were recorded with): its id, its
# session, and for a reading taken with it (at its time) its corrected time. A reading
# counts only while what it was recorded with does: one whose follow-up was voided (its
# chain ends in a void row), or whose session (its follow-up's, once read through) was
# voided, is left out, as the follow-up and the session are; its rows stay as they were
# (review17: a PSFS of a voided follow-up still "improved" in the report).
# ``{of}``: a condition on the readings (one patient's: ``AND r.patient_id = ?``, given
# twice), so that only their follow-ups are followed.
_CURRENT_READINGS = """(
  WITH RECURSIVE chain (start, id) AS (
    SELECT DISTINCT r.follow_up_id, r.follow_up_id FROM current_scale_reading r
    WHERE r.follow_up_id IS NOT NULL {of}
    UNION ALL SELECT c.start, f.id FROM follow_up f JOIN chain c ON f.supersedes_id = c.id
  ), last_is AS (
    SELECT c.start, f.id, f.status, f.session_record_id, f.at
    FROM chain c JOIN follow_up f ON f.id = c.id
    WHERE NOT EXISTS (SELECT 1 FROM follow_up n WHERE n.supersedes_id = f.id)
  )
  SELECT r.id, r.patient_id, coalesce(n.session_record_id, r.session_record_id)
      AS session_record_id, coalesce(n.id, r.follow_up_id) AS follow_up_id, r.scale,
    CASE WHEN n.id IS NOT NULL AND r.at = o.at THEN n.at ELSE r.at END AS at,
    r.items, r.labels, r.score, r.entered_by, r.recorded_by, r.recorded_at, r.supersedes_id,
    r.status, r.amend_reason
  FROM current_scale_reading r LEFT JOIN follow_up o ON o.id = r.follow_up_id
  LEFT JOIN last_is n ON n.start = r.follow_up_id
  WHERE (n.status IS NULL OR n.status = 'active')
    AND EXISTS (SELECT 1 FROM current_session s
                WHERE s.record_id = coalesce(n.session_record_id, r.session_record_id)) {of}
)"""
CURRENT_READINGS = _CURRENT_READINGS.format(of="")
PATIENT_READINGS = _CURRENT_READINGS.format(of="AND r.patient_id = ?")
ONE_READING = _CURRENT_READINGS.format(of="AND r.id = ?")


def _row(r: tuple[object, ...]) -> ScaleReadingRow:
    from .lazy_rows import ScaleReadingRow

    items = None if r[6] is None else tuple(json.loads(str(r[6])))
    return ScaleReadingRow(
        id=int(r[0]),  # type: ignore[call-overload]
        patient_id=int(r[1]),  # type: ignore[call-overload]
        session_record_id=int(r[2]),  # type: ignore[call-overload]
        follow_up_id=None if r[3] is None else int(r[3]),  # type: ignore[call-overload]
        scale=str(r[4]),
        at=str(r[5]),
        items=items,
        labels=tuple(json.loads(str(r[7]))),
        score=float(r[8]),  # type: ignore[arg-type]
        entered_by=str(r[9]),
        recorded_by=int(r[10]),  # type: ignore[call-overload]
        recorded_at=str(r[11]),
        supersedes_id=None if r[12] is None else int(r[12]),  # type: ignore[call-overload]
    )


class ScaleStore(StoreBase):
    # -- scale readings -------------------------------------------------------------

    def add_scale_reading(
        self,
        r: ScaleReadingInput,
        actor_id: int,
        supersedes: int | None = None,
        reason: str | None = None,
        status: str = "active",
    ) -> int:
        """Store a scored reading, linked to the session it was taken at or follows."""
        self._require_patient(r.patient_id)
        self._require_practitioner(actor_id, "recorded_by")
        rec = self.conn.execute(
            "SELECT patient_id FROM session_record WHERE id = ?", (r.session_record_id,)
        ).fetchone()
        if rec is None:
            raise ValidationError("session", f"there is no session {r.session_record_id}")
        if rec[0] != r.patient_id:
            raise ValidationError("session", "that session belongs to another patient")
        if r.follow_up_id is not None:
            fu = self.conn.execute(
                "SELECT patient_id FROM follow_up WHERE id = ?", (r.follow_up_id,)
            ).fetchone()
            if fu is None or fu[0] != r.patient_id:
                raise ValidationError(
                    "follow_up", f"there is no follow-up {r.follow_up_id} of this patient"
                )
        items = None if r.items is None else json.dumps(list(r.items))
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO scale_reading (patient_id, session_record_id, follow_up_id,"
                " supersedes_id, status, amend_reason, scale, at, items, labels, score,"
                " entered_by, recorded_by, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    r.patient_id, r.session_record_id, r.follow_up_id, supersedes, status,
                    reason, r.scale, stamp(r.at), items, json.dumps(list(r.labels)),
                    r.score, r.entered_by, actor_id, self.now(),
                ),
            )  # fmt: skip
            rid = int(cur.lastrowid or 0)
            action = "create" if supersedes is None else ("void" if status == "void" else "amend")
            self._audit(
                conn, actor_id, action, "scale_reading", rid, scale=r.scale,
                patient_id=r.patient_id, entered_by=r.entered_by, supersedes=supersedes,
                reason=reason,
            )  # fmt: skip
        return rid

    def amend_scale_reading(
        self,
        reading_id: int,
        r: ScaleReadingInput,
        actor_id: int,
        reason: str,
        *,
        void: bool = False,
    ) -> int:
        """Correct (or void) a reading: a new row superseding it; the original stays."""
        reason = clean_text(reason)  # as typed text is: no escape sequences
        if not reason:
            raise ValidationError("reason", "say why the reading is being corrected")
        current = self.conn.execute(
            "SELECT patient_id FROM current_scale_reading WHERE id = ?", (reading_id,)
        ).fetchone()
        if current is None:
            raise ValidationError(
                "reading", f"scale reading {reading_id} is not current (corrected, voided or"
                " never recorded)"
            )  # fmt: skip
        if current[0] != r.patient_id:
            raise ValidationError("reading", "that reading belongs to another patient")
        return self.add_scale_reading(
            r, actor_id, supersedes=reading_id, reason=reason,
            status="void" if void else "active",
        )  # fmt: skip

    def scale_readings(self, patient_id: int, scale: str | None = None) -> list[ScaleReadingRow]:
        """A patient's current readings (of one scale, or all), oldest first."""
        sql = f"SELECT {_COLUMNS} FROM {PATIENT_READINGS} WHERE true"
        params: list[object] = [patient_id, patient_id]
        if scale is not None:
            sql += " AND scale = ?"
            params.append(scale)
        return [_row(r) for r in self.conn.execute(sql + " ORDER BY at, id", params)]

    def counting_scale_reading(self, reading_id: int) -> ScaleReadingRow | None:
        """Reading ``reading_id`` as it counts now (read through its follow-up), or None
        when it does not count: corrected, voided, never recorded, or recorded with a
        follow-up or session voided since."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM {ONE_READING} WHERE true", (reading_id, reading_id)
        ).fetchone()
        return None if row is None else _row(row)

    def scale_reading_versions(self, reading_id: int) -> list[dict[str, object]]:
        """Every version of the reading that row ``reading_id`` is one of, oldest first
        (the rows it corrects and those correcting it, to the current one or its void),
        each as stored: id, supersedes_id, status, amend_reason, follow_up_id,
        session_record_id. Empty when there is no such row."""
        sql = (
            "SELECT id, supersedes_id, status, amend_reason, follow_up_id, session_record_id"
            " FROM scale_reading WHERE {} = ?"
        )
        return self._versions(sql, reading_id)

    def voided_scale_readings(self, patient_id: int) -> list[ScaleReadingRow]:
        """A patient's void rows, oldest first: each holds the reading it voids as it
        was (``supersedes_id``: that reading), and counts nowhere."""
        return [
            _row(r)
            for r in self.conn.execute(
                f"SELECT {_COLUMNS} FROM scale_reading WHERE patient_id = ? AND status = 'void'"
                " ORDER BY at, id",
                (patient_id,),
            )
        ]

    def scale_reading(self, reading_id: int) -> ScaleReadingRow | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM scale_reading WHERE id = ?", (reading_id,)
        ).fetchone()
        return None if row is None else _row(row)

    def scale_facts(self) -> list[ScaleFact]:
        """Every current reading with the technique of its session (for comparison);
        GROC recorded at follow-ups joins them."""
        from datetime import datetime

        from ...analysis.scale_compare import ScaleFact

        first = {
            p: datetime.fromisoformat(at)
            for p, at in self.conn.execute(
                "SELECT patient_id, min(started_at) FROM current_session GROUP BY patient_id"
            )
        }
        # Each reading's session technique is looked up here: joined to current_session
        # in SQL, SQLite built an automatic index on session for each reading (20 s for
        # 3,796 readings of 2,531 sessions; review20).
        technique = dict(
            self.conn.execute("SELECT record_id, technique FROM current_session").fetchall()
        )
        try:
            rows = self.conn.execute(
                "SELECT r.patient_id, r.scale, r.at, r.score, r.session_record_id, r.labels,"
                f" r.items FROM {CURRENT_READINGS} r"
                " UNION ALL SELECT f.patient_id, 'GROC', f.at, f.groc, f.session_record_id,"
                " '[]', NULL FROM current_follow_up f WHERE f.groc IS NOT NULL"
            ).fetchall()
        except sqlite3.Error as exc:  # locked, or a hand-edited file (review21 #5)
            raise DatabaseError(
                f"the scale readings could not be read ({exc}): try again; if it lasts,"
                " run `sessionlog check`"
            ) from None
        # A patient's activities, and many answers, repeat from reading to reading:
        # each text is parsed once (the parsed tuples are immutable, so shared).
        parsed: dict[str, tuple[Any, ...]] = {}

        def values(text: str) -> tuple[Any, ...]:
            got = parsed.get(text)
            if got is None:
                got = parsed[text] = tuple(json.loads(text))
            return got

        return [
            ScaleFact(
                int(p), str(code), datetime.fromisoformat(at), float(score),
                str(technique[rid]), first[p], values(labels),
                None if items is None else values(items),
            )
            for p, code, at, score, rid, labels, items in rows
            if rid in technique  # (a voided session's readings count in no comparison)
        ]  # fmt: skip

    # -- contact note and the due list ------------------------------------------------

    def set_contact(self, patient_id: int, contact: str | None, actor_id: int | None) -> int:
        """Record (or clear, with None or "") how to reach a patient for follow-ups: a
        new patient_contact row (schema 0012); the earlier notes stay. Returns its id."""
        self._require_patient(patient_id)
        text = (contact or "").strip() or None
        if text is not None and (len(text) > MAX_CONTACT or any(ord(c) < 32 for c in text)):
            raise ValidationError(
                "contact", f"one line of at most {MAX_CONTACT} printable characters"
            )
        if actor_id is not None:
            self._require_practitioner(actor_id, "practitioner")
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO patient_contact (patient_id, contact, at, actor_id)"
                " VALUES (?, ?, ?, ?)",
                (patient_id, text, self.now(), actor_id),
            )
            cid = int(cur.lastrowid or 0)
            self._audit(
                conn, actor_id, "create", "patient_contact", cid, patient_id=patient_id,
                cleared=text is None,
            )  # fmt: skip
        return cid

    def contact_history(self, patient_id: int) -> list[ContactRow]:
        """Every change of a patient's contact note, oldest first (the last is current)."""
        from .lazy_rows import ContactRow

        return [
            ContactRow(int(i), int(p), c, str(at), None if a is None else int(a))
            for i, p, c, at, a in self.conn.execute(
                "SELECT id, patient_id, contact, at, actor_id FROM patient_contact"
                " WHERE patient_id = ? ORDER BY at, id",
                (patient_id,),
            )
        ]

    def last_visits(self) -> list[Visit]:
        """Every patient's latest current session, with the times of the follow-ups and
        scale readings recorded since it (what says which reading is due next)."""
        from ...analysis.due import Visit

        latest = self.conn.execute(
            "SELECT p.id, p.chart_id, p.name, c.contact, s.record_id, max(s.started_at)"
            " FROM current_session s JOIN patient p ON p.id = s.patient_id"
            " JOIN current_contact c ON c.patient_id = p.id GROUP BY p.id"
        ).fetchall()
        after: dict[int, list[str]] = {}
        for pid, at in self.conn.execute(
            "SELECT patient_id, at FROM current_follow_up UNION ALL"
            f" SELECT patient_id, at FROM {CURRENT_READINGS}"
        ):
            after.setdefault(int(pid), []).append(str(at))
        out = []
        for pid, chart, name, contact, record, started in latest:
            times = tuple(sorted(t for t in after.get(pid, ()) if t > started))
            out.append(Visit(pid, str(chart), str(name), contact, record, str(started), times))
        return out

    def reading_courses(self) -> list[Course]:
        """Every patient's current sessions and the times of their follow-ups and scale
        readings, oldest first (what says how many due readings were recorded)."""
        from ...analysis.due import Course

        sessions: dict[int, list[str]] = {}
        for pid, at in self.conn.execute(
            "SELECT patient_id, started_at FROM current_session ORDER BY patient_id, started_at"
        ):
            sessions.setdefault(int(pid), []).append(str(at))
        readings: dict[int, list[str]] = {}
        for pid, at in self.conn.execute(
            "SELECT patient_id, at FROM current_follow_up UNION ALL"
            f" SELECT patient_id, at FROM {CURRENT_READINGS} ORDER BY 1, 2"
        ):
            readings.setdefault(int(pid), []).append(str(at))
        return [
            Course(pid, tuple(starts), tuple(readings.get(pid, ())))
            for pid, starts in sessions.items()
        ]

    # -- the clinic's settings (schema 0015) -----------------------------------------

    def setting(self, key: str) -> str | None:
        """The clinic's current value for ``key`` (its latest row), or None if never set."""
        row = self.conn.execute(
            "SELECT value FROM clinic_setting WHERE key = ? ORDER BY at DESC, id DESC LIMIT 1",
            (key,),
        ).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str, actor_id: int) -> int:
        """Record a new value for one of the clinic's settings (the earlier ones stay),
        with its audit row. Returns the row's id."""
        self._require_practitioner(actor_id, "practitioner")
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO clinic_setting (key, value, at, actor_id) VALUES (?, ?, ?, ?)",
                (key, value, self.now(), actor_id),
            )
            sid = int(cur.lastrowid or 0)
            self._audit(conn, actor_id, "set", "setting", sid, key=key, value=value)
        return sid
