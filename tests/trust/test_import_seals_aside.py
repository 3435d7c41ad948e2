"""A large export's seals read by a second process (``sealsaside.py``) while the rest
of the file is read: the very same import as reading them in place, whatever the file
holds, the child's result taken only when it read the seals the reader would read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_import_streaming import _outcome

from sessionlog.exchange import export, rowlines, sealsaside
from sessionlog.exchange.rowlines import read_row_per_line
from sessionlog.store import Store


@pytest.fixture
def exported(clinic: Store, tmp_path: Path) -> Path:
    path = tmp_path / "clinic.json"
    export(clinic, "json", path)
    return path


def _aside(monkeypatch: pytest.MonkeyPatch, on: bool) -> list[bool]:
    """Seals read aside for any file (on) or never (off); the list says, for each
    file, whether the child's seals were taken."""
    taken: list[bool] = []
    start, take = sealsaside.SealsAside.start, sealsaside.SealsAside.take

    def spy(self: sealsaside.SealsAside, at: int) -> Any:
        got = take(self, at)
        taken.append(got is not None)
        return got

    monkeypatch.setattr(sealsaside, "MIN_BYTES", 0)
    monkeypatch.setattr(sealsaside.SealsAside, "take", spy)
    if not on:
        monkeypatch.setattr(sealsaside.SealsAside, "start", classmethod(lambda *_: None))
    assert start is not None
    return taken


def _seal_line(lines: list[str], n: int = 0) -> int:
    """The index of the ``n``-th seal row of the file's lines."""
    return lines.index('"record_seal":[') + 1 + n


def _edit(fn: Callable[[list[str]], None]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        lines = text.split("\n")
        fn(lines)
        return "\n".join(lines)

    return edit


def _seal(lines: list[str], i: int, **change: Any) -> None:
    comma = lines[i].endswith(",")
    row = json.loads(lines[i].rstrip(","))
    row.update(change)
    lines[i] = json.dumps(row, separators=(",", ":")) + ("," if comma else "")


FILES: dict[str, Callable[[str], str]] = {
    "as exported": lambda t: t,
    "with a byte order mark": lambda t: "\ufeff" + t,
    "with Windows line ends": lambda t: t.replace("\n", "\r\n"),
    "with blank lines among the seals": _edit(lambda ls: ls.insert(_seal_line(ls, 2), "  ")),
    "a seal spelt otherwise": _edit(
        lambda ls: ls.__setitem__(_seal_line(ls, 1), ls[_seal_line(ls, 1)].replace(":", ": "))
    ),
    "a seal of no record table": _edit(lambda ls: _seal(ls, _seal_line(ls, 1), tbl="nothing")),
    "a seal with a short hash": _edit(lambda ls: _seal(ls, _seal_line(ls, 3), hash="ab")),
    "an altered seal": _edit(lambda ls: _seal(ls, _seal_line(ls, 0), hash="0" * 64)),
    "a seal row that is no seal": _edit(lambda ls: ls.__setitem__(_seal_line(ls, 1), "[1],")),
    "a comma after the last seal": _edit(
        lambda ls: ls.__setitem__(ls.index("]", _seal_line(ls)) - 1, ls[ls.index("]") - 1] + ",")
    ),
    "the seals cut short": lambda t: t[: t.index('"record_seal":[') + 400],
    "more after the seals": lambda t: t.rstrip() + "\n{}\n",
    "the seals' header twice": _edit(
        lambda ls: ls.insert(ls.index('"record_seal":['), '"record_seal":[\n],')
    ),
}


@pytest.mark.parametrize("name", list(FILES))
def test_seals_read_aside_import_as_seals_read_in_place(
    exported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(FILES[name](exported.read_text("utf-8")).encode("utf-8"))
    outcomes = []
    for on in (False, True):
        with monkeypatch.context() as m:
            taken = _aside(m, on)
            outcomes.append(_outcome(path, tmp_path / f"{name}-{on}.db"))
            if on and name in ("as exported", "with a byte order mark", "an altered seal"):
                assert taken == [True]  # the child's seals were the ones used
            if name == "with Windows line ends":
                assert taken == [False] * on  # read in place: a line may end otherwise
    assert outcomes[0] == outcomes[1]
    if name == "as exported":
        assert outcomes[0][0] == "ok"


def test_a_long_line_after_the_seals_is_named_by_its_number(
    exported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = exported.read_text("utf-8")
    longest = max(len(line) for line in text.split("\n"))
    lines = text.rstrip("\n").split("\n")
    lines[-1] = " " * (longest + 10) + lines[-1]  # the document's closing line
    path = tmp_path / "long.json"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    monkeypatch.setattr(rowlines, "MAX_LINE", longest + 5)
    monkeypatch.setattr(rowlines, "WHOLE_MAX", 0)
    said = []
    for on in (False, True):
        with monkeypatch.context() as m:
            taken = _aside(m, on)
            said.append(_outcome(path, tmp_path / f"long-{on}.db"))
            assert taken == [True] * on
    assert said[0] == said[1]
    too_long = f"FILE: line {len(lines)} is over 0 MB: no row of an export is so long"
    assert said[0] == ("invalid", too_long)


def test_the_seals_read_aside_are_the_seals_read_in_place(
    exported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = []
    for on in (False, True):
        with monkeypatch.context() as m:
            taken = _aside(m, on)
            docs.append(read_row_per_line(exported))
            assert taken == [True] * on
    seals = [doc["tables"]["record_seal"] for doc in docs if doc is not None]
    assert seals[0].count == seals[1].count > 0
    assert list(seals[0]) == list(seals[1])
