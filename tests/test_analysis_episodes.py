"""A patient treated for several complaints (episodes of care): each episode's own change,
never one across them (review17 #3: a neck pain of 8 was compared with the knee's 1, "a
change most people notice clearly"); and "too early" only while it is (review17 #9)."""

from __future__ import annotations

from datetime import datetime

from sessionlog.analysis import FollowUp, SessionOutcome, patient_progress, patient_sentences
from sessionlog.analysis.table import progress_summary

NECK, KNEE = 1, 2
COMPLAINTS = {NECK: "neck pain", KNEE: "knee"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def two_complaints() -> tuple[list[SessionOutcome], list[FollowUp]]:
    """review17's Z001: neck 8 -> 3 (dry needling) on 11-01; knee 1 -> 0 (acupuncture)
    on 11-03 and 11-10; the neck's follow-up on 11-05 says 6."""
    sessions = [
        SessionOutcome(1, 1, 1, at("2026-11-01 10:00"), "dry_needling", 8, 3, episode_id=NECK),
        SessionOutcome(2, 1, 1, at("2026-11-03 10:00"), "acupuncture", 1, 0, episode_id=KNEE),
        SessionOutcome(3, 1, 1, at("2026-11-10 10:00"), "acupuncture", 1, 0, episode_id=KNEE),
    ]
    return sessions, [FollowUp(1, at("2026-11-05 10:00"), 6, None, 1)]


def test_each_episode_has_its_own_change() -> None:
    p = patient_progress(1, *two_complaints(), complaints=COMPLAINTS)
    neck, knee = p.episodes
    assert (neck.episode_id, neck.complaint, neck.sessions, neck.baseline) == (
        NECK, "neck pain", 1, 8,
    )  # fmt: skip
    assert neck.settled is not None and (neck.settled.pain, neck.settled.kind) == (6, "follow_up")
    assert neck.change is not None and (neck.change.points, neck.change.tier) == (2, "minimal")
    assert (neck.first_at, neck.last_at) == (at("2026-11-01 10:00"), at("2026-11-01 10:00"))
    assert (knee.episode_id, knee.complaint, knee.sessions, knee.baseline) == (KNEE, "knee", 2, 1)
    # The knee's latest settled reading is its own next session's pain before, never
    # the neck's follow-up (nor the neck's baseline against the knee's 1).
    assert knee.settled is not None and (knee.settled.pain, knee.settled.at) == (
        1, at("2026-11-10 10:00"),
    )  # fmt: skip
    assert knee.change is not None and knee.change.points == 0
    # No change across complaints: none for the patient as a whole, nor its lines.
    assert (p.baseline, p.change, p.settled, p.band) == (None, None, None, None)
    assert p.sessions == 3


def test_sentences_name_each_complaint() -> None:
    p = patient_progress(1, *two_complaints(), complaints=COMPLAINTS)
    assert patient_sentences(p)[:2] == [
        "Neck pain: your pain has gone from 8 to 6 over 1 session. That is a change most"
        " people notice.",
        "Knee: your pain is 1, the same as when these sessions began (2 sessions so far).",
    ]
    assert not any("from 8 to 1" in s for s in patient_sentences(p))


def test_an_episode_without_a_later_score_says_so() -> None:
    sessions, _ = two_complaints()
    p = patient_progress(1, sessions, [], complaints=COMPLAINTS)
    assert patient_sentences(p)[:2] == [
        "Neck pain: your pain was 8 when these sessions began; there is no score from a day"
        " or more after a session yet.",
        "Knee: your pain is 1, the same as when these sessions began (2 sessions so far).",
    ]
    # The knee session of 11-03 is not a later reading of the neck's (another course).
    assert p.episodes[0].settled is None


def test_worse_and_recovered_episodes() -> None:
    sessions, _ = two_complaints()
    follow = [FollowUp(1, at("2026-11-05 10:00"), 0, None, 1),
              FollowUp(3, at("2026-11-12 10:00"), 4, None, 2)]  # fmt: skip
    p = patient_progress(1, sessions, follow, complaints=COMPLAINTS)
    assert patient_sentences(p)[:2] == [
        "Neck pain: your pain has gone from 8 to 0 over 1 session. At the last check you had"
        " no pain.",
        "Knee: your pain has gone from 1 up to 4 over 2 sessions.",
    ]


def test_summary_gives_each_episode_its_lines() -> None:
    p = patient_progress(1, *two_complaints(), complaints=COMPLAINTS)
    assert progress_summary(p)[:5] == [
        "3 sessions for 2 complaints, 2026-11-01 to 2026-11-10.",
        "Neck pain: 1 session, on 2026-11-01. Pain 8 before its first session; latest 6"
        " (follow-up, 2026-11-05; scores right after needling are left out).",
        "Neck pain: change +2 points of relief, 25%; IMMPACT: minimal; 2+ points: yes; 30%+: no.",
        "Knee: 2 sessions, 2026-11-03 to 2026-11-10. Pain 1 before its first session; latest"
        " 1 (before a session, 2026-11-10; scores right after needling are left out).",
        "Knee: change +0 points of relief, 0%; IMMPACT: none; 2+ points: no; 30%+: no.",
    ]


def test_two_episodes_of_one_complaint_are_told_apart_by_their_start() -> None:
    sessions = [
        SessionOutcome(1, 1, 1, at("2026-01-05 10:00"), "ims", 7, 4, episode_id=1),
        SessionOutcome(2, 1, 1, at("2026-01-12 10:00"), "ims", 5, 3, episode_id=1),
        SessionOutcome(3, 1, 1, at("2026-09-01 10:00"), "ims", 6, 4, episode_id=2),
        SessionOutcome(4, 1, 1, at("2026-09-08 10:00"), "ims", 3, 2, episode_id=2),
    ]
    p = patient_progress(1, sessions, [], complaints={1: "low back pain", 2: "low back pain"})
    assert patient_sentences(p)[:2] == [
        "Low back pain (from 2026-01-05): your pain has gone from 7 to 5 over 2 sessions."
        " That is a change most people notice.",
        "Low back pain (from 2026-09-01): your pain has gone from 6 to 3 over 2 sessions."
        " That is a change most people notice clearly.",
    ]


def test_one_episode_reads_as_before() -> None:
    sessions = [
        SessionOutcome(1, 1, 1, at("2026-01-05 10:00"), "acupuncture", 7, 5, episode_id=4),
        SessionOutcome(2, 1, 1, at("2026-01-12 10:00"), "acupuncture", 4, 2, episode_id=4),
    ]
    p = patient_progress(1, sessions, [], complaints={4: "neck pain"})
    assert (p.baseline, p.settled.pain if p.settled else None) == (7, 4)
    assert p.change is not None and p.change.points == 3
    assert len(p.episodes) == 1 and p.episodes[0].change == p.change
    assert patient_sentences(p)[0] == (
        "Your pain has gone from 7 to 4 over 2 sessions. That is a change most people notice."
    )
    assert progress_summary(p)[0] == "2 sessions, 2026-01-05 to 2026-01-12."


def test_sessions_of_one_day_are_said_on_that_day() -> None:
    s = SessionOutcome(1, 1, 1, at("2026-11-20 10:00"), "dry_needling", 6, 3)
    assert progress_summary(patient_progress(1, [s], []))[0] == "1 session, on 2026-11-20."
    two = [s, SessionOutcome(2, 1, 1, at("2026-11-20 15:00"), "dry_needling", 5, 3)]
    assert progress_summary(patient_progress(1, two, []))[0] == "2 sessions, on 2026-11-20."


def test_no_later_reading_recorded_is_not_too_early() -> None:
    # review17 #9: a session 36 days ago with no reading since; "too early to say" only
    # while the time for a later reading has not come.
    s = SessionOutcome(1, 1, 1, at("2026-11-01 10:00"), "dry_needling", 6, 3, insertions=1)
    late = patient_progress(1, [s], [], now=at("2026-12-07 10:00"))
    assert late.families[0].verdict == "not_recorded"
    assert patient_sentences(late)[1] == (
        "No score was recorded days after dry needling to show if its relief lasts."
    )
    assert progress_summary(late)[-1] == (
        "Dry needling: 1 session; relief right after 3.0 points (1 session), no reading more"
        " than 72 h after: none was recorded; 1.0 insertions/session."
    )
    # A follow-up within 72 h is no later reading either.
    soon = patient_progress(1, [s], [FollowUp(1, at("2026-11-02 10:00"), 4)], now=late_now())
    assert soon.families[0].verdict == "not_recorded"
    early = patient_progress(1, [s], [], now=at("2026-11-03 10:00"))
    assert early.families[0].verdict == "unknown"
    assert patient_sentences(early)[1] == (
        "It is too early to say whether the relief after dry needling lasts."
    )
    assert progress_summary(early)[-1].endswith(
        "no reading more than 72 h after yet: too early to tell (no reading after 72 h);"
        " 1.0 insertions/session."
    )


def test_too_early_while_the_latest_session_of_a_technique_is_recent() -> None:
    old = SessionOutcome(1, 1, 1, at("2026-10-01 10:00"), "acupuncture", 6, 3, episode_id=1)
    new = SessionOutcome(2, 1, 1, at("2026-12-06 10:00"), "acupuncture", 5, 3, episode_id=1)
    # The old session's later reading is the new one's pain before (over 72 h after it).
    p = patient_progress(1, [old, new], [], now=at("2026-12-07 10:00"))
    assert p.families[0].verdict != "not_recorded"
    only_new = patient_progress(1, [new], [], now=at("2026-12-07 10:00"))
    assert only_new.families[0].verdict == "unknown"


def late_now() -> datetime:
    return at("2026-12-07 10:00")


def neck_and_knee_needled_alike() -> tuple[list[SessionOutcome], list[FollowUp]]:
    """Dry needling for both complaints, a day apart each week: the neck's relief (3
    points right after, 2 still a week later) lasts; the knee's 3 never moves. Pooled,
    the six sessions read "not yet certain" (review of episode16: a verdict across
    complaints)."""
    neck = [(8, 5), (6, 3), (4, 1)]
    sessions = [
        SessionOutcome(i + 1, 1, 1, at(f"2026-11-{1 + 7 * i:02d} 10:00"), "dry_needling",
                       b, a, insertions=4, episode_id=NECK)
        for i, (b, a) in enumerate(neck)
    ] + [
        SessionOutcome(i + 11, 1, 1, at(f"2026-11-{2 + 7 * i:02d} 10:00"), "dry_needling",
                       3, 3, insertions=2, episode_id=KNEE)
        for i in range(3)
    ]  # fmt: skip
    follow = [FollowUp(3, at("2026-11-19 10:00"), 2, None, 1),
              FollowUp(13, at("2026-11-20 10:00"), 3, None, 2)]  # fmt: skip
    return sessions, follow


def test_relief_lasted_is_said_per_complaint() -> None:
    p = patient_progress(1, *neck_and_knee_needled_alike(), complaints=COMPLAINTS)
    neck, knee = p.episodes
    assert [(f.family, f.sessions, f.verdict) for f in neck.families] == [
        ("dry_needling", 3, "lasting")
    ]
    assert (neck.families[0].immediate.value, neck.families[0].later.value) == (3.0, 2.0)
    assert [(f.family, f.sessions, f.verdict) for f in knee.families] == [
        ("dry_needling", 3, "no_relief")
    ]
    assert p.families == ()  # no verdict across complaints
    assert patient_sentences(p)[2:] == [
        "Neck pain: after dry needling the relief lasted: right after a session your pain was"
        " about 3 points lower than just before it, and more than 3 days later still about"
        " 2 points lower.",
        "Knee: compared with just before each session, dry needling has not clearly lowered"
        " your pain, right after it or days later.",
    ]
    assert not any("not yet certain" in s for s in patient_sentences(p))
    assert progress_summary(p)[5:] == [
        "Neck pain, dry needling: 3 sessions; relief right after 3.0 points (all the same: no"
        " interval) (3 sessions), after 72 h 2.0 points (all the same: no interval) (3"
        " sessions; the latest reading of each): relief lasted; 1.0 sessions/week; 4.0"
        " insertions/session.",
        "Knee, dry needling: 3 sessions; relief right after 0.0 points (all the same: no"
        " interval) (3 sessions), after 72 h 0.0 points (all the same: no interval) (3"
        " sessions; the latest reading of each): no clear relief; 1.0 sessions/week; 2.0"
        " insertions/session.",
    ]


def test_one_complaint_keeps_its_verdicts_unnamed() -> None:
    sessions, follow = neck_and_knee_needled_alike()
    neck_only = [s for s in sessions if s.episode_id == NECK]
    p = patient_progress(1, neck_only, follow[:1], complaints=COMPLAINTS)
    assert p.families == p.episodes[0].families
    assert patient_sentences(p)[1].startswith("After dry needling the relief lasted:")
    assert progress_summary(p)[-1].startswith("Dry needling: 3 sessions;")


def test_each_session_row_names_its_episode() -> None:
    # review19 #3: with two complaints the pooled verdicts left Progress (each episode
    # has its own), and `report --json`'s rows could not be told apart by complaint.
    p = patient_progress(1, *two_complaints(), complaints=COMPLAINTS)
    sessions, _ = two_complaints()
    assert [(r.record_id, r.episode_id) for r in p.rows] == [
        (s.record_id, s.episode_id) for s in sessions
    ]
    assert len({r.episode_id for r in p.rows}) == 2


def test_the_sessions_table_names_each_row_s_complaint_when_there_are_several() -> None:
    # review18 #3: the report's and F5's table of sessions had no complaint column: a
    # neck's session and a knee's read alike.
    from sessionlog.analysis.table import session_rows

    columns, rows = session_rows(patient_progress(1, *two_complaints(), complaints=COMPLAINTS))
    assert columns[:3] == [("date", "Date"), ("complaint", "Complaint"), ("technique", "Technique")]
    assert [(r["date"], r["complaint"]) for r in rows] == [
        ("2026-11-01", "Neck pain"), ("2026-11-03", "Knee"), ("2026-11-10", "Knee"),
    ]  # fmt: skip
    sessions = [
        SessionOutcome(1, 1, 1, at("2026-01-05 10:00"), "ims", 7, 4, episode_id=1),
        SessionOutcome(2, 1, 1, at("2026-09-01 10:00"), "ims", 6, 4, episode_id=2),
    ]
    p = patient_progress(1, sessions, [], complaints={1: "low back pain", 2: "low back pain"})
    assert [r["complaint"] for r in session_rows(p)[1]] == [
        "Low back pain (from 2026-01-05)", "Low back pain (from 2026-09-01)",
    ]  # fmt: skip
    # One complaint: the table as it was, without the column.
    one = patient_progress(1, sessions[:1], [], complaints={1: "low back pain"})
    columns, rows = session_rows(one)
    assert "complaint" not in dict(columns) and "complaint" not in rows[0]
