"""The scale, due and contact commands: what a clinician types, and the rows it leaves."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers_cli import ok, run
from helpers_domain import fixed_clock
from helpers_store import dry_needling

from sessionlog.cli import common
from sessionlog.store import Store


@pytest.fixture(autouse=True)
def fixed_cli_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command in these tests runs at the suite's 'now' (2026-11-22 10:00)."""
    monkeypatch.setattr(common.Context.__init__, "__defaults__", (fixed_clock,))


def _seed(db: Path) -> None:
    s = Store.open(db, clock=fixed_clock)
    from sessionlog.domain import Patient, Practitioner

    s.add_practitioner(Practitioner("Ann Lee", "physiotherapist", "PT"))
    s.add_patient(Patient("C001", "Bo Kim", 1980, "female"))
    s.add_patient(Patient("C002", "=HYPERLINK(1)", 1975, "male"))
    s.save_session(dry_needling(1))  # 2026-11-20 09:15
    s.save_session(dry_needling(2))
    s.close()


def test_record_at_a_session_and_at_a_follow_up_then_list(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    out = ok(db, "scale record --patient C001 --scale ndi --items 3,2,1,0,4,2,1,3,2,- "
                 "--at '2026-11-20 09:00'")  # fmt: skip
    assert out == "NDI 20.0 of 50 (40%) saved (reading 1, session 1)\n"
    ok(db, "follow-up --patient C001 --pain 3 --at '2026-11-21 10:00'")
    out = ok(db, "scale record --patient C001 --scale NDI --total 12 --follow-up 1 "
                 "--at '2026-11-21 10:00' --by-patient")  # fmt: skip
    assert out.startswith("NDI 12.0 of 50 (24%) saved (reading 2")
    rows = json.loads(ok(db, "scale list --patient C001 --json"))
    assert [(r["score"], r["items"], r["follow_up_id"], r["entered_by"]) for r in rows] == [
        (20.0, [3, 2, 1, 0, 4, 2, 1, 3, 2, None], None, "practitioner"),
        (12.0, None, 1, "patient"),
    ]
    text = ok(db, "scale list --patient C001")
    assert "3,2,1,0,4,2,1,3,2,-" in text and "patient" in text


def test_bad_answers_are_one_line_and_save_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    r = run(db, "scale record --patient C001 --scale NDI --items 3,2,1,0,4,2,1,3,-,-")
    assert r.exit_code == 1
    assert r.stderr == (
        "error: items: NDI cannot be scored with 2 items unanswered: at most 1 may be left blank\n"
    )
    r = run(db, "scale record --patient C001 --scale PAIN9 --total 3")
    assert r.stderr.startswith("error: scale: 'PAIN9' is not a known scale: one of PSFS, NDI")
    assert json.loads(ok(db, "scale list --patient C001 --json")) == []


def test_psfs_with_named_activities(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    out = ok(db, "scale record --patient C001 --scale PSFS --items 3,6 "
                 "--activity 'climbing stairs' --activity 'lifting <b>boxes</b>'")  # fmt: skip
    assert out.startswith("PSFS 4.5 of 10 saved")
    [row] = json.loads(ok(db, "scale list --patient C001 --json"))
    assert row["labels"] == ["climbing stairs", "lifting <b>boxes</b>"]


def test_due_list_with_contact_clears_after_a_follow_up(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)  # both seen 2026-11-20 09:15; the clock says 2026-11-22 10:00
    ok(db, "contact --patient C001 --note '555 0101 (mornings)'")
    rows = json.loads(ok(db, "due --json"))
    assert [(r["chart_id"], r["check"], r["status"], r["contact"]) for r in rows] == [
        ("C002", "72h", "due", None),  # equally late: by name, and "=" sorts first
        ("C001", "72h", "due", "555 0101 (mornings)"),
    ]
    table = list(csv.reader(io.StringIO(ok(db, "due --csv"))))
    assert table[0][:3] == ["status", "chart_id", "name"]
    assert table[1][2] == "'=HYPERLINK(1)"  # a spreadsheet shows it as text
    ok(db, "follow-up --patient C001 --pain 4 --soreness 2 --at '2026-11-22 08:00'")
    assert [r["chart_id"] for r in json.loads(ok(db, "due --json"))] == ["C002"]
    assert "C002" in ok(db, "due") and "C001" not in ok(db, "due")


def test_compare_shows_the_scales_by_technique_too(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)  # both seen 2026-11-20 09:15 (dry needling)
    for chart, first, then in (("C001", 30, 18), ("C002", 24, 20)):
        ok(
            db,
            f"scale record --patient {chart} --scale NDI --total {first} --at '2026-11-20 09:00'",
        )
        ok(db, f"scale record --patient {chart} --scale NDI --total {then} --at '2026-11-21 10:00'")
    text = ok(db, "compare")
    scales = text[text.index("Outcome scales by technique") :]
    assert "NDI    Dry needling  up to 72 h           2 of 2    not enough data (n=2)" in scales
    assert "REACHED MCID (95% CI)" in scales
    figures = json.loads(ok(db, "compare --json"))
    [group] = figures["scales"]
    assert (group["scale"], group["family"], group["baseline_patients"]) == (
        "NDI", "dry_needling", 2
    )  # fmt: skip
    cell = next(c for c in group["cells"] if c["patients"])
    assert (cell["window"], cell["change"]["value"], cell["reached"]["k"]) == ("72h", 8.0, 1)
    # Filtered, the pain figures change; the scales are every patient's, and say so.
    filtered = ok(db, "compare --technique ims")
    assert (
        "Outcome scales by technique: change since the first reading, by time since the first"
        " session (every patient: the filters above do not apply here)"
    ) in " ".join(filtered.split())
    assert "(every patient" not in text  # unfiltered: nothing to warn of
    assert json.loads(ok(db, "compare --technique ims --json"))["scales_cover"] == (
        "every patient: the filters do not apply to the scales"
    )
    assert cell["change"]["low"] < 8.0 < cell["change"]["high"]  # the patients' interval


def test_a_psfs_activity_named_twice_is_refused_as_the_app_refuses_it(tmp_path: Path) -> None:
    """review17: `--activity a --activity a` was saved, while the app's activities field
    refuses 'sleeping 7; sleeping 9': one check, the same words."""
    from sessionlog.domain.scales import find_scale
    from sessionlog.errors import ValidationError
    from sessionlog.services.activity_entry import parse_activities

    db = tmp_path / "s.db"
    _seed(db)
    r = run(db, "scale record --patient C001 --scale PSFS --items 4,6 --activity a "
                "--activity ' A '")  # fmt: skip
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == "error: labels: A is named twice: name each activity once\n"
    with pytest.raises(ValidationError) as app:
        parse_activities(find_scale("PSFS"), "a 4; A 6")
    assert str(app.value) == "activities: A is named twice: name each activity once"
    r = run(db, "scale record --patient C001 --scale PSFS --items 4,6 --activity sleeping")
    assert r.stderr == (
        "error: labels: 1 activity named for 2 answers: name one activity for each answer, in"
        " the answers' order (scale record: one --activity per answer of --items)\n"
    )
    assert json.loads(ok(db, "scale list --patient C001 --json")) == []
