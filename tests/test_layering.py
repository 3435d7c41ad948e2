"""The direction of the arrows: only the TUI imports Textual, and the TUI holds no SQL.

Imports are checked in a fresh interpreter (this test process has Textual loaded by
other tests); SQL in the TUI is found by reading its source files.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import sessionlog

PACKAGE = Path(sessionlog.__file__).parent

# Must exist; analysis and charts are checked as soon as they land.
REQUIRED = ["sessionlog.domain", "sessionlog.store", "sessionlog.points", "sessionlog.demo",
            "sessionlog.cli"]  # fmt: skip
OPTIONAL = ["sessionlog.analysis", "sessionlog.charts"]


def loaded_after_import(modules: list[str], optional: list[str] = ()) -> list[str]:
    """Names in sys.modules of a fresh interpreter after importing ``modules`` (which
    must import) and ``optional`` (skipped if they fail: work in progress elsewhere)."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"for name in {list(optional)!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError:\n"
        "        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def headless_modules() -> tuple[list[str], list[str]]:
    """The named layers, and every other module of the package outside the TUI."""
    present = REQUIRED + [m for m in OPTIONAL if find_spec(m) is not None]
    others = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] in ("tui", "__main__") or "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(("sessionlog", *parts))
        if name not in present:
            others.append(name)
    return present, others


def test_named_layers_exist() -> None:
    assert [m for m in REQUIRED if find_spec(m) is None] == []


def test_nothing_outside_the_tui_imports_textual() -> None:
    layers, others = headless_modules()
    loaded = loaded_after_import(layers, others)
    textual = [m for m in loaded if m.split(".")[0].startswith("textual")]
    assert textual == [], f"importing {layers + others} loaded {textual}"


TEXTUAL_IMPORT = re.compile(r"^\s*(import|from)\s+textual", re.MULTILINE)


def test_no_textual_import_even_inside_functions() -> None:
    # A lazy import inside a function escapes the sys.modules check: read the sources.
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ("tui", "cli"):  # the CLI may open the TUI lazily
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if TEXTUAL_IMPORT.match(line):
                found.append(f"sessionlog/{rel}:{lineno}: {line.strip()}")
    assert found == [], "Textual imported outside the TUI:\n" + "\n".join(found)


def test_tui_app_starts_light() -> None:
    # The app opens in well under a second only if the heavy libraries wait until
    # a screen needs them: sqlite-utils (the store opens in a worker) and plotext.
    if find_spec("sessionlog.tui") is None or find_spec("sessionlog.tui.app") is None:
        return
    loaded = loaded_after_import(["sessionlog.tui.app"])
    assert "textual.app" in loaded  # the check sees what an import brings in
    heavy = [m for m in loaded if m.split(".")[0] in ("sqlite_utils", "plotext", "textual_plotext")]
    assert heavy == [], f"`import sessionlog.tui.app` loads {sorted(set(heavy))}"


def test_first_frame_builds_no_domain_dataclasses() -> None:
    # The first frame needs the store and the home screen; the domain's dataclasses and
    # validators (~10 ms to build) load when a form or a save first needs them.
    if find_spec("sessionlog.tui") is None or find_spec("sessionlog.tui.screens.home") is None:
        return
    loaded = loaded_after_import(
        ["sessionlog.tui.app", "sessionlog.tui.screens.home", "sessionlog.store"]
    )
    assert "sessionlog.store.store" in loaded  # the check sees what an import brings in
    early = [m for m in loaded if m in ("sessionlog.domain.models", "sessionlog.domain.validate")]
    assert early == [], f"the app's first frame loads {early}"


SQL = [
    (re.compile(r"\bSELECT\b.*\bFROM\b"), "SELECT ... FROM"),
    (re.compile(r"\bINSERT\s+(OR\s+\w+\s+)?INTO\b"), "INSERT INTO"),
    (re.compile(r"\bUPDATE\s+\w+\s+SET\b"), "UPDATE ... SET"),
    (re.compile(r"\bDELETE\s+FROM\b"), "DELETE FROM"),
    (re.compile(r"\b(CREATE|DROP|ALTER)\s+(TABLE|INDEX|VIEW|TRIGGER)\b"), "schema SQL"),
    (re.compile(r"\bPRAGMA\s+\w+"), "PRAGMA"),
    (re.compile(r"^\s*(import|from)\s+(sqlite3|sqlite_utils|apsw|sqlcipher3)\b"), "a driver"),
    (re.compile(r"\.(execute|executemany|executescript)\s*\("), ".execute("),
    (re.compile(r"^\s*(import|from)\s+statistics\b"), "statistics (the analysis layer's job)"),
]  # fmt: skip


def sql_in(text: str, name: str) -> list[str]:
    """``name:line: what`` for every line of ``text`` that looks like SQL or a driver call."""
    return [
        f"{name}:{lineno}: {label}: {line.strip()}"
        for lineno, line in enumerate(text.splitlines(), start=1)
        for pattern, label in SQL
        if pattern.search(line)
    ]


def test_the_scanner_finds_sql() -> None:
    sample = 'rows = store.conn.execute("SELECT id FROM patient")\nimport sqlite3\n'
    assert sql_in(sample, "x.py") == [
        'x.py:1: SELECT ... FROM: rows = store.conn.execute("SELECT id FROM patient")',
        'x.py:1: .execute(: rows = store.conn.execute("SELECT id FROM patient")',
        "x.py:2: a driver: import sqlite3",
    ]
    assert sql_in("# select a patient from the list\n", "x.py") == []


def test_the_tui_holds_no_sql() -> None:
    tui = PACKAGE / "tui"
    if not tui.is_dir():
        return
    found = []
    for path in sorted(tui.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += sql_in(text, f"sessionlog/{path.relative_to(PACKAGE)}")
    assert found == [], "the TUI must ask the store, not speak SQL:\n" + "\n".join(found)
