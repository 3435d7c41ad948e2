"""From the secret's Enter to Home (issue 17: at most 100 ms besides the hash): the
sign-in is audited before any patient reaches the screen, the home screen is built
with its width's class (no second styling of every widget), and the highlighted
patient's sessions and today's follow the first frame."""

from __future__ import annotations

import asyncio
import gc
from datetime import timedelta
from typing import Any

import pytest
import tui_scenarios as ts
from rich.cells import cell_len
from textual.widgets import DataTable

from sessionlog.services import auth
from sessionlog.tui.screens.home import HomeScreen

ADA = "ada's long phrase"


@pytest.mark.parametrize(("width", "wanted"), [(100, "-narrow"), (150, "-wide")])
def test_sign_in_is_audited_before_the_patients_show_and_home_fills_after(
    store: Any, monkeypatch: pytest.MonkeyPatch, width: int, wanted: str
) -> None:
    auth.set_first_secret(store, 1, ADA)
    seen: list[tuple[str, Any]] = []
    fill_patients, init = HomeScreen.fill_patients, HomeScreen.__init__

    def audited_then_filled(self: HomeScreen, *args: Any, **kwargs: Any) -> None:
        signs = store.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'sign_in'")
        seen.append(("sign-ins audited when the patients are listed", signs.fetchone()[0]))
        fill_patients(self, *args, **kwargs)

    def built(self: HomeScreen) -> None:
        init(self)
        seen.append(("classes when built", set(self.classes)))

    monkeypatch.setattr(HomeScreen, "fill_patients", audited_then_filled)
    monkeypatch.setattr(HomeScreen, "__init__", built)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*ts.typed(ADA), "enter")
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert seen == [
            ("classes when built", {wanted}),
            ("sign-ins audited when the patients are listed", 1),
        ]
        assert wanted in home.classes
        sessions = home.query_one("#patient-sessions", DataTable)
        assert sessions.row_count == 1 and "Lena Fischer" in str(sessions.border_title)
        assert home.query_one("#today", DataTable).row_count == 1

    ts.run_app(ts.signed_out_app(store), steps, size=(width, 32))


def test_first_frame_draws_one_table_and_the_other_two_take_their_boxes_after(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The patients are the first frame's one table: today's and the patient's sessions
    are boxes of the same size and title in it, their tables mounted in those places
    after it (nothing moves), then filled."""
    auth.set_first_secret(store, 1, ADA)
    first_frame: dict[str, Any] = {}
    fill_patients = HomeScreen.fill_patients

    def listed(self: HomeScreen, *args: Any, **kwargs: Any) -> None:
        fill_patients(self, *args, **kwargs)
        if first_frame:
            return
        boxes = [self.query_one(f"#{i}") for i in ("patients", "today", "patient-sessions")]
        lower = boxes[1:]
        first_frame["kinds"] = [type(w).__name__ for w in lower]
        first_frame["titles"] = [str(w.border_title) for w in lower]

        def painted() -> None:
            first_frame["regions"] = [w.region for w in boxes]

        self.call_after_refresh(painted)

    monkeypatch.setattr(HomeScreen, "fill_patients", listed)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*ts.typed(ADA), "enter")
        await pilot.pause()
        home = app.screen
        tables = [home.query_one(f"#{i}", DataTable) for i in ("today", "patient-sessions")]
        assert first_frame["kinds"] == ["Static", "Static"]
        assert first_frame["titles"] == ["Today", "Sessions"]
        boxes = [home.query_one(f"#{i}") for i in ("patients", "today", "patient-sessions")]
        assert [b.region for b in boxes] == first_frame["regions"]
        assert [t.id for t in home.query(DataTable)] == ["patients", "today", "patient-sessions"]
        # A day later: no session today (a row would rightly make today's list taller).
        assert tables[0].row_count == 0 and tables[1].row_count == 1

    later = ts.NOW + timedelta(days=1)
    ts.run_app(ts.signed_out_app(store, lambda: later), steps, size=(100, 32))


def test_the_patients_columns_fit_their_cells_as_the_rows_go_in(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first frame after the sign-in lists whole names: each column of the patients
    list is as wide as its widest cell (or heading) when the rows go in. Textual's table
    widens a column only when next idle: the first frame showed the names cut to the
    headings' widths ("Mari", "Lena"), and a second frame drew the table again."""
    auth.set_first_secret(store, 1, ADA)
    fitted: list[list[tuple[int, int]]] = []
    fill_patients = HomeScreen.fill_patients

    def listed(self: HomeScreen, *args: Any, **kwargs: Any) -> None:
        fill_patients(self, *args, **kwargs)
        table = self.query_one("#patients", DataTable)
        fitted.append(
            [
                (
                    column.get_render_width(table) - 2 * table.cell_padding,
                    max(cell_len(str(c)) for c in [column.label, *table.get_column(column.key)]),
                )
                for column in table.ordered_columns
            ]
        )

    monkeypatch.setattr(HomeScreen, "fill_patients", listed)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*ts.typed(ADA), "enter")
        await pilot.pause()
        assert fitted and len(fitted[0]) == 4
        assert all(width == widest for width, widest in fitted[0]), fitted[0]
        await pilot.press(*ts.typed("Fisch"))  # and again for what the search finds
        assert all(width == widest for width, widest in fitted[-1]), fitted[-1]
        assert ts.patients_shown(app, ts.PATIENTS[4:]) == ["Lena Fischer", "2001"]

    ts.run_app(ts.signed_out_app(store), steps, size=(100, 32))


def test_home_is_built_while_the_secret_is_typed_and_reads_no_patient_before_sign_in(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the first secret is typed, the home screen's widgets are built, not shown
    and empty (Enter then only fills and shows it): no patient or session is read for it
    until the secret is right, and a wrong secret leaves it empty and unseen."""
    auth.set_first_secret(store, 1, ADA)
    reads: list[str] = []
    for name in ("recent_patients", "patients", "search_patients", "sessions", "sessions_on"):
        read = getattr(store, name)

        def recorded(*args: Any, _read: Any = read, _name: str = name, **kwargs: Any) -> Any:
            reads.append(_name)
            return _read(*args, **kwargs)

        monkeypatch.setattr(store, name, recorded)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        sign_in = app.screen
        sign_in._prepare_home()  # what its timer does a moment after the first frame
        home = app._home
        assert isinstance(home, HomeScreen) and home not in app.screen_stack
        await asyncio.wait_for(home._mounted_event.wait(), 5)
        await pilot.pause()
        patients = home.query_one("#patients", DataTable)
        assert home.ready and patients.row_count == 0 and reads == []
        await pilot.press(*ts.typed("not the secret"), "enter")
        assert app.screen is sign_in and "Wrong secret" in ts.screen_text(app)
        assert reads == [] and patients.row_count == 0 and ts.patients_shown(app) == []
        await pilot.press(*ts.typed(ADA), "enter")
        await pilot.pause()
        assert app.screen is home and app._home is None
        assert "recent_patients" in reads  # the two with sessions: Maria's and Lena's
        assert ts.patients_shown(app) == ["Maria Keller", "1001", "Lena Fischer", "2001"]

    ts.run_app(ts.signed_out_app(store), steps, size=(100, 32))


def test_home_after_the_sign_in_is_built_with_garbage_collection_paused(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the right secret until Home's first frame is painted the garbage collector
    is off, as for the app's first frame (a collection over the objects of the screens
    took 7 ms of that frame); it is on again once the frame is painted."""
    auth.set_first_secret(store, 1, ADA)
    collecting: list[bool] = []
    fill_patients = HomeScreen.fill_patients

    def listed(self: HomeScreen, *args: Any, **kwargs: Any) -> None:
        fill_patients(self, *args, **kwargs)
        collecting.append(gc.isenabled())

    monkeypatch.setattr(HomeScreen, "fill_patients", listed)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        assert gc.isenabled()
        await pilot.press(*ts.typed(ADA), "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert collecting[0] is False
        assert gc.isenabled()

    try:
        ts.run_app(ts.signed_out_app(store), steps, size=(100, 32))
    finally:
        gc.enable()
