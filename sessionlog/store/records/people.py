"""Practitioners, patients and episodes of care."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, cast

from ...errors import ValidationError
from ..base import StoreBase

if TYPE_CHECKING:  # annotations only: the dataclasses load when first used
    from ...domain.models import Episode, Patient, Practitioner


class PractitionerRow(TypedDict):
    """A stored practitioner (their secret and role are in credentials' Access)."""

    id: int
    name: str
    profession: str
    credential: str
    created_at: str


class PatientRow(TypedDict):
    """A stored patient, with their current contact note (None if none was given)."""

    id: int
    chart_id: str
    name: str
    birth_year: int | None
    sex: str
    created_at: str
    contact: str | None


class ListedPatient(PatientRow, total=False):
    """A patient as the lists show them: with their last visit (and, in the full list,
    their number of current sessions)."""

    last_visit: str | None
    sessions: int


class EpisodeRow(TypedDict):
    """A stored episode of care."""

    id: int
    patient_id: int
    complaint: str
    body_region: str
    started_on: str
    created_at: str


class PeopleStore(StoreBase):
    # -- people -------------------------------------------------------------------

    def add_practitioner(self, p: Practitioner, actor_id: int | None = None) -> int:
        """Add a practitioner; returns the new id."""
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO practitioner (name, profession, credential, created_at)"
                " VALUES (?, ?, ?, ?)",
                (p.name, p.profession, p.credential, self.now()),
            )
            pid = int(cur.lastrowid or 0)
            self._audit(conn, actor_id or pid, "create", "practitioner", pid, name=p.name)
        return pid

    def practitioners(self) -> list[PractitionerRow]:
        return self._practitioner_rows("ORDER BY name")

    def practitioner(self, practitioner_id: int) -> PractitionerRow | None:
        rows = self._practitioner_rows("WHERE id = ?", (practitioner_id,))
        return rows[0] if rows else None

    def _practitioner_rows(
        self, tail: str, params: tuple[object, ...] = ()
    ) -> list[PractitionerRow]:
        """Practitioner rows, their text read even when a byte of it is not UTF-8 (shown
        as U+FFFD; `check` names the row): who is at the keyboard must still be known,
        or nobody could sign in, or make a backup, over one damaged row."""
        sql = (
            "SELECT id, CAST(name AS BLOB), CAST(profession AS BLOB), CAST(credential AS BLOB),"
            f" CAST(created_at AS BLOB) FROM practitioner {tail}"
        )
        return [
            cast(
                PractitionerRow,
                {
                    "id": pid,
                    "name": text(name),
                    "profession": text(profession),
                    "credential": text(credential),
                    "created_at": text(created_at),
                },
            )  # fmt: skip
            for pid, name, profession, credential, created_at in self.conn.execute(sql, params)
        ]

    def add_patient(self, p: Patient, actor_id: int | None = None) -> int:
        """Add a patient; a chart id already in use is refused."""
        with self.write() as conn:
            if conn.execute("SELECT 1 FROM patient WHERE chart_id = ?", (p.chart_id,)).fetchone():
                raise ValidationError(
                    "chart_id", f"{p.chart_id!r} is already in use by another patient"
                )
            cur = conn.execute(
                "INSERT INTO patient (chart_id, name, birth_year, sex, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (p.chart_id, p.name, p.birth_year, p.sex, self.now()),
            )
            pid = int(cur.lastrowid or 0)
            self._audit(conn, actor_id, "create", "patient", pid, chart_id=p.chart_id)
        return pid

    def suggested_chart_id(self) -> str:
        """The next free chart id after the newest patient's, in its numbering (``P0043``
        after ``P0042``), or ``""`` when it has none to follow."""
        from ...domain.text import next_chart_id

        row = self.conn.execute("SELECT chart_id FROM patient ORDER BY id DESC LIMIT 1").fetchone()
        candidate = next_chart_id(row[0]) if row else ""
        for _ in range(100):  # ids taken out of order (an import): skip to a free one
            taken = self.conn.execute(
                "SELECT 1 FROM patient WHERE chart_id = ?", (candidate,)
            ).fetchone()
            if not candidate or not taken:
                return candidate
            candidate = next_chart_id(candidate)
        return ""

    def patient(self, patient_id: int) -> PatientRow | None:
        rows = self._rows("SELECT * FROM patient WHERE id = ?", (patient_id,))
        return self._with_contact(rows[0]) if rows else None

    def patient_by_chart(self, chart_id: str) -> PatientRow | None:
        rows = self._rows("SELECT * FROM patient WHERE chart_id = ?", (chart_id,))
        return self._with_contact(rows[0]) if rows else None

    def _with_contact(self, row: dict[str, Any]) -> PatientRow:
        """The patient with their current contact note (schema 0012: the latest
        patient_contact row, else the one given when they were created)."""
        found = self.conn.execute(
            "SELECT contact FROM current_contact WHERE patient_id = ?", (row["id"],)
        ).fetchone()
        row["contact"] = found[0] if found else row.get("contact")
        return cast(PatientRow, row)

    def patients(self) -> list[ListedPatient]:
        """Every patient with their session count and last visit."""
        return self._listed(
            "SELECT p.*, count(s.id) AS sessions, max(s.started_at) AS last_visit"
            " FROM patient p LEFT JOIN current_session s ON s.patient_id = p.id"
            " GROUP BY p.id ORDER BY p.name COLLATE NOCASE"
        )

    def search_patients(self, text: str, limit: int = 20) -> list[ListedPatient]:
        """Patients whose chart id starts with, or whose name contains, ``text``."""
        like = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return self._listed(
            "SELECT p.*, (SELECT max(started_at) FROM current_session s WHERE s.patient_id = p.id)"
            " AS last_visit FROM patient p"
            " WHERE p.chart_id LIKE ? ESCAPE '\\' OR p.name LIKE ? ESCAPE '\\'"
            " ORDER BY (p.chart_id LIKE ? ESCAPE '\\') DESC, p.name COLLATE NOCASE LIMIT ?",
            (like + "%", "%" + like + "%", like + "%", limit),
        )

    def recent_patients(self, limit: int = 10) -> list[ListedPatient]:
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
        rows = self._rows(f"SELECT * FROM patient WHERE id IN ({', '.join('?' * len(ids))})", ids)
        by_id = {r["id"]: r for r in rows}
        return self._listed_rows([{**by_id[i], "last_visit": last[i]} for i in ids if i in by_id])

    def _listed(self, sql: str, params: tuple[Any, ...] = ()) -> list[ListedPatient]:
        return self._listed_rows(self._rows(sql, params))

    @staticmethod
    def _listed_rows(rows: list[dict[str, Any]]) -> list[ListedPatient]:
        """Rows of ``patient`` (with the list's columns) as the lists give them; the
        contact note is the one kept on the row (the lists do not show it)."""
        for row in rows:
            row.setdefault("contact", None)
        return cast("list[ListedPatient]", rows)

    def add_episode(self, e: Episode, actor_id: int | None = None) -> int:
        self._require_patient(e.patient_id)
        with self.write() as conn:
            return self._insert_episode(conn, e, actor_id)

    def _insert_episode(self, conn: Any, e: Episode, actor_id: int | None) -> int:
        """Refused when the patient has an episode of this complaint (told apart as
        :func:`~sessionlog.domain.episodes.complaint_key` does) and region begun the same
        day: no name, nor any list, could tell the two apart, and the second is a slip
        (a new one started for the one under way)."""
        from ...domain.episodes import complaint_key, describe_episode

        key = complaint_key(e.complaint)
        for (complaint,) in conn.execute(
            "SELECT complaint FROM episode WHERE patient_id = ? AND body_region = ?"
            " AND started_on = ?",
            (e.patient_id, e.body_region, e.started_on),
        ):
            if complaint_key(complaint) == key:
                name = describe_episode(complaint, e.body_region, e.started_on)
                raise ValidationError(
                    "complaint",
                    f"this patient has '{name}' already: file the session under it (F5 on"
                    " the form, --episode on the command line) rather than start another"
                    " the same day",
                )
        cur = conn.execute(
            "INSERT INTO episode (patient_id, complaint, body_region, started_on, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (e.patient_id, e.complaint, e.body_region, e.started_on, self.now()),
        )
        eid = int(cur.lastrowid or 0)
        self._audit(conn, actor_id, "create", "episode", eid, patient_id=e.patient_id)
        return eid

    def current_episode(self, patient_id: int, on: str | None = None) -> EpisodeRow | None:
        """The patient's current episode of care: the one started last (None if none);
        ``on`` a day (``YYYY-MM-DD``): the one started last by then, if one was (a session
        entered late continues the episode under way on its day, not one begun since)."""
        rows = self._rows(
            "SELECT * FROM episode WHERE patient_id = ?"
            " ORDER BY started_on <= coalesce(?, started_on) DESC, started_on DESC, id DESC"
            " LIMIT 1",
            (patient_id, on),
        )
        return EpisodeRow(**rows[0]) if rows else None  # type: ignore[typeddict-item]

    def episode(self, episode_id: int) -> EpisodeRow | None:
        rows = self._rows("SELECT * FROM episode WHERE id = ?", (episode_id,))
        return EpisodeRow(**rows[0]) if rows else None  # type: ignore[typeddict-item]

    def every_episode(self) -> list[EpisodeRow]:
        """Every patient's episodes, by patient then start (lists naming each session's)."""
        return cast(
            "list[EpisodeRow]",
            self._rows("SELECT * FROM episode ORDER BY patient_id, started_on, id"),
        )

    def episodes(self, patient_id: int) -> list[EpisodeRow]:
        return cast(
            "list[EpisodeRow]",
            self._rows(
                "SELECT * FROM episode WHERE patient_id = ? ORDER BY started_on", (patient_id,)
            ),
        )


def text(value: bytes | str | None) -> str:
    """Stored text as read with CAST(... AS BLOB): bytes that are not UTF-8 as U+FFFD."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)
