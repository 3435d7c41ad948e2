"""Change in pain from a baseline: points, percent, responder, IMMPACT tier, recovered.

Relief is counted positive: ``before - then`` points, so 7 → 3 is 4 points of relief.
A clinically important change is 2 points or 30% (Farrar 2001). IMMPACT grades relief
as minimal (10-20%), moderate (30% or more) and substantial (50% or more); relief from
20% up to 30% is counted as minimal here, since it is below moderate. A baseline of 0
has no percent change (there is nothing to relieve): percent, the 30% responder and the
tier are None for it, never a division by zero.
"""

from __future__ import annotations

from dataclasses import dataclass

RESPONDER_POINTS = 2
RESPONDER_PERCENT = 30.0

TIERS = ("worse", "none", "minimal", "moderate", "substantial")
TIER_LABELS = {
    "worse": "worse",
    "none": "no relief (under 10%)",
    "minimal": "minimal (10-30%)",
    "moderate": "moderate (30-50%)",
    "substantial": "substantial (50% or more)",
}


def percent_relief(before: int, then: int) -> float | None:
    """Relief as a percent of the baseline; None when the baseline is 0."""
    if before <= 0:
        return None
    return (before - then) * 100.0 / before


def immpact_tier(percent: float | None) -> str | None:
    """The IMMPACT tier of a percent relief (None for an undefined percent)."""
    if percent is None:
        return None
    if percent < 0:
        return "worse"
    if percent < 10:
        return "none"
    if percent < 30:
        return "minimal"
    if percent < 50:
        return "moderate"
    return "substantial"


def is_responder_points(before: int, then: int) -> bool:
    return before - then >= RESPONDER_POINTS


def is_responder_percent(before: int, then: int) -> bool | None:
    pct = percent_relief(before, then)
    return None if pct is None else pct >= RESPONDER_PERCENT


@dataclass(frozen=True)
class Change:
    """The change from ``before`` to ``then`` on the 0-10 pain scale."""

    before: int
    then: int
    points: int
    percent: float | None
    responder_points: bool
    responder_percent: bool | None
    tier: str | None
    recovered: bool

    @property
    def important(self) -> bool:
        """Clinically important: 2 points or 30% of relief."""
        return self.responder_points or bool(self.responder_percent)


def change(before: int, then: int) -> Change:
    """The change from a baseline ``before`` to a later score ``then``.

    ``recovered`` means pain 0 after a baseline above 0.
    """
    pct = percent_relief(before, then)
    return Change(
        before=before,
        then=then,
        points=before - then,
        percent=pct,
        responder_points=is_responder_points(before, then),
        responder_percent=None if pct is None else pct >= RESPONDER_PERCENT,
        tier=immpact_tier(pct),
        recovered=before > 0 and then == 0,
    )
