"""A patient's readings on one outcome scale over time, with the MCID line (plotext).

The counterpart of :mod:`.svg` for the terminal: ``report`` and the progress screen.
The orange line is one MCID better than the first reading: past it is a change most
people notice (scales without an MCID, PGIC and GROC, draw their responder threshold).
"""

from __future__ import annotations

from ..analysis.scale_course import ScaleCourse
from .common import Figure, date_ticks, prepare, render, whole_ticks


def draw_scale(plt: Figure, course: ScaleCourse, *, for_patient: bool = False) -> None:
    """Scores against the date; the MCID (or responder) line in orange. For the
    patient (the patient view) the title says only which way is better."""
    prepare(plt)
    s = course.scale
    shown = course.followed  # a PSFS on other activities is another measure: left out
    start = shown[0].at
    days = [(p.at - start).total_seconds() / 86400 for p in shown]
    ys = [p.score for p in shown]
    plt.plot(days, ys, marker="braille", color="gray")
    plt.scatter(days, ys, marker="o", color="green")
    band = course.band
    line = None
    if band is not None:
        line = band[1] if s.higher_is_better else band[0]
    elif s.responder_min is not None or s.responder_max is not None:
        line = s.responder_min if s.responder_min is not None else s.responder_max
    if line is not None:
        plt.horizontal_line(line, color="orange")
    # The first and last dates only: these charts are 25-35 columns wide, and dates
    # that overlap there are dropped by plotext in an order that changes from one run
    # to the next (its hash seed), so the picture did too.
    ticks, labels = date_ticks(start, days[-1], count=2)
    plt.xticks(ticks, labels)
    plt.ylim(s.score_min, s.score_max)
    plt.yticks(whole_ticks(s.score_min, s.score_max))
    better = "higher is better" if s.higher_is_better else "lower is better"
    new = ", new activities" if course.new_start or course.since is not None else ""
    if for_patient:
        plt.title(f"{s.code} ({better}{new})")
        return
    # Short: three of these sit side by side on the progress screen.
    plt.title(f"{s.code}, {better}{new}" + ("; orange: MCID" if band is not None else ""))


def scale_chart(course: ScaleCourse, width: int = 80, height: int = 14, color: bool = False) -> str:
    """The scale chart as text (for ``sessionlog report``)."""
    return render(lambda plt: draw_scale(plt, course), width, height, color)
