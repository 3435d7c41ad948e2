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
from datetime import date

from .lasting import loss_pairs
from .model import FollowUp, SessionOutcome
from .readings import (
    ADVERSE_SLOT,
    GAP_SLOT,
    LOSS_SLOT,
    RESOLUTION_SLOT,
    SESSION_SLOT,
    SORENESS_SLOT,
    readings_by_record,
    session_points,
)
from .stats import ClusterSums, point_totals
from .windows import DEFAULT_WINDOWS, Window, old_enough

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
    loss: dict[int, int] = field(default_factory=dict)  # LOSS_SLOT value -> sessions
    loss_patients: int = 0
    # The sums over patients of the products of a patient's counts of two loss values
    # (lasting.loss_pairs): the curve's interval with the patient as the unit.
    loss_pairs: dict[tuple[int, int], int] = field(default_factory=dict)
    # Per slot, sums over patients of each patient's totals and their products: what
    # the intervals that treat the patient as the unit need (see stats.ClusterSums).
    clusters: dict[int, ClusterSums] = field(default_factory=dict)
    # Per window index: sessions old enough to have a reading there by the clinic's
    # latest record (windows.old_enough), whether they had one or not.
    eligible: dict[int, int] = field(default_factory=dict)

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
        elif slot == LOSS_SLOT:
            self.loss[value] = self.loss.get(value, 0) + n
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
        elif slot == LOSS_SLOT:
            self.loss_patients = n
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
    latest: date | None = None,
) -> dict[str, GroupCounts]:
    """Count every session's points, grouped by ``group`` (family by default).

    All of a patient's sessions are needed to find each one's next session, so pass
    them all and choose which to count with ``keep``. ``latest``: the day of the
    clinic's latest record (sessions old enough for each window are counted from it);
    by default the latest of the records given.
    """
    sessions = list(sessions)
    follow_ups = list(follow_ups)
    if latest is None:
        times = [s.started_at for s in sessions] + [f.at for f in follow_ups]
        latest = max(times).date() if times else None
    readings = readings_by_record(sessions, follow_ups)
    immediate = next((i for i, w in enumerate(windows) if w.immediate), None)
    out: dict[str, GroupCounts] = {}
    patients: dict[tuple[str, int], dict[int, dict[str, float]]] = defaultdict(dict)
    losses: dict[str, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for s in sessions:
        if not keep(s):
            continue
        key = group(s)
        counts = out.setdefault(key, GroupCounts(key))
        if latest is not None:
            days = (latest - s.started_at.date()).days
            for i, w in enumerate(windows):
                if old_enough(days, w):
                    counts.eligible[i] = counts.eligible.get(i, 0) + 1
        points = session_points(s, readings[s.record_id], windows)
        right_after = next((v for slot, v in points if slot == immediate), None)
        for slot, value in points:
            before = 0 if slot == LOSS_SLOT else s.pain_before  # see readings.LOSS_SLOT
            counts.add(slot, before, value, 1)
            if slot == LOSS_SLOT:
                mine = losses[key][s.patient_id]
                mine[value] = mine.get(value, 0) + 1
            totals = patients[(key, slot)].setdefault(s.patient_id, {})
            later = slot < len(windows) and slot != immediate  # a later pain window
            for q, x in point_totals(before, value, right_after if later else None).items():
                totals[q] = totals.get(q, 0) + x
    for key, by_patient_loss in losses.items():
        out[key].loss_pairs = loss_pairs(by_patient_loss.values())
    for (key, slot), by_patient in patients.items():
        out[key].set_patients(slot, len(by_patient))
        if slot < ADVERSE_SLOT:
            sums = out[key].clusters.setdefault(slot, ClusterSums())
            for totals in by_patient.values():
                sums.add_patient(totals)
    return out
