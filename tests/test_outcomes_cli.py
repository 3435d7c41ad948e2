"""``sessionlog report`` and ``sessionlog compare``: charts and tables, JSON, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_cli import ok, run
from helpers_outcomes import follow_up, neck_and_knee, session

from sessionlog.store import Store


@pytest.fixture
def db(store: Store, db_path: Path, practitioner_id: int, patient_id: int,
       other_patient_id: int) -> Path:  # fmt: skip
    """Bo: three weekly acupuncture sessions and a follow-up; Cy: one dry needling."""
    pr, bo, cy = practitioner_id, patient_id, other_patient_id
    r1 = session(store, bo, pr, "2026-01-05 10:00", before=7, after=5)
    session(store, bo, pr, "2026-01-12 10:00", before=5, after=3)
    r3 = session(store, bo, pr, "2026-01-19 10:00", before=4, after=2)
    follow_up(store, bo, r3, "2026-01-26 10:00", 3)
    follow_up(store, bo, r1, "2026-01-06 10:00", 6, soreness=1)
    session(store, cy, pr, "2026-01-07 09:00", technique="dry_needling", before=8, after=3)
    store.close()
    return db_path


def test_report_text(db: Path) -> None:
    out = ok(db, "report --patient C001 --width 80 --height 16")
    lines = out.splitlines()
    assert lines[0] == "C001  Bo Kim"
    assert "o before session" in out and "A after acupuncture" in out
    assert "\x1b[" not in out
    assert "Your pain has gone from 7 to 3 over 3 sessions." in out
    assert "3 sessions, 2026-01-05 to 2026-01-19." in out
    assert (
        "Change: +4 points of relief, 57%; IMMPACT: substantial; 2+ points: yes; 30%+: yes." in out
    )
    assert "2026-01-05  Acupuncture  7       5      6 (+1)      5 (+2)" in out
    assert "Cy Doe" not in out


def test_report_gives_each_complaint_its_own_change(
    store: Store, db_path: Path, practitioner_id: int, other_patient_id: int
) -> None:
    # review17 #3: the neck's 8 before was compared with the knee's latest 1 ("from 8
    # to 1 ... a change most people notice clearly", "+7 points, 88%; substantial").
    neck_and_knee(store, other_patient_id, practitioner_id, "2026-01")
    store.close()
    out = ok(db_path, "report --patient C002 --width 80 --height 16")
    assert (
        "Neck pain: your pain has gone from 8 to 6 over 1 session. That is a change most"
        " people notice.\nKnee: your pain is 1, the same as when these sessions began"
        " (2 sessions so far).\n"
    ) in out
    assert "from 8 to 1" not in out and "+7 points" not in out
    # Whether relief lasted: each complaint's, named, of its own sessions.
    assert (
        "Neck pain: after dry needling the relief lasted: right after the session your pain"
        " was about 5 points lower than just before it, and more than 3 days later still"
        " about 2 points lower. This rests on one session so far.\nKnee: right after each"
        " acupuncture session your pain was about 1 point lower than just before it; more"
        " than 3 days later, less than 1 point of that relief was left.\n"
    ) in out
    assert "  Neck pain, dry needling: 1 session; relief right after 5.0 points" in out
    assert "  3 sessions for 2 complaints, 2026-01-05 to 2026-01-14.\n" in out
    assert (
        "  Neck pain: change +2 points of relief, 25%; IMMPACT: minimal; 2+ points: yes;"
        " 30%+: no.\n"
    ) in out
    data = json.loads(ok(db_path, "report --patient C002 --json"))
    # review18 #4: a consumer tells this shape apart by its fields, not by guessing
    # from empty lists: the pooled figures are empty, each complaint's are in episodes.
    assert (data["version"], data["shape"]) == (2, "episodes")
    assert (data["progress"]["families"], data["progress"]["dose"]) == ([], [])
    assert data["progress"]["change"] is None
    episodes = data["progress"]["episodes"]
    assert [(e["complaint"], e["baseline"], e["change"]["then"]) for e in episodes] == [
        ("neck pain", 8, 6), ("knee", 1, 1),
    ]  # fmt: skip


def test_report_says_no_later_reading_was_recorded(db: Path) -> None:
    # review17 #9: Cy's one session of 2026-01-07, nothing recorded since (months ago).
    out = ok(db, "report --patient C002 --width 80 --height 16")
    assert ("No score was recorded days after dry needling to show if its relief lasts.\n") in out
    assert "too early" not in out
    assert "  1 session, on 2026-01-07.\n" in out


def test_report_json(db: Path, patient_id: int) -> None:
    data = json.loads(ok(db, f"report --patient {patient_id} --json"))
    assert list(data)[:3] == ["version", "shape", "patient"]
    assert (data["version"], data["shape"]) == (2, "one_episode")  # the figures are pooled
    assert data["patient"] == {"id": patient_id, "chart_id": "C001", "name": "Bo Kim"}
    p = data["progress"]
    assert (p["sessions"], p["baseline"], p["latest"]["pain"]) == (3, 7, 3)
    assert p["change"]["points"] == 4
    assert p["change"]["percent"] == pytest.approx(57.143, abs=1e-3)
    assert [r["before"] for r in p["rows"]] == [7, 5, 4]
    fam = p["families"][0]
    assert (fam["family"], fam["verdict"], fam["immediate"]["n"]) == ("acupuncture", "unclear", 3)
    assert data["sentences"][0].startswith("Your pain has gone from 7 to 3 over 3 sessions.")


def test_report_of_a_patient_without_sessions(store: Store, db_path: Path) -> None:
    store.close()  # the fixture's store holds C001 and C002, no sessions
    out = ok(db_path, "report --patient C002")
    assert "No sessions are recorded yet." in out


def test_compare_text(db: Path) -> None:
    out = ok(db, "compare --width 90")
    assert "Outcomes by technique: all sessions. Descriptive" in out
    assert "Acupuncture   immediately after   1 patient, 3 sessions   not enough data (n=1)" in out
    assert "IMS           no sessions" in out
    assert "Dose and adverse events" in out
    two = ok(db, "compare --min-patients 1 --technique acupuncture")
    # Right after: 7→5, 5→3, 4→2: 2 points each; one patient, so no interval (the
    # patient is the unit: one patient says nothing of how others vary).
    assert "Acupuncture  immediately after   1 patient, 3 sessions   2.0    " in two
    assert "Dry needling" not in two.split("Durability")[0]


def test_compare_json_gives_every_figure_with_n_and_interval(db: Path) -> None:
    data = json.loads(ok(db, "compare --json --min-patients 1"))
    assert data["filters"]["technique"] is None
    groups = {g["key"]: g for g in data["comparison"]["groups"]}
    assert list(groups) == ["acupuncture", "dry_needling", "ims"]
    now = groups["acupuncture"]["windows"][0]
    assert (now["sessions"], now["patients"], now["note"]) == (3, 1, "")
    # The old fields stay; an interval needs two patients (the patient is the unit).
    assert now["mean_points"] == {"value": 2.0, "low": None, "high": None, "n": 3, "sd": 0.0,
                                  "patients": 1, "se": None, "alike": False}  # fmt: skip
    assert now["responders_points"]["k"] == 3 and now["responders_points"]["n"] == 3
    assert now["responders_points"]["low"] is None
    assert (now["eligible"], now["responders_if_missing_none"]["n"]) == (3, 3)
    week = groups["acupuncture"]["windows"][2]  # next sessions and the follow-up, 1 week
    assert (week["sessions"], week["mean_points"]["value"]) == (3, pytest.approx(1.333, abs=1e-3))
    assert groups["ims"]["sessions"] == 0
    # The old fields keep their names; the new figures stand beside them.
    acu = groups["acupuncture"]
    assert {"durability", "lasting", "windows", "soreness", "between"} <= set(acu)
    assert {"mean_points", "median_points", "responders_points", "recovered"} <= set(now)
    assert {"median_points_ci", "eligible", "responders_if_missing_none"} <= set(now)
    # Bo's sessions each gave 2 points right after and lost them at the next reading
    # (6 a day after the first, 4 before the third, 3 a week after the third): three
    # losses, none censored.
    assert (acu["lasting"]["sessions"], acu["lasting"]["lost"]) == (3, 3)
    details = {d["key"]: d for d in data["details"]}
    assert details["dry_needling"]["dose"]["sessions"] == 1


def test_compare_filters(db: Path) -> None:
    data = json.loads(ok(db, "compare --json --technique 'Dry Needling' --since 2026-01-06"))
    assert data["filters"]["technique"] == "dry_needling"
    assert [g["key"] for g in data["comparison"]["groups"]] == ["dry_needling"]
    assert data["comparison"]["groups"][0]["sessions"] == 1
    by_practitioner = json.loads(ok(db, "compare --json --practitioner 'Ann Lee' --by technique"))
    assert by_practitioner["filters"]["practitioner_id"] == 1


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("report --patient C999", "error: patient: no patient with chart id, id or name 'C999'"),
        ("compare --since 2026-02-30", "error: since: '2026-02-30' is not a date: use YYYY-MM-DD"),
        ("compare --region elbw", "error: region: 'elbw' is not a body region: one of head,"),
        ("compare --technique reiki", "error: technique: 'reiki' is not allowed"),
        ("compare --practitioner Zed", "error: practitioner: 'Zed' is not a practitioner"),
        ("compare --windows 3x", "error: windows: '3x' is not a duration"),
        ("compare --since 2026-02-01 --until 2026-01-01", "error: since: 2026-02-01 is after"),
    ],
)
def test_errors_are_one_line(db: Path, command: str, message: str) -> None:
    result = run(db, command)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_compare_takes_a_region_as_log_does(db: Path) -> None:
    # `log --region ankle` filed an episode under ankle_foot; `compare --region ankle`
    # was refused ("not allowed: one of ... ankle_foot ..."). Both read it one way now.
    by_start = json.loads(ok(db, "compare --json --region ankle --min-patients 1"))
    by_name = json.loads(ok(db, "compare --json --region 'ankle foot' --min-patients 1"))
    assert by_start["filters"]["region"] == by_name["filters"]["region"] == "ankle_foot"
    assert by_start == by_name


def test_compare_shows_relief_kept_within_the_same_sessions(db: Path) -> None:
    # Bo's relief right after: 2 points each time. At 24 h after the first: 1 of its
    # 2 (50%). Within the week: 2 of 2 (next session 5), 1 of 2 (next session 4) and
    # 1 of 2 (follow-up 3): 4 of 6, 67%. One patient: no interval.
    data = json.loads(ok(db, "compare --json --min-patients 1"))
    acu = {g["key"]: g for g in data["comparison"]["groups"]}["acupuncture"]
    assert acu["windows"][0]["kept"] is None
    day, week = acu["windows"][1]["kept"], acu["windows"][2]["kept"]
    assert (day["share"], day["sessions"], day["patients"]) == (0.5, 1, 1)
    assert (week["share"], week["sessions"], week["low"]) == (0.667, 3, None)
    assert (week["relief_right_after"], week["relief_then"]) == (2.0, 1.333)
    assert acu["durability"]["retained_percent"] is None or "retained_percent" in acu["durability"]
    assert acu["durability"]["kept"]["sessions"] == 0  # nothing at 12 weeks
    out = ok(db, "compare --min-patients 1 --technique acupuncture --width 120")
    assert "Relief kept: of the relief right after the session, the share still there" in out
    kept_line = next(line for line in out.splitlines() if "50%;" in line)
    assert kept_line.startswith("Acupuncture ")
    assert "50%; 1 patient, 1 session" in kept_line
    assert "67%; 1 patient, 3 sessions" in kept_line
    # Two patients' worth is not enough by default: the words say so, no figure.
    default = ok(db, "compare --technique acupuncture --width 120")
    assert "not enough data (n=1)" in default.split("Relief kept: of")[1].splitlines()[2]


def test_the_first_compare_shows_its_progress_while_it_prepares_the_figures(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessionlog.cli import outcomes as cli_outcomes

    # A small clinic is prepared before anyone could read a bar: stderr stays quiet.
    quiet = run(db, "compare --json")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    from sessionlog.store import Store

    store = Store.open(db)
    store.conn.execute("DELETE FROM outcome_meta")  # as an old database: no figures yet
    store.conn.commit()
    store.close()
    monkeypatch.setattr(cli_outcomes, "PROGRESS_FROM_SESSIONS", 1)  # as a large one
    first = run(db, "compare --json")
    assert first.exit_code == 0
    assert "Preparing the outcome figures (first comparison after an import)" in first.stderr
    again = run(db, "compare --json")
    assert again.exit_code == 0 and "Preparing" not in again.stderr
    assert json.loads(first.stdout) == json.loads(again.stdout)
