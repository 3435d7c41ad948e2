"""Opening the TUI from the command line."""

from __future__ import annotations

from .common import Context, fail


def run_tui(ctx: Context) -> None:
    """Open the app on the database (the TUI is imported only now: start-up stays light)."""
    try:
        from ..tui.app import run
    except ImportError:
        fail("the terminal app is not built yet; use the commands in `sessionlog --help`")
        return
    run(ctx.db_path)
