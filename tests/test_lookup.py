"""One lookup rule for patients and practitioners, in every command (issue 14 defect 8,
issue 16 item 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_cli import make_clinic, ok, run

from sessionlog.errors import ValidationError
from sessionlog.services.lookup import find_patient, find_practitioner
from sessionlog.store import Store

HUGE = "99999999999999999999"


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    from sessionlog.domain import Practitioner

    db = make_clinic(tmp_path / "clinic.db")
    store = Store.open(db)  # a colleague with a secret of her own (the helpers give one)
    try:
        store.add_practitioner(Practitioner("Sara Novak", "acupuncturist", "LAc"))
    finally:
        store.close()
    ok(
        db,
        "log --patient C001 --practitioner 1 --technique acupuncture --consent"
        " --pain-before 6 --pain-after 3 --site st36:bilateral --at '2026-11-20 09:00'",
    )
    return db


@pytest.mark.parametrize(
    "command",
    [
        f"report --patient {HUGE}",
        f"sessions --patient {HUGE}",
        f"follow-up --patient {HUGE} --pain 3",
        f"log --patient {HUGE} --technique acupuncture --consent --pain-before 5 --site st36",
    ],
)
def test_a_huge_id_is_a_clean_error_everywhere(clinic: Path, command: str) -> None:
    result = run(clinic, command)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: patient: no patient with chart id, id or name '{HUGE}'"
        " (see `sessionlog patients`)\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        "compare --practitioner sara --json",
        "log --patient C002 --practitioner sara --technique acupuncture --consent"
        " --pain-before 5 --site st36:bilateral",
        "follow-up --patient C001 --practitioner sara --pain 2",
    ],
)
def test_sara_finds_sara_novak_in_every_command(clinic: Path, command: str) -> None:
    result = run(clinic, command)
    assert (result.exit_code, result.stderr) == (0, "")


def test_one_rule_for_names_and_ids(clinic: Path) -> None:
    store = Store.open(clinic)
    try:
        assert find_practitioner(store, "sara") == 2
        assert find_practitioner(store, "NOVAK") == 2
        assert find_practitioner(store, 1) == 1
        assert find_patient(store, "bo")["chart_id"] == "C001"
        assert find_patient(store, "C002")["name"] == "Cy Doe"
        with pytest.raises(ValidationError) as err:
            find_practitioner(store, HUGE)
        assert err.value.message.startswith(f"'{HUGE}' is not a practitioner")
    finally:
        store.close()


def test_sessions_json_names_the_session_and_signs_are_true_false(clinic: Path) -> None:
    ok(
        clinic,
        "log --patient C002 --practitioner 1 --technique ims --consent --pain-before 5"
        " --site L4-L5:bilateral:grasp=strong --at '2026-11-21 09:00'",
    )
    store = Store.open(clinic)
    try:
        (row,) = store.sessions(2)
        from sessionlog.domain import parse_session

        data = json.loads(ok(clinic, "sessions --patient C002 --json"))[0]
        finding = {"level": "L4-L5", "side": "bilateral", "coldness": True}
        session = parse_session(
            {**data, "ims_findings": [finding], "started_at": "2026-11-21 10:00"}
        )
        store.save_session(session)
    finally:
        store.close()
    rows = json.loads(ok(clinic, "sessions --patient C002 --json"))
    assert [r["session_id"] for r in rows] == [3, 2]  # the records, as "session #3" says
    assert all(r["id"] != r["session_id"] or r["version"] == 1 for r in rows)
    signs = rows[0]["ims_findings"][0]
    assert (signs["coldness"], signs["sweating"]) == (True, False)
