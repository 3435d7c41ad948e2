"""The clinic's due windows are its own, stored in the database (schema 0015): Home's due
list and ``sessionlog due`` both use them; a change is audited and never overwrites
the previous setting; only an admin changes them; bad windows are refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tui_scenarios as ts
from helpers_cli import ok, run
from helpers_domain import fixed_clock
from helpers_store import dry_needling, sql_rows
from textual.widgets import DataTable

from sessionlog.analysis.due import DEFAULT_CHECKS
from sessionlog.cli import common
from sessionlog.domain import Patient, Practitioner
from sessionlog.errors import ValidationError
from sessionlog.services import auth
from sessionlog.services.due import clinic_checks, set_clinic_checks
from sessionlog.store import Store
from sessionlog.tui.screens.due import DueScreen

SECRET = "needle 246810"


def test_the_default_windows_until_the_clinic_sets_its_own() -> None:
    store = ts.seeded_store()
    assert clinic_checks(store) == DEFAULT_CHECKS
    checks = set_clinic_checks(store, " 48h-96h, 10d ,6w ", 1)
    assert [(c.key, c.due_h, c.until_h) for c in checks] == [
        ("48h-96h", 48, 96), ("10d", 240, 264), ("6w", 1008, 1032),
    ]  # fmt: skip
    assert clinic_checks(store) == checks
    set_clinic_checks(store, "1w", 1)
    assert [c.key for c in clinic_checks(store)] == ["1w"]
    rows = sql_rows(store, "SELECT key, value FROM clinic_setting ORDER BY id")
    assert rows == [{"key": "due_checks", "value": "48h-96h,10d,6w"},
                    {"key": "due_checks", "value": "1w"}]  # fmt: skip
    audit = sql_rows(store, "SELECT action, entity, detail FROM audit_log WHERE entity = 'setting'")
    assert [json.loads(a["detail"])["value"] for a in audit] == ["48h-96h,10d,6w", "1w"]
    with pytest.raises(ValidationError, match=r"^due windows: 'soon' is not a time"):
        set_clinic_checks(store, "soon", 1)
    assert [c.key for c in clinic_checks(store)] == ["1w"]


def test_only_an_admin_sets_the_windows() -> None:
    store = ts.seeded_store()
    auth.set_first_secret(store, 1, SECRET)  # the first secret: the admin
    other = store.add_practitioner(Practitioner("Bo Ek", "physiotherapist", "PT"))
    auth.set_first_secret(store, other, SECRET)
    with pytest.raises(ValidationError, match="only an admin changes the clinic's due windows"):
        set_clinic_checks(store, "1w", other)
    assert clinic_checks(store) == DEFAULT_CHECKS


def test_home_due_list_uses_the_clinic_windows() -> None:
    store = ts.seeded_store()  # Maria seen 7 days 1.5 h ago: due at 1 week by default
    set_clinic_checks(store, "10d,4w", 1)  # this clinic first calls at 10 days: nobody yet

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, DueScreen)
        assert app.screen.query_one(DataTable).row_count == 0
        set_clinic_checks(store, "1w,4w", 1)
        await pilot.press("r")
        assert app.screen.query_one(DataTable).row_count == 1

    ts.run_app(ts.make_app(store), steps)


def test_the_due_command_uses_and_sets_the_clinic_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common.Context.__init__, "__defaults__", (fixed_clock,))
    db = tmp_path / "s.db"
    s = Store.open(db, clock=fixed_clock)
    s.add_practitioner(Practitioner("Ann Lee", "physiotherapist", "PT"))
    s.add_patient(Patient("C001", "Bo Kim", 1980, "female"))
    s.save_session(dry_needling(1))  # 2026-11-20 09:15; the clock says 2026-11-22 10:00
    s.close()
    assert [r["check"] for r in json.loads(ok(db, "due --json"))] == ["72h"]
    out = ok(db, "due --set-checks '3d-4d, 1w'")
    assert out == "The clinic's due windows are now: 3d-4d, 1w\nNobody is due for a reading.\n"
    assert json.loads(ok(db, "due --json")) == []
    assert [r["check"] for r in json.loads(ok(db, "due --json --checks 24h-72h"))] == ["24h-72h"]
    bad = run(db, "due --set-checks 10d,2d")
    assert bad.exit_code != 0 and bad.output.strip().splitlines()[-1] == (
        "error: due windows: give the checks in order, each ending after it starts"
    )
    assert json.loads(ok(db, "due --json")) == []


def test_the_compare_screen_says_what_share_of_due_readings_were_recorded() -> None:
    from datetime import datetime

    from sessionlog.domain.models import FollowUpInput
    from sessionlog.tui.screens.compare import CompareScreen

    store = ts.seeded_store()  # Maria's 72-hour check closed 1.5 h ago; Lena's not due yet
    store.add_follow_up(FollowUpInput(1, 1, datetime(2026, 11, 18, 10, 0), 3), 1)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        screen = CompareScreen()
        await app.push_screen(screen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(screen.query_one("#cmp-due-done").render())
        assert text == (
            "Follow-ups by the clinic's due windows: soreness at 24-72 h: 1 of 1 due readings"
            " recorded (100%, 1 patient); 1 week: none due yet; 4 weeks: none due yet;"
            " 12 weeks: none due yet"
        )

    ts.run_app(ts.make_app(store), steps)
