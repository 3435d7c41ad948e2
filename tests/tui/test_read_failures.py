"""A database that turns damaged or unreadable while the app reads it: every read that
fails becomes one line (what is wrong, what to do), the app stays up, and nothing
clinical reaches the terminal."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import tui_scenarios as ts
from textual.widgets import Static

from sessionlog.store.file.guard import RESTORE_HINT

DAMAGED = (
    "The database could not be read: the database file is damaged (SQLite: database disk"
    f" image is malformed). {RESTORE_HINT}"
)


def damage_pages(db: Path) -> None:
    """Overwrite every page but the first with junk, as a failing disk or a stray
    write would (the header stays: SQLite still takes the file)."""
    with db.open("r+b") as fh:
        fh.seek(4096)
        size = db.stat().st_size
        fh.write(bytes([0xA5]) * (size - 4096))


def shown_failure(app: Any) -> list[str]:
    """What the app says about the failure: its notices and the home screen's banner."""
    return [str(n.message) for n in app._notifications]


def test_pages_damaged_after_opening_are_one_line_and_the_app_stays_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "clinic.db"
    store = ts.seeded_store(str(db))

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        damage_pages(db)
        store.conn.execute("PRAGMA shrink_memory")  # no page left in SQLite's cache
        await pilot.press(*"Bo")  # the search reads the patients again
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert shown_failure(app) == [DAMAGED]
        banner = app.screen.query_one("#chain-banner", Static)
        assert banner.has_class("shown") and str(banner.render()) == DAMAGED
        await pilot.press("down", "down")  # more reads fail: said once, still up
        assert app.is_running and shown_failure(app) == [DAMAGED]

    ts.run_app(ts.make_app(store), steps)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and "Kim" not in out.out + out.err
    store.close()


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (sqlite3.DatabaseError("database disk image is malformed"), DAMAGED),
        (
            sqlite3.OperationalError("disk I/O error"),
            "The database could not be read: the disk reported an error while reading;"
            " check the disk (run `sessionlog check`; restore a backup if it is failing)",
        ),
        (
            sqlite3.OperationalError("database or disk is full"),
            "the disk is full: nothing was saved; free space and try again",
        ),
    ],
    ids=["damaged", "read error", "a write no form caught"],
)
def test_a_screen_whose_reads_fail_is_one_line(store, error: Exception, said: str) -> None:  # type: ignore[no-untyped-def]
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        store.sessions = fail  # the patient's history, as the next screen loads it
        store.last_session = fail
        await pilot.press("down", "enter")  # the patients list, a patient's session form
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert shown_failure(app) == [said]

    ts.run_app(ts.make_app(store), steps)


def test_a_fault_of_ours_ends_the_app_without_printing_any_locals(store, capsys) -> None:  # type: ignore[no-untyped-def]
    # Textual's crash report shows each frame's locals: a sign-in row edited by hand
    # printed the practitioner's secret hash and salt to the terminal.
    def fail(*args: object, **kwargs: object) -> None:
        secret_hash = "".join(["c0f", "fee"]) * 8  # noqa: F841  (the report must not show it)
        raise RuntimeError("a fault of ours")

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        store.sessions = fail
        store.last_session = fail
        await pilot.press("down", "enter")
        await pilot.pause()

    app = ts.make_app(store)
    with pytest.raises(RuntimeError, match="a fault of ours"):
        ts.run_app(app, steps)
    assert app.return_code == 1
    printed = capsys.readouterr().err  # what the terminal is left with
    assert "RuntimeError: a fault of ours" in printed
    assert "c0ffeec0ffee" not in printed
