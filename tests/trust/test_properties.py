"""Bad input everywhere: no traceback, no partial write.

For arbitrary input to the point normaliser, the validators, the importers (JSON and
CSV), the command line and the text the TUI shows, the property is the same: the
code either accepts it or refuses it with our own error (``SessionlogError``, of which
``ValidationError`` is one), and a refused write leaves every table as it was. Each
test reports how many examples it tried (profile ``ci``: 1,000 each, but 400 for the
five that open a database and run an import or a whole command per example, 25-50 ms
each: at 1,000 they were 90 s of the suite's CPU, test_cli_log alone 52 s).
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import sqlite3
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import run, with_secrets
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from trust_clinic import build, clock, count_rows
from trust_figures import report

from sessionlog import points
from sessionlog.domain import parse_follow_up, parse_patient, parse_session, parse_site
from sessionlog.domain.text import clean_text
from sessionlog.errors import SessionlogError
from sessionlog.exchange import export, import_file
from sessionlog.exchange.tables import TABLES
from sessionlog.store import Store
from sessionlog.tui.safe import plain

pytestmark = pytest.mark.slow  # each property takes 5-12 s: run first

# Text a user could paste: markup, control and bidi characters, emoji, CJK, NUL.
TRICKY = [
    "[/]",
    "[bold]",
    "[link=x]",
    "\x1b[31m",
    "\u202e",
    "\u2066",
    "\x00",
    "\r\n",
    "\t",
    "\u200b",
    "e\u0301",
    "中文",
    "🙂",
    "ST36",
    "st-36",
    "upper trap",
    "L4-L5",
    "11",
    "-1",
    "1e309",
    "NaN",
    "9" * 30,
    " ",
    "",
]
texts = st.one_of(
    st.text(max_size=24),
    st.sampled_from(TRICKY),
    st.lists(st.sampled_from(TRICKY), max_size=4).map("".join),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    texts,
    st.integers(),
    st.integers(-(2**80), 2**80),
    st.floats(allow_nan=True, allow_infinity=True),
)
# One level of nesting is enough to reach every branch of the validators, and cheap.
values = st.one_of(
    scalars, st.lists(scalars, max_size=3), st.dictionaries(texts, scalars, max_size=3)
)

SESSION = {
    "patient_id": 1,
    "practitioner_id": 1,
    "technique": "dry_needling",
    "consent": True,
    "started_at": "2026-11-20 09:00",
    "pain_before": 6,
    "sites": [{"target": "upper trap", "side": "left"}],
}
FOLLOW_UP = {"patient_id": 1, "session_record_id": 1, "at": "2026-11-21 09:00", "pain": 3}
PATIENT = {"chart_id": "C9", "name": "Al", "birth_year": 1970, "sex": "male"}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
SITE_FIELDS = [c.name for c in TABLES["site"]] + ["site"]


def near(valid: dict[str, Any], fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid record with some fields replaced by anything, or added, or removed."""
    keys = st.sampled_from(fields) | texts
    return st.builds(
        lambda changes, drop: {**{k: v for k, v in valid.items() if k not in drop}, **changes},
        st.dictionaries(keys, values, max_size=4),
        st.sets(st.sampled_from(sorted(valid)), max_size=2),
    )


# Fewer examples for a property that runs an import or a command (see the docstring).
per_command = settings(max_examples=min(400, settings().max_examples))


@pytest.fixture
def examples(request: pytest.FixtureRequest) -> Iterator[list[int]]:
    """Counts the examples a property tried; the figure goes to the test summary."""
    tried = [0]
    yield tried
    report(f"property {request.node.name}: {tried[0]:,} examples tried")


def ours_or_nothing(fn: Callable[..., Any], *args: Any, **kw: Any) -> None:
    try:
        fn(*args, **kw)
    except SessionlogError:
        pass


@given(text=texts)
def test_point_normaliser(examples: list[int], text: str) -> None:
    examples[0] += 1
    ours_or_nothing(points.normalise_point, text)
    try:
        entry = points.resolve(text)
    except SessionlogError:
        return
    assert points.resolve(entry.code).code == entry.code  # canonical codes are fixed points


@given(
    data=st.one_of(
        near(
            SESSION,
            list(SESSION) + ["sites", "notes", "pain_after", "adverse_events", "ims_findings"],
        ),
        st.dictionaries(texts, values, max_size=5),
    )
)
def test_parse_session(examples: list[int], data: dict[str, Any]) -> None:
    examples[0] += 1
    ours_or_nothing(parse_session, data, now=clock())


@given(
    data=st.one_of(near({"target": "LI4", "side": "left"}, SITE_FIELDS), texts),
    technique=st.sampled_from(["acupuncture", "dry_needling", "ims"]),
)
def test_parse_site(examples: list[int], data: Any, technique: str) -> None:
    examples[0] += 1
    ours_or_nothing(parse_site, data, technique)


@given(data=near(FOLLOW_UP, list(FOLLOW_UP) + ["soreness", "groc", "notes", "adverse_events"]))
def test_parse_follow_up(examples: list[int], data: dict[str, Any]) -> None:
    examples[0] += 1
    ours_or_nothing(parse_follow_up, data, now=clock())


@given(data=near(PATIENT, list(PATIENT)))
def test_parse_patient(examples: list[int], data: dict[str, Any]) -> None:
    examples[0] += 1
    ours_or_nothing(parse_patient, data, this_year=2026)


# --- importers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Store, dict, dict]]:
    """An open clinic database, its JSON export, and its CSV export's files."""
    folder = tmp_path_factory.mktemp("props")
    store = Store.open(folder / "clinic.db", clock=clock)
    build(store)
    export(store, "json", folder / "e.json")
    export(store, "csv", folder / "e.zip")
    with zipfile.ZipFile(folder / "e.zip") as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    yield folder, store, json.loads((folder / "e.json").read_text()), files
    store.close()


def _attempt(folder: Path, store: Store, name: str, content: bytes) -> None:
    """Import ``content`` into the clinic database: accepted, or refused with no write."""
    path = folder / name
    path.write_bytes(content)
    before = count_rows(store.conn)
    try:
        import_file(path, store)
    except SessionlogError:
        assert count_rows(store.conn) == before


mutation = st.tuples(
    st.sampled_from(list(TABLES)),
    st.integers(0, 20),
    st.sampled_from(["id"] + sorted({c.name for t in TABLES.values() for c in t})) | texts,
    values,
)


@per_command
@given(changes=st.lists(mutation, min_size=1, max_size=3), whole=st.none() | values)
def test_import_json(examples: list[int], exported: Any, changes: list, whole: Any) -> None:
    examples[0] += 1
    folder, store, doc, _ = exported
    doc = copy.deepcopy(doc)
    for table, index, column, value in changes:
        rows = doc["tables"][table]
        if not isinstance(rows, list):
            continue  # replaced by an earlier change
        if index < len(rows) and isinstance(rows[index], dict):
            rows[index][column] = value
        elif index == len(rows):
            rows.append(value)  # a row that is not a row, or a whole new one
        else:
            doc["tables"][table] = value
    if whole is not None and changes[0][1] == 20:
        doc = whole  # now and then, not an export at all
    try:
        content = json.dumps(doc, allow_nan=True).encode()
    except (TypeError, ValueError):
        content = repr(doc).encode()
    _attempt(folder, store, "e.json", content)


@per_command
@given(
    table=st.sampled_from(list(TABLES)),
    line=st.integers(0, 6),
    cell=st.integers(0, 30),
    text=texts,
    raw=st.none() | st.binary(max_size=60),
)
def test_import_csv(
    examples: list[int],
    exported: Any,
    table: str,
    line: int,
    cell: int,
    text: str,
    raw: bytes | None,
) -> None:
    examples[0] += 1
    folder, store, _, files = exported
    files = dict(files)
    lines = files[f"{table}.csv"].decode().split("\r\n")
    if line < len(lines) and raw is None:
        cells = lines[line].split(",")
        cells[min(cell, len(cells) - 1)] = text  # may break quoting, or add a line
        lines[line] = ",".join(cells)
        files[f"{table}.csv"] = "\r\n".join(lines).encode("utf-8", "surrogatepass")
    elif raw is not None:
        files[f"{table}.csv" if line % 2 else "manifest.json"] = raw
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    _attempt(folder, store, "e.zip", buffer.getvalue() if line != 6 else (raw or b"PK\x03\x04"))


# --- the command line --------------------------------------------------------------------

LOG_OPTIONS = [
    "--patient",
    "--practitioner",
    "--technique",
    "--at",
    "--site",
    "--pain-before",
    "--pain-after",
    "--pain-during",
    "--soreness",
    "--minutes",
    "--co-intervention",
    "--adverse",
    "--notes",
    "--json",
]


@dataclass
class CliDb:
    """The clinic database the command-line properties share, a connection that sees
    whether anything was committed, and the hash of its rows as the last command left
    them (``_rows_but_sign_ins``)."""

    path: Path
    watcher: sqlite3.Connection
    kept: str


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliDb]:
    path = tmp_path_factory.mktemp("cli") / "cli.db"
    store = Store.open(path, clock=clock)
    build(store)
    store.close()
    with_secrets(path)  # every practitioner's secret, once: no command here adds one
    watcher = sqlite3.connect(path)
    yield CliDb(path, watcher, _rows_but_sign_ins(watcher))
    watcher.close()


def _cli(db: CliDb, args: list[str], input: str | None = None) -> None:
    # data_version changes when another connection commits: a cheap "nothing written"
    # (but a sign-in: the command line checks its practitioner's secret first).
    before = db.watcher.execute("PRAGMA data_version").fetchone()[0]
    result = run(db.path, args, input=input, give_secrets=False)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        result.exception,
    )
    assert result.exit_code in (0, 1, 2), (args, result.output)
    assert "Traceback" not in result.output
    if db.watcher.execute("PRAGMA data_version").fetchone()[0] == before:
        return  # nothing committed: the rows are as the last command left them
    rows = _rows_but_sign_ins(db.watcher)
    if result.exit_code != 0:
        assert rows == db.kept, args
    db.kept = rows  # an accepted command's rows are the next one's "as it was"


def _rows_but_sign_ins(conn: sqlite3.Connection) -> str:
    """A hash of every row of every table but the audit log's sign-in and refusal rows:
    what a refused command leaves as it was (those grow with every example, so they
    are not hashed over and over), and but the file's count of writes (``file_stamp``),
    which those rows advance."""
    digest = hashlib.sha256()
    tables = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'file_stamp' ORDER BY name"
    )
    for (table,) in tables.fetchall():
        where = " WHERE action NOT IN ('sign_in', 'refused')" if table == "audit_log" else ""
        for row in sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{table}"{where}')):
            digest.update(row.encode())
    return digest.hexdigest()


@per_command
@given(
    pairs=st.lists(st.tuples(st.sampled_from(LOG_OPTIONS), texts), max_size=6),
    flags=st.lists(st.sampled_from(["--consent", "--no-consent"]), max_size=1),
)
def test_cli_log(examples: list[int], cli_db: CliDb, pairs: list, flags: list[str]) -> None:
    examples[0] += 1
    args = ["log", *flags]
    stdin = None
    for option, value in pairs:
        if option == "--json":
            args += ["--json", "-"]
            stdin = value
        else:
            args += [option, value]
    _cli(cli_db, args, input=stdin)


@per_command
@given(
    query=texts, extra=st.lists(st.sampled_from(["--json", "--limit", "0", "3", "x"]), max_size=3)
)
def test_cli_points(examples: list[int], cli_db: CliDb, query: str, extra: list[str]) -> None:
    examples[0] += 1
    _cli(cli_db, ["points", query, *extra])


@per_command
@given(content=st.binary(max_size=200) | texts.map(str.encode))
def test_cli_import(examples: list[int], cli_db: CliDb, content: bytes) -> None:
    examples[0] += 1
    path = cli_db.path.parent / ("x.zip" if content[:2] == b"PK" else "x.json")
    path.write_bytes(content)
    _cli(cli_db, ["import", str(path)])


# --- text shown in the TUI ---------------------------------------------------------------


@given(text=texts)
def test_tui_text_renders_literally(examples: list[int], text: str) -> None:
    examples[0] += 1
    out = io.StringIO()
    console = Console(file=out, width=10_000, force_terminal=True, color_system="truecolor")
    console.print(plain(text), soft_wrap=True, end="")
    shown = out.getvalue()
    assert "\x1b" not in shown  # no markup became a style, no escape got through
    # No control character (but the line break) and no bidi override reaches the screen.
    assert all(unicodedata.category(ch) != "Cc" for ch in shown.replace("\n", ""))
    assert not set(shown) & BIDI
    assert "".join(shown.split()) == "".join(clean_text(text, multiline=True).split())
    if "[/]" in clean_text(text, multiline=True):
        assert "[/]" in shown
