"""PSFS change only on the activities rated both times: a reading on new activities is
a new starting point, never 'the same as at the first check' (the README's P0013 was
told so after `--items 4,6 --activity "climbing stairs" --activity "lifting a child"`,
its first reading being on sitting at work, sleeping and lifting)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers_cli import ok
from helpers_domain import fixed_clock
from helpers_store import dry_needling

from sessionlog.analysis.scale_compare import ScaleFact, compare_scales
from sessionlog.analysis.scale_course import ScaleCourse, scale_courses, scale_sentence
from sessionlog.charts.scales import scale_chart
from sessionlog.cli import common
from sessionlog.store import Store

T0 = datetime(2026, 6, 19, 9, 15)
OLD = ("sitting at work", "sleeping", "lifting")
NEW = ("climbing stairs", "lifting a child")


def _course(*readings: tuple[int, tuple[str, ...], tuple[int, ...]]) -> ScaleCourse:
    [c] = scale_courses(
        ("PSFS", T0 + timedelta(days=d), sum(items) / len(items), "practitioner", names, items)
        for d, names, items in readings
    )
    return c


def test_new_activities_are_a_new_starting_point_not_the_same() -> None:
    c = _course((0, OLD, (4, 6, 5)), (28, OLD, (4, 5, 6)), (120, NEW, (4, 6)))
    assert (c.new_start, c.improvement, c.important) == (True, None, None)
    assert scale_sentence(c) == (
        "Your Patient-Specific Functional Scale is 5.0 of 10 on new activities (climbing"
        " stairs, lifting a child): a new starting point, not a change from before; on this"
        " scale higher is better. The next check on the same activities will show the change."
    )
    # The chart shows the readings on these activities only (one), and says so.
    assert "PSFS, higher is better, new activities" in scale_chart(c)


def test_the_change_counts_only_activities_rated_both_times() -> None:
    # Sleeping 6 -> 9 (+3); the others were not rated both times.
    c = _course((0, OLD, (4, 6, 5)), (30, ("Sleeping", "climbing stairs"), (9, 1)))
    assert (c.baseline, c.latest, c.improvement, c.important) == (6.0, 9.0, 3.0, True)
    assert scale_sentence(c) == (
        "Your Patient-Specific Functional Scale has improved on the activities rated both"
        " times (Sleeping) from 6.0 of 10 to 9.0 of 10; on this scale higher is better."
        " That is a change most people notice clearly."  # 3 of the 4 points of room
    )


def test_after_new_activities_the_change_runs_from_when_they_were_first_rated() -> None:
    c = _course((0, OLD, (4, 6, 5)), (30, NEW, (2, 2)), (60, NEW, (5, 5)))
    assert (c.new_start, c.baseline, c.improvement) == (False, 2.0, 3.0)
    assert [p.score for p in c.followed] == [2.0, 5.0]
    assert scale_sentence(c).startswith(
        "Your Patient-Specific Functional Scale has improved since 2026-07-19, when you named"
        " these activities, from 2.0 of 10 to 5.0 of 10"
    )


def test_readings_without_names_compare_whole_as_before() -> None:
    [c] = scale_courses([("PSFS", T0, 4.0, ""), ("PSFS", T0 + timedelta(days=9), 6.0, "")])
    assert (c.new_start, c.improvement) == (False, 2.0)


def _fact(pid: int, days: int, names: tuple[str, ...], items: tuple[int, ...]) -> ScaleFact:
    at = T0 + timedelta(days=days)
    return ScaleFact(pid, "PSFS", at, sum(items) / len(items), "acupuncture", T0, names, items)


def test_the_clinic_comparison_leaves_out_readings_on_other_activities() -> None:
    facts = []
    for pid in (1, 2, 3):
        facts += [_fact(pid, 0, OLD, (4, 6, 5)), _fact(pid, 50, OLD, (6, 8, 7))]  # +2 each
    facts.append(_fact(4, 0, OLD, (4, 6, 5)))
    facts.append(_fact(4, 50, NEW, (5, 5)))  # new activities: no change to count
    facts.append(_fact(5, 0, OLD, (4, 6, 5)))
    facts.append(_fact(5, 50, ("sleeping", "running"), (9, 0)))  # sleeping 6 -> 9: +3
    [group] = compare_scales(facts)
    cell = next(c for c in group.cells if c.patients)
    assert (cell.label, cell.patients) == ("4 to 12 weeks", 4)
    assert cell.change.value == pytest.approx((2 + 2 + 2 + 3) / 4)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from sessionlog.domain import Episode, Patient, Practitioner

    monkeypatch.setattr(common.Context.__init__, "__defaults__", (fixed_clock,))
    path = tmp_path / "s.db"
    s = Store.open(path, clock=fixed_clock)
    s.add_practitioner(Practitioner("Ann Lee", "physiotherapist", "PT"))
    pid = s.add_patient(Patient("C001", "Bo Kim", 1980, "female"))
    s.add_episode(Episode(pid, "stiff neck", "neck", "2026-11-01"))
    s.save_session(dry_needling(1))  # 2026-11-20 09:15
    s.close()
    return path


def test_recording_says_the_activities_differ_and_the_report_does_not_call_it_a_change(
    db: Path,
) -> None:
    first = "--activity 'sitting at work' --activity sleeping --activity lifting"
    ok(
        db,
        f"scale record --patient C001 --scale PSFS --items 4,6,5 {first} --at '2026-11-20 09:30'",
    )
    out = ok(db, "scale record --patient C001 --scale PSFS --items 4,6 --activity 'climbing"
                 " stairs' --activity 'lifting a child' --at '2026-11-21 10:00'")  # fmt: skip
    assert out.splitlines()[1:] == [
        "note: These activities differ from the previous PSFS reading (2026-11-20: sitting at"
        " work, sleeping, lifting): no activity in common, so this reading is a new starting"
        " point."
    ]
    report = ok(db, "report --patient C001")
    assert "the same as at the first check" not in report
    assert "on new activities (climbing stairs, lifting a child): a new starting point" in report


def test_a_scale_for_another_body_region_is_saved_with_a_note(db: Path) -> None:
    items = "1,1,1,1,1,1,1,1,1,1"
    out = ok(db, f"scale record --patient C001 --scale NDI --items {items} --at '2026-11-20 09:30'")
    assert "note" not in out  # NDI is the neck's
    out = ok(db, f"scale record --patient C001 --scale ODI --items {items} --at '2026-11-20 09:31'")
    assert out.splitlines() == [
        "ODI 20% saved (reading 2, session 1)",
        "note: ODI is meant for the low back; this patient's records are for the neck"
        " (NDI, episode).",
    ]
    out = ok(db, "scale record --patient C001 --scale PSFS --items 5 --at '2026-11-20 09:32'")
    assert "note" not in out  # PSFS is for any region


def _take_home(db: Path, tmp_path: Path) -> str:
    ok(db, f"report --patient C001 --format html --force -o {tmp_path / 'r.html'}")
    return (tmp_path / "r.html").read_text(encoding="utf-8")


def test_the_take_home_latest_is_the_charted_figure_and_names_its_activities(
    db: Path, tmp_path: Path
) -> None:
    # The chart and the sentence read sleeping and lifting (5.5 -> 8.0); under the
    # chart, 'Latest: 6.3 of 10' was the mean of all three, climbing stairs too.
    ok(db, "scale record --patient C001 --scale PSFS --items 4,6,5 --activity 'sitting at"
           " work' --activity sleeping --activity lifting --at '2026-11-20 09:30'")  # fmt: skip
    ok(db, "scale record --patient C001 --scale PSFS --items 7,9,3 --activity Sleeping"
           " --activity lifting --activity 'climbing stairs' --at '2026-11-21 10:00'")  # fmt: skip
    page = _take_home(db, tmp_path)
    assert "from 5.5 of 10 to 8.0 of 10" in page
    assert "6.3" not in page
    assert (
        '<p class="note">Latest (2 activities you rated each time: Sleeping, lifting):'
        " 8.0 of 10 · 2 readings</p>"
    ) in page
    assert (
        '<p class="note">Added since 2026-11-20, so not in the chart or the change: climbing'
        " stairs (3 of 10). No longer rated: sitting at work.</p>"
    ) in page
    report = ok(db, "report --patient C001")
    assert (
        "Added since 2026-11-20, so not in the chart or the change: climbing stairs (3 of 10)."
        " No longer rated: sitting at work."
    ) in report


def test_the_take_home_latest_on_the_same_activities_and_on_new_ones(
    db: Path, tmp_path: Path
) -> None:
    for at, items in (("2026-11-20 09:30", "4,6,5"), ("2026-11-21 10:00", "6,7,6")):
        ok(db, f"scale record --patient C001 --scale PSFS --items {items} --activity 'sitting"
               f" at work' --activity sleeping --activity lifting --at '{at}'")  # fmt: skip
    page = _take_home(db, tmp_path)
    assert (
        '<p class="note">Latest (3 activities you rated each time: sitting at work, sleeping,'
        " lifting): 6.3 of 10 · 2 readings</p>"
    ) in page
    assert "Added since" not in page and "No longer rated" not in page
    ok(db, "scale record --patient C001 --scale PSFS --items 2,8 --activity 'climbing stairs'"
           " --activity 'lifting a child' --at '2026-11-22 09:00'")  # fmt: skip
    page = _take_home(db, tmp_path)
    assert (
        '<p class="note">Latest (2 activities rated once so far: climbing stairs, lifting a'
        " child): 5.0 of 10 · 1 of 3 readings (the others were on other activities)</p>"
    ) in page
    assert (
        '<p class="note">New since 2026-11-21: climbing stairs (2 of 10), lifting a child'
        " (8 of 10). No longer rated: sitting at work, sleeping, lifting.</p>"
    ) in page


def test_a_reading_between_without_the_shared_activities_is_left_out_of_the_chart() -> None:
    # Sleeping and lifting at the first and the last reading; the one between rated
    # sleeping only: its score was charted as if it were on both.
    c = _course(
        (0, ("sleeping", "lifting"), (4, 4)),
        (10, ("sleeping",), (9,)),
        (20, ("sleeping", "lifting"), (6, 6)),
    )
    assert [p.score for p in c.followed] == [4.0, 6.0]


def test_the_apps_activity_entry_names_what_is_wrong() -> None:
    from sessionlog.domain.scales import find_scale
    from sessionlog.errors import ValidationError
    from sessionlog.services.activity_entry import parse_activities

    psfs = find_scale("PSFS")
    assert parse_activities(psfs, "walking 2 km: 7;; sleeping=10, reach 1,000 m 5") == (
        ("walking 2 km", "sleeping", "reach 1,000 m"), (7, 10, 5)
    )  # fmt: skip
    for typed, said in (
        # A ';' left out: "sleeping 7 lifting" was saved as one activity answered 9, and
        # "reach 1,000 m 5" as reach 1 and "000 m" 5 (review16). A number 0-10 inside a
        # name asks for ':' before the answer; a comma between digits is not a separator.
        ("sleeping 7 lifting 9", "activities: is 7 in 'sleeping 7 lifting 9' an answer? Put"
                                 " ; between activities (sleeping 7; lifting 9), or : before"
                                 " the answer to keep a number in a name (walking 2 km: 7)"),
        ("walking 2 km 7", "activities: is 2 in 'walking 2 km 7' an answer? Put ; between"
                           " activities (sleeping 7; lifting 9), or : before the answer to"
                           " keep a number in a name (walking 2 km: 7)"),
        ("- 5", "activities: an activity's name has a letter, e.g. sleeping 7; lifting 9"
                " ('-' has none)"),
        ("7", "activities: name the activity before its answer, e.g. sleeping 7; lifting 9"
              " (7 has no name)"),
        ("sleeping \u0663", "activities: give each activity its answer after its name, e.g."
                            " sleeping 7; lifting 9 (sleeping \u0663 has none)"),
    ):  # fmt: skip
        with pytest.raises(ValidationError) as err:
            parse_activities(psfs, typed)
        assert str(err.value) == said


def test_a_reading_to_correct_in_the_app_is_filled_in_as_the_form_reads_it_back() -> None:
    # The app's correction fills the scale form with the reading's answers: activities
    # whose names the activities field would read back otherwise ("reach, lift" from
    # scale record --activity) go in the answers in order instead, the names kept.
    from sessionlog.services.scales import answers_to_type
    from sessionlog.store.records.lazy_rows import ScaleReadingRow

    def row(
        scale: str, items: tuple[int | None, ...] | None, labels: tuple[str, ...] = ()
    ) -> ScaleReadingRow:
        return ScaleReadingRow(1, 1, 1, None, scale, "2026-06-19 09:15", items, labels, 4.0,
                               "practitioner", 1, "2026-06-19 09:15")  # fmt: skip

    assert answers_to_type(row("PSFS", (4, 7), ("sleeping", "walking 2 km"))) == (
        "activities", "sleeping 4; walking 2 km: 7"
    )  # fmt: skip
    assert answers_to_type(row("PSFS", (3, 4), ("reach, lift", "walk; run"))) == ("items", "3,4")
    assert answers_to_type(row("NDI", (3, 2, 1, 0, 4, 2, 1, 3, 2, None))) == (
        "items", "3,2,1,0,4,2,1,3,2,-"
    )  # fmt: skip
    assert answers_to_type(row("NDI", None)) == ("total", "4")
