"""One patient's sessions with the figures the outcome cache already holds for them.

The progress screen works out each session's pain per window from its readings
(:func:`sessionlog.analysis.patient_progress`); for a chronic patient with 400 sessions
and a thousand follow-ups that, and summing each session's needles from its sites, was
half the time the screen took to open (issue 17). ``outcome_session`` has both for
every current session (its ``s<window>`` columns, ``s30``, ``insertions``): read in
the same query as the sessions, they need no work. They are used only when they are
the patient's current figures: the cache's signature is this code's, the patient
has no session or follow-up row above the marks of its last refresh (a new, amended or
voided record of theirs since) and nothing but sessionlog wrote the cache since
(:mod:`.edits`: a hand edit). Otherwise the answer is None and the caller computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.model import FollowUp, SessionOutcome
from ...analysis.progress import SessionPoints, make_points
from ...analysis.readings import RESOLUTION_SLOT
from ...analysis.windows import Window
from . import edits
from .cache import CACHED_WINDOWS, signature
from .queries import _session as session_outcome
from .queries import patient_follow_ups

if TYPE_CHECKING:
    from ..store import Store

_PAINS = ", ".join(f"o.s{i}" for i in range(len(CACHED_WINDOWS)))
_SESSIONS_SQL = f"""
SELECT s.record_id, s.patient_id, s.practitioner_id, s.started_at, s.technique,
       s.pain_before, s.pain_after, s.soreness_after, o.insertions, o.twitches,
       s.episode_id, o.record_id, o.s{RESOLUTION_SLOT}, {_PAINS}
FROM current_session s LEFT JOIN outcome_session o ON o.record_id = s.record_id
WHERE s.patient_id = ? ORDER BY s.started_at, s.record_id
"""
# The cache holds this patient's current figures: its rows were computed by this code
# and the patient has no session or follow-up row since (ids above the marks).
_CURRENT_SQL = """
SELECT (SELECT value FROM outcome_meta WHERE key = 'signature') = ?
   AND NOT EXISTS (SELECT 1 FROM session WHERE id > coalesce((
           SELECT CAST(value AS INTEGER) FROM outcome_meta WHERE key = 'session_mark'), 0)
       AND patient_id = ?)
   AND NOT EXISTS (SELECT 1 FROM follow_up WHERE id > coalesce((
           SELECT CAST(value AS INTEGER) FROM outcome_meta WHERE key = 'follow_up_mark'), 0)
       AND patient_id = ?)
"""


@dataclass(frozen=True)
class CachedOutcomes:
    """A patient's current sessions (oldest first) and follow-ups, with each session's
    cached pain per window of :data:`windows`, by record id."""

    sessions: list[SessionOutcome]
    follow_ups: list[FollowUp]
    points: dict[int, SessionPoints]
    windows: tuple[Window, ...] = CACHED_WINDOWS


def cached_patient_outcomes(store: Store, patient_id: int) -> CachedOutcomes | None:
    """The patient's rows and cached figures; None when the cache does not hold their
    current figures (see the module's docstring)."""
    conn = store.conn
    current = conn.execute(_CURRENT_SQL, (signature(), patient_id, patient_id)).fetchone()
    if not current or not current[0] or edits.edited(conn):
        return None
    sessions, points = [], {}
    for row in conn.execute(_SESSIONS_SQL, (patient_id,)):
        if row[11] is None:  # no cached row for this session
            return None
        sessions.append(session_outcome(row))  # its first columns are the sessions query's
        points[row[0]] = make_points(row[13:], row[12])
    return CachedOutcomes(sessions, patient_follow_ups(store, patient_id), points)
