"""Scales whose items the patient names (PSFS activities): which readings compare.

A PSFS score is the mean of the activities the patient named that day; a mean over other
activities is another measure, so a change is only counted on the activities rated at
both readings (Stratford 1995 scores each activity against itself; DOMAIN.md, PSFS). A
reading that names no activity (a total only, or answers without names) cannot be told
apart: it compares whole, as before. Names compare without case or extra spaces.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.scales import activity_key

__all__ = ["activity_key", "mean_on", "scored", "shared"]

Items = Sequence[int | float | None] | None


def scored(labels: Sequence[str], items: Items) -> dict[str, float]:
    """Each named activity's answer, by key (empty: no names, or no answer per name)."""
    if not labels or items is None or len(items) != len(labels):
        return {}
    return {activity_key(a): float(v) for a, v in zip(labels, items, strict=True) if v is not None}


def shared(first: dict[str, float], later: dict[str, float]) -> tuple[str, ...] | None:
    """The activity keys both readings rated, in the later one's order (None: one of
    them names no activity, so they compare whole)."""
    if not first or not later:
        return None
    return tuple(k for k in later if k in first)


def mean_on(answers: dict[str, float], keys: tuple[str, ...]) -> float:
    """The mean answer over ``keys`` (all present in ``answers``), unrounded: the
    caller rounds it as the scale rounds its scores."""
    return sum(answers[k] for k in keys) / len(keys)
