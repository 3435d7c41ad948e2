"""Outcome analysis: pure functions from session and follow-up rows to figures.

No I/O and no Textual. The store hands in :class:`SessionOutcome` and
:class:`FollowUp` rows (or counts aggregated in SQL, :class:`GroupCounts`); charts and
screens draw what comes out. DOMAIN.md gives the thresholds and windows.
"""

from .change import Change, change, immpact_tier, percent_relief
from .compare import Comparison, Details, TechniqueSummary, compare, details, summarise_group
from .counts import GroupCounts, counts_from_sessions
from .dose import (
    AdverseRate,
    DoseSummary,
    PatientDose,
    adverse_rates,
    dose_from_sums,
    dose_summary,
)
from .jsonable import to_jsonable
from .model import Filters, FollowUp, SessionOutcome, family_of, group_label
from .progress import FamilyCourse, Progress, SessionRow, TimelinePoint, patient_progress
from .relief import MIN_PATIENTS, Durability, WindowRelief, durability, not_enough, summarise_window
from .sentences import patient_sentences
from .soreness import Resolution, SorenessCourse, soreness_course
from .stats import Mean, Proportion, mean_from_sums, median_of_counts, wilson
from .windows import (
    DEFAULT_LONG,
    DEFAULT_SHORT,
    DEFAULT_WINDOWS,
    SORENESS_WINDOWS,
    Window,
    parse_windows,
)

__all__ = [
    "DEFAULT_LONG",
    "DEFAULT_SHORT",
    "DEFAULT_WINDOWS",
    "MIN_PATIENTS",
    "SORENESS_WINDOWS",
    "AdverseRate",
    "Change",
    "Comparison",
    "Details",
    "DoseSummary",
    "Durability",
    "FamilyCourse",
    "Filters",
    "FollowUp",
    "GroupCounts",
    "Mean",
    "PatientDose",
    "Progress",
    "Proportion",
    "Resolution",
    "SessionOutcome",
    "SessionRow",
    "SorenessCourse",
    "TechniqueSummary",
    "TimelinePoint",
    "Window",
    "WindowRelief",
    "adverse_rates",
    "change",
    "compare",
    "counts_from_sessions",
    "details",
    "dose_from_sums",
    "dose_summary",
    "durability",
    "family_of",
    "group_label",
    "immpact_tier",
    "mean_from_sums",
    "median_of_counts",
    "not_enough",
    "parse_windows",
    "patient_progress",
    "patient_sentences",
    "percent_relief",
    "soreness_course",
    "summarise_group",
    "summarise_window",
    "to_jsonable",
    "wilson",
]
