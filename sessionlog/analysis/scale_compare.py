"""Change on each outcome scale by technique and time window, one value per patient.

A patient's baseline on a scale is their first reading of it; their group is the
technique family of the session that reading belongs to. Each later reading falls in
a window by the time since the patient's first session (the course of care, not one
session), and each patient gives one value per window: their latest reading there. So the patient
is the unit, and the intervals are the pain comparison's (``cluster_mean`` and
``cluster_proportion`` of :mod:`.stats`, each patient one cluster): the mean change a t
interval on (patients - 1) degrees of freedom, the share reaching the scale's MCID
Wilson's interval on the effective number of patients with t(patients - 1), with no
unit-of-analysis error (DOMAIN.md, "Counting honestly"; coverage checked by simulation
in tests/scales/test_scale_intervals.py). Scales without an MCID
(PGIC, GROC) give the mean answer and the share of responders instead of a change.
Descriptive, never causal: who received which technique was not randomised.

A scale whose items the patient names (PSFS) counts a later reading's change only on the
activities it shares with the baseline (their mean at both); a later reading sharing
none is on other activities, not a change, and is left out (:mod:`.activities`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from ..domain.scales import Scale, catalogue
from .activities import mean_on, scored, shared
from .model import family_of
from .relief import MIN_PATIENTS, not_enough
from .stats import (
    ClusterSums,
    Mean,
    Proportion,
    bounded,
    cluster_mean,
    cluster_proportion,
    mean_of_counts,
)
from .windows import DEFAULT_WINDOWS, Window, window_index

SCALE_WINDOWS = tuple(w for w in DEFAULT_WINDOWS if not w.immediate)


@dataclass(frozen=True)
class ScaleFact:
    """One current reading, with the technique of the session it belongs to."""

    patient_id: int
    scale: str
    at: datetime
    score: float
    technique: str
    course_start: datetime  # the patient's first session: windows count from here
    labels: tuple[str, ...] = ()  # the activities named (PSFS)
    items: tuple[int | None, ...] | None = None


@dataclass(frozen=True)
class ScaleCell:
    window: str
    label: str
    patients: int
    change: Mean  # improvement from baseline in points (or the mean answer: no MCID)
    reached: Proportion  # patients reaching the MCID (or responders)
    # At least MIN_PATIENTS patients, as every figure of the comparison: otherwise the
    # figures are kept here but shown as "not enough data (n=2)" (``note``).
    enough: bool = False

    @property
    def note(self) -> str:
        return "" if self.enough else not_enough(self.patients)


@dataclass(frozen=True)
class ScaleGroup:
    scale: Scale
    family: str
    baseline_patients: int
    cells: tuple[ScaleCell, ...]


def attainable(scale: Scale) -> tuple[float, float]:
    """What a cell's mean can take: a change within the scale's span either way, or,
    for a global rating (no MCID: the mean answer), the scale's own range."""
    if scale.mcid is None:
        return scale.score_min, scale.score_max
    span = scale.score_max - scale.score_min
    return -span, span


def _cell(scale: Scale, window: Window, values: list[tuple[float, bool]]) -> ScaleCell:
    """One window's cell: each patient a cluster of one value, as pain's intervals."""
    sums = ClusterSums()
    for change, hit in values:
        sums.add_patient({"n": 1, "rel": change, "r2": int(hit)})
    plain_mean = mean_of_counts((x, 1) for x, _ in values)
    return ScaleCell(
        window.key, window.label, len(values),
        bounded(replace(cluster_mean(sums, "rel", "n"), sd=plain_mean.sd), *attainable(scale)),
        cluster_proportion(sums, "r2", "n"),
        len(values) >= MIN_PATIENTS,
    )  # fmt: skip


def _latest_by_window(facts: list[ScaleFact], windows: tuple[Window, ...]) -> dict[int, ScaleFact]:
    out: dict[int, ScaleFact] = {}
    for f in facts:
        i = window_index((f.at - f.course_start).total_seconds() / 3600, windows)
        if i is not None:
            out[i] = f  # facts are in time order: the latest wins
    return out


Answers = dict[tuple[tuple[str, ...], tuple[int | None, ...] | None], dict[str, float]]


def _scored(f: ScaleFact, memo: Answers) -> dict[str, float]:
    """``scored`` for ``f``, once per distinct labels and answers (a baseline is read
    against each of its patient's later readings)."""
    key = (f.labels, f.items)
    got = memo.get(key)
    if got is None:
        got = memo[key] = scored(f.labels, f.items)
    return got


def _comparable(
    scale: Scale, base: ScaleFact, f: ScaleFact, memo: Answers
) -> tuple[float, float] | None:
    """The two scores to compare: each reading's own, or their means on the activities
    both rated (rounded as the scale's scores); None when they share no activity."""
    first, later = _scored(base, memo), _scored(f, memo)
    keys = shared(first, later)
    if keys is None or len(keys) == len(first) == len(later):
        return base.score, f.score
    if not keys:
        return None
    return scale.rounded(mean_on(first, keys)), scale.rounded(mean_on(later, keys))


def compare_scales(
    facts: Iterable[ScaleFact], windows: tuple[Window, ...] = SCALE_WINDOWS
) -> list[ScaleGroup]:
    """Every (scale, family) with readings, in catalogue then family order."""
    scales = catalogue()
    by_patient: dict[tuple[str, int], list[ScaleFact]] = {}
    for f in sorted(facts, key=lambda f: (f.at, f.score)):
        if f.scale in scales:
            by_patient.setdefault((f.scale, f.patient_id), []).append(f)
    values: dict[tuple[str, str], list[list[tuple[float, bool]]]] = {}
    counts: dict[tuple[str, str], int] = {}
    memo: Answers = {}
    for (code, _), course in by_patient.items():
        scale, base = scales[code], course[0]
        key = (code, family_of(base.technique))
        counts[key] = counts.get(key, 0) + 1
        cells = values.setdefault(key, [[] for _ in windows])
        # With an MCID the first reading is the baseline, not an outcome; a global
        # rating (PGIC, GROC) is an outcome every time.
        later = course if scale.mcid is None else course[1:]
        if scale.named_items:
            later = [f for f in later if _comparable(scale, base, f, memo) is not None]
        for i, f in _latest_by_window(later, windows).items():
            if scale.mcid is None:
                cells[i].append((f.score, bool(scale.responder(f.score))))
            else:
                before, after = _comparable(scale, base, f, memo) or (base.score, f.score)
                cells[i].append(
                    (scale.improvement(before, after), bool(scale.important(before, after)))
                )
    order = list(scales)
    out = []
    for (code, family), cells in sorted(
        values.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])
    ):
        out.append(
            ScaleGroup(
                scales[code], family, counts[(code, family)],
                tuple(_cell(scales[code], w, v) for w, v in zip(windows, cells, strict=True)),
            )
        )  # fmt: skip
    return out
