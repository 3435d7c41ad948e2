"""A patient's pain over time, before and after each session and at each follow-up."""

from __future__ import annotations

import math
from datetime import datetime
from itertools import compress
from operator import attrgetter

from ..analysis.model import family_of
from ..analysis.progress import Progress
from ..analysis.sentences import episode_names, technique_words
from .common import (
    PROGRESS_POINTS,
    TECHNIQUE_MARKS,
    Figure,
    color_of,
    date_ticks,
    prepare,
    render,
    tag,
    thin,
)

KIND_MARKS = {"before": "o", "follow_up": "*"}
# Several episodes of care: each line's colour (the first as the one line of one); its
# number goes on blank cells beside its first reading (.common.tag), with a row of room
# above pain 10 for a line begun there.
EPISODE_COLORS = ("gray", "cyan", "magenta", "yellow", "blue", "green")
LABEL_ROW = 11
KEY_GAP = "   "  # between two entries of the key
_AT, _PAIN, _KIND_TECHNIQUE = attrgetter("at"), attrgetter("pain"), attrgetter("kind", "technique")


def draw_progress(
    plt: Figure, progress: Progress, *, title: str = "Pain (0-10)", for_patient: bool = False
) -> None:
    """Pain readings against the date: ``o`` before a session, the technique's letter
    right after it (A acupuncture, D dry needling, I IMS...), ``*`` at a follow-up; the
    lines mark 2 points and 30% below the first session's pain. With several episodes
    of care a line joins each one's readings, named by its complaint, and none marks a
    change from a first pain (:func:`_episode_lines`): a line from the neck's 8 to the
    knee's 2 read as relief. Each series has at most
    ``PROGRESS_POINTS`` points (consecutive ones averaged): what a wide terminal shows.

    No legend inside the plot: plotext puts it top left, over the first readings (a
    patient's first pain of 8 lay under it). :func:`progress_key` is the key, for a line
    of its own under the chart."""
    prepare(plt)
    points = progress.timeline
    if not points:
        plt.title("No sessions recorded yet")
        return
    start = points[0].at
    # Column by column over the readings (a long history has thousands), each series
    # in time order, as plotted: a session's pain before and after share a time, whose
    # day is worked out once.
    ats = list(map(_AT, points))
    day_of = dict.fromkeys(ats, 0.0)
    for at in day_of:
        day_of[at] = (at - start).total_seconds() / 86400
    days = list(map(day_of.__getitem__, ats))
    pains = list(map(float, map(_PAIN, points)))
    # Each reading's series: its kind, or after a session the technique's.
    keys = [k if k in KIND_MARKS else t for k, t in map(_KIND_TECHNIQUE, points)]

    def series(key: str) -> tuple[list[float], list[float]]:
        chosen = list(map(key.__eq__, keys))
        return list(compress(days, chosen)), list(compress(pains, chosen))

    present = set(keys)
    before = series("before") if "before" in present else ([], [])
    follow = series("follow_up") if "follow_up" in present else ([], [])
    after = {t: series(t) for t in TECHNIQUE_MARKS if t in present}
    several = len(progress.episodes) > 1
    if several:  # a line per complaint: none from the neck's last reading to the knee's
        _episode_lines(plt, progress, start)
    else:
        xs, ys = thin(days, pains, PROGRESS_POINTS)
        plt.plot(xs, ys, marker="braille", color="gray")
    if before[0]:
        bx, by = thin(*before, PROGRESS_POINTS)
        plt.scatter(bx, by, marker=KIND_MARKS["before"], color="white")
    for technique, mark in TECHNIQUE_MARKS.items():
        if technique in after:
            ax, ay = thin(*after[technique], PROGRESS_POINTS)
            plt.scatter(ax, ay, marker=mark, color=color_of(family_of(technique)))
    if follow[0]:
        fx, fy = thin(*follow, PROGRESS_POINTS)
        plt.scatter(fx, fy, marker=KIND_MARKS["follow_up"], color="yellow")
    levels = [level for level in progress.band or () if level > 0]
    # Two lines closer than half a point (5 and 4.9 below a 7) cannot be told apart on
    # the chart: one line, at the lower, says both.
    one_line = len(levels) == 2 and abs(levels[0] - levels[1]) < 0.5
    if progress.baseline:
        for level in [min(levels)] if one_line else levels:
            plt.horizontal_line(level, color="orange")
    # Three dates (first, middle, last): five overlapped on the patient view's half-width
    # chart at 80 columns, and plotext dropped a different one each run.
    ticks, labels = date_ticks(start, days[-1], count=3)
    plt.xticks(ticks, labels)
    plt.ylim(0, LABEL_ROW if several else 10)
    plt.yticks([0, 2, 4, 6, 8, 10])
    if several:
        title += "; one line for each complaint"
    elif progress.baseline and for_patient:
        title += f"; below the orange {'line' if one_line else 'lines'} is a change that matters"
    elif progress.baseline:
        lo2, lo30 = progress.band or (0, 0)
        title += f"; {'line' if one_line else 'lines'}: 2 points ({lo2:g}) and 30% ({lo30:.1f})"
        title += f" below {progress.baseline}" + (", one line" if one_line else "")
    plt.title(title)


def _episode_lines(plt: Figure, progress: Progress, start: datetime) -> None:
    """Each episode's readings joined by a line of its own colour, numbered beside its
    first reading (:func:`.common.tag`: on blank cells, at any size the chart is built);
    :func:`progress_key` names each number's complaint (:func:`episode_names`: two
    episodes of one complaint by the day each began, as the sentences name them). Names
    on the chart ran into each other or were clipped at its edge when episodes began
    days apart (review18); numbers in a row above pain 10 were pushed columns away from
    their lines when four began days apart (review20 #4)."""
    span = max((progress.timeline[-1].at - start).total_seconds() / 86400, 1e-9)
    # Thinned only when the chart holds more readings than it has points: an average
    # drawn where the readings fit would be a reading nobody recorded (a knee's 9, 1, 9
    # on three days of a long chart drawn as one stroke from 6 to 4: review19).
    crowded = len(progress.timeline) > PROGRESS_POINTS
    for i, episode in enumerate(progress.episodes):
        own = episode.timeline
        days = [(t.at - start).total_seconds() / 86400 for t in own]
        keep = episode_points(days, span) if crowded else len(days)
        xs, ys = thin(days, [float(t.pain) for t in own], keep)
        color = EPISODE_COLORS[i % len(EPISODE_COLORS)]
        plt.plot(xs, ys, marker="braille", color=color)
        tag(plt, str(i + 1), days[0], float(own[0].pain), color)


def episode_points(days: list[float], span: float) -> int:
    """How many points an episode's line keeps (:func:`.common.thin`): its share of
    :data:`PROGRESS_POINTS` by the share of the chart's width its readings span (``span``
    days in all), at least 2. The chart's dots across are shared by the lines, not
    each line's own: four episodes of a 400-session history, each thinned to 240
    points, took plotext 31 ms to build instead of 13 ms."""
    return max(2, math.ceil(PROGRESS_POINTS * (days[-1] - days[0]) / span))


def key_entries(progress: Progress) -> list[list[str]]:
    """The key of :func:`draw_progress`, a line of entries: with several episodes of
    care, one naming each line's number ("2 Neck pain"), then what each mark means, for
    the series drawn ("o before session", "D after dry needling")."""
    kinds = {p.kind for p in progress.timeline}
    techniques = {p.technique for p in progress.timeline if p.kind not in KIND_MARKS}
    key = ["o before session"] if "before" in kinds else []
    key += [
        f"{mark} after {technique_words(technique)}"
        for technique, mark in TECHNIQUE_MARKS.items()
        if technique in techniques
    ]
    if "follow_up" in kinds:
        key.append("* follow-up")
    if len(progress.episodes) < 2:
        return [key]
    names = episode_names(progress)
    return [[f"{i} {name}" for i, name in enumerate(names, start=1)], key]


def fold_key(lines: list[list[str]], width: int | None = None) -> list[str]:
    """Each line of entries, on as many lines of at most ``width`` as it takes, broken
    only between two entries (a complaint's name is never split: review20 #4); an entry
    wider than ``width`` has a line of its own. No ``width``: one line each."""
    out: list[str] = []
    for entries in lines:
        line = ""
        for entry in entries:
            if line and width is not None and len(line) + len(KEY_GAP) + len(entry) > width:
                out.append(line)
                line = ""
            line = f"{line}{KEY_GAP}{entry}" if line else entry
        out.append(line)
    return out


def progress_key(progress: Progress, width: int | None = None) -> str:
    """What each mark of :func:`draw_progress` means (:func:`key_entries`), in lines of
    at most ``width`` broken between entries (:func:`fold_key`)."""
    return "\n".join(fold_key(key_entries(progress), width))


def progress_chart(
    progress: Progress, width: int = 80, height: int = 20, color: bool = False
) -> str:
    """The progress chart as text (for ``sessionlog report``), its key on the last
    lines."""
    key = progress_key(progress, width)
    rows = height - 1 - key.count("\n")
    chart = render(lambda plt: draw_progress(plt, progress), width, rows, color)
    return chart.rstrip("\n") + "\n" + key
