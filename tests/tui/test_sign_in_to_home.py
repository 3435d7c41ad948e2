"""From the secret's Enter to Home (issue 17: at most 100 ms besides the hash): the
sign-in is audited before any patient reaches the screen, the home screen is built
with its width's class (no second styling of every widget), and the highlighted
patient's sessions and today's follow the first frame."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import tui_scenarios as ts
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
