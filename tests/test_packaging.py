"""The wheel: the migrations and the catalogue's data files ship inside the package, and
the code finds them in an installed (not editable) layout.

Builds the wheel once per run with the installed hatchling (no network, no isolation).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = ["points.csv", "extra_points.csv", "muscles.csv"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="pip install -e '.[test]' brings hatchling")
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    [built] = out.glob("sessionlog-*.whl")
    return built


def test_wheel_holds_schema_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = sorted(p.name for p in (ROOT / "schema").iterdir() if p.is_file())
    assert "0001_initial.sql" in migrations
    assert [m for m in migrations if f"sessionlog/schema/{m}" not in names] == []
    assert [f for f in DATA_FILES if f"sessionlog/data/{f}" not in names] == []
    assert "sessionlog/cli/__init__.py" in names
    styles = ["sessionlog/tui/app.tcss", "sessionlog/tui/screens.tcss"]
    assert [s for s in styles if s not in names] == []  # the app's styles ship too
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    )
    assert b"sessionlog = sessionlog.cli:main" in entry_points


INSTALLED_CHECK = """
import json, sys
import sessionlog
from sessionlog import points
from sessionlog.store import Store
from sessionlog.store.db import schema_dir
store = Store.open(sys.argv[1])
applied = store.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")
print(json.dumps({
    "package": sessionlog.__file__,
    "schema_dir": str(schema_dir()),
    "applied": [r[0] for r in applied],
    "catalogue": len(points.catalogue()),
}))
"""


def test_installed_layout_finds_its_schema(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # Run from the temporary folder with the unpacked wheel first on the path, so the
    # package comes from there and not from the repository (the editable install).
    proc = subprocess.run(
        [sys.executable, "-c", INSTALLED_CHECK, str(tmp_path / "fresh.db")],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["package"] == str(site / "sessionlog" / "__init__.py")
    assert found["schema_dir"] == str(site / "sessionlog" / "schema")
    assert found["applied"] == sorted(p.stem for p in (ROOT / "schema").glob("[0-9]*.sql"))
    assert found["catalogue"] == 566
