"""Charts from analysis results: text for the command line, calls on a given figure."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from test_chart_numbers import canvas, numbers

from sessionlog.analysis import FollowUp, GroupCounts, SessionOutcome, compare, patient_progress
from sessionlog.charts import (
    MAX_POINTS,
    PROGRESS_POINTS,
    draw_durability,
    draw_progress,
    durability_chart,
    progress_chart,
    responders_chart,
    soreness_chart,
    thin,
)
from sessionlog.charts.clinic import _segments
from sessionlog.charts.common import Tag, date_ticks
from sessionlog.charts.progress import progress_key


class Recorder:
    """A stand-in figure that records every call made on it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args, kwargs))

        return record

    def series(self) -> list[tuple[str, int, str | None]]:
        return [
            (name, len(args[0]), kw.get("label"))
            for name, args, kw in self.calls
            if name in ("plot", "scatter")
        ]


def small_progress() -> Any:
    t0 = datetime(2026, 1, 5, 10)
    sessions = [
        SessionOutcome(1, 1, 1, t0, "acupuncture", 7, 5),
        SessionOutcome(2, 1, 1, t0 + timedelta(days=7), "dry_needling", 5, 2),
    ]
    return patient_progress(1, sessions, [FollowUp(2, t0 + timedelta(days=9), 3, None, 1)])


def test_progress_chart_text() -> None:
    text = progress_chart(small_progress(), width=80, height=20)
    assert "\x1b[" not in text  # no colour codes unless asked
    assert "Pain (0-10); line: 2 points (5) and 30% (4.9) below 7, one line" in text
    for legend in ("o before session", "A after acupuncture", "D after dry needling",
                   "* follow-up"):  # fmt: skip
        assert legend in text
    assert "2026-01-05" in text and "2026-01-14" in text  # first and last reading
    assert len(text.splitlines()) == 20
    assert text.splitlines()[-1].strip() == progress_key(small_progress())  # under the plot
    assert "\x1b[" in progress_chart(small_progress(), color=True)


def test_progress_series_and_band() -> None:
    plt = Recorder()
    draw_progress(plt, small_progress())
    # No label inside the plot: plotext draws its legend top left over the readings
    # (a patient's first pain of 8 was hidden under it); the key is a line of its own.
    assert plt.series() == [
        ("plot", 5, None),  # the line through every reading
        ("scatter", 2, None),
        ("scatter", 1, None),
        ("scatter", 1, None),
        ("scatter", 1, None),
    ]
    assert progress_key(small_progress()) == (
        "o before session   A after acupuncture   D after dry needling   * follow-up"
    )
    lines = [args[0] for name, args, _ in plt.calls if name == "horizontal_line"]
    assert lines == [pytest.approx(4.9)]  # 7 - 2 and 7 · 0.7: a row apart, one line
    assert ("date_form", ("Y-m-d",), {}) in plt.calls


def test_no_series_has_more_than_a_thousand_points() -> None:
    t0 = datetime(2020, 1, 1)
    sessions = [
        SessionOutcome(i, 1, 1, t0 + timedelta(days=i), "ims", i % 11, (i + 3) % 11)
        for i in range(1, 1600)
    ]
    plt = Recorder()
    draw_progress(plt, patient_progress(1, sessions, []))
    assert max(n for _, n, _ in plt.series()) <= MAX_POINTS


def test_a_long_history_plots_no_more_points_than_a_wide_chart_shows() -> None:
    """400 weekly sessions with follow-ups: every series is thinned to PROGRESS_POINTS
    (a 120-column chart's braille dots across), not to MAX_POINTS; plotext's cost grows
    with the points it is given."""
    t0 = datetime(2018, 1, 1)
    sessions = [
        SessionOutcome(i, 1, 1, t0 + timedelta(days=7 * i), "ims", i % 11, (i + 3) % 11)
        for i in range(1, 401)
    ]
    follow = [
        FollowUp(i, t0 + timedelta(days=7 * i, hours=h), i % 11)
        for i in range(1, 401)
        for h in (20, 50)
    ]
    plt = Recorder()
    draw_progress(plt, patient_progress(1, sessions, follow))
    counts = [n for _, n, _ in plt.series()]
    assert PROGRESS_POINTS // 2 < max(counts) <= PROGRESS_POINTS  # 1,200 readings thinned
    assert PROGRESS_POINTS >= 2 * 118  # as many as the braille dots across 118 columns


def test_thin_averages_buckets() -> None:
    assert thin([0, 1, 2, 3], [0, 2, 4, 6], limit=2) == ([0.5, 2.5], [1.0, 5.0])
    assert thin([1, 2], [3, 4]) == ([1, 2], [3, 4])
    xs, ys = thin(list(range(2500)), list(range(2500)))
    assert len(xs) == len(ys) <= MAX_POINTS


def test_date_ticks() -> None:
    ticks, labels = date_ticks(datetime(2026, 1, 5), 8)
    assert ticks == [0, 2, 4, 6, 8]
    assert labels == ["2026-01-05", "2026-01-07", "2026-01-09", "2026-01-11", "2026-01-13"]
    assert date_ticks(datetime(2026, 1, 5), 0) == ([0.0], ["2026-01-05"])
    assert date_ticks(datetime(2026, 1, 5), 1)[1] == ["2026-01-05", "2026-01-06"]  # no repeats


def test_empty_progress() -> None:
    assert "No sessions recorded yet" in progress_chart(patient_progress(1, [], []))


def clinic() -> Any:
    acu = GroupCounts("acupuncture", sessions=10, patients=4)
    acu.pain = {0: {(6, 4): 10}, 1: {(6, 5): 8}, 4: {(6, 4): 3}}
    acu.pain_patients = {0: 4, 1: 4, 4: 2}  # 12 weeks: too few patients
    acu.soreness = {0: {1: 10}, 1: {0: 6}}
    acu.soreness_patients = {0: 4, 1: 3}
    return compare({"acupuncture": acu})


def test_durability_leaves_out_thin_windows() -> None:
    plt = Recorder()
    draw_durability(plt, clinic())
    assert [(n, lab) for _, n, lab in plt.series()] == [(2, "Acupuncture (4 patients)")]
    ticks = next(args for name, args, _ in plt.calls if name == "xticks")
    assert ticks == ([0, 1, 2, 3, 4, 5], ["immediate", "72h", "1w", "1-4w", "4-12w", "12w+"])
    text = durability_chart(clinic(), 80, 18)
    assert "AA Acupuncture (4 patients)" in text and "12w+" in text


def test_segments_break_at_missing_points() -> None:
    assert _segments([(0, 1.0), (1, None), (2, 3.0), (3, 4.0)]) == [
        [(0, 1.0)],
        [(2, 3.0), (3, 4.0)],
    ]
    assert _segments([(0, None)]) == []


def test_soreness_and_responders_charts() -> None:
    assert "Soreness after needling (0-10)" in soreness_chart(clinic())
    text = responders_chart(clinic(), "72h", "12w+")
    assert "Acupuncture *" in text  # 12 weeks has too few patients
    assert "* too few patients at 72h or 12w+" in text


def test_the_patient_sees_plain_words_on_the_chart() -> None:
    plt = Recorder()
    draw_progress(plt, small_progress(), title="Your pain", for_patient=True)
    titles = [args[0] for name, args, _ in plt.calls if name == "title"]
    assert titles == ["Your pain; below the orange line is a change that matters"]


def test_the_relief_curves_have_whole_point_ticks() -> None:
    # Plotext's own y ticks read 4.35 and 3.37 (issue 14 defect 14).
    import re

    import plotext as plt_module

    from sessionlog.analysis import DEFAULT_WINDOWS
    from sessionlog.analysis.compare import Comparison
    from sessionlog.analysis.model import Filters
    from sessionlog.charts.clinic import draw_durability

    plt_module.clf()
    draw_durability(plt_module, Comparison(Filters(), DEFAULT_WINDOWS, 3, ()))
    text = plt_module.uncolorize(plt_module.build())
    labels = re.findall(r"^\s*(-?[0-9.]+)[┤├│]", text, re.M)
    assert labels and all(float(x) == int(float(x)) for x in labels), labels


def test_two_lines_a_row_apart_are_drawn_as_one() -> None:
    # Baseline 7: 2 points below is 5 and 30% below is 4.9, two orange lines that could
    # not be told apart (issue 14 defect 14). Closer than half a point: one line.
    plt = Recorder()
    draw_progress(plt, small_progress())
    lines = [args[0] for name, args, kw in plt.calls if name == "horizontal_line"]
    assert [round(y, 2) for y in lines] == [4.9]
    titles = [args[0] for name, args, _ in plt.calls if name == "title"]
    assert titles == ["Pain (0-10); line: 2 points (5) and 30% (4.9) below 7, one line"]


def test_the_curves_legend_has_rows_of_its_own_above_the_data() -> None:
    # The legend sits top left inside the plot: with a fixed 1.5 points of headroom it
    # lay over the lines on a short chart (80x24) or with five techniques.
    import re

    from sessionlog.charts.common import render

    groups = {}
    for key in ("acupuncture", "dry_needling", "ims"):
        g = GroupCounts(key, sessions=10, patients=4)
        g.pain = {w: {(6, 2): 10} for w in range(6)}  # relief 4 in every window
        g.pain_patients = {w: 4 for w in range(6)}
        groups[key] = g
    text = render(lambda plt: draw_durability(plt, compare(groups)), 80, 13)
    rows = text.split("\n")
    legend = [i for i, r in enumerate(rows) if "(4 patients)" in r]
    data = [i for i, r in enumerate(rows) if re.search(r"[ADI]{4}", r) and "patients" not in r]
    assert len(legend) == 3 and data and max(legend) < min(data), text


def test_scale_and_soreness_charts_have_whole_number_ticks() -> None:
    # Plotext's own y ticks on a 0-10 or 0-50 axis read 8.3, 6.7, 1.7 (issue 14, defect
    # 14): the scales' and the soreness chart's axes are labelled in whole numbers.
    import re
    from datetime import datetime, timedelta

    from sessionlog.analysis.scale_course import ScaleCourse, ScalePoint
    from sessionlog.charts.scales import scale_chart
    from sessionlog.domain.scales import catalogue

    def y_labels(text: str) -> list[str]:
        return re.findall(r"^\s*(-?[0-9.]+)\s*[┤├│]", text, re.M)

    day = datetime(2026, 3, 1, 9, 0)
    courses: dict[str, list[float]] = {"NDI": [30, 24, 18], "PSFS": [3.3, 5, 6.7], "GROC": [-2, 3]}
    for code, scores in courses.items():
        points = tuple(ScalePoint(day + timedelta(days=7 * i), s) for i, s in enumerate(scores))
        labels = y_labels(scale_chart(ScaleCourse(catalogue()[code], points), 40, 14))
        assert len(labels) >= 3 and all(float(x) == int(float(x)) for x in labels), (code, labels)
    from sessionlog.charts.clinic import lasting_chart

    for chart in (
        soreness_chart(clinic(), 80, 14),
        responders_chart(clinic(), "24h", "12w+", 80, 16),  # read 83.3, 66.7
        lasting_chart(clinic(), 80, 16),  # read 95.8, 76.7
    ):
        labels = y_labels(chart)
        assert len(labels) >= 3 and all(float(x) == int(float(x)) for x in labels), labels


def test_the_progress_key_names_ims_as_the_app_does() -> None:
    # review15: the key read "I after ims"; everywhere else the app writes "IMS".
    t0 = datetime(2026, 1, 5, 10, 0)
    sessions = [
        SessionOutcome(1, 1, 1, t0, "ims", 7, 5),
        SessionOutcome(2, 1, 1, t0 + timedelta(days=7), "electroacupuncture", 5, 2),
        SessionOutcome(3, 1, 1, t0 + timedelta(days=14), "electrical_dry_needling", 5, 2),
    ]
    assert progress_key(patient_progress(1, sessions, [])) == (
        "o before session   E after electro-acupuncture"
        "   N after electrical dry needling   I after IMS"
    )


def neck_then_knee() -> Any:
    """A neck of 8 and 6 before its sessions, then a knee of 2: one line through all
    four read as relief from 8 to 2 that never happened."""
    t0 = datetime(2026, 11, 1, 10)
    sessions = [
        SessionOutcome(1, 1, 1, t0, "dry_needling", 8, 5, episode_id=1),
        SessionOutcome(2, 1, 1, t0 + timedelta(days=7), "dry_needling", 6, 3, episode_id=1),
        SessionOutcome(3, 1, 1, t0 + timedelta(days=14), "acupuncture", 2, 2, episode_id=2),
        SessionOutcome(4, 1, 1, t0 + timedelta(days=21), "acupuncture", 2, 1, episode_id=2),
    ]
    return patient_progress(1, sessions, [], complaints={1: "neck pain", 2: "knee"})


def test_each_complaint_has_a_line_of_its_own() -> None:
    plt = Recorder()
    draw_progress(plt, neck_then_knee(), title="Your pain", for_patient=True)
    lines = [(args[0], args[1]) for name, args, _ in plt.calls if name == "plot"]
    # The neck's readings (days 0 and 7, before and after each), then the knee's:
    # no line from the neck's last reading to the knee's first.
    assert lines == [([0.0, 0.0, 7.0, 7.0], [8.0, 5.0, 6.0, 3.0]),
                     ([14.0, 14.0, 21.0, 21.0], [2.0, 2.0, 2.0, 1.0])]  # fmt: skip
    colors = [kw["color"] for name, _, kw in plt.calls if name == "plot"]
    assert len(set(colors)) == 2
    # Each line numbered at its first reading, in its colour, placed on the cells beside
    # it once the chart has its size (tests/test_chart_numbers.py); the key under the
    # chart names each number's complaint (a name there is never clipped). No plotext
    # text: it would take the canvas colour of the moment, not the app theme's.
    assert plt._sessionlog_tags == [Tag("1", 0.0, 8.0, colors[0]), Tag("2", 14.0, 2.0, colors[1])]
    assert not [c for c in plt.calls if c[0] == "text"]
    assert progress_key(neck_then_knee()).splitlines() == [
        "1 Neck pain   2 Knee",
        "o before session   A after acupuncture   D after dry needling",
    ]
    assert ("ylim", (0, 11), {}) in plt.calls
    titles = [args[0] for name, args, _ in plt.calls if name == "title"]
    assert titles == ["Your pain; one line for each complaint"]
    assert not [c for c in plt.calls if c[0] == "horizontal_line"]  # no band across them


def test_the_text_chart_names_each_complaints_line() -> None:
    text = progress_chart(neck_then_knee(), width=60, height=16)
    lines = text.splitlines()
    assert len(lines) == 16
    assert lines[3][3] == "1" and lines[4][3] == "o"  # above the neck's first reading
    knee = 3 + round(55 * 2 / 3)
    assert lines[8][knee] == "2" and lines[9][knee] == "A"  # above the knee's first
    assert "Pain (0-10); one line for each complaint" in text
    assert lines[-3:] == progress_key(neck_then_knee(), 60).splitlines()
    assert lines[-3:] == [
        "1 Neck pain   2 Knee",
        "o before session   A after acupuncture",
        "D after dry needling",
    ]  # broken between entries, at the chart's width


def test_one_episode_draws_the_chart_as_before() -> None:
    # small_progress's sessions in one episode: the same calls as without episodes.
    one, none = Recorder(), Recorder()
    t0 = datetime(2026, 1, 5, 10)
    sessions = [
        SessionOutcome(1, 1, 1, t0, "acupuncture", 7, 5, episode_id=3),
        SessionOutcome(2, 1, 1, t0 + timedelta(days=7), "dry_needling", 5, 2, episode_id=3),
    ]
    follow = [FollowUp(2, t0 + timedelta(days=9), 3, None, 1)]
    draw_progress(one, patient_progress(1, sessions, follow, complaints={3: "neck"}))
    draw_progress(none, small_progress())
    assert one.calls == none.calls


def test_the_take_home_chart_draws_a_line_per_complaint() -> None:
    from sessionlog.charts.take_home import pain_svg

    svg = pain_svg(neck_then_knee())
    lines = re.findall(r'<polyline [^>]*points="([^"]*)"', svg)
    assert [len(points.split()) for points in lines] == [4, 4]  # each complaint's own
    assert ">Neck pain</text>" in svg and ">Knee</text>" in svg
    assert "one line for each complaint" in svg
    one = pain_svg(small_progress())
    assert len(re.findall("<polyline", one)) == 1 and "complaint" not in one


def test_a_short_complaint_s_line_goes_through_each_of_its_readings() -> None:
    # review19 #1: a knee treated on three days within ten months of neck sessions got
    # 2 of the chart's points for its 6 readings, averaged (9, 1, 9 -> 6.3; 1, 9, 1 ->
    # 3.7): a line from 6 to 4 where the patient went from 9 to 1 three times.
    t0 = datetime(2025, 1, 1, 10)
    neck = [
        SessionOutcome(i + 1, 1, 1, t0 + timedelta(days=61 * i), "acupuncture", 5, 4, episode_id=1)
        for i in range(6)
    ]
    knee = [
        SessionOutcome(
            7 + i, 1, 1, datetime(2025, 6, 1 + i, 10), "dry_needling", 9, 1, episode_id=2
        )
        for i in range(3)
    ]
    progress = patient_progress(
        1, sorted(neck + knee, key=lambda s: s.started_at), [], complaints={1: "neck", 2: "knee"}
    )
    plt = Recorder()
    draw_progress(plt, progress)
    ys = [args[1] for name, args, _ in plt.calls if name == "plot"]
    assert ys == [[5.0, 4.0] * 6, [9.0, 1.0] * 3]  # every reading, as recorded


def test_a_follow_up_the_figures_leave_out_is_not_drawn_nor_counted() -> None:
    # review (session 17) #5: session 2 entered late between session 1 and its
    # follow-up of day 9 (check: "left out of the outcome figures"), and one at its
    # session's own time: both drawn as "*" readings the figures did not count, and
    # the change read "from 7 to 1" from the day-9 follow-up no figure used.
    t0 = datetime(2026, 1, 5, 10)
    sessions = [
        SessionOutcome(1, 1, 1, t0, "acupuncture", 7, 5),
        SessionOutcome(2, 1, 1, t0 + timedelta(days=7), "dry_needling", 5, 4),
    ]
    follow = [
        FollowUp(1, t0 + timedelta(days=9), 1, None, 11),  # after session 2: left out
        FollowUp(2, t0 + timedelta(days=7), 2, None, 12),  # at session 2's time: left out
        FollowUp(2, t0 + timedelta(days=10), 3, None, 13),  # counted
    ]
    progress = patient_progress(1, sessions, follow)
    assert [(t.at.day, t.pain, t.kind) for t in progress.timeline] == [
        (5, 7, "before"), (5, 5, "after"), (12, 5, "before"), (12, 4, "after"),
        (15, 3, "follow_up"),
    ]  # fmt: skip
    plt = Recorder()
    draw_progress(plt, progress)
    drawn = [(args[0], args[1]) for name, args, _ in plt.calls if name in ("plot", "scatter")]
    assert drawn[0] == ([0.0, 0.0, 7.0, 7.0, 10.0], [7.0, 5.0, 5.0, 4.0, 3.0])  # the line
    assert drawn[-1] == ([10.0], [3.0])  # the one follow-up that counts
    assert progress.settled is not None and progress.settled.pain == 3
    assert progress_key(progress).endswith("* follow-up")


def three_complaints(days: tuple[int, ...], names: tuple[str, ...]) -> Any:
    """A line per complaint, each begun on its day of ``days`` (two sessions 60 days
    apart), complaint ``names`` by episode."""
    t0 = datetime(2026, 3, 1, 10)
    sessions = [
        SessionOutcome(i * 10 + k, 1, 1, t0 + timedelta(days=d + 60 * k), "acupuncture", 7, 4,
                       episode_id=i + 1)
        for i, d in enumerate(days) for k in range(2)
    ]  # fmt: skip
    sessions.sort(key=lambda s: s.started_at)
    return patient_progress(1, sessions, [], complaints=dict(enumerate(names, start=1)))


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_complaints_begun_days_apart_keep_each_line_s_number_whole(width: int) -> None:
    # review18 #1: three complaints begun two days apart: their names pushed one after
    # the other ran together ("Neck painKnee painLow back pain" at 40 columns) or the
    # third was clipped to "Lo" at the chart's edge.
    progress = three_complaints((0, 2, 4), ("neck pain", "knee pain", "low back pain"))
    text = progress_chart(progress, width=width, height=16)
    assert sorted(numbers(canvas(text))) == [1, 2, 3]  # each once, whole
    names = "1 Neck pain   2 Knee pain   3 Low back pain"
    assert text.splitlines()[-2] == ("3 Low back pain" if width < 60 else names)


def test_two_episodes_of_one_complaint_are_told_apart_as_the_sentences_do() -> None:
    # review18 #1: both lines read "Low back pain" on the chart, while the sentences
    # said "Low back pain (from 2026-03-01)" and "(from 2026-09-17)".
    from sessionlog.charts.take_home import pain_svg

    progress = three_complaints((0, 200), ("low back pain", "Low back pain"))
    first, second = "Low back pain (from 2026-03-01)", "Low back pain (from 2026-09-17)"
    assert progress_key(progress).splitlines()[0] == f"1 {first}   2 {second}"
    assert sorted(numbers(canvas(progress_chart(progress, width=80, height=16)))) == [1, 2]
    svg = pain_svg(progress)
    assert f">{first}</text>" in svg and f">{second}</text>" in svg


def test_lines_begun_at_the_chart_s_right_edge_keep_their_numbers_inside_it() -> None:
    t0 = datetime(2026, 3, 1, 10)
    sessions = [
        SessionOutcome(1, 1, 1, t0, "acupuncture", 7, 4, episode_id=1),
        SessionOutcome(2, 1, 1, t0 + timedelta(days=99), "acupuncture", 7, 4, episode_id=2),
        SessionOutcome(3, 1, 1, t0 + timedelta(days=100), "acupuncture", 7, 4, episode_id=3),
    ]
    progress = patient_progress(1, sessions, [], complaints={1: "neck", 2: "knee", 3: "hip"})
    lines = progress_chart(progress, width=40, height=16).splitlines()
    assert sorted(numbers(canvas("\n".join(lines)))) == [1, 2, 3]
    # begun a day apart at the right edge, at one pain: one tag beside their readings
    assert lines[4].endswith("2,3│") and lines[5].endswith("o│")
