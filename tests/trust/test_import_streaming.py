"""An export read a line at a time (``rowlines.py``) and held packed (``compact.py``)
imports exactly as the whole text parsed at once did: the same rows saved, the same
problems in the same words, and nothing saved when anything is wrong."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from trust_clinic import clock, dump

from sessionlog.errors import ValidationError
from sessionlog.exchange import ImportRefused, export, import_file
from sessionlog.exchange.compact import MISSING, NAMES, as_mapping
from sessionlog.exchange.document import ROLES
from sessionlog.exchange.export import _COMPACT
from sessionlog.exchange.importer import import_tables, read_source
from sessionlog.exchange.rowlines import read_row_per_line
from sessionlog.exchange.sealcheck import SEALS
from sessionlog.store import Store


@pytest.fixture
def exported(clinic: Store, tmp_path: Path) -> Path:
    path = tmp_path / "clinic.json"
    export(clinic, "json", path)
    return path


def _outcome(source: Path, target: Path) -> tuple[Any, ...]:
    """What importing ``source`` into a new database gives: the report and every row,
    or the problems (and then the database must hold no row)."""
    store = Store.open(target, clock=clock)
    try:
        report = import_file(source, store)
    except ImportRefused as exc:
        result: tuple[Any, ...] = ("refused", [str(p) for p in exc.problems], exc.total)
    except ValidationError as exc:
        result = ("invalid", str(exc).replace(str(source), "FILE"))
    else:
        return ("ok", report.summary(), dump(store.conn))
    finally:
        store.close()
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM session").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone() == (0,)
    return result


def _both(text: str, tmp_path: Path) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The outcome of ``text`` read a line at a time, and of the same document written
    on one line (which the whole-text read takes)."""
    # The same name for both: the import's audit row names its file.
    (tmp_path / "lines").mkdir(exist_ok=True)
    (tmp_path / "one").mkdir(exist_ok=True)
    lines, one = tmp_path / "lines" / "in.json", tmp_path / "one" / "in.json"
    lines.write_text(text, "utf-8")
    one.write_text(json.dumps(json.loads(text)), "utf-8")
    assert read_row_per_line(one) is None  # not the layout: read whole, as before
    return _outcome(lines, tmp_path / "a.db"), _outcome(one, tmp_path / "b.db")


def test_the_reader_gives_the_rows_json_gives(exported: Path) -> None:
    doc = read_row_per_line(exported)
    whole = json.loads(exported.read_text("utf-8"))
    assert doc is not None
    assert {k: v for k, v in doc.items() if k != "tables"} == {
        k: v for k, v in whole.items() if k != "tables"
    }
    assert list(doc["tables"]) == list(whole["tables"])
    for table, rows in whole["tables"].items():
        if table == SEALS:  # packed as they are read, given back as the file had them
            assert list(doc["tables"][table]) == rows
            continue
        assert [as_mapping(table, r) for r in doc["tables"][table]] == rows, table


def _site(rid: int, session: int, seq: int, **content: Any) -> dict[str, Any]:
    return {"id": rid, "session_id": session, "seq": seq, "target": "ST36", **content}


def _document(sites: list[str]) -> str:
    rows = ",\n".join(sites)
    return f'{{\n"format":"sessionlog-export",\n"tables":{{\n"site":[\n{rows}\n]\n}}\n}}\n'


def test_equal_site_contents_are_held_once_and_read_as_json_reads_them(tmp_path: Path) -> None:
    lines = [
        _COMPACT.encode(_site(1, 1, 1, insertions=1, depth_value=-0.0)),
        _COMPACT.encode(_site(2, 2, 1, insertions=1, depth_value=-0.0)),
        _COMPACT.encode(_site(3, 3, 1, insertions=True, depth_value=-0.0)),  # not 1
        _COMPACT.encode(_site(4, 4, 1, insertions=1, depth_value=0.0)),  # not -0.0
        _COMPACT.encode(_site(5, 5, 1)),  # no insertions: not the same as null
        _COMPACT.encode(_site(6, 6, 1, insertions=None)),
        # The content gives the id again: JSON's last one wins, so it is read whole.
        _COMPACT.encode(_site(7, 7, 1, insertions=1, depth_value=-0.0)).replace(
            '"target"', '"id":70,"target"'
        ),
        _COMPACT.encode(_site(8, 8, 1, insertions=1, depth_value=-0.0)).replace(
            '"target"', '"id":70,"target"'
        ),
    ]
    path = tmp_path / "sites.json"
    path.write_text(_document(lines), "utf-8")
    doc = read_row_per_line(path)
    assert doc is not None
    rows = doc["tables"]["site"]
    expected = json.loads(path.read_text("utf-8"))["tables"]["site"]
    got = [as_mapping("site", r) for r in rows]
    assert got == expected
    assert [[(type(v), v) for v in r.values()] for r in got] == [
        [(type(v), v) for v in r.values()] for r in expected
    ]
    assert [str(r["depth_value"]) for r in got[:4]] == ["-0.0", "-0.0", "-0.0", "0.0"]
    assert [r["id"] for r in got[6:]] == [70, 70]
    assert rows[0][3] is rows[1][3]  # one content for both
    assert rows[0][3] is not rows[2][3] and rows[0][3] is not rows[3][3]
    at = NAMES["site"].index("insertions") - 3  # in the content (after id, session, seq)
    assert rows[4][3][at] is MISSING and rows[5][3][at] is None


def _edit(text: str, edit: Callable[[list[str]], None]) -> str:
    lines = text.split("\n")
    edit(lines)
    return "\n".join(lines)


def _middle_row(lines: list[str], table: str) -> int:
    start = lines.index(f'"{table}":[')
    end = lines.index("]", start) if "]" in lines[start:] else len(lines)
    for close in ("],", "]"):
        if close in lines[start:]:
            end = min(end, lines.index(close, start))
    return (start + end) // 2 if end - start > 2 else start + 1


def _set(lines: list[str], i: int, fn: Callable[[str], str]) -> None:
    lines[i] = fn(lines[i])


SYNTAX = {
    "a quote left out": lambda ls: _set(
        ls, _middle_row(ls, "site"), lambda s: s.replace('"target"', '"target', 1)
    ),
    "a comma left out": lambda ls: _set(ls, _middle_row(ls, "site"), lambda s: s.rstrip(",")),
    "a comma too many": lambda ls: _set(ls, ls.index('"patient":[') - 2, lambda s: s + ","),
    "more after the end": lambda ls: ls.append("{}"),
    "cut short": lambda ls: ls.__delitem__(slice(_middle_row(ls, "site") + 1, None)),
    "an id with a leading zero": lambda ls: _set(
        ls, _middle_row(ls, "session"), lambda s: s.replace('{"id":', '{"id":0', 1)
    ),
}


@pytest.mark.parametrize("name", list(SYNTAX))
def test_a_file_that_is_not_valid_json_says_where_as_before(
    exported: Path, tmp_path: Path, name: str
) -> None:
    text = _edit(exported.read_text("utf-8"), SYNTAX[name])
    with pytest.raises(json.JSONDecodeError) as err:
        json.loads(text)
    path = tmp_path / "broken.json"
    path.write_text(text, "utf-8")
    assert read_row_per_line(path) is None
    where = f"line {err.value.lineno}, column {err.value.colno}: {err.value.msg}"
    assert _outcome(path, tmp_path / "t.db") == ("invalid", f"FILE: is not valid JSON ({where})")


LAYOUTS = {
    "as exported": lambda t: t,
    "with Windows line ends": lambda t: t.replace("\n", "\r\n"),
    "with a byte order mark": lambda t: "\ufeff" + t,
    "with blank lines": lambda t: t.replace('"session":[\n', '"session":[\n\n  \n'),
    "two rows on a line": lambda t: t.replace('},\n{"id":2,', '},{"id":2,', 1),
    "a table given twice": lambda t: t.replace('"protocol":[', '"protocol":[\n],\n"protocol":['),
    "indented": lambda t: json.dumps(json.loads(t), ensure_ascii=False, indent=1),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_every_layout_imports_as_the_whole_text_read_does(
    exported: Path, tmp_path: Path, name: str
) -> None:
    text = LAYOUTS[name](exported.read_text("utf-8"))
    path = tmp_path / "in.json"
    path.write_text(text, "utf-8")
    streamed, whole = _both(text.removeprefix("\ufeff"), tmp_path)
    assert streamed == whole
    assert _outcome(path, tmp_path / "c.db") == whole
    # What sessionlog writes, and what a copy through another system may make of it,
    # is read a line at a time; anything else whole.
    taken = ("as exported", "with Windows line ends", "with a byte order mark", "with blank lines")
    assert (read_row_per_line(path) is not None) == (name in taken)


ROW_EDITS: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    "a pain out of range": ("session", lambda r: r.update(pain_before=11)),
    "a site's side": ("site", lambda r: r.update(side="up")),
    "a count of true": ("site", lambda r: r.update(insertions=True)),
    "a column left out": ("site", lambda r: r.pop("insertions")),
    "a null count": ("site", lambda r: r.pop("insertions") and r.update(insertions=None)),
    "no seq": ("site", lambda r: r.pop("seq")),
    "an unknown column": ("site", lambda r: r.update(colour="red")),
    "no id": ("follow_up", lambda r: r.pop("id")),
    "no notes": ("follow_up", lambda r: r.pop("notes")),
    "an altered audit row": ("audit_log", lambda r: r.update(detail="{}")),
}


@pytest.mark.parametrize("name", list(ROW_EDITS))
def test_a_bad_row_in_the_middle_gives_the_same_problems_and_saves_nothing(
    exported: Path, tmp_path: Path, name: str
) -> None:
    table, change = ROW_EDITS[name]
    text = exported.read_text("utf-8")

    def edit(lines: list[str]) -> None:
        i = _middle_row(lines, table)
        comma = lines[i].endswith(",")
        row = json.loads(lines[i].rstrip(","))
        change(row)
        lines[i] = _COMPACT.encode(row) + ("," if comma else "")

    streamed, whole = _both(_edit(text, edit), tmp_path)
    assert streamed == whole
    if name not in ("a column left out", "no notes"):  # those two are allowed
        assert streamed[0] == "refused" and streamed[1], streamed


def test_a_wrong_session_in_the_middle_names_its_rows(exported: Path, tmp_path: Path) -> None:
    text = exported.read_text("utf-8")

    def edit(lines: list[str]) -> None:
        i = _middle_row(lines, "session")
        row = json.loads(lines[i].rstrip(","))
        row.update(pain_before=11, technique="magic")
        lines[i] = _COMPACT.encode(row) + ("," if lines[i].endswith(",") else "")

    streamed, whole = _both(_edit(text, edit), tmp_path)
    assert streamed == whole
    assert streamed[0] == "refused"
    assert any("pain_before: 11 is out of range" in p for p in streamed[1])
    assert any("technique: 'magic' is not allowed" in p for p in streamed[1])


def test_import_takes_the_rows_out_of_the_tables_it_is_given(
    exported: Path, tmp_path: Path
) -> None:
    tables, csv = read_source(exported)
    # (the record seals come packed, the roles as a mapping: neither is a table's rows)
    assert tables and all(
        isinstance(rows, list) for t, rows in tables.items() if t not in (SEALS, ROLES)
    )
    store = Store.open(tmp_path / "t.db", clock=clock)
    try:
        import_tables(tables, store, csv=csv)
    finally:
        store.close()
    assert tables == {}  # the caller keeps no row alive while the import runs
