"""One patient's course on each outcome scale: first and latest score, the change in the
scale's own direction, whether it reaches the scale's MCID, and a plain sentence.

GROC is the follow-up's own field (``follow_up.groc``): its values join the GROC
readings recorded as scales. Pure: the caller gives the readings.

A scale whose items the patient names (PSFS) compares only the activities rated at both
readings (:mod:`.activities`): the course runs from the earliest reading sharing an
activity with the latest, and its scores are the means over the shared activities. A
latest reading sharing none with any before it is a new starting point: no change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

from ..domain.scales import Scale, catalogue, format_score
from .activities import activity_key, mean_on, scored, shared


@dataclass(frozen=True)
class ScalePoint:
    at: datetime
    score: float
    entered_by: str = "practitioner"
    labels: tuple[str, ...] = ()  # the activities the patient named (PSFS)
    items: tuple[int | None, ...] | None = None


@dataclass(frozen=True)
class ScaleCourse:
    scale: Scale
    points: tuple[ScalePoint, ...]  # oldest first

    @cached_property
    def _compared(self) -> tuple[int, tuple[str, ...] | None]:
        """The first reading the latest compares with, and the activities both rated
        (None: whole scores compare)."""
        if not self.scale.named_items:
            return 0, None
        last = scored(self.points[-1].labels, self.points[-1].items)
        for i, p in enumerate(self.points[:-1]):
            keys = shared(scored(p.labels, p.items), last)
            if keys is None or keys:
                return i, keys
        return len(self.points) - 1, None

    @cached_property
    def followed(self) -> tuple[ScalePoint, ...]:
        """The readings the change is read from: from the first comparable one on, each
        scored on the activities shared with the latest when those are fewer; one
        between that did not rate them all is left out."""
        start, keys = self._compared
        out = []
        for p in self.points[start:]:
            answers = scored(p.labels, p.items)
            if keys and not all(k in answers for k in keys):
                continue  # not rated on them all: its mean is another measure
            if keys and len(keys) < len(answers):
                p = replace(p, score=self.scale.rounded(mean_on(answers, keys)))
            out.append(p)
        return tuple(out)

    @property
    def compared_keys(self) -> tuple[str, ...] | None:
        """The activities (keys) every charted reading is scored on (None: whole scores,
        for a scale whose items are not named, a reading naming none, or a new start)."""
        return self._compared[1]

    @property
    def new_start(self) -> bool:
        """The latest reading names new activities only: a new starting point."""
        return len(self.points) > 1 and self._compared[0] == len(self.points) - 1

    @property
    def since(self) -> datetime | None:
        """When the activities followed were first rated, when later than the first
        reading (None: from the first reading)."""
        start = self._compared[0]
        return self.points[start].at if 0 < start < len(self.points) - 1 else None

    @property
    def shared_only(self) -> tuple[str, ...]:
        """The activities the change counts, when some named then or now are left out
        (empty: every activity counts, or whole scores compare)."""
        keys = self._compared[1]
        if not keys:
            return ()
        first = self.points[self._compared[0]]
        last = self.points[-1]
        if (
            len(keys)
            == len(scored(first.labels, first.items))
            == len(scored(last.labels, last.items))
        ):
            return ()
        names = {activity_key(a): a for a in last.labels}
        return tuple(names.get(k, k) for k in keys)

    @property
    def baseline(self) -> float:
        return self.followed[0].score

    @property
    def latest(self) -> float:
        return self.followed[-1].score

    @property
    def latest_whole(self) -> float:
        """The latest reading's own score (on all its activities)."""
        return self.points[-1].score

    @property
    def improvement(self) -> float | None:
        """Points better than the first reading (negative: worse); None with one reading
        or with new activities only."""
        if len(self.followed) < 2:
            return None
        return round(self.scale.improvement(self.baseline, self.latest), 2)

    @property
    def important(self) -> bool | None:
        if len(self.followed) < 2:
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
# ... and the activities named, and the answers (PSFS)
NamedReading = tuple[str, datetime, float, str, tuple[str, ...], tuple[int | None, ...] | None]


def scale_courses(readings: Iterable[Reading | NamedReading]) -> list[ScaleCourse]:
    """A course per scale the patient has, in the catalogue's order."""
    scales = catalogue()
    by_code: dict[str, list[ScalePoint]] = {}
    for r in readings:
        code, at, score, entered_by = r[0], r[1], r[2], r[3]
        labels, items = (r[4], r[5]) if len(r) == 6 else ((), None)
        by_code.setdefault(code, []).append(ScalePoint(at, score, entered_by, labels, items))
    return [
        ScaleCourse(scales[code], tuple(sorted(by_code[code], key=lambda p: p.at)))
        for code in scales
        if code in by_code
    ]


def scale_sentence(c: ScaleCourse) -> str:
    """What happened on one scale, in the patient's words."""
    s, name = c.scale, c.scale.name
    now = format_score(s, c.latest_whole)
    if s.mcid is None:
        verdict = s.responder(c.latest)
        text = f"At your last check you rated your change as {now} on the {name}"
        text += f" ({format_score(s, s.score_min)} to {format_score(s, s.score_max)})."
        if verdict:
            text += " That counts as a clear improvement."
        return text
    better = "higher is better" if s.higher_is_better else "lower is better"
    if c.new_start:
        named = ", ".join(c.points[-1].labels)
        return (
            f"Your {name} is {now} on new activities ({named}): a new starting point, not"
            f" a change from before; on this scale {better}. The next check on the same"
            " activities will show the change."
        )
    if c.improvement is None:
        return f"Your {name} is {now}; on this scale {better}. The next check will show the change."
    now = format_score(s, c.latest)
    first = format_score(s, c.baseline)
    scope = ""
    if c.shared_only:
        scope = f" on the activities rated both times ({', '.join(c.shared_only)})"
    elif c.since is not None:
        scope = f" since {c.since:%Y-%m-%d}, when you named these activities,"
    if c.improvement > 0:
        text = f"Your {name} has improved{scope} from {first} to {now}; on this scale {better}."
        if c.substantial:  # as for pain: "clearly" only for half or more (IMMPACT)
            text += " That is a change most people notice clearly."
        elif c.important:
            text += " That is a change most people notice."
        return text
    if c.improvement == 0:
        if scope:
            return f"Your {name}{scope} is {now}, the same as then; on this scale {better}."
        return f"Your {name} is {now}, the same as at the first check; on this scale {better}."
    return (
        f"Your {name} has gone{scope} from {first} to {now}; on this scale {better},"
        " so not better yet."
    )
