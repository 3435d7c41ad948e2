"""Every figure honest about what it can be: intervals inside what the quantity can take,
no "-0", no interval that claims certainty, each figure's own patients counted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sessionlog.analysis import SessionOutcome, patient_progress, summarise_window
from sessionlog.analysis.scale_compare import ScaleFact, compare_scales
from sessionlog.analysis.soreness import dose_band_clusters, soreness_by_dose, soreness_course
from sessionlog.analysis.table import fmt_mean, progress_summary, window_row
from sessionlog.analysis.windows import Window
from sessionlog.domain.scales import catalogue
from sessionlog.services.scales import cell_text

W = Window("72h", "up to 72 h", 0, 72)
START = datetime(2026, 1, 5, 9, 0)


def row(cells: dict[tuple[int, int], int], patients: int = 3) -> dict[str, str]:
    return window_row("Dry needling", summarise_window(W, cells, patients=patients))


def scale_cell(code: str, answers: list[tuple[float, float]]) -> tuple[str, str]:
    """The 1-4 week cell of ``code`` for one patient per (first, later) answer pair."""
    facts = []
    for pid, (first, later) in enumerate(answers, 1):
        facts += [ScaleFact(pid, code, START, first, "dry_needling", START),
                  ScaleFact(pid, code, START + timedelta(days=20), later, "dry_needling",
                            START)]  # fmt: skip
    [group] = compare_scales(facts)
    cell = {c.window: c for c in group.cells}["1-4w"]
    return cell_text(cell, group.scale)


# -- A: every interval within what the quantity can take ----------------------------


def test_relief_intervals_stay_within_what_relief_can_be() -> None:
    # Relief 4, 6, 2 of 6: 67%, 100%, 33%; the t interval on 3 patients runs past 100%.
    assert row({(6, 2): 1, (6, 0): 1, (6, 4): 1})["percent"] == "67% (-16 to 100)"
    # Relief 2, 8 and 0 points: a change in points is at most 10.
    assert row({(2, 0): 1, (8, 0): 1, (4, 4): 1})["mean"] == "3.3 (-7.0 to 10.0)"


def test_soreness_intervals_stay_within_0_to_10() -> None:
    course = soreness_course({1: {0: 2, 4: 1}}, {1: 3}, {})
    assert fmt_mean(course.points[1].mean) == "1.3 (0.0 to 7.1)"
    rows = [(p, 3, 0, 6, s) for p, s in ((1, 0), (2, 0), (3, 4))]
    band = soreness_by_dose(dose_band_clusters(rows))[0]
    assert (band.band, fmt_mean(band.mean)) == ("1-5", "1.3 (0.0 to 7.1)")


def test_one_patients_relief_right_after_stays_within_10_points() -> None:
    sessions = [
        SessionOutcome(1, 1, 1, START, "ims", 6, 1),
        SessionOutcome(2, 1, 1, START + timedelta(days=7), "ims", 5, 4),
    ]
    lines = progress_summary(patient_progress(1, sessions, []))
    assert "relief right after 3.0 points (-10.0 to 10.0) (2 sessions)" in lines[-1]


def test_a_global_rating_is_a_mean_answer_within_its_own_range() -> None:
    # GROC 7, 7, 0: the interval may not pass +7.
    assert scale_cell("GROC", [(0, 7), (0, 7), (0, 0)]) == (
        "mean answer +4.7 (-5.4 to +7.0) on -7 to +7", "67% (4%-99%)"
    )  # fmt: skip
    # PGIC 2, 3, 1 (1 = very much improved): a mean answer on 1-7, not a signed change.
    assert scale_cell("PGIC", [(4, 2), (4, 3), (4, 1)]) == (
        "mean answer 2.0 (1.0 to 4.5) on 1 to 7", "67% (4%-99%)"
    )  # fmt: skip


def test_a_scale_change_stays_within_the_scale_span() -> None:
    # PSFS 0-10: improvements 10, 10 and 0 points; the mean's interval stops at +10.
    change, _ = scale_cell("PSFS", [(0, 10), (0, 10), (5, 5)])
    assert change == "+6.7 (-7.7 to +10.0)"
    assert catalogue()["PSFS"].score_max == 10


# -- B: no figure prints "-0" --------------------------------------------------------


def test_no_formatter_prints_minus_zero() -> None:
    from sessionlog.analysis.stats import Mean, Proportion
    from sessionlog.analysis.table import fixed, fmt_median, fmt_num, fmt_prop
    from sessionlog.domain.scales import format_score

    assert fmt_mean(Mean(0.8, -0.04, 1.5, 4)) == "0.8 (0.0 to 1.5)"
    assert fmt_mean(Mean(-0.02, -0.4, 0.3, 4), 0, "%") == "0% (0 to 0)"
    assert fmt_median(-0.2, (-0.4, 1.0), "%") == "0% (0 to 1)"
    assert (fmt_num(-0.04), fixed(-0.04, 1, "+"), fixed(-0.06, 1, "+")) == ("0.0", "+0.0", "-0.1")
    assert fmt_prop(Proportion(0, 5, -1e-9, 0.4)) == "0% (0-40%), 0/5"
    assert format_score(catalogue()["GROC"], -0.4) == "0"
    assert format_score(catalogue()["PSFS"], -0.04) == "0.0 of 10"


# -- C: values that did not differ give no interval, and say so ----------------------


def test_identical_patients_give_no_interval_and_say_so() -> None:
    from sessionlog.analysis.jsonable import to_jsonable
    from sessionlog.analysis.relief import relief_kept
    from sessionlog.analysis.stats import ClusterSums, point_totals

    w = summarise_window(W, {(6, 4): 3}, patients=3)
    r = window_row("Dry needling", w)
    assert (r["mean"], r["median"], r["percent"]) == (
        "2.0 (all the same: no interval)", "2.0", "33% (all the same: no interval)"
    )  # fmt: skip
    assert to_jsonable(w.mean_points) == {
        "value": 2.0, "low": None, "high": None, "n": 3, "sd": 0.0, "patients": 3,
        "se": 0.0, "alike": True,
    }  # fmt: skip
    assert w.median_points_ci is None
    # Relief kept: each of 3 patients kept all of 2 points.
    c = ClusterSums()
    for _ in range(3):
        c.add_patient(point_totals(6, 4, immediate=4))
    kept = relief_kept(c)
    assert (kept.share, kept.low, kept.high, kept.alike) == (1.0, None, None, True)


def test_one_patients_identical_sessions_give_no_interval() -> None:
    sessions = [SessionOutcome(i, 1, 1, START + timedelta(days=7 * i), "acupuncture", 6, 4)
                for i in range(1, 4)]  # fmt: skip
    lines = progress_summary(patient_progress(1, sessions, []))
    assert "relief right after 2.0 points (all the same: no interval) (3 sessions)" in lines[-1]


def test_identical_global_ratings_give_no_interval() -> None:
    assert scale_cell("GROC", [(0, 4), (0, 4), (0, 4)]) == (
        "mean answer +4.0 (all the same: no interval) on -7 to +7", "100% (14%-100%)"
    )  # fmt: skip


# -- D: each figure counts the patients who contribute to it -------------------------


def test_percent_figures_count_only_patients_with_a_percent() -> None:
    from sessionlog.analysis.jsonable import to_jsonable
    from sessionlog.analysis.stats import ClusterSums, point_totals

    # Three patients, one session each, pain 0, 6 and 8 before and 0 after: only two
    # have a percent, below the floor of 3; the points figures stand on all three.
    c = ClusterSums()
    for before in (0, 6, 8):
        c.add_patient(point_totals(before, 0))
    w = summarise_window(W, {(0, 0): 1, (6, 0): 1, (8, 0): 1}, patients=3, clusters=c)
    assert (w.percent_patients, w.percent_enough, w.enough) == (2, False, True)
    r = window_row("Dry needling", w)
    assert (r["percent"], r["resp30"], r["resp2"]) == (
        "not enough data (n=2); baseline 0 left out: 1 session", "", "67% (4-99%), 2/3"
    )  # fmt: skip
    data = to_jsonable(w)
    assert (data["mean_percent"]["patients"], data["responders_percent"]["patients"]) == (2, 2)
    assert (data["percent_patients"], data["percent_enough"]) == (2, False)


def test_a_row_says_when_the_percent_figures_leave_sessions_out() -> None:
    from sessionlog.analysis.stats import ClusterSums, point_totals

    c = ClusterSums()
    for sessions in ([(0, 0), (6, 3)], [(6, 2)], [(8, 4)], [(5, 5)]):
        totals: dict[str, float] = {}
        for before, then in sessions:
            for q, x in point_totals(before, then).items():
                totals[q] = totals.get(q, 0) + x
        c.add_patient(totals)
    cells = {(0, 0): 1, (6, 3): 1, (6, 2): 1, (8, 4): 1, (5, 5): 1}
    w = summarise_window(W, cells, patients=4, clusters=c)
    # The first patient also has a percent (6 -> 3): all four patients stand behind it.
    assert (w.percent_patients, w.percent_enough) == (4, True)
    r = window_row("Dry needling", w)
    assert r["percent"].endswith("; baseline 0 left out: 1 session")
    assert r["resp30"].endswith(", 3/4") and r["resp2"].endswith(", 3/5")


def test_when_the_sums_only_bound_the_patients_with_a_percent_the_row_says_so() -> None:
    from sessionlog.analysis.stats import ClusterSums, point_totals

    # Sessions with a percent per patient: 1 (and one with pain 0 before), 4 and 1.
    # The sums say 2 or 3 patients have one: the floor takes the 2, and the row says both.
    c = ClusterSums()
    for sessions in ([(0, 0), (6, 0)], [(6, 0)] * 4, [(6, 0)]):
        totals: dict[str, float] = {}
        for before, then in sessions:
            for q, x in point_totals(before, then).items():
                totals[q] = totals.get(q, 0) + x
        c.add_patient(totals)
    w = summarise_window(W, {(0, 0): 1, (6, 0): 6}, patients=3, clusters=c)
    assert (w.percent_patients, w.percent_patients_most, w.percent_enough) == (2, 3, False)
    assert window_row("IMS", w)["percent"] == (
        "not enough data (2 to 3 patients); baseline 0 left out: 1 session"
    )


# -- E: the scale comparison's floor -------------------------------------------------


def test_a_scale_mean_from_two_patients_is_not_shown() -> None:
    from sessionlog.cli.scales import scale_groups_json

    # ODI 40 -> 20 for two patients; a third has only a baseline.
    facts = [ScaleFact(p, "ODI", START, 40, "dry_needling", START) for p in (1, 2, 3)]
    facts += [ScaleFact(p, "ODI", START + timedelta(days=20), 20, "dry_needling", START)
              for p in (1, 2)]  # fmt: skip
    groups = compare_scales(facts)
    cell = {c.window: c for c in groups[0].cells}["1-4w"]
    assert (cell.patients, cell.enough, cell.note) == (2, False, "not enough data (n=2)")
    assert cell_text(cell, groups[0].scale) == ("not enough data (n=2)", "")
    data: Any = scale_groups_json(groups)
    shown = {c["window"]: c for c in data[0]["cells"]}["1-4w"]
    assert (shown["enough"], shown["note"], shown["change"]["low"]) == (
        False, "not enough data (n=2)", None
    )  # fmt: skip


# -- F: each scale's rule of an important change, as its source gives it -------------


def test_odi_counts_10_points_or_30_percent_as_important() -> None:
    odi = catalogue()["ODI"]
    assert [odi.important(b, a) for b, a in ((20, 14), (40, 30), (30, 32), (20, 15))] == [
        True, True, False, False,
    ]  # fmt: skip
    assert (odi.mcid_words, odi.needed(20), odi.needed(50)) == ("10 points or 30%", 6, 10)
    facts = []
    for pid, (first, later) in enumerate(((20, 14), (40, 30), (30, 32)), 1):
        then = START + timedelta(days=20)
        facts += [ScaleFact(pid, "ODI", START, first, "ims", START),
                  ScaleFact(pid, "ODI", then, later, "ims", START)]  # fmt: skip
    cell = {c.window: c for c in compare_scales(facts)[0].cells}["1-4w"]
    assert (cell.reached.k, cell.reached.n) == (2, 3)


def test_the_other_scales_keep_their_sources_rules() -> None:
    scales = catalogue()
    assert {code: (s.mcid, s.mcid_percent) for code, s in scales.items()} == {
        "PSFS": (2.0, None),  # Stratford 1995
        "NDI": (7.5, None),  # Young 2009
        "ODI": (10.0, 30.0),  # Ostelo 2008
        "QuickDASH": (15.9, None),  # Franchignoni 2014
        "PGIC": (None, None),  # responders 1-2 (IMMPACT)
        "GROC": (None, None),  # responders +4 or more
    }
    assert (scales["PGIC"].responder(2), scales["PGIC"].responder(3)) == (True, False)
    assert (scales["GROC"].responder(4), scales["GROC"].responder(3)) == (True, False)
    assert scales["NDI"].important(20, 12.5) and not scales["NDI"].important(20, 13)


# -- G: within one patient the session is the unit -----------------------------------


def test_one_sessions_later_readings_are_one_value() -> None:
    from sessionlog.analysis import FollowUp

    # One session (pain 6 before), followed at 1, 2, 4 and 8 weeks: 4, 4, 4, 3.
    sessions = [SessionOutcome(1, 1, 1, START, "acupuncture", 6, 4)]
    follow_ups = [FollowUp(1, START + timedelta(weeks=w), pain, None, i)
                  for i, (w, pain) in enumerate(((1, 4), (2, 4), (4, 4), (8, 3)), 1)]  # fmt: skip
    p = patient_progress(1, sessions, follow_ups)
    [course] = p.families
    assert (course.later.value, course.later.n, course.later.low) == (3.0, 1, None)
    assert "after 72 h 3.0 points (1 session; its latest reading)" in progress_summary(p)[-1]


# -- H: words that match the figures -------------------------------------------------


def test_scale_sentences_keep_clearly_for_half_or_more() -> None:
    from sessionlog.analysis.scale_course import ScaleCourse, ScalePoint, scale_sentence

    def sentence(code: str, first: float, last: float) -> str:
        points = (ScalePoint(START, first), ScalePoint(START + timedelta(days=28), last))
        return scale_sentence(ScaleCourse(catalogue()[code], points))

    # The bare MCID (ODI 10 points of 40, NDI 7.5 of 20): noticed, not "clearly".
    assert sentence("ODI", 40, 30).endswith("That is a change most people notice.")
    assert sentence("NDI", 20, 12.5).endswith("That is a change most people notice.")
    # Half or more of the way to the best score, as pain's 50%: "clearly".
    assert sentence("ODI", 40, 20).endswith("That is a change most people notice clearly.")
    assert sentence("PSFS", 2, 6).endswith("That is a change most people notice clearly.")
    assert sentence("PSFS", 2, 4).endswith("That is a change most people notice.")


def test_when_every_session_lost_relief_the_median_has_an_end() -> None:
    from sessionlog.analysis import GroupCounts, compare
    from sessionlog.analysis.lasting import relief_lasting
    from sessionlog.analysis.table import lasting_rows, soreness_rows

    # Four sessions, relief lost on day 1, 2, 2 and 5 (2 × days + 1: lost).
    lasting = relief_lasting({3: 1, 5: 2, 11: 1}, 4)
    assert (lasting.median_days, lasting.median_low_days, lasting.median_high_days) == (
        2.0, 1.0, 5.0
    )  # fmt: skip
    assert [s.share for s in lasting.still] == [0.25, 0.0, 0.0, 0.0]
    # All lost the same day: no interval, and words saying why.
    counts = GroupCounts("dry_needling", 4, 4, loss={3: 4}, loss_patients=4,
                         resolution={-1: 3}, resolution_patients=3)  # fmt: skip
    comparison = compare({"dry_needling": counts})
    row = next(r for r in lasting_rows(comparison) if r["technique"] == "Dry needling")
    # 0% has an upper bound: 1 - 0.025^(1/4), the exact binomial one on the 4 at risk.
    assert (row["lost"], row["median"], row["s72"]) == (
        "4 of 4", "1 (all lost by then: no interval)", "0% (0-60%); all 4 followed lost it"
    )  # fmt: skip
    # Bounds equal to the median with relief not all lost (80 of 100 lost on day 3, 20
    # still relieved when last seen on day 30) read "all lost by then" too (review).
    counts = GroupCounts("dry_needling", 40, 100, loss={7: 80, 60: 20}, loss_patients=40,
                         resolution={-1: 3}, resolution_patients=3)  # fmt: skip
    partly = next(r for r in lasting_rows(compare({"dry_needling": counts}))
                  if r["technique"] == "Dry needling")  # fmt: skip
    assert (partly["lost"], partly["median"]) == ("80 of 100", "3 (3 to 3)")
    _, sore = soreness_rows(comparison)
    resolved = next(r for r in sore if r["technique"] == "Dry needling")["resolved"]
    assert resolved.startswith("none 0 by the last reading; by 72 h 0%")


def test_an_adverse_event_rate_from_one_patient_says_it_has_no_interval() -> None:
    from sessionlog.analysis.compare import details
    from sessionlog.analysis.dose import dose_from_sums
    from sessionlog.analysis.stats import ClusterSums
    from sessionlog.analysis.table import detail_rows

    one = ClusterSums(1, {"k": 1, "n": 9}, {("k", "k"): 1, ("k", "n"): 9, ("n", "n"): 81})
    d = details(dose_from_sums("dry_needling", 1, 9, 81, 0, 0, None), {"mild": (1, 1)}, {},
                {"mild": one})  # fmt: skip
    assert detail_rows((d,))[0]["mild"] == "11.1 (1 patient: no interval)"


def test_a_cut_interval_holds_every_in_range_truth_the_uncut_one_held() -> None:
    import random

    from sessionlog.analysis.stats import LEVEL, Mean, bounded

    rng = random.Random(5)
    for _ in range(500):
        centre, half = rng.uniform(-3, 13), rng.uniform(0, 8)
        low, high = centre - half, centre + half
        cut = bounded(Mean(centre, low, high, 5), *LEVEL)
        assert cut.low is not None and cut.high is not None
        assert LEVEL[0] <= cut.low <= cut.high <= LEVEL[1]
        truth = rng.uniform(*LEVEL)
        if low <= truth <= high:
            assert cut.low <= truth <= cut.high
