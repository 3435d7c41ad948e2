"""The clinic's charts: relief by time since session, soreness course, responders.

One line per technique. Windows with too few patients are left out of the line (it
breaks there) rather than drawn from a handful of sessions; the counts behind each
point are in the table shown with the chart.
"""

from __future__ import annotations

import math

from ..analysis.compare import Comparison
from .common import TECHNIQUE_MARKS, Figure, color_of, prepare, render, whole_ticks

Y_MIN_RELIEF = -1.0


def _segments(points: list[tuple[int, float | None]]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive drawable points (a None breaks the line)."""
    runs: list[list[tuple[int, float]]] = [[]]
    for x, y in points:
        if y is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((x, y))
    return [r for r in runs if r]


def _lines(plt: Figure, key: str, label: str, points: list[tuple[int, float | None]]) -> None:
    first = True
    for run in _segments(points):
        xs, ys = [p[0] for p in run], [p[1] for p in run]
        mark = TECHNIQUE_MARKS.get(key, "*")  # a letter per technique: readable without colour
        plt.plot(xs, ys, marker=mark, color=color_of(key), label=label if first else None)
        first = False


LEGEND_CANVAS_ROWS = 8  # the curves' plot area on an 80x24 screen, in rows


def draw_durability(plt: Figure, comparison: Comparison) -> None:
    """Mean relief (points) in each window after the session, one line per technique."""
    prepare(plt)
    windows = comparison.windows
    top = 2.0
    bottom = Y_MIN_RELIEF
    drawn = 0
    for g in comparison.groups:
        points = [(i, w.mean_points.value if w.enough else None) for i, w in enumerate(g.windows)]
        values = [y for _, y in points if y is not None]
        if values:
            top, bottom = max(top, *values), min(bottom, *values)
            _lines(plt, g.key, f"{g.label} ({g.patients} patients)", points)
            drawn += 1
    plt.horizontal_line(0, color="gray")
    plt.horizontal_line(2, color="orange")
    plt.xticks(list(range(len(windows))), [w.key for w in windows])
    plt.xlim(-0.3, len(windows) - 0.7)
    # Headroom for the legend, which plotext puts top left inside the plot: a row a
    # line and half a row more, on the shortest plot drawn (the 80x24 screen's). With a
    # fixed 1.5 points it lay over the lines there, and with five techniques anywhere.
    span = top - bottom + 0.5
    rows = drawn + 0.5
    headroom = max(1.5, rows * span / max(LEGEND_CANVAS_ROWS - rows, 1.0))
    plt.ylim(bottom - 0.5, top + headroom)
    # Whole points on the y axis (plotext's own ticks read 3.37, 4.35: figures nobody
    # reads a pain scale in).
    step = 1 if top + headroom - bottom <= 8 else 2
    plt.yticks(list(range(math.ceil(bottom - 0.5), math.floor(top + headroom) + 1, step)))
    plt.title("Relief from the session's baseline (points); orange line: 2 points")
    plt.xlabel("time since the session")


LASTING_DAYS = 91  # the chart's x axis: 13 weeks


def draw_lasting(plt: Figure, comparison: Comparison) -> None:
    """How long relief lasted: the share of sessions still relieved, by days since the
    session (Kaplan-Meier steps), one line per technique with enough patients."""
    prepare(plt)
    for g in comparison.groups:
        lasting = g.lasting
        if lasting is None or not lasting.enough or not lasting.steps:
            continue
        xs, ys, share = [0.0], [100.0], 100.0
        for st in lasting.steps:
            day = min(st.days, LASTING_DAYS)
            xs += [day, day]
            ys += [share, 100 * st.survival]
            share = 100 * st.survival
        xs.append(min(LASTING_DAYS, max(xs[-1], lasting.followed_days)))
        ys.append(share)  # flat to the longest follow-up: nothing is known beyond it
        mark = TECHNIQUE_MARKS.get(g.key, "*")
        plt.plot(xs, ys, marker=mark, color=color_of(g.key),
                 label=f"{g.label} ({lasting.patients} patients)")  # fmt: skip
    plt.horizontal_line(50, color="gray")
    plt.xticks([0, 7, 14, 28, 56, 84], ["0", "1w", "2w", "4w", "8w", "12w"])
    plt.xlim(0, LASTING_DAYS)
    plt.ylim(0, 115)  # headroom: the legend sits top left
    plt.yticks(whole_ticks(0, 100))
    plt.title("How long relief lasted: % of sessions still relieved (2 points or 30%)")
    plt.xlabel("days since the session; gray line: 50% (the median)")


def lasting_chart(comparison: Comparison, width: int = 80, height: int = 16,
                  color: bool = False) -> str:  # fmt: skip
    """The time-to-loss-of-relief curves as text."""
    return render(lambda plt: draw_lasting(plt, comparison), width, height, color)


def draw_soreness(plt: Figure, comparison: Comparison) -> None:
    """Mean soreness (0-10) right after and near 24, 48 and 72 h, per technique."""
    prepare(plt)
    keys: list[str] = []
    for g in comparison.groups:
        pts = g.soreness.points
        keys = [p.window.key for p in pts]
        points = [(i, p.mean.value if p.enough else None) for i, p in enumerate(pts)]
        if any(y is not None for _, y in points):
            _lines(plt, g.key, g.label, points)
    plt.xticks(list(range(len(keys))), keys)
    plt.ylim(0, 10)
    plt.yticks(whole_ticks(0, 10))
    plt.title("Soreness after needling (0-10)")


def draw_responders(plt: Figure, comparison: Comparison, short: str, long: str) -> None:
    """Share of sessions with 30% relief or more, short term against long term."""
    prepare(plt)
    labels, short_vals, long_vals = [], [], []
    for g in comparison.groups:
        by_key = {w.window.key: w for w in g.windows}
        s, lg = by_key.get(short), by_key.get(long)
        missing = not (s and s.percent_enough and lg and lg.percent_enough)  # its own patients
        # A short mark, explained under the axis: labels as long as "Dry needling (too
        # few)" collide at 80 columns, and plotext then places them differently from
        # one run to the next (its tick labels depend on the process's hash seed).
        labels.append(g.label + (" *" if missing else ""))
        short_vals.append(100 * (s.responders_percent.value or 0) if s and s.percent_enough else 0)
        long_vals.append(
            100 * (lg.responders_percent.value or 0) if lg and lg.percent_enough else 0
        )
    if labels:
        plt.multiple_bar(labels, [short_vals, long_vals], labels=[short, long])
    plt.ylim(0, 100)
    plt.yticks(whole_ticks(0, 100))
    if any(label.endswith(" *") for label in labels):
        plt.xlabel(f"* too few patients at {short} or {long}")
    plt.title(f"Sessions with 30% relief or more (%): {short} against {long}")


def durability_chart(comparison: Comparison, width: int = 80, height: int = 18,
                     color: bool = False) -> str:  # fmt: skip
    """The durability curves as text."""
    return render(lambda plt: draw_durability(plt, comparison), width, height, color)


def soreness_chart(comparison: Comparison, width: int = 80, height: int = 14,
                   color: bool = False) -> str:  # fmt: skip
    """The soreness course as text."""
    return render(lambda plt: draw_soreness(plt, comparison), width, height, color)


def responders_chart(comparison: Comparison, short: str, long: str, width: int = 80,
                     height: int = 14, color: bool = False) -> str:  # fmt: skip
    """Responders short against long term as text."""
    return render(lambda plt: draw_responders(plt, comparison, short, long), width, height, color)
