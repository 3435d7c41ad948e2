"""Counts behind every outcome figure, per technique (or family).

Pain on the 0-10 scale is an integer, so relief in a window is fully described by how
many sessions went from each ``before`` to each ``then``: 11 × 11 cells. Means,
medians, percents and responder proportions follow exactly from the cells; patients
are counted separately (distinct patients cannot be summed). The store fills these
from SQL for a whole clinic; :func:`counts_from_sessions` fills them in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .model import FollowUp, SessionOutcome
from .readings import (
    ADVERSE_SLOT,
    GAP_SLOT,
    RESOLUTION_SLOT,
    SESSION_SLOT,
    SORENESS_SLOT,
    readings_by_record,
    session_points,
)
from .windows import DEFAULT_WINDOWS, Window

Cell = tuple[int, int]  # (pain before, pain then)


@dataclass
class GroupCounts:
    """Everything counted for one technique or family. Window keys are indexes."""

    key: str
    sessions: int = 0
    patients: int = 0
    pain: dict[int, dict[Cell, int]] = field(default_factory=dict)
    pain_patients: dict[int, int] = field(default_factory=dict)
    soreness: dict[int, dict[int, int]] = field(default_factory=dict)
    soreness_patients: dict[int, int] = field(default_factory=dict)
    resolution: dict[int, int] = field(default_factory=dict)  # day -> n; -1 not resolved
    resolution_patients: int = 0  # patients behind ``resolution``
    between: int = 0  # sessions with a pain reading between windows (not analysed)

    def add(self, slot: int, before: int, value: int, n: int) -> None:
        """Add ``n`` points of ``slot`` (as numbered in :mod:`.readings`)."""
        if slot >= ADVERSE_SLOT:
            return  # counted by the store's adverse-event queries, not here
        if slot == SESSION_SLOT:
            self.sessions += n
        elif slot == GAP_SLOT:
            self.between += n
        elif slot == RESOLUTION_SLOT:
            self.resolution[value] = self.resolution.get(value, 0) + n
        elif slot >= SORENESS_SLOT:
            cells = self.soreness.setdefault(slot - SORENESS_SLOT, {})
            cells[value] = cells.get(value, 0) + n
        else:
            cells2 = self.pain.setdefault(slot, {})
            cells2[(before, value)] = cells2.get((before, value), 0) + n

    def set_patients(self, slot: int, n: int) -> None:
        """Record how many distinct patients stand behind ``slot``."""
        if slot == SESSION_SLOT:
            self.patients = n
        elif slot == RESOLUTION_SLOT:
            self.resolution_patients = n
        elif SORENESS_SLOT <= slot < RESOLUTION_SLOT:
            self.soreness_patients[slot - SORENESS_SLOT] = n
        elif slot < GAP_SLOT:
            self.pain_patients[slot] = n


def counts_from_sessions(
    sessions: Iterable[SessionOutcome],
    follow_ups: Iterable[FollowUp],
    windows: tuple[Window, ...] = DEFAULT_WINDOWS,
    *,
    group: Callable[[SessionOutcome], str] = lambda s: s.family,
    keep: Callable[[SessionOutcome], bool] = lambda s: True,
) -> dict[str, GroupCounts]:
    """Count every session's points, grouped by ``group`` (family by default).

    All of a patient's sessions are needed to find each one's next session, so pass
    them all and choose which to count with ``keep``.
    """
    sessions = list(sessions)
    readings = readings_by_record(sessions, follow_ups)
    out: dict[str, GroupCounts] = {}
    patients: dict[tuple[str, int], set[int]] = defaultdict(set)
    for s in sessions:
        if not keep(s):
            continue
        key = group(s)
        counts = out.setdefault(key, GroupCounts(key))
        for slot, value in session_points(s, readings[s.record_id], windows):
            counts.add(slot, s.pain_before, value, 1)
            patients[(key, slot)].add(s.patient_id)
    for (key, slot), ids in patients.items():
        out[key].set_patients(slot, len(ids))
    return out
