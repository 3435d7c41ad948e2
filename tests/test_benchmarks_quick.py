"""The benchmark command keeps working: its quick mode runs and prints every figure.

No timed assertions: figures depend on the machine. This checks that each row of the
table is there with a number measured in the run (not "not available"), beside a
baseline where the row has one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = {  # figure (start of the row) -> the row has a baseline figure too
    "cold start of `sessionlog --db FILE` to the sign-in frame on the terminal": True,
    "sign-in (Enter) to Home with its patients on the terminal": False,  # hash beside it
    "quit: Ctrl+Q typed on Home to process exit": True,
    "(info) in process: cold start to first interactive frame": True,
    "(info) in process: quit (Ctrl+Q to process exit)": True,
    "peak memory (VmHWM)": True,
    "save 1 session + 8 sites, paced as a user's, p50": True,
    "save 1 session + 8 sites, paced as a user's, p99": True,
    "(info) saves back to back (each may meet the last one's checkpoint)": True,
    "(info) the same saves' CPU time on their thread": True,
    "open a patient's progress in the app": True,  # a bare screen painted beside it
    "what progress adds to any screen": False,  # the difference of the two: the target's
    "(info) the analysis alone": True,
    "compare screen over all data": True,
    "first compare on a database without an outcome cache": True,
    "scale compare over all data": True,
    "outcome cache size": False,  # its ratio is a percent of the database
    "import 1,000 sessions with sites": True,
    "site completion per key typed": True,
}
NUMBER = re.compile(r"\d+(\.\d+)? (ms|s|MB)")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


@pytest.mark.slow
def test_quick_mode_prints_every_figure(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        SESSIONLOG_BENCH_DATA=str(tmp_path / "data"),
        SESSIONLOG_CONFIG=str(tmp_path / "tui.json"),
    )
    env.pop("SESSIONLOG_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--no-keystrokes", "--repeat", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "## 1,000 sessions" in out
    header = next(line for line in out.splitlines() if line.startswith("| figure"))
    assert _cells(header) == [
        "figure",
        "measured",
        "baseline (same run)",
        "ratio",
        "target",
        "met?",
    ]
    rows = {
        _cells(line)[0]: _cells(line)
        for line in out.splitlines()
        if line.startswith("| ") and not line.startswith("| figure")
    }
    for figure, has_baseline in ROWS.items():
        matching = [cells for name, cells in rows.items() if name.startswith(figure)]
        assert matching, f"no row for {figure!r} in:\n{out}"
        _, measured, baseline, ratio, target, met = matching[0]
        assert NUMBER.search(measured), f"{figure}: {measured!r}"
        if has_baseline:
            assert NUMBER.search(baseline), f"{figure}: baseline {baseline!r}"
            assert re.fullmatch(r"\d+\.\d\dx", ratio), f"{figure}: ratio {ratio!r}"
        assert met in ("yes", "NO", ""), f"{figure}: met? {met!r}"
    assert "not available" not in out and "failed" not in out, out
    assert list((tmp_path / "data").glob("clinic-1000-*.db")), "the 1k database was not cached"
