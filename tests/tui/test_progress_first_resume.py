"""The progress screen is styled once when it opens (issue 17).

Textual restyles every widget of a screen when it is shown (its ScreenResume); the
first time, right after the screen was built and each widget styled as it was mounted,
that changed nothing and took 1.8-3 ms of CPU of opening a 400-session patient's
progress. The home screen skips it the same way. Shown again, the screen is restyled
when Textual asks it (back from a screen it showed through).
"""

from __future__ import annotations

from typing import Any

import tui_scenarios as ts
from textual import events
from textual.dom import DOMNode

from sessionlog.tui.screens.progress import ProgressScreen


def _styles(screen: Any) -> list[tuple[str, dict[str, Any], str]]:
    """Every node's CSS rules and the style it is drawn with."""
    return [
        (repr(node), dict(node.styles.get_rules()), str(node.rich_style))
        for node in screen.walk_children(with_self=True)
    ]


def test_its_first_showing_restyles_nothing_and_a_restyle_would_change_nothing() -> None:
    restyled: list[DOMNode] = []

    async def steps(pilot: Any, app: Any) -> None:
        update = app.stylesheet.update_nodes

        def spy(nodes: Any, animate: bool = False) -> None:
            nodes = list(nodes)
            restyled.extend(nodes)
            update(nodes, animate=animate)

        app.stylesheet.update_nodes = spy
        screen = ProgressScreen(1)
        await app.push_screen(screen)
        await pilot.pause()
        assert screen not in restyled  # built and styled: not restyled as a whole
        shown = _styles(screen)
        assert len(shown) > 8
        update(list(screen.walk_children(with_self=True)), animate=False)
        await pilot.pause()
        assert _styles(screen) == shown  # what it skipped would have changed nothing
        later = events.ScreenResume()  # shown again (Textual asks a restyle when the
        screen.post_message(later)  # screen it comes back from let it show through)
        await pilot.pause()
        assert later.refresh_styles and screen in restyled  # restyled as usual

    ts.run_app(ts.make_app(), steps, size=(120, 40))
