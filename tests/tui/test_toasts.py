"""A toast covers nothing (issue 14 defect 14): it sits between the content and the footer,
which give it its rows while it shows; on its own layer it covered the bottom border and
labels of what was above the footer."""

from __future__ import annotations

import pytest
import tui_scenarios as ts
from textual.widgets._toast import Toast, ToastHolder, ToastRack

SIZES = ((80, 24), (120, 40))
LONG = "Saved session #12 for Maria Keller: pain 5->2, 4 sites, and a line long enough to wrap"


def shown(screen, widget):  # type: ignore[no-untyped-def]
    """The part of ``widget`` on the screen: its region clipped by the containers that
    scroll it (a form's fields scrolled out of view are under nothing)."""
    from textual.errors import NoWidget

    try:
        geometry = screen.find_widget(widget)
    except NoWidget:
        return None
    return geometry.region.intersection(geometry.clip)


def covered(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The widgets a toast is drawn over."""
    screen = app.screen
    toasts = [shown(screen, t) for t in screen.query(Toast)]
    assert toasts and all(toasts)  # the toast is on the screen
    hits = []
    for widget in screen.walk_children():
        if isinstance(widget, (Toast, ToastHolder, ToastRack)):
            continue
        region = shown(screen, widget)
        if region and any(t.overlaps(region) for t in toasts):
            hits.append(f"{widget!r} at {region}")
    return hits


async def toast_laid_out(pilot, app) -> None:  # type: ignore[no-untyped-def]
    """Wait until the toast is mounted and laid out: its rack is shown by a callback,
    then mounts it, then the screen is laid out again (a message each, and a frame)."""
    await pilot.press("shift")  # a key that does nothing: every queue handled after it
    for _ in range(100):  # frames, not seconds: each pause waits for the app to be idle
        toasts = list(app.screen.query(Toast))
        if toasts and all(t.region.height for t in toasts):
            return
        await pilot.pause()
    raise AssertionError("no toast on the screen")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_toast_covers_no_label_or_border(store, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001")  # Home with its three boxed lists down to the footer
        app.notify(LONG, timeout=600)  # long enough never to expire during the test
        await toast_laid_out(pilot, app)
        assert covered(app) == []
        footer = app.screen.query_one("Footer")
        [toast] = app.screen.query(Toast)
        assert toast.region.bottom == footer.region.y  # right above the footer's keys
        await pilot.press("enter", "a", "y")  # the session form, its fields down to the footer
        app.notify(LONG, timeout=600)
        await toast_laid_out(pilot, app)
        assert covered(app) == []

    ts.run_app(ts.make_app(store), steps, size, notifications=True)
