"""The benchmark command: every figure beside its baseline, measured in the same run.

    python -m benchmarks            # full: 1k, 10k and 100k sessions (under 10 minutes)
    python -m benchmarks --quick    # 1k sessions only, fewer repetitions (under a minute)
    python -m benchmarks --sizes 10k --repeat 3

One table per database size; the issue's targets apply to the 100k table and are
checked in the others too, for the trend. A figure whose code is not there yet is a
row saying so, never a number. The keystrokes table (``benchmarks/keystrokes.py``,
written with the TUI) follows when that script exists.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import (
    bench_app,
    bench_complete,
    bench_import,
    bench_outcomes,
    bench_save,
    bench_scales,
    bench_user,
    generate,
)
from .measure import Row, format_table, unavailable

KEYSTROKES = Path(__file__).with_name("keystrokes.py")


@dataclass(frozen=True)
class Plan:
    """How much to measure: sizes and repetitions."""

    sizes: tuple[int, ...]
    launches: int  # cold starts of each app (and quits)
    saves: int  # saves timed (each, app and raw)
    views: int  # progress openings timed (compare: a quarter of it)


QUICK = Plan(sizes=(1_000,), launches=3, saves=100, views=12)
FULL = Plan(sizes=(1_000, 10_000, 100_000), launches=7, saves=500, views=40)


def _guarded(name: str, bench: Callable[[], list[Row]]) -> list[Row]:
    """Run one benchmark; a crash in it becomes a row saying so, not a lost table."""
    try:
        return bench()
    except Exception as exc:  # noqa: BLE001 - the other figures are still worth printing
        return [unavailable(name, f"failed: {type(exc).__name__}: {exc}")]


def measure_size(sessions: int, plan: Plan, peers: bool = False) -> list[Row]:
    """Every figure on the generated database of ``sessions`` sessions (``peers``: with
    other apps' first frames beside ours)."""
    db = generate.database(sessions)
    return [
        *_guarded(
            "the user's path (sessionlog --db FILE on a terminal)",
            lambda: bench_user.run(db, plan.launches, peers),
        ),
        *_guarded("cold start / quit / memory", lambda: bench_app.run(db, plan.launches)),
        *_guarded("save", lambda: bench_save.run(db, plan.saves)),
        *_guarded("progress / compare", lambda: bench_outcomes.run(db, plan.views)),
        *_guarded("scale compare", lambda: bench_scales.run(db, plan.views)),
        *_guarded("import", lambda: bench_import.run(db, sessions)),
        *_guarded("site completion", lambda: bench_complete.run(plan.views)),
    ]


def keystrokes() -> str:
    """The keystrokes table from ``benchmarks/keystrokes.py``, or why there is none."""
    if not KEYSTROKES.exists():
        return "keystrokes: not available yet (benchmarks/keystrokes.py missing)"
    root = KEYSTROKES.parent.parent
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    )
    done = subprocess.run(
        [sys.executable, str(KEYSTROKES)],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=300,
    )
    text = done.stdout.strip()
    if done.returncode not in (0, 1) or not text:  # 1 means a target was missed
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"keystrokes: failed (exit {done.returncode}): {tail}"
    return text


def _size(text: str) -> int:
    return generate.SIZES.get(text) or int(text.replace(",", "").replace("_", ""))


def main(argv: list[str] | None = None) -> int:
    """Parse the options, measure, print the tables; exit status 0 unless it crashed."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="1k sessions, fewer repeats")
    parser.add_argument("--sizes", help="comma-separated sizes: 1k,10k,100k or numbers")
    parser.add_argument("--repeat", type=int, help="cold starts per app (default 3 / 7)")
    parser.add_argument("--no-keystrokes", action="store_true", help="skip keystrokes.py")
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also time harlequin's and posting's first frames (pip-installed once into"
        " ~/.cache/sessionlog-bench-peers; not for CI)",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.sizes:
        plan = Plan(
            tuple(_size(s) for s in args.sizes.split(",")), plan.launches, plan.saves, plan.views
        )
    if args.repeat:
        plan = Plan(plan.sizes, args.repeat, plan.saves, plan.views)
    began = time.monotonic()
    print(
        f"sessionlog benchmarks ({'quick' if args.quick else 'full'}); Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs; ratios are measured / baseline",
        flush=True,
    )
    for sessions in plan.sizes:
        rows = measure_size(sessions, plan, args.peers)
        print(f"\n## {sessions:,} sessions\n\n{format_table(rows)}", flush=True)
    if not args.no_keystrokes:
        print(f"\n## keystrokes per scenario\n\n{keystrokes()}")
    print(f"\nmeasured in {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
