"""Cold start, quit and peak memory of the app on a big database, against a bare app.

Each run is a fresh interpreter (``app_driver.py``) on a pseudo-terminal of 120x40,
so Textual uses its real terminal driver and paints real frames. The bare Textual app
(header, table, footer) and sessionlog run alternately, the same number of times,
after one unmeasured warm-up each (page cache, bytecode, the settings file);
medians are reported. Times come from ``time.monotonic()``, shared by all processes:

- cold start: from just before the spawn to the first interactive frame painted;
- quit: from the Ctrl+Q press to the process having exited (``waitpid`` returned);
- peak memory: the child's own high-water mark of resident memory (``VmHWM``) when
  the interactive frame is up (``ru_maxrss`` would include the benchmark's own size:
  Linux carries a parent's high-water mark into a forked child).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .clinic import END
from .measure import Row, mb, median, ms, ratio, unavailable, verdict
from .pty_start import COLS, LINES, spawn

DRIVER = Path(__file__).with_name("app_driver.py")
TIMEOUT_S = 90


@dataclass(frozen=True)
class Launch:
    start: float  # seconds from spawn to the first interactive frame
    start_in_process: float  # the same, from the driver's first line
    quit: float  # seconds from Ctrl+Q to exit
    maxrss: int  # bytes


def _drain(fd: int, tail: bytearray) -> None:
    """Read the app's terminal output until it closes, keeping the last 16 KiB (an app
    that fails prints why there, and the benchmark's error should say it)."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        tail.extend(chunk)
        del tail[:-16384]


_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-_])")


def _last_words(tail: bytearray) -> str:
    """The last lines the app wrote, without terminal escapes (for an error message)."""
    text = _ESCAPES.sub("", tail.decode("utf-8", "replace")).replace("\r", "\n")
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-12:]) or "(nothing)"


def launch(args: list[str], out: Path) -> Launch:
    """Run the driver once on a fresh pseudo-terminal and collect its moments."""
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(LINES))
    out.unlink(missing_ok=True)
    began = time.monotonic()
    master, proc = spawn([sys.executable, str(DRIVER), *args[:1], str(out), *args[1:]], env)
    tail = bytearray()
    reader = threading.Thread(target=_drain, args=(master, tail), daemon=True)
    reader.start()
    timer = threading.Timer(TIMEOUT_S, proc.kill)
    timer.start()
    try:
        _, status = os.waitpid(proc.pid, 0)
        ended = time.monotonic()
    finally:
        timer.cancel()
        reader.join(timeout=2)
        os.close(master)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(
            f"{args[0]} app: the driver failed (exit {proc.returncode}); it last wrote:\n"
            + _last_words(tail)
        )
    moments = json.loads(out.read_text(encoding="utf-8"))
    if "timeout" in moments:
        raise RuntimeError(
            f"{args[0]} app: no interactive frame within 60 s; it last wrote:\n" + _last_words(tail)
        )
    return Launch(
        start=moments["ready_mono"] - began,
        start_in_process=moments["ready_in_process"],
        quit=ended - moments["quit_mono"],
        maxrss=int(moments["peak_rss"]),
    )


def run(db: Path, repeat: int) -> list[Row]:
    """Cold start, quit and memory rows for ``db`` (``repeat`` measured runs of each)."""
    labels = (
        "cold start to first interactive frame",
        "quit (Ctrl+Q to process exit)",
        "peak memory (VmHWM)",
    )
    targets = ("-", "-", "<= 80 MB")
    try:
        import sessionlog.tui.app  # noqa: F401
    except ImportError as exc:
        return [
            unavailable(label, f"sessionlog.tui.app: {exc}", target)
            for label, target in zip(labels, targets, strict=True)
        ]
    with tempfile.TemporaryDirectory(prefix="sessionlog-bench-") as tmp:
        out, config = Path(tmp) / "moments.json", Path(tmp) / "tui.json"
        app_args = ["sessionlog", str(db), str(config), END.replace(hour=12).isoformat()]
        sign_in_args = ["sign-in", *app_args[1:]]
        try:
            launch(["bare"], out)  # warm-ups: disk cache, bytecode, the settings file
            launch(app_args, out)
            bare, app, sign_in = [], [], []
            for _ in range(repeat):
                bare.append(launch(["bare"], out))
                app.append(launch(app_args, out))
                sign_in.append(launch(sign_in_args, out))
        except RuntimeError as exc:
            return [
                unavailable(label, str(exc), target)
                for label, target in zip(labels, targets, strict=True)
            ]
    start, bstart = median([r.start for r in app]), median([r.start for r in bare])
    quit_, bquit = median([r.quit for r in app]), median([r.quit for r in bare])
    rss, brss = median([r.maxrss for r in app]), median([r.maxrss for r in bare])
    sstart = median([r.start for r in sign_in])
    inproc = median([r.start_in_process for r in app])
    binproc = median([r.start_in_process for r in bare])
    return [
        Row(
            f"  (info) in process: {labels[0]}, signed in from code (median of {repeat})",
            ms(start),
            ms(bstart),
            ratio(start, bstart),
            "-",
            "",
        ),
        Row(
            f"  (info) in process: cold start to the sign-in screen (median of {repeat})",
            ms(sstart),
            ms(bstart),
            ratio(sstart, bstart),
            "-",
            "",
        ),
        Row(
            "  (info) the home screen's cold start, from the driver's first line",
            ms(inproc),
            ms(binproc),
            ratio(inproc, binproc),
            "-",
            "",
        ),
        Row(
            f"  (info) in process: {labels[1]} (median of {repeat})",
            ms(quit_),
            ms(bquit),
            ratio(quit_, bquit),
            "-",
            "",
        ),
        Row(
            f"{labels[2]} (median of {repeat})",
            mb(rss),
            mb(brss),
            ratio(rss, brss),
            targets[2],
            verdict(rss <= 80 * 2**20),
        ),
        Row(
            "  (info) memory above the bare app",
            mb(rss - brss),
            "-",
            "-",
            "<= 80 MB",
            verdict(rss - brss <= 80 * 2**20),
        ),
    ]
