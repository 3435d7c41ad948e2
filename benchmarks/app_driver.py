"""Run one app until its first interactive frame, then quit; write the moments to a file.

    python benchmarks/app_driver.py bare OUT.json
    python benchmarks/app_driver.py sessionlog OUT.json DB CONFIG NOW
    python benchmarks/app_driver.py sign-in OUT.json DB CONFIG NOW

Both apps go through exactly the same steps: ``App.run`` on the real terminal driver
(the parent gives us a pseudo-terminal), an autopilot that waits until the screen is
interactive (the bare app's table has its rows; sessionlog's home screen shows the
database's recent patients, signed in from the code; ``sign-in``: sessionlog as a user
starts it, its sign-in screen listing the practitioners), then until that frame has
been painted, then sends
Ctrl+Q as a key event, as the terminal would. Times are ``time.monotonic()`` (one
clock for every process on Linux), so the parent can measure from before it spawned
us to when we exited.
"""

import time

MONO0 = time.monotonic()  # before any import: the interpreter is up, nothing else
PERF0 = time.perf_counter()

import sys  # noqa: E402  (already loaded by the interpreter: costs nothing)

# The warm-up run is there to leave compiled bytecode behind, as an installed app has
# it (pip compiles a package when installing it: Textual's came that way). With
# PYTHONDONTWRITEBYTECODE set in the environment nothing is written, so every measured
# start would compile sessionlog's edited modules from source again (~25 ms the bare
# app never pays). Allow writing (into the git-ignored __pycache__ folders).
sys.dont_write_bytecode = False

import asyncio  # noqa: E402
import json  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from bare_app import BareApp  # noqa: E402  (this folder is on sys.path: a script's own)
from textual import events  # noqa: E402
from textual.app import App  # noqa: E402
from textual.widgets import DataTable  # noqa: E402


def _peak_rss() -> float:
    """This process's peak resident memory in bytes so far (Linux: VmHWM).

    Not ``ru_maxrss``: Linux carries the parent's high-water mark across fork and exec
    into it, so a child of a big benchmark process would report the parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def _interactive(app: App, kind: str) -> bool:
    screen = app.screen
    if kind == "bare":
        tables = screen.query(DataTable)
        return bool(tables) and tables.first().row_count > 0
    wanted, table = (
        ("SignInScreen", "#si-names") if kind == "sign-in" else ("HomeScreen", "#patients")
    )
    if type(screen).__name__ != wanted or not screen.is_mounted:
        return False
    tables = screen.query(table)
    return bool(tables) and tables.first().row_count > 0


def main() -> None:
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "bare":
        app: App = BareApp()
    else:
        from sessionlog.tui.app import SessionlogApp

        db, config, now = sys.argv[3], Path(sys.argv[4]), datetime.fromisoformat(sys.argv[5])
        app = SessionlogApp(
            db_path=db,
            clock=lambda: now,
            practitioner_id=None if kind == "sign-in" else 1,
            config_path=config,  # type: ignore[arg-type]
        )
    moments: dict[str, float] = {"start_mono": MONO0}

    async def autopilot(pilot) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 60
        while not _interactive(app, kind):
            if time.monotonic() > deadline:
                with open(out, "w", encoding="utf-8") as f:
                    json.dump(moments | {"timeout": 1.0}, f)
                app.exit()
                return
            await asyncio.sleep(0.001)
        painted = asyncio.Event()
        app.screen.call_after_refresh(painted.set)
        await painted.wait()
        moments["ready_mono"] = time.monotonic()
        moments["peak_rss"] = _peak_rss()
        moments["ready_in_process"] = time.perf_counter() - PERF0
        with open(out, "w", encoding="utf-8") as f:
            json.dump(moments | {"quit_mono": time.monotonic()}, f)
        # Ctrl+Q as the terminal delivers it: one key event posted to the app, as
        # Textual's input thread does, and nothing more. (``pilot.press`` then waits
        # until the process looks idle, twice, and the app waits for this autopilot
        # before it finishes shutting down: 40-70 ms in the quit time, in both apps,
        # that no one pressing Ctrl+Q waits for.)
        key = events.Key("ctrl+q", None)
        key.set_sender(app)
        app.post_message(key)

    app.run(auto_pilot=autopilot)


if __name__ == "__main__":
    main()
