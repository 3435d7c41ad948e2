"""Choosing the episode of care a session is filed under from the command line:
`log --episode` and `amend --episode` (episode19).

A patient treated for two complaints in the same weeks (low back pain and hip pain
both under way) had every session filed by the automatic rule (the episode under way
on its day, the one begun last): a session for the other complaint could not be put
in it, nor a misfiled one corrected. An episode is named as the app shows it, by its
complaint (the whole or a unique start) and, when two share one, its start date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_cli import ok, refused_in_one_line, run
from helpers_store import rows

from sessionlog.domain import Episode
from sessionlog.errors import ValidationError
from sessionlog.store import Store

Clinic = tuple[Path, dict[str, int]]
AT = "--technique dry_needling --site 'upper trap l' --pain-before 6 --pain-after 3 --consent"


@pytest.fixture
def clinic(tmp_path: Path) -> Clinic:
    """C001 treated for low back pain since 2025-01-10 and hip pain since 2025-03-01
    (both under way in June), low back pain again from 2025-09-01, and a knee "after op
    2024-12" from 2025-10-01; C002 for knee pain; C003 with no episode yet."""
    db = tmp_path / "clinic.db"
    ok(db, "practitioners add --name 'Ann Lee' --profession physiotherapist --credential PT")
    ok(db, "patients add --chart-id C001 --name 'Bo Kim' --birth-year 1980")
    ok(db, "patients add --chart-id C002 --name 'Cy Doe' --complaint 'knee pain' --region knee")
    ok(db, "patients add --chart-id C003 --name 'Di Roe'")
    store = Store.open(db)
    ids = {
        "back": store.add_episode(Episode(1, "low back pain", "low_back", "2025-01-10")),
        "hip": store.add_episode(Episode(1, "hip pain", "hip", "2025-03-01")),
        "back again": store.add_episode(Episode(1, "low back pain", "low_back", "2025-09-01")),
        "op": store.add_episode(Episode(1, "after op 2024-12", "knee", "2025-10-01")),
    }
    store.close()
    return db, ids


def episodes_of_sessions(db: Path) -> list[tuple[int, int, int, str | None]]:
    """Every version of every session: (session, version, episode, reason)."""
    store = Store.open(db)
    try:
        found = rows(
            store,
            "SELECT record_id, version, episode_id, amend_reason FROM session"
            " ORDER BY record_id, version",
        )
    finally:
        store.close()
    return [(r["record_id"], r["version"], r["episode_id"], r["amend_reason"]) for r in found]


def test_log_files_the_session_under_the_episode_named(clinic: Clinic) -> None:
    db, ids = clinic
    ok(db, f"log --patient C001 --at '2025-06-10 09:00' {AT}")  # the rule: hip, begun last
    out = ok(
        db, f"log --patient C001 --at '2025-06-12 09:00' {AT} --episode 'low back pain 2025-01-10'"
    )
    assert out == "session 2 saved: 1 site, 1 insertion, suggested CPT 20560\n"
    assert episodes_of_sessions(db) == [(1, 1, ids["hip"], None), (2, 1, ids["back"], None)]


@pytest.mark.parametrize(
    ("named", "which"),
    [
        ("hip", "hip"),  # the unique start of a complaint
        ("Hip Pain", "hip"),
        ("LOW BACK PAIN since 2025-01-10", "back"),
        ("  low   back pain   2025-09-01 ", "back again"),
        ("low back pain · low back · since 2025-09-01", "back again"),  # the form's line
        ("2025-03-01", "hip"),  # by its start date alone
        ("after op 2024-12", "op"),  # a complaint that ends like a date
    ],
)
def test_an_episode_is_named_as_the_app_shows_it(clinic: Clinic, named: str, which: str) -> None:
    db, ids = clinic
    result = run(
        db, ["log", "--patient", "C001", "--at", "2025-06-10 09:00", *AT_ARGS, "--episode", named]
    )
    assert result.exit_code == 0, result.output
    assert episodes_of_sessions(db) == [(1, 1, ids[which], None)]


AT_ARGS = [
    "--technique", "dry_needling", "--site", "upper trap l", "--pain-before", "6",
    "--pain-after", "3", "--consent",
]  # fmt: skip

CHOICES = (
    "low back pain · low back · since 2025-01-10; hip pain · hip · since 2025-03-01;"
    " low back pain · low back · since 2025-09-01; after op 2024-12 · knee · since 2025-10-01"
)

TWO_BACKS = (
    "error: episode: 'low back pain' is 2 of this patient's episodes of care"
    " (low back pain · low back · since 2025-01-10; low back pain · low back · since"
    " 2025-09-01): add the start date, as in 'low back pain 2025-09-01'"
)


@pytest.mark.parametrize(
    ("episode", "message"),
    [
        (
            "'low back pain'",
            TWO_BACKS,
        ),
        (  # another patient's complaint: never theirs to file under
            "'knee pain'",
            f"error: episode: 'knee pain' is none of this patient's episodes of care: {CHOICES}",
        ),
        (
            "'low back pain 2025-02-02'",
            "error: episode: 'low back pain 2025-02-02' is none of this patient's episodes of"
            f" care: {CHOICES}",
        ),
        (
            "' '",
            f"error: episode: is empty: name one of this patient's episodes of care: {CHOICES}",
        ),
        (  # the separator of the form's line, alone
            "' · '",
            f"error: episode: is empty: name one of this patient's episodes of care: {CHOICES}",
        ),
        (
            "hip --complaint 'hip pain' --region hip",
            "error: episode: choose an episode of care or start a new one (a complaint and"
            " region), not both",
        ),
    ],
)
def test_a_wrong_episode_is_refused_in_one_line_naming_the_choices(
    clinic: Clinic, episode: str, message: str
) -> None:
    db, _ = clinic
    command = f"log --patient C001 --at '2025-06-10 09:00' {AT} --episode {episode}"
    refused_in_one_line(db, command, message + "\n")


def test_a_patient_with_no_episode_is_told_how_to_start_one(clinic: Clinic) -> None:
    db, _ = clinic
    refused_in_one_line(
        db,
        f"log --patient C003 {AT} --episode 'neck pain'",
        "error: episode: this patient has no episode of care yet: a complaint and its region"
        " start one\n",
    )


def test_an_episode_begun_after_the_session_is_taken_and_said(clinic: Clinic) -> None:
    db, ids = clinic
    out = ok(
        db, f"log --patient C001 --at '2025-06-10 09:00' {AT} --episode 'low back pain 2025-09'"
    )
    assert out.splitlines()[1:] == [
        "note: 2025-06-10 is before this episode of care began (low back pain, since"
        " 2025-09-01): a new complaint and region start one on its day"
    ]
    assert episodes_of_sessions(db) == [(1, 1, ids["back again"], None)]


def test_amend_moves_a_misfiled_session_to_another_episode_keeping_the_original(
    clinic: Clinic,
) -> None:
    db, ids = clinic
    ok(db, f"log --patient C001 --at '2025-06-10 09:00' {AT}")  # filed under hip pain
    out = ok(db, "amend 1 --episode 'low back pain 2025-01-10' --reason 'it was the back'")
    assert out == "session 1 amended (version 2)\n"
    assert episodes_of_sessions(db) == [
        (1, 1, ids["hip"], None),
        (1, 2, ids["back"], "it was the back"),
    ]
    [listed] = json.loads(ok(db, "sessions --json"))
    assert (listed["episode_id"], listed["version"]) == (ids["back"], 2)
    store = Store.open(db)
    try:
        audit = rows(
            store,
            "SELECT action, entity, entity_id FROM audit_log WHERE action = 'amend'",
        )
    finally:
        store.close()
    assert audit == [{"action": "amend", "entity": "session", "entity_id": 1}]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            "amend 1 --episode hip --reason r",
            "error: amend: nothing changed: session 1 already holds these values",
        ),
        (
            "amend 1 --episode 'knee pain' --reason r",
            f"error: episode: 'knee pain' is none of this patient's episodes of care: {CHOICES}",
        ),
        (
            "amend 1 --episode 'low back pain' --reason r",
            TWO_BACKS,
        ),
    ],
)
def test_a_wrong_episode_correction_is_refused_and_changes_nothing(
    clinic: Clinic, command: str, message: str
) -> None:
    db, _ = clinic
    ok(db, f"log --patient C001 --at '2025-06-10 09:00' {AT}")
    refused_in_one_line(db, command, message + "\n")


def test_a_move_that_would_leave_a_follow_up_out_is_refused(clinic: Clinic) -> None:
    # Moved into the back's course, the hip session would come between the back's session
    # and its follow-up, which would then count in no figure.
    db, _ = clinic
    ok(db, f"log --patient C001 --at '2025-06-01 09:00' {AT} --episode 'low back pain 2025-01'")
    ok(db, "follow-up --patient C001 --pain 4 --at '2025-06-20 09:00' --session 1")
    ok(db, f"log --patient C001 --at '2025-06-10 09:00' {AT}")
    refused_in_one_line(
        db,
        "amend 2 --episode 'low back pain 2025-01' --reason r",
        "error: episode: session 2 (2025-06-10 09:00) would come between session 1"
        " (2025-06-01 09:00) and its follow-up 1 (2025-06-20 09:00) in that episode of care,"
        " which would then count in no figure: correct or void that follow-up first\n",
    )


def test_a_move_that_would_put_a_session_before_its_own_follow_up_is_refused(
    clinic: Clinic,
) -> None:
    db, _ = clinic
    ok(db, f"log --patient C001 --at '2025-06-01 09:00' {AT}")  # hip pain
    ok(db, "follow-up --patient C001 --pain 4 --at '2025-06-20 09:00' --session 1")
    ok(db, f"log --patient C001 --at '2025-06-10 09:00' {AT} --episode 'low back pain 2025-01'")
    refused_in_one_line(
        db,
        "amend 1 --episode 'low back pain 2025-01' --reason r",
        "error: episode: session 2 (2025-06-10 09:00) would come between this session"
        " (2025-06-01 09:00) and its follow-up 1 (2025-06-20 09:00) in that episode of care,"
        " which would then count in no figure: correct or void that follow-up first\n",
    )


def test_two_episodes_begun_the_same_day_are_told_apart_by_their_region(clinic: Clinic) -> None:
    # review21 #1: neck pain of the neck and of the shoulder, both from one day: every
    # name was refused, and the advice ("add the start date") could not help.
    db, _ = clinic
    store = Store.open(db)
    neck = store.add_episode(Episode(1, "neck pain", "neck", "2025-11-01"))
    shoulder = store.add_episode(Episode(1, "neck pain", "shoulder", "2025-11-01"))
    store.close()
    result = run(
        db, ["log", "--patient", "C001", "--at", "2025-11-03 09:00", *AT_ARGS, "--episode",
             "neck pain 2025-11-01"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output == (
        "error: episode: 'neck pain 2025-11-01' is 2 of this patient's episodes of care"
        " (neck pain · neck · since 2025-11-01; neck pain · shoulder · since 2025-11-01):"
        " add the region and the start date, as in 'neck pain · shoulder · since 2025-11-01'\n"
    )
    for line in ("neck pain · shoulder · since 2025-11-01", "neck pain · neck · since 2025-11-01"):
        result = run(
            db, ["log", "--patient", "C001", "--at", "2025-11-03 09:00", *AT_ARGS, "--episode",
                 line],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    assert [e for _, _, e, _ in episodes_of_sessions(db)] == [shoulder, neck]


@pytest.mark.parametrize(
    ("patient_id", "message"),
    [
        ("true", "error: patient_id: True is not a whole number: a whole number, 1 or more"),
        ("99999", "error: patient_id: there is no patient with id 99999"),
        ("[2]", "error: patient_id: [2] is not a whole number: a whole number, 1 or more"),
    ],
)
def test_an_episode_named_for_a_patient_id_not_checked_yet_is_refused_by_the_id(
    clinic: Clinic, tmp_path: Path, patient_id: str, message: str
) -> None:
    # review21 #3: log --json's patient id reached the episode lookup unchecked: `true`
    # listed patient 1's episodes, 99999 said it had none, [2] blamed the database.
    db, _ = clinic
    body = tmp_path / "session.json"
    body.write_text(
        f'{{"patient_id": {patient_id}, "technique": "acupuncture", "at": "2025-06-10 10:00",'
        ' "sites": [], "pain_before": 5}'
    )
    result = run(db, ["log", "--json", str(body), "--episode", "hip pain"])
    assert (result.exit_code, result.output) == (1, message + "\n")
    assert episodes_of_sessions(db) == []


def test_sessions_names_each_session_s_episode(clinic: Clinic) -> None:
    # The list said nothing of the episode a session is filed under: a misfiled one was
    # found only by opening each. Named as --episode takes it: the complaint, else (two
    # of one complaint among the patient's episodes, listed or not) the whole line.
    db, _ = clinic
    ok(db, f"log --patient C001 --at '2025-06-10 09:00' {AT}")  # hip pain
    ok(db, f"log --patient C001 --at '2025-06-12 09:00' {AT} --episode 'low back pain 2025-01'")
    ok(db, f"log --patient C001 --at '2025-09-05 09:00' {AT}")  # low back pain again
    ok(db, f"log --patient C002 --at '2025-09-06 09:00' {AT}")  # knee pain
    out = ok(db, "sessions").splitlines()
    assert out[0].split()[:6] == ["SESSION", "WHEN", "CHART", "PATIENT", "EPISODE", "TECHNIQUE"]
    episode = [
        line[out[0].index("EPISODE") : out[0].index("TECHNIQUE")].strip() for line in out[1:]
    ]
    assert episode == [
        "knee pain",
        "low back pain · low back · since 2025-09-01",
        "low back pain · low back · since 2025-01-10",
        "hip pain",
    ]
    # Listed alone, a session keeps the name the whole list gives it.
    since = ok(db, "sessions --since 2025-09-01 --patient C001").splitlines()
    assert "low back pain · low back · since 2025-09-01" in since[1]
    for name in episode[1:]:  # each name of C001's is one --episode takes
        ok(db, f"log --patient C001 --at '2025-10-20 09:00' {AT} --episode '{name}'")


def test_a_second_episode_of_one_complaint_region_and_day_is_refused(clinic: Clinic) -> None:
    # Two such episodes could not be told apart by any name (nor in any list): the
    # second is a slip (a new episode started for the one under way), refused.
    db, _ = clinic
    message = (
        "error: complaint: this patient has 'low back pain · low back · since 2025-01-10'"
        " already: file the session under it (F5 on the form, --episode on the command line)"
        " rather than start another the same day\n"
    )
    refused_in_one_line(
        db,
        f"log --patient C001 --at '2025-01-10 15:00' {AT} --complaint 'Low back pain'"
        " --region 'low back'",
        message,
    )
    store = Store.open(db)
    with pytest.raises(ValidationError) as refused:
        store.add_episode(Episode(1, "LOW BACK PAIN ", "low_back", "2025-01-10"))
    assert f"error: {refused.value}\n" == message
    assert rows(store, "SELECT count(*) AS n FROM episode WHERE patient_id = 1")[0]["n"] == 4
    assert rows(store, "SELECT count(*) AS n FROM session")[0]["n"] == 0
    # Told apart as the lists tell them: composed or not, with an invisible character.
    with pytest.raises(ValidationError):
        store.add_episode(Episode(1, "low back\u200b  pain", "low_back", "2025-01-10"))
    # Another region, or another day, is another episode.
    store.add_episode(Episode(1, "low back pain", "hip", "2025-01-10"))
    store.add_episode(Episode(1, "low back pain", "low_back", "2025-01-11"))
    store.close()


def test_a_complaint_holding_the_separator_of_an_episode_s_name_is_refused(
    clinic: Clinic,
) -> None:
    # 'neck pain · shoulder' of the neck read, in every list, as neck pain of the shoulder.
    refused_in_one_line(
        db := clinic[0],
        f"log --patient C003 --at '2025-06-10 09:00' {AT} --complaint 'neck pain · shoulder'"
        " --region neck",
        "error: complaint: '·' is not allowed: the app names an episode as complaint · region"
        " · start\n",
    )
    assert episodes_of_sessions(db) == []
