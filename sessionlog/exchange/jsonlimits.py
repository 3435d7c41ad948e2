"""The bounds a JSON export is read within, whatever the file holds.

The same bounds as a CSV export's (``csvfiles.py``): the file at most ``MAX_MEMBER``
bytes, a line at most ``MAX_LINE``, a text at most ``MAX_FIELD``; and values nested at
most ``MAX_DEPTH`` levels (an export nests six: document, tables, table, row, a
protocol's sites, a site). A file laid out one row per line (as ``sessionlog export``
writes it) is read a line at a time, so its text never sits in memory whole; any other
layout is read whole only when that cannot take more than ``WHOLE_BUDGET`` of memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .csvfiles import MAX_FIELD, MAX_LINE, MAX_MEMBER

MAX_DEPTH = 20
TOO_DEEP = "nests values deeper than any export does: not a sessionlog export"
# Reading a whole document holds its text and every value parsed from it: a value takes
# at most about 72 bytes beyond its text (an empty list: 56 and the pointer to it).
WHOLE_BUDGET = 320 << 20
WHOLE_MAX = 64 << 20  # a file not laid out one row per line is read whole up to this size
_PER_VALUE = 72
__all__ = [
    "MAX_FIELD",
    "MAX_LINE",
    "MAX_MEMBER",
    "WHOLE_MAX",
    "check_size",
    "check_value",
    "check_whole",
]


def check_size(path: Path) -> int:
    """The size of the file at ``path``; refused when over ``MAX_MEMBER``."""
    size = path.stat().st_size
    if size > MAX_MEMBER:
        raise ValidationError(
            str(path), f"is over {MAX_MEMBER >> 30} GB: larger than any export sessionlog reads"
        )
    return size


def check_whole(text: str, path: Path) -> None:
    """Refuse a text that would take more than ``WHOLE_BUDGET`` once parsed (every
    ``{``, ``[`` and ``,`` counted as a value: never fewer than there are)."""
    values = text.count("{") + text.count("[") + text.count(",")
    if 2 * len(text) + _PER_VALUE * values > WHOLE_BUDGET:
        raise ValidationError(
            str(path),
            f"is not laid out one row per line (as `sessionlog export` writes it) and is too"
            f" large to read whole (over {WHOLE_BUDGET >> 20} MB once read): export it again"
            " with `sessionlog export`",
        )


def could_break(line: str) -> bool:
    """Whether a line is long or nested enough that its value may break a bound (a
    value of a shorter, flatter line cannot: checked only when this says so)."""
    return len(line) > MAX_FIELD or line.count("[") + line.count("{") > MAX_DEPTH - 4


def check_value(value: Any, where: str, depth: int = 1) -> None:
    """Refuse a text longer than ``MAX_FIELD`` or nesting deeper than ``MAX_DEPTH``
    (``depth``: the level ``value`` is at); ``where`` names it, and a row's column."""
    stack: list[tuple[Any, int, str]] = [(value, depth, "")]
    while stack:
        item, level, column = stack.pop()
        if type(item) is str:
            if len(item) > MAX_FIELD:
                at = f"{where}: {column}" if column else where
                raise ValidationError(
                    at, f"is over {MAX_FIELD // 1024} KB: no sessionlog field is so long"
                )
            continue
        if type(item) is not dict and type(item) is not list:
            continue
        if level >= MAX_DEPTH:
            raise ValidationError(where, TOO_DEEP)
        if type(item) is dict:
            for key, inner in item.items():
                if len(key) > MAX_FIELD:
                    raise ValidationError(where, "has a column name over 128 KB")
                name = column or (key if level == depth else "")
                stack.append((inner, level + 1, name))
        else:
            stack.extend((inner, level + 1, column) for inner in item)


def check_document(data: Any) -> None:
    """Every value of a document read whole within the bounds; a row named by its
    table and number (as the import's problems name it)."""
    if type(data) is not dict:
        return  # not an export: tables_from_json says so
    tables = data.get("tables")
    for key, value in data.items():
        if key != "tables" or type(tables) is not dict:
            check_value(value, "document", 2)
            continue
        for name, rows in tables.items():
            if type(rows) is not list:
                check_value(rows, f"tables.{name}", 3)
                continue
            for number, row in enumerate(rows, start=1):
                check_value(row, f"{name} row {number}", 4)
