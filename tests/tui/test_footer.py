"""The home screen's footer: its keys are in the first frame, drawn by one widget that
still works as a row of keys (a click presses the key, a disabled key is dim), and the
other screens' styles load when another screen or form first shows."""

from __future__ import annotations

import tui_scenarios as ts
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from sessionlog.tui.app import SessionlogApp
from sessionlog.tui.screens.home import HomeScreen
from sessionlog.tui.widgets.footer import KeyLine


def drive(app: SessionlogApp, steps, size: tuple[int, int] = ts.SIZE) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(app, steps, size)


def key_cells(line: KeyLine, description: str) -> int:
    """The x of the middle of a key's description in the line."""
    text = str(line.render())
    return text.index(description) + len(description) // 2


def test_keys_show_at_once_in_one_widget_and_a_click_presses_one(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        home = app.screen
        assert isinstance(home, HomeScreen)
        [line] = home.query(KeyLine)
        text = str(line.render())
        assert text.startswith(
            " ^o New session  ^r Repeat last  ^f Follow-up  f4 Follow-ups  ^n New patient "
        )
        assert "f7 Compare" in text and "f2 Practitioner" in text
        # Every key, the palette's too (last), is drawn by the one widget.
        assert [k for k in home.query(FooterKey) if k is not line] == []
        assert line.keys[-1].key == "ctrl+p"
        await pilot.click(line, offset=(key_cells(line, "New patient"), 0))
        await pilot.pause()
        assert home.query_one("#np-chart_id", Input).has_focus  # Ctrl+N's form opened

    drive(ts.make_app(store), steps)


def test_a_key_the_screen_refuses_is_dim_and_a_click_on_it_does_nothing(store) -> None:  # type: ignore[no-untyped-def]
    app = ts.make_app(store)
    allowed = app.check_action

    def refuse_compare(action, parameters):  # type: ignore[no-untyped-def]
        return None if action == "compare" else allowed(action, parameters)  # None: dim

    app.check_action = refuse_compare  # type: ignore[method-assign]

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        [line] = app.screen.query(KeyLine)
        compare = [k for k in line.keys if k.description == "Compare"]
        assert compare and not compare[0].enabled
        dim = [span for span in line.render().spans if "dim" in str(span.style)]
        assert len(dim) == 1
        await pilot.click(line, offset=(key_cells(line, "Compare"), 0))
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # no compare screen

    drive(app, steps, size=(180, 32))  # wide enough for every key to show


def test_other_screens_styles_load_when_a_form_first_shows(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        sources = lambda: [path for path, _ in app.stylesheet.source]  # noqa: E731
        assert not any(p.endswith("screens.tcss") for p in sources())
        await pilot.press("ctrl+n")
        assert any(p.endswith("screens.tcss") for p in sources())
        # screens.tcss hides an error line until there is an error to show.
        assert app.screen.query_one("#np-errors").display is False

    drive(ts.make_app(store), steps)
