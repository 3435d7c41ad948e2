"""``sessionlog`` and ``sessionlog --db FILE`` open the app without loading click (issue
17: click was 8-9 ms of a cold start's CPU, and the first frame needs none of it);
every other command line, and a database path click would refuse, still goes to click
and reads as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sessionlog.cli import DB_ENV, app_alone

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_db_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DB_ENV, raising=False)
    for name in [n for n in os.environ if n.endswith("_COMPLETE")]:
        monkeypatch.delenv(name)


def test_the_app_alone_is_read_as_click_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "clinic.db")  # not there yet: the app makes it
    assert app_alone([]) == (True, None)  # the default place
    assert app_alone(["--db", db]) == (True, db)
    assert app_alone([f"--db={db}"]) == (True, db)
    Path(db).write_bytes(b"")
    assert app_alone(["--db", db]) == (True, db)
    monkeypatch.setenv(DB_ENV, db)
    assert app_alone([]) == (True, db)
    monkeypatch.setenv(DB_ENV, "")  # empty: unset, for click too
    assert app_alone([]) == (True, None)


@pytest.mark.parametrize(
    "args",
    [
        ["demo"],
        ["--help"],
        ["-h"],
        ["--version"],
        ["--db", "x.db", "demo"],
        ["--db", "x.db", "--passphrase"],
        ["--passphrase"],
        ["--db"],
        ["--db", ""],
        ["--db="],
        ["--db", "--help"],
        ["--db", "x.db", "--db", "y.db"],
    ],
)
def test_anything_else_goes_to_click(args: list[str]) -> None:
    assert app_alone(args) == (False, None)


def test_a_path_click_refuses_goes_to_click(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app_alone(["--db", str(tmp_path)]) == (False, None)  # a folder
    monkeypatch.setenv(DB_ENV, str(tmp_path))
    assert app_alone([]) == (False, None)
    monkeypatch.setenv("_SESSIONLOG_COMPLETE", "bash_complete")  # a shell completing
    monkeypatch.setenv(DB_ENV, "")
    assert app_alone([]) == (False, None)


def test_click_still_says_what_is_wrong_with_the_path(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sessionlog", "--db", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != DB_ENV},
    )  # fmt: skip
    assert proc.returncode == 2
    assert f"Invalid value for '--db': File '{tmp_path}' is a directory." in proc.stderr


def test_the_app_alone_loads_no_click(tmp_path: Path) -> None:
    """In a fresh interpreter, ``main`` hands the path to the app's ``run`` (stubbed:
    no terminal here) with click never imported; a command loads it."""
    code = (
        "import json, sys\n"
        "import sessionlog.tui.app as app\n"
        "seen = {}\n"
        "app.run = lambda db: seen.update(db=db, click='click' in sys.modules)\n"
        "from sessionlog.cli import main\n"
        f"sys.argv = ['sessionlog', '--db', {str(tmp_path / 'c.db')!r}]\n"
        "main()\n"
        "print(json.dumps(seen))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        check=False, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"db": str(tmp_path / "c.db"), "click": False}
