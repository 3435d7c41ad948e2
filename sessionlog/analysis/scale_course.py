"""One patient's course on each outcome scale: first and latest score, the change in the
scale's own direction, whether it reaches the scale's MCID, and a plain sentence.

GROC is the follow-up's own field (``follow_up.groc``): its values join the GROC
readings recorded as scales. Pure: the caller gives the readings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..domain.scales import Scale, catalogue, format_score


@dataclass(frozen=True)
class ScalePoint:
    at: datetime
    score: float
    entered_by: str = "practitioner"


@dataclass(frozen=True)
class ScaleCourse:
    scale: Scale
    points: tuple[ScalePoint, ...]  # oldest first

    @property
    def baseline(self) -> float:
        return self.points[0].score

    @property
    def latest(self) -> float:
        return self.points[-1].score

    @property
    def improvement(self) -> float | None:
        """Points better than the first reading (negative: worse); None with one reading."""
        if len(self.points) < 2:
            return None
        return round(self.scale.improvement(self.baseline, self.latest), 2)

    @property
    def important(self) -> bool | None:
        if len(self.points) < 2:
            return None
        return self.scale.important(self.baseline, self.latest)

    @property
    def substantial(self) -> bool:
        """Half or more of the room the first score had to the best score made up: the
        scale's counterpart of IMMPACT's substantial pain relief (50% or more), which
        alone earns "clearly" in the patient's words (as pain's sentence)."""
        s, gain = self.scale, self.improvement
        if gain is None or s.mcid is None or not self.important:
            return False
        room = s.score_max - self.baseline if s.higher_is_better else self.baseline - s.score_min
        return room > 0 and gain >= room / 2 - 1e-9

    @property
    def band(self) -> tuple[float, float] | None:
        """From the first score to the score an MCID better: crossing it is a change
        most people notice (None for scales without an MCID)."""
        needed = self.scale.needed(self.baseline)
        if needed is None:
            return None
        step = needed if self.scale.higher_is_better else -needed
        edge = min(max(self.baseline + step, self.scale.score_min), self.scale.score_max)
        return (min(self.baseline, edge), max(self.baseline, edge))


Reading = tuple[str, datetime, float, str]  # scale code, when, score, entered by


def scale_courses(readings: Iterable[Reading]) -> list[ScaleCourse]:
    """A course per scale the patient has, in the catalogue's order."""
    scales = catalogue()
    by_code: dict[str, list[ScalePoint]] = {}
    for code, at, score, entered_by in readings:
        by_code.setdefault(code, []).append(ScalePoint(at, score, entered_by))
    return [
        ScaleCourse(scales[code], tuple(sorted(by_code[code], key=lambda p: p.at)))
        for code in scales
        if code in by_code
    ]


def scale_sentence(c: ScaleCourse) -> str:
    """What happened on one scale, in the patient's words."""
    s, name = c.scale, c.scale.name
    now = format_score(s, c.latest)
    if s.mcid is None:
        verdict = s.responder(c.latest)
        text = f"At your last check you rated your change as {now} on the {name}"
        text += f" ({format_score(s, s.score_min)} to {format_score(s, s.score_max)})."
        if verdict:
            text += " That counts as a clear improvement."
        return text
    better = "higher is better" if s.higher_is_better else "lower is better"
    if c.improvement is None:
        return f"Your {name} is {now}; on this scale {better}. The next check will show the change."
    first = format_score(s, c.baseline)
    if c.improvement > 0:
        text = f"Your {name} has improved from {first} to {now}; on this scale {better}."
        if c.substantial:  # as for pain: "clearly" only for half or more (IMMPACT)
            text += " That is a change most people notice clearly."
        elif c.important:
            text += " That is a change most people notice."
        return text
    if c.improvement == 0:
        return f"Your {name} is {now}, the same as at the first check; on this scale {better}."
    return f"Your {name} has gone from {first} to {now}; on this scale {better}, so not better yet."
