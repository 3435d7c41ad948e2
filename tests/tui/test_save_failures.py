"""A save the database refuses (full disk, read-only file, failing disk) keeps the form
as typed, says why in one line, shows no clinical data, and the app keeps running."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import tui_scenarios as ts
from helpers_disks import fill, small_disk
from textual.widgets import DataTable, Input

from sessionlog.tui.screens.follow_up import FollowUpScreen
from sessionlog.tui.screens.session_form import SessionScreen

FAILURES = {
    "database or disk is full": (
        "the disk is full: nothing was saved; free space and press Ctrl+S again"
    ),
    "attempt to write a readonly database": (
        "the database file is read-only: nothing was saved; make it writable (or open a copy"
        " that is) and press Ctrl+S again"
    ),
    "disk I/O error": (
        "the disk reported an error while saving: nothing was saved; check the disk (run"
        " `sessionlog check`; restore a backup if it is failing) and press Ctrl+S again"
    ),
}


__all__ = ["small_disk"]  # the fixture


def failing_writes(store, message: str) -> None:  # type: ignore[no-untyped-def]
    """Make every write of ``store`` fail inside its transaction, as SQLite would."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError(message)

    store._audit = refuse


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failed_session_save_keeps_the_form(store, failure: str) -> None:  # type: ignore[no-untyped-def]
    failing_writes(store, failure)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "7", "enter", *"st36", "enter")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SessionScreen)  # still open, as typed
        sites = app.screen.query_one("#sites", DataTable)
        assert [str(sites.get_row_at(i)[1]) for i in range(sites.row_count)] == ["ST36 Zusanli"]
        assert [str(n.message) for n in app._notifications] == [FAILURES[failure]]
        assert app.is_running and app.return_code is None

    ts.run_app(ts.make_app(store), steps)
    assert store.sessions(patient_id=2) == []


def test_a_failed_follow_up_save_keeps_the_form(store) -> None:  # type: ignore[no-untyped-def]
    failing_writes(store, "database or disk is full")

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(FollowUpScreen(1))
        await pilot.pause()
        await pilot.press(*"3", "ctrl+s")
        assert isinstance(app.screen, FollowUpScreen)
        assert app.screen.query_one("#f-pain", Input).value == "3"
        assert [str(n.message) for n in app._notifications] == [
            FAILURES["database or disk is full"]
        ]

    ts.run_app(ts.make_app(store), steps)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only file")
def test_the_app_refuses_a_read_only_database(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    ts.seeded_store(str(db)).close()
    db.chmod(0o444)
    proc = subprocess.run(
        [sys.executable, "-m", "sessionlog", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert f"{db} is read-only: the app opens only a database it can save into" in (
        proc.stdout + proc.stderr
    )


def test_a_read_only_database_is_not_opened_by_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessionlog.tui.app import SessionlogApp

    db = tmp_path / "clinic.db"
    ts.seeded_store(str(db)).close()
    monkeypatch.setattr("sessionlog.store.base.os.access", lambda path, mode: False)
    app = SessionlogApp(db_path=str(db))
    app._open_store()
    assert app.startup_error == (
        f"{db} is read-only: the app opens only a database it can save into. Make the file"
        " writable (or copy it where it can be written, and open the copy); `sessionlog check`"
        " reads it as it is."
    )


def test_ctrl_s_on_a_full_disk_keeps_the_form_and_saves_once_space_is_freed(
    small_disk: Path,
) -> None:
    store = ts.seeded_store(str(small_disk / "clinic.db"))

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "7", "enter", *"st36", "enter")
        # (an empty -wal: the save must grow it, as it must on a disk filled while the
        # clinic works; a -wal folded back already would be written over in place)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill(small_disk)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SessionScreen)  # still open, as typed
        sites = app.screen.query_one("#sites", DataTable)
        assert [str(sites.get_row_at(i)[1]) for i in range(sites.row_count)] == ["ST36 Zusanli"]
        assert [str(n.message) for n in app._notifications] == [
            FAILURES["database or disk is full"]
        ]
        assert app.is_running and app.return_code is None
        assert store.sessions(patient_id=2) == []
        filler.unlink()
        await pilot.press("ctrl+s")  # the same form, saved now
        await pilot.pause()
        assert not isinstance(app.screen, SessionScreen)

    ts.run_app(ts.make_app(store), steps)
    assert [s["pain_before"] for s in store.sessions(patient_id=2)] == [7]
    store.close()
