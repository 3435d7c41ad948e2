"""One patient's progress: timeline, per-session changes, lasting relief, sentences."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sessionlog.analysis import FollowUp, SessionOutcome, patient_progress, patient_sentences
from sessionlog.analysis.progress import verdict
from sessionlog.analysis.stats import Mean
from sessionlog.analysis.windows import parse_windows


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def course() -> tuple[list[SessionOutcome], list[FollowUp]]:
    sessions = [
        SessionOutcome(1, 1, 1, at("2026-01-05 10:00"), "acupuncture", 7, 5, insertions=10),
        SessionOutcome(2, 1, 1, at("2026-01-12 10:00"), "acupuncture", 5, 3, insertions=12),
        SessionOutcome(3, 1, 1, at("2026-01-19 10:00"), "acupuncture", 4, 2, insertions=14),
    ]
    return sessions, [FollowUp(3, at("2026-01-26 10:00"), 3, None, 1)]


def test_three_weekly_sessions() -> None:
    p = patient_progress(1, *course())
    assert [(t.pain, t.kind) for t in p.timeline] == [
        (7, "before"), (5, "after"), (5, "before"), (3, "after"), (4, "before"), (2, "after"),
        (3, "follow_up"),
    ]  # fmt: skip
    assert (p.sessions, p.baseline, p.latest.pain if p.latest else None) == (3, 7, 3)
    assert p.change is not None and (p.change.points, p.change.responder_points) == (4, True)
    assert (
        p.band is not None and p.band[0] == 5 and p.band[1] == pytest.approx(4.9)
    )  # 7 - 2, 7 · 0.7
    first = p.rows[0]
    assert first.windows[0] is not None and first.windows[0].points == 2  # 7 → 5 right after
    assert first.windows[1] is None  # nothing within 72 h
    assert first.windows[2] is not None and first.windows[2].then == 5  # next session, 1 week
    fam = p.families[0]
    assert (fam.family, fam.sessions, fam.immediate.value) == ("acupuncture", 3, 2.0)
    # Later than 72 h: 7→5 (next session), 5→4 (next session), 4→3 (follow-up): 4/3.
    assert fam.later.value == pytest.approx(4 / 3)
    # 1.33 points later, but its interval (-0.1 to 2.8) reaches 0: too uncertain to say
    # (it said "lasting" before: DOMAIN.md's MCID and the interval now decide).
    assert fam.verdict == "unclear"
    dose = p.dose[0]
    assert (dose.sessions, dose.per_week_median, dose.insertions_per_session.value) == (3, 1.0, 12)


def test_sentences_for_the_patient() -> None:
    assert patient_sentences(patient_progress(1, *course())) == [
        "Your pain has gone from 7 to 3 over 3 sessions. That is a change most people notice"
        " clearly.",
        "Your readings after acupuncture sessions differ too much to say whether it relieves"
        " your pain for long (too uncertain to say).",
    ]


def test_no_relief_within_sessions_is_not_said_as_no_change() -> None:
    # The demo's P0034: pain 6 before the first session and 0 at the last check, while
    # each later session began already low and lowered it no further. "So far acupuncture
    # has not clearly changed your pain" under "Your pain has gone from 6 to 0"
    # contradicted it: the verdict is about each session against its own start.
    sessions = [
        SessionOutcome(
            n, 1, 1, at("2026-01-05 10:00") + timedelta(weeks=n - 1), "acupuncture", b, a
        )
        for n, (b, a) in enumerate([(6, 6), (6, 5), (5, 5), (4, 4), (3, 3)], start=1)
    ]
    p = patient_progress(1, sessions, [FollowUp(5, at("2026-02-09 10:00"), 2)])
    assert p.families[0].verdict == "no_relief"  # each session: under a point, then or later
    assert patient_sentences(p) == [
        "Your pain has gone from 6 to 2 over 5 sessions. That is a change most people notice"
        " clearly.",
        "Compared with just before each session, acupuncture has not clearly lowered your"
        " pain, right after it or days later.",
    ]


def test_relief_that_wore_off_is_said_of_each_session_not_of_the_course() -> None:
    # "Your pain has gone from 7 to 2 ... IMS eased your pain right after a session, but
    # that relief wore off within days": the patient read the second as contradicting
    # the first. Each session eased the pain by 2 points and days later it was back at 7,
    # until the last check, two weeks after the ninth session: 2.
    sessions = [
        SessionOutcome(n, 1, 1, at("2026-01-05 10:00") + timedelta(weeks=n - 1), "ims", 7, 5)
        for n in range(1, 10)
    ]
    follow_ups = [
        FollowUp(n, at("2026-01-09 10:00") + timedelta(weeks=n - 1), 7) for n in range(1, 9)
    ]
    follow_ups.append(FollowUp(9, at("2026-03-16 10:00"), 2))
    p = patient_progress(1, sessions, follow_ups)
    assert p.families[0].verdict == "faded"
    assert patient_sentences(p) == [
        "Your pain has gone from 7 to 2 over 9 sessions. That is a change most people notice"
        " clearly.",
        "Right after each IMS session your pain was about 2 points lower than just before"
        " it; more than 3 days later, less than 1 point of that relief was left.",
    ]


def test_one_session_without_follow_up() -> None:
    s = SessionOutcome(1, 1, 1, at("2026-01-05 10:00"), "dry_needling", 6)
    p = patient_progress(1, [s], [])
    # No score a day or more after the session: no change to tell yet.
    assert (p.sessions, p.baseline, p.change, p.settled) == (1, 6, None, None)
    assert p.families[0].verdict == "unknown"
    assert patient_sentences(p) == [
        "Your pain was 6 before your first session; there is no score from a day or more"
        " after a session yet.",
        "It is too early to say whether the relief after dry needling lasts.",
    ]
    from sessionlog.analysis.table import progress_summary

    # No pain after and no later reading: said in words, not as "- points (n=0)".
    assert progress_summary(p)[-1].startswith(
        "Dry needling: 1 session; no pain score right after, no reading more than 72 h after yet: "
    )


def test_no_sessions() -> None:
    p = patient_progress(1, [], [])
    assert (p.sessions, p.latest, p.change, p.band) == (0, None, None, None)
    assert patient_sentences(p) == ["No sessions are recorded yet."]


def test_pain_going_up_and_recovery() -> None:
    up = [
        SessionOutcome(1, 1, 1, at("2026-01-05 10:00"), "ims", 3, 2),
        SessionOutcome(2, 1, 1, at("2026-01-20 10:00"), "ims", 5),
    ]
    assert patient_sentences(patient_progress(1, up, []))[0] == (
        "Your pain has gone from 3 up to 5 over 2 sessions."
    )
    down = [SessionOutcome(1, 1, 1, at("2026-01-05 10:00"), "ims", 4, 0)]
    # 0 right after needling is not "no pain at the last check": a day later is.
    assert patient_sentences(patient_progress(1, down, []))[0] == (
        "Your pain was 4 before your first session; there is no score from a day or more"
        " after a session yet."
    )
    later = [FollowUp(1, at("2026-01-07 10:00"), 0)]
    assert patient_sentences(patient_progress(1, down, later))[0] == (
        "Your pain has gone from 4 to 0 over 1 session. At the last check you had no pain."
    )


@pytest.mark.parametrize(
    ("now", "later", "expected"),
    [
        (3.0, 0.5, "faded"),
        (3.0, 1.0, "partly"),  # kept a point, less than half
        (2.0, 1.0, "partly"),  # 1 point of 2 left: less than the MCID (was "lasting")
        (2.0, 2.0, "lasting"),
        (0.5, 0.2, "no_relief"),
        (None, 2.0, "no_after"),  # no score right after: no relief to last (was "lasting")
        (2.0, None, "unknown"),
    ],
)
def test_verdicts(now: float | None, later: float | None, expected: str) -> None:
    def m(v: float | None) -> Mean:
        return Mean(v, None, None, 0 if v is None else 1)

    assert verdict(m(now), m(later)) == expected


def test_readings_between_windows_count_for_lasting_relief() -> None:
    # Visits every ten days: each next-session score falls between the 1-week and the
    # 2-4-week windows, yet it is a reading more than 72 h after the session.
    sessions = [
        SessionOutcome(1, 1, 1, at("2026-01-01 10:00"), "dry_needling", 7, 4),
        SessionOutcome(2, 1, 1, at("2026-01-11 10:00"), "dry_needling", 6, 3),
        SessionOutcome(3, 1, 1, at("2026-01-21 10:00"), "dry_needling", 5, 3),
    ]
    fam = patient_progress(1, sessions, []).families[0]
    assert fam.immediate.value == pytest.approx(8 / 3)  # 3, 3, 2
    assert (fam.later.value, fam.later.n) == (1.0, 2)  # 7 → 6 and 6 → 5
    assert fam.verdict == "partly"  # kept a point, less than half of 2.67


def test_follow_ups_only_between_windows_are_not_too_early() -> None:
    # Follow-ups on day 10 and day 41 (both between windows): the latest of them counts.
    s = SessionOutcome(1, 1, 1, at("2026-03-02 10:00"), "dry_needling", 7, 3)
    follow_ups = [FollowUp(1, at("2026-03-12 10:00"), 5, None, 1),
                  FollowUp(1, at("2026-04-12 10:00"), 6, None, 2)]  # fmt: skip
    p = patient_progress(1, [s], follow_ups, parse_windows("72h, 72h-8d, 13d-29d, 83d-"))
    fam = p.families[0]
    assert (fam.later.value, fam.later.n, fam.verdict) == (1.0, 1, "partly")
    assert p.rows[0].windows[1:] == (None, None, None, None)  # no window column holds them
    from sessionlog.analysis.table import session_rows

    columns, rows = session_rows(p)  # but the table shows the one that counted
    assert ("between", "Between windows") in columns
    assert rows[0]["between"] == "day 41: 6 (+1)"
    assert ("between", "Between windows") not in session_rows(patient_progress(1, *course()))[0]
    assert patient_sentences(p)[1] == (
        "Right after the session of dry needling your pain was about 4 points lower than just"
        " before it; more than 3 days later some relief was left (1.0 points), less than a"
        " change most people notice. This rests on one session so far."
    )


def test_summary_names_the_n_behind_each_mean() -> None:
    from sessionlog.analysis.table import progress_summary

    line = progress_summary(patient_progress(1, *course()))[-1]
    # Right after: 2, 2, 2 (three sessions); later: 2, 1, 1 (one reading of each).
    assert line == (
        "Acupuncture: 3 sessions; relief right after 2.0 points (all the same: no interval)"
        " (3 sessions),"
        " after 72 h 1.3 points (-0.1 to 2.8) (3 sessions; the latest reading of each):"
        " too uncertain to say;"
        " 1.0 sessions/week; 12.0 insertions/session."
    )


def test_electro_acupuncture_is_told_apart_from_acupuncture() -> None:
    # The report and the patient's sentences said "acupuncture" for electro-acupuncture
    # sessions (grouped by family), while the chart's legend said electro-acupuncture.
    from sessionlog.analysis.table import progress_summary, session_rows

    sessions, follow_ups = course()
    sessions += [
        SessionOutcome(4, 1, 1, at("2026-02-02 10:00"), "electroacupuncture", 6, 2, insertions=8),
        SessionOutcome(5, 1, 1, at("2026-02-09 10:00"), "electroacupuncture", 5, 2, insertions=8),
    ]
    p = patient_progress(1, sessions, follow_ups)
    assert [(c.family, c.sessions) for c in p.families] == [
        ("acupuncture", 3),
        ("electroacupuncture", 2),
    ]
    assert [d.key for d in p.dose] == ["acupuncture", "electroacupuncture"]
    sentences = patient_sentences(p)
    assert sentences[1].startswith("Right after each acupuncture session your pain was")
    # 4 and 3 points right after: with two sessions the interval reaches 0 (t on 1 df):
    # too uncertain to say, not "has not clearly lowered" (review15).
    assert p.families[1].verdict == "uncertain"
    assert sentences[2].startswith("Right after a session of electro-acupuncture your pain")
    summary = progress_summary(p)
    assert [line.split(":")[0] for line in summary[-2:]] == ["Acupuncture", "Electro-acupuncture"]
    assert "8.0 insertions/session" in summary[-1]
    assert [r["technique"] for r in session_rows(p)[1]][-2:] == ["Electro-acupuncture"] * 2
