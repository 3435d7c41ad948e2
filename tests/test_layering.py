"""The direction of the arrows, checked three ways.

- The import-linter contracts in pyproject.toml hold (every import, including those
  deferred into functions), and a deliberately wrong import breaks each of them.
- In a fresh interpreter (this process has Textual loaded by other tests): nothing outside
  the TUI and the CLI loads Textual or click, and the app's first frame stays light.
- SQL in the TUI is found by reading its source files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

import sessionlog

PACKAGE = Path(sessionlog.__file__).parent

# The layers every check below must see (a missing one fails the test, never skips it).
REQUIRED = ["sessionlog.domain", "sessionlog.analysis", "sessionlog.store", "sessionlog.charts",
            "sessionlog.points", "sessionlog.demo", "sessionlog.exchange", "sessionlog.cli",
            "sessionlog.tui", "sessionlog.tui.app"]  # fmt: skip


def loaded_after_import(modules: list[str]) -> list[str]:
    """Names in sys.modules of a fresh interpreter after importing ``modules``."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def headless_modules() -> list[str]:
    """Every module of the package outside the TUI and the command line."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] in ("tui", "cli", "__main__") or "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(("sessionlog", *parts)))
    return names


def test_named_layers_exist() -> None:
    assert [m for m in REQUIRED if find_spec(m) is None] == []


def test_nothing_outside_the_tui_imports_textual_or_click() -> None:
    modules = headless_modules()
    assert "sessionlog.analysis.stats" in modules  # the check sees the whole package
    loaded = loaded_after_import(modules)
    banned = [m for m in loaded if m.split(".")[0].startswith("textual") or m == "click"]
    assert banned == [], f"importing {modules} loaded {banned}"


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
    loaded = loaded_after_import(["sessionlog.tui.app"])
    assert "textual.app" in loaded  # the check sees what an import brings in
    heavy = [m for m in loaded if m.split(".")[0] in ("sqlite_utils", "plotext", "textual_plotext")]
    assert heavy == [], f"`import sessionlog.tui.app` loads {sorted(set(heavy))}"


def test_first_frame_builds_no_domain_dataclasses() -> None:
    # The first frame needs the store and the home screen; the domain's dataclasses and
    # validators (~10 ms to build) load when a form or a save first needs them.
    loaded = loaded_after_import(
        ["sessionlog.tui.app", "sessionlog.tui.screens.home", "sessionlog.store"]
    )
    assert "sessionlog.store.store" in loaded  # the check sees what an import brings in
    early = [m for m in loaded if m in ("sessionlog.domain.models", "sessionlog.domain.validate")]
    assert early == [], f"the app's first frame loads {early}"


def test_the_sign_in_frame_loads_no_click_no_hashing_and_no_unread_rows() -> None:
    # Issue 17: what ``sessionlog --db FILE`` loads before the sign-in's first frame.
    # Click (8-9 ms), hashlib/hmac/secrets (the hash runs after Enter) and the row
    # dataclasses no first frame reads (each ~4M instructions to make) wait.
    loaded = loaded_after_import(
        ["sessionlog.cli", "sessionlog.tui.app", "sessionlog.tui.screens.sign_in",
         "sessionlog.tui.config", "sessionlog.store.store"]
    )  # fmt: skip
    assert "sessionlog.store.records.credentials" in loaded  # the check sees the store
    early = [m for m in ("click", "hashlib", "hmac", "secrets", "sessionlog.cli.group",
                         "sessionlog.store.records.lazy_rows") if m in loaded]  # fmt: skip
    assert early == [], f"the sign-in's first frame loads {early}"


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


@pytest.mark.parametrize("layer", ["tui", "services", "analysis", "charts", "domain"])
def test_no_sql_outside_the_store(layer: str) -> None:
    """The TUI, the services and the computation below them ask the store; they hold
    no SQL. (The command line imports sqlite3 to name its errors, and exchange/ passes
    connections to the store's bulk helpers: docs/architecture.md, rule 3.)"""
    folder = PACKAGE / layer
    assert (folder / "__init__.py").is_file()
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += sql_in(text, f"sessionlog/{path.relative_to(PACKAGE)}")
    assert found == [], f"{layer}/ must ask the store, not speak SQL:\n" + "\n".join(found)


# --- the import contracts (pyproject.toml, [tool.importlinter]) -------------------------

ROOT = PACKAGE.parent
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
    "lint-imports"
)


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` over the package under ``root`` with that tree's pyproject.toml."""
    assert LINT_IMPORTS, "lint-imports is missing: install the test extra (import-linter)"
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contracts_hold() -> None:
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("an installed copy without its source tree: the contracts live in the checkout")
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("analysis/stats.py", "from sessionlog.store import Store", "Layers"),
        ("analysis/stats.py", "import sqlite3", "know nothing of storage"),
        ("store/db.py", "import textual.app", "No Textual outside the TUI"),
        ("domain/text.py", "def _late():\n    import click", "No click below"),
        ("tui/screens/home.py", "import sqlite3", "The TUI holds no SQL"),
        ("cli/trust.py", "from sessionlog.store.file import backup", "one door"),
        ("tui/screens/home.py", "from sessionlog.store.outcomes import cache", "one door"),
    ],
)
def test_a_wrong_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("an installed copy without its source tree: the contracts live in the checkout")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        PACKAGE, tmp_path / "sessionlog", ignore=shutil.ignore_patterns("__pycache__", "data")
    )
    target = tmp_path / "sessionlog" / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")
    done = lint_imports(tmp_path)
    assert done.returncode != 0, done.stdout
    broken = done.stdout.split("Broken contracts")[-1]
    assert contract in broken, done.stdout


# --- the front ends write sessions and follow-ups through the services ---------------

RECORD_WRITES = {"save_session", "amend_session", "void_session", "add_follow_up",
                 "amend_follow_up", "save_protocol"}  # fmt: skip


def record_writes_in(text: str, name: str) -> list[str]:
    """Each call of a store method that writes a session or a follow-up in ``text``."""
    import ast

    return [
        f"{name}:{node.lineno}: .{node.func.attr}()"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in RECORD_WRITES
    ]


def test_the_scanner_finds_a_record_write() -> None:
    assert record_writes_in("self.store.void_session(1, 2, 'x')", "m.py") == [
        "m.py:1: .void_session()"
    ]
    assert record_writes_in("# store.save_session(s)\nx = 'add_follow_up('", "m.py") == []


def test_the_front_ends_write_records_only_through_the_services() -> None:
    """What Ctrl+S, F8, Ctrl+B and ``log`` / ``follow-up`` do lives in
    services/sessions.py, follow_ups.py and protocols.py: neither front end calls the
    store's record writes itself."""
    found = []
    for front in ("tui", "cli"):
        for path in sorted((PACKAGE / front).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            found += record_writes_in(text, f"sessionlog/{path.relative_to(PACKAGE)}")
    assert found == [], "call sessionlog.services (sessions, follow_ups, protocols):\n" + (
        "\n".join(found)
    )


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("cli/records.py", "from ..store.records.sessions import SessionStore"),
        ("tui/screens/session_form.py", "from ...store.records.protocols import ProtocolStore"),
    ],
)
def test_a_front_end_importing_the_record_writes_breaks_a_contract(
    tmp_path: Path, module: str, line: str
) -> None:
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("an installed copy without its source tree: the contracts live in the checkout")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        PACKAGE, tmp_path / "sessionlog", ignore=shutil.ignore_patterns("__pycache__", "data")
    )
    target = tmp_path / "sessionlog" / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")
    done = lint_imports(tmp_path)
    assert done.returncode != 0, done.stdout
    assert "through the services" in done.stdout.split("Broken contracts")[-1], done.stdout
