"""Follow-ups: pain and soreness some time after a session (saved protocols: :mod:`.protocols`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ...domain.text import clean_text
from ...errors import ValidationError
from ..base import StoreBase
from ..rows import FollowUpRow, ae_values, stamp

if TYPE_CHECKING:  # annotations only: the dataclasses load when first used
    from ...domain.models import FollowUpInput


class FollowUpStore(StoreBase):
    # -- follow-ups ---------------------------------------------------------------

    def add_follow_up(
        self,
        f: FollowUpInput,
        actor_id: int,
        supersedes: int | None = None,
        reason: str | None = None,
        status: str = "active",
        entered_by: str | None = None,
    ) -> int:
        """Record pain (and soreness) after a session; linked to that session's record.
        ``entered_by="patient"`` (the patient view) is said in the audit row."""
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
            "SELECT started_at, status, episode_id FROM session WHERE record_id = ?"
            " ORDER BY version DESC LIMIT 1",
            (f.session_record_id,),
        ).fetchone()
        if started and started[1] == "void" and status == "active":
            # (a follow-up of a session voided since may still be voided itself)
            raise ValidationError(
                "session_record_id",
                f"session {f.session_record_id} was voided: a follow-up cannot follow it",
            )
        if started and status == "active" and self._placed_anew(f, supersedes):
            self._check_after_its_session(stamp(f.at), started[0])
            self._check_no_session_between(f, started[0], started[2])
        with self.write() as conn:
            if (
                supersedes is not None
                and not conn.execute(
                    "SELECT 1 FROM current_follow_up WHERE id = ?", (supersedes,)
                ).fetchone()
            ):  # corrected or voided meanwhile (another workstation)
                raise ValidationError(
                    "follow_up",
                    f"follow-up {supersedes} was corrected or voided meanwhile:"
                    " open it again to see what it holds now",
                )
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
                    "INSERT INTO adverse_event (follow_up_id, tier, kind, description)"
                    " VALUES (?, ?, ?, ?)",
                    [(fid, *ae_values(e)) for e in f.adverse_events],
                )
            action = "create" if supersedes is None else ("void" if status == "void" else "amend")
            extra: dict[str, Any] = {"entered_by": entered_by} if entered_by else {}
            self._audit(
                conn,
                actor_id,
                action,
                "follow_up",
                fid,
                supersedes=supersedes,
                reason=reason,
                session_record_id=f.session_record_id,
                **extra,
            )
        return fid

    @staticmethod
    def _check_after_its_session(at: str, started: str) -> None:
        """A follow-up comes after the session it follows: relief over time is measured
        from it, and one at the session's own time would be read as its pain after.
        (A database written before this check may hold such follow-ups: the figures
        still cope.)"""
        if at < started:
            raise ValidationError("at", f"{at} is before the session it follows ({started})")
        if at == started:
            raise ValidationError(
                "at",
                f"{at} is the time of the session it follows: a follow-up comes later"
                " (the pain at the session's end is its pain after)",
            )

    def _placed_anew(self, f: FollowUpInput, supersedes: int | None) -> bool:
        """Whether ``f`` is new, or a correction that moves it (another time or session):
        a correction of its scores alone, or a void, keeps the place it had (a database
        written before a check may hold a follow-up the check would refuse now)."""
        if supersedes is None:
            return True
        was = self.conn.execute(
            "SELECT at, session_record_id FROM follow_up WHERE id = ?", (supersedes,)
        ).fetchone()
        return was is None or (was[0], was[1]) != (stamp(f.at), f.session_record_id)

    def _check_no_session_between(
        self, f: FollowUpInput, started: str, episode_id: int | None
    ) -> None:
        """A follow-up follows the latest session of its course before it: after the next
        one, what the patient feels follows that one too (its pain before is the earlier
        session's last reading)."""
        between = session_between(
            self.conn, f.patient_id, episode_id, started, stamp(f.at), f.session_record_id
        )
        if between is not None:
            rid, at = between
            raise ValidationError(
                "session_record_id",
                f"session {rid} ({at[:16]}) came between session {f.session_record_id}"
                f" ({started[:16]}) and this follow-up ({stamp(f.at)[:16]}): what the patient"
                f" feels now follows session {rid}; link it to that one",
            )

    def amend_follow_up(
        self, follow_up_id: int, f: FollowUpInput, actor_id: int, reason: str, *, void: bool = False
    ) -> int:
        """Correct (or void) a follow-up: a new row that supersedes it, keeping the original."""
        reason = clean_text(reason)  # as typed text is: no escape sequences
        if not reason:
            raise ValidationError("reason", "say why the follow-up is being corrected")
        current = self._rows("SELECT * FROM current_follow_up WHERE id = ?", (follow_up_id,))
        if not current:
            raise ValidationError(
                "follow_up",
                f"follow-up {follow_up_id} is not current"
                " (already corrected or voided, or never recorded)",
            )
        if current[0]["patient_id"] != f.patient_id:  # another session of theirs is fine
            raise ValidationError(
                "patient_id",
                "a follow-up cannot move to another patient:"
                " void it and record it for the right patient",
            )
        return self.add_follow_up(
            f,
            actor_id,
            supersedes=follow_up_id,
            reason=reason,
            status="void" if void else "active",
        )

    def follow_up_grocs(self, patient_id: int) -> list[tuple[str, int]]:
        """The time and GROC of each of a patient's current follow-ups that has one,
        oldest first (a chronic patient has a thousand follow-ups, few with a GROC:
        the progress screen read them all, every column, to find these)."""
        sql = (
            "SELECT at, groc FROM current_follow_up WHERE patient_id = ? AND groc IS NOT NULL"
            " ORDER BY at, id"
        )
        return [(str(at), int(groc)) for at, groc in self.conn.execute(sql, (patient_id,))]

    def follow_up_versions(self, follow_up_id: int) -> list[FollowUpRow]:
        """Every version of the follow-up that row ``follow_up_id`` is one of, oldest
        first: the rows it corrects and those correcting it, to the current one or its
        void (empty when there is no such row)."""
        chain = self._versions("SELECT * FROM follow_up WHERE {} = ?", follow_up_id)
        return cast("list[FollowUpRow]", chain)

    def follow_up_adverse_events(self, follow_up_id: int) -> list[dict[str, str]]:
        """The adverse events recorded with follow-up row ``follow_up_id`` (tier, kind,
        description), as the domain reads them: a correction carries them over."""
        sql = "SELECT tier, kind, description FROM adverse_event WHERE follow_up_id = ? ORDER BY id"
        return [
            {"tier": t, "kind": k, "description": d}
            for t, k, d in self.conn.execute(sql, (follow_up_id,))
        ]

    def listed_follow_ups(self, patient_id: int, limit: int = 200) -> list[FollowUpRow]:
        """A patient's follow-ups as the app lists them, newest first: each current one
        and each void (the last row of a voided follow-up), never a row corrected since."""
        rows = self._rows(
            "SELECT * FROM follow_up f WHERE patient_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM follow_up n WHERE n.supersedes_id = f.id)"
            " ORDER BY at DESC, id DESC LIMIT ?",
            (patient_id, limit),
        )
        return cast("list[FollowUpRow]", rows)

    def follow_ups(self, patient_id: int) -> list[FollowUpRow]:
        """A patient's current follow-ups, oldest first."""
        rows = self._rows(
            "SELECT * FROM current_follow_up WHERE patient_id = ? ORDER BY at", (patient_id,)
        )
        return cast("list[FollowUpRow]", rows)


def session_between(
    conn: Any, patient_id: int, episode_id: int | None, after: str, until: str, other_than: int
) -> tuple[int, str] | None:
    """The first current session of the patient's course (``episode_id``) after
    ``after`` and at or before ``until``, other than session ``other_than``: the one a
    follow-up at ``until`` of a session at ``after`` would follow instead (the figures
    then leave it out). ``None`` when there is none. The one rule for new follow-ups,
    follow-ups moved, and sessions moved (:mod:`.sessions`)."""
    row = conn.execute(
        "SELECT record_id, started_at FROM current_session WHERE patient_id = ?"
        " AND episode_id IS ? AND started_at > ? AND started_at <= ? AND record_id != ?"
        " ORDER BY started_at, record_id LIMIT 1",
        (patient_id, episode_id, after, until, other_than),
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


# Each current follow-up the figures leave out (analysis/readings.py; the cache's SQL in
# outcomes/points.py): one at or before its session's time, or one from the next session
# of its course on. The store refuses both now; older databases and imports hold some.
_LEFT_OUT_SQL = """
WITH c AS (
  SELECT record_id, started_at, unixepoch(started_at) AS t0, lead(started_at) OVER (
    PARTITION BY patient_id, episode_id ORDER BY started_at, record_id) AS next_at,
  lead(record_id) OVER (
    PARTITION BY patient_id, episode_id ORDER BY started_at, record_id) AS next_id
  FROM current_session)
SELECT f.id, f.at, c.record_id, c.started_at, c.next_id, c.next_at FROM current_follow_up f
JOIN c ON c.record_id = f.session_record_id
WHERE unixepoch(f.at) <= c.t0
   OR (unixepoch(c.next_at) > c.t0 AND unixepoch(f.at) >= unixepoch(c.next_at))
ORDER BY f.id
"""


def left_out_follow_ups(conn: Any, shown: int = 5) -> str | None:
    """A sentence naming the current follow-ups that count in no figure (up to
    ``shown`` of them), with what to do; ``None`` when there is none."""
    rows = conn.execute(_LEFT_OUT_SQL).fetchall()
    if not rows:
        return None
    said = []
    for fid, at, rid, started, next_id, next_at in rows[:shown]:
        when = f"follow-up {fid} ({_minutes(at)})"
        if _minutes(at) == _minutes(started):
            said.append(
                f"{when} is at the time of session {rid}, whose pain after is its reading then"
            )
        elif at < started:
            said.append(f"{when} is before session {rid} ({_minutes(started)}), which it follows")
        else:
            said.append(
                f"{when} came after session {next_id} ({_minutes(next_at)}),"
                f" the next of session {rid}'s course"
            )
    more = f" (and {len(rows) - shown} more)" if len(rows) > shown else ""
    many = f"{len(rows)} follow-ups are" if len(rows) != 1 else "1 follow-up is"
    return (
        f"{many} left out of the outcome figures: {'; '.join(said)}{more}. Correct each"
        " (link it to its session, or fix its time: follow-up-amend ID --session N --reason"
        " ..., or F3 on the follow-up form) or void it (follow-up-void ID --reason ...)."
    )


def _minutes(at: str) -> str:
    """A stored time to the minute, as people read it."""
    return str(at)[:16]
