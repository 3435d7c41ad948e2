"""What each PSFS figure shown to a patient covers, in their words.

A PSFS chart and its change are read on the activities rated at each reading charted
(:mod:`.scale_course`), so the latest figure under the chart is their mean too, and says
which activities those are; activities added or no longer rated are named beside it,
with the answers of the new ones, so no figure on the page is another mean unsaid.
"""

from __future__ import annotations

from .activities import activity_key, scored
from .scale_course import ScaleCourse, ScalePoint, scale_sentence


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _covered(c: ScaleCourse) -> tuple[str, ...]:
    """The activities the charted scores are means of, as the latest reading names them."""
    last = c.points[-1]
    keys = c.compared_keys
    if keys is None:
        return last.labels
    names = {activity_key(a): a for a in last.labels}
    return tuple(names.get(k, k) for k in keys)


def latest_words(c: ScaleCourse, latest: str) -> str:
    """``Latest (2 activities you rated each time: sleeping, lifting): 8.0 of 10 ·
    2 readings``: ``latest`` is the charted latest score, formatted."""
    n, total = len(c.followed), len(c.points)
    readings = _plural(n, "reading", "readings")
    if n < total:
        readings = f"{n} of {total} readings (the others were on other activities)"
    if not c.scale.named_items or not c.points[-1].labels:
        return f"Latest: {latest} · {readings}"
    names = _covered(c)
    what = _plural(len(names), "activity", "activities")
    if n == 1:
        scope = f"{what} rated once so far"
    elif c.compared_keys is None:  # an earlier reading names none: whole scores
        scope = f"{what} named this time; earlier readings named none"
    else:
        since = f" since {c.since:%Y-%m-%d}" if c.since is not None else ""
        scope = f"{what} you rated each time{since}"
    return f"Latest ({scope}: {', '.join(names)}): {latest} · {readings}"


def _answers(c: ScaleCourse, p: ScalePoint, names: list[str]) -> str:
    given = scored(p.labels, p.items)
    top = f"{c.scale.score_max:g}"
    return ", ".join(
        f"{a} ({given[activity_key(a)]:g} of {top})" if activity_key(a) in given else a
        for a in names
    )


def activity_changes(c: ScaleCourse) -> str:
    """The activities the latest reading added or no longer rates, against the first
    reading charted (against the one before, when the latest is a new start); empty
    when they are the same or the scale's items are not named."""
    if not c.scale.named_items or len(c.points) < 2:
        return ""
    if c.compared_keys is None and not c.new_start:  # whole scores compare
        return ""
    last = c.points[-1]
    base = c.points[-2] if c.new_start else c.followed[0]
    if not last.labels or not base.labels or base is last:
        return ""
    now = {activity_key(a) for a in last.labels}
    then = {activity_key(a) for a in base.labels}
    added = [a for a in last.labels if activity_key(a) not in then]
    dropped = [a for a in base.labels if activity_key(a) not in now]
    parts = []
    if added:
        head = "New" if c.new_start else "Added"
        tail = "" if c.new_start else ", so not in the chart or the change"
        parts.append(f"{head} since {base.at:%Y-%m-%d}{tail}: {_answers(c, last, added)}.")
    if dropped:
        parts.append(f"No longer rated: {', '.join(dropped)}.")
    return " ".join(parts)


def scale_words(c: ScaleCourse) -> str:
    """The scale's sentence, then the activities added or no longer rated (PSFS)."""
    return " ".join(w for w in (scale_sentence(c), activity_changes(c)) if w)
