"""Reading a JSON export laid out one row per line without holding its whole text.

``sessionlog export`` writes the document with each row compact on a line of its own
(see ``export.JSON_LAYOUT``). Such a file is read here line by line, and every row is
packed (``compact.py``) as soon as it is parsed: a 500 MB export never sits in memory
as text, nor as a million dicts.

This reader only takes the file when it is exactly that layout and valid JSON
throughout. For anything else (an indented export of before, a file written by hand,
a syntax error anywhere) it answers ``None`` and the caller parses the whole text as
before, which accepts the same documents and names a syntax error by line and column
just as it always did. A file it takes gives the same document as ``json.loads``.

Whatever the file, it is read within the bounds of ``jsonlimits.py``: no line is read
past ``MAX_LINE`` (a longer one is refused here, naming it, unless the file is small
enough to read whole), and a line that could hold a text over ``MAX_FIELD`` or values
nested deeper than ``MAX_DEPTH`` has its value checked before it is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator
from pathlib import Path
from typing import Any, TextIO

from ..errors import ValidationError
from .compact import KNOWN, NAMES, Packer, packable
from .jsonlimits import MAX_LINE, TOO_DEEP, WHOLE_MAX, check_value, could_break
from .sealcheck import SEAL_COLUMNS, SEALS, FileSeals, not_a_seal
from .sealsaside import SealsAside

_WHITE = " \t\r\n"  # JSON's white space (str.strip() would take more)
_TABLE = re.compile(r'"([a-z_]+)":\[')
# A site line as the export writes it: its content (every column after seq) repeats.
_INT = r"(0|[1-9]\d{0,17})"  # a JSON whole number (no leading zero), as Python's int
_SITE_HEAD = re.compile(rf'\{{"id":{_INT},"session_id":{_INT},"seq":{_INT},')
_HEAD_KEYS = frozenset(NAMES["site"][:3])
_SEAL = frozenset(SEAL_COLUMNS)
# A seal line as an export writes it (a million at 100,000 sessions): read without the
# JSON scanner. Any other spelling of a seal goes through the scanner, to the same values.
_SEAL_LINE = re.compile(
    r'\{"tbl":"([a-z_]{1,40})","row_id":([1-9][0-9]{0,18}),"audit_id":([1-9][0-9]{0,18}),'
    r'"hash":"([0-9a-f]{64})"\}'
)


class _NotThisLayout(Exception):
    """The file is not a valid row-per-line export: read it whole instead."""


class _LongLine(_NotThisLayout):
    """A line over ``MAX_LINE``: the file is read whole only if it is small."""

    def __init__(self, number: int) -> None:
        self.number = number


def read_row_per_line(path: Path) -> dict[str, Any] | None:
    """The export document at ``path`` with its rows packed, or ``None`` when the file
    is not a valid row-per-line export (then parse it whole). A line over ``MAX_LINE``
    in a file over ``WHOLE_MAX`` bytes is refused: such a file cannot be read whole."""
    # A large file's seals are read meanwhile by a second process (sealsaside.py).
    aside = SealsAside.start(path, _seals_aside)
    try:
        # Text as the whole read decodes it (utf-8-sig: a byte order mark is dropped).
        with path.open(encoding="utf-8-sig") as fh:
            return _Reader(fh, aside).document()
    except _LongLine as exc:
        if path.stat().st_size <= WHOLE_MAX:
            return None
        raise ValidationError(
            str(path),
            f"line {exc.number} is over {MAX_LINE >> 20} MB: no row of an export is so long",
        ) from None
    except ValidationError:
        raise  # a bound broken: refused whatever the layout
    except RecursionError:  # deeper than the scanner goes: the whole read is no better
        raise ValidationError(str(path), TOO_DEEP) from None
    except (_NotThisLayout, StopIteration, UnicodeDecodeError, ValueError):
        return None  # StopIteration: the scanner found no value where one must be
    finally:
        if aside is not None:
            aside.close()


# The lines of a file (texts), which tell how many have been read when sent anything.
Lines = Generator[Any, object, None]


def _bounded_lines(fh: TextIO, number: int = 1) -> Lines:
    """The lines of ``fh`` (after its first: ``number`` lines read before), none read
    past ``MAX_LINE``. Sent anything, it answers how many lines have been read."""
    readline = fh.readline
    while line := readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise _LongLine(number)
        if (yield line) is not None:
            yield number  # (the answer to send(); the next line follows as usual)


def _seals_aside(fh: TextIO) -> tuple[FileSeals, bool, int]:
    """(In the child of sealsaside.py) the seals from ``fh``, whose first line is the
    seals' first, read by the reader's own code: (seals, comma after, lines read)."""
    reader = _Reader(fh)
    reader.lines = _bounded_lines(fh, 0)
    seals, more = reader.seals()
    return seals, more, reader.lines.send(True)


# json.loads without its wrappers (the same decoder, and so the same values), for a
# text already stripped of white space: it must take the whole text.
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set in its __init__


def _value(text: str) -> Any:
    value, end = _scan(text, 0)
    if end != len(text):
        raise _NotThisLayout  # more after the value: json.loads would refuse it
    return value


class _Reader:
    def __init__(self, fh: TextIO, aside: SealsAside | None = None) -> None:
        self.fh = fh
        self.aside = aside
        self.lines: Lines = _bounded_lines(fh)
        self.packer = Packer()
        self.sites: dict[str, Any] = {}  # site line content text -> packed content

    def next_line(self) -> str:
        """The next line that is not blank, stripped of JSON white space."""
        for line in self.lines:
            text: str = line.strip(_WHITE)
            if text:
                return text
        raise _NotThisLayout

    def document(self) -> dict[str, Any]:
        # A few characters only: a document on one line is not read twice over.
        if self.fh.readline(8).strip(_WHITE) != "{":
            raise _NotThisLayout
        doc: dict[str, Any] = {}
        line = self.next_line()
        while line != "}":
            if line == '"tables":{':
                if "tables" in doc:
                    raise _NotThisLayout
                doc["tables"], more = self.tables()
            else:
                body, more = _member(line)
                member = _value("{" + body + "}")
                if could_break(body):
                    check_value(member, "document")
                if len(member) != 1 or member.keys() <= doc.keys():
                    raise _NotThisLayout  # two members on a line, or one given twice
                doc.update(member)
            line = self.next_line()
            if more == (line == "}"):  # a comma before the end, or none before more
                raise _NotThisLayout
        for rest in self.lines:  # only white space may follow
            if rest.strip(_WHITE):
                raise _NotThisLayout
        return doc

    def tables(self) -> tuple[dict[str, list[Any]], bool]:
        tables: dict[str, list[Any]] = {}
        line = self.next_line()
        while line not in ("}", "},"):
            m = _TABLE.fullmatch(line)
            if m is None or m.group(1) not in (*NAMES, SEALS) or m.group(1) in tables:
                raise _NotThisLayout  # an unknown table is refused by the full read
            table = m.group(1)
            if table == SEALS:
                tables[table], more = self.seals_here_or_aside()
            else:
                tables[table], more = self.rows(table)
            line = self.next_line()
            if more == (line in ("}", "},")):
                raise _NotThisLayout
        return tables, line == "},"

    def rows(self, table: str) -> tuple[list[Any], bool]:
        """The rows of ``table`` up to its closing ``]``, and whether a comma follows
        it. The loop is the reader's hot path: 1.4 million lines at 100,000 sessions."""
        rows: list[Any] = []
        append, site, pack = rows.append, self.site, self.packer.pack
        known = KNOWN.get(table, frozenset())
        more = None  # whether a comma followed the last row
        for line in self.lines:
            line = line.strip(_WHITE)
            if not line:
                continue
            comma = line[-1] == ","
            body = line[:-1] if comma else line
            if body == "]":
                if more:
                    raise _NotThisLayout
                return rows, comma
            if more is False:
                raise _NotThisLayout
            more = comma
            if could_break(body):
                check_value(_value(body), f"{table} row {len(rows) + 1}", 4)
            if table == "site":
                append(site(body))
                continue
            row = _value(body)
            if type(row) is dict and row.keys() <= known:
                append(pack(table, row))
            else:
                append(row)  # not a row with known columns: shape() names the problem
        raise _NotThisLayout  # the file ends inside the table

    def seals_here_or_aside(self) -> tuple[Any, bool]:
        """The seals (just after their header line), as read aside if they were."""
        got = None
        if self.aside is not None:
            got = self.aside.take(self.fh.tell())
            self.aside = None
        if got is None:
            return self.seals()
        seals, more, lines, end = got
        number = self.lines.send(True)
        self.fh.seek(end)
        self.lines = _bounded_lines(self.fh, number + lines)
        return seals, more

    def seals(self) -> tuple[Any, bool]:
        """The record seals up to the closing ``]``, packed as they are read (a million
        at 100,000 sessions), and whether a comma follows it. A row that is not a seal
        is named as the whole read names it."""
        seals = FileSeals()
        add, add_plain, plain = seals.add, seals.add_plain, _SEAL_LINE.fullmatch
        more = None  # whether a comma followed the last row
        for line in self.lines:
            line = line.strip(_WHITE)
            if not line:
                continue
            comma = line[-1] == ","
            body = line[:-1] if comma else line
            if body == "]":
                if more:
                    raise _NotThisLayout
                return seals, comma
            if more is False:
                raise _NotThisLayout
            more = comma
            m = plain(body)
            if m is not None:
                tbl, row_id, audit_id, seal = m.groups()
                add_plain(tbl, int(row_id), int(audit_id), seal)
                continue
            if could_break(body):
                check_value(_value(body), f"{SEALS} row {seals.count + 1}", 4)
            row = _value(body)
            if type(row) is not dict or row.keys() != _SEAL:
                raise not_a_seal(seals.count + 1)
            add(seals.count + 1, *(row[c] for c in SEAL_COLUMNS))
        raise _NotThisLayout  # the file ends inside the table

    def site(self, body: str) -> Any:
        """A site row: its content is parsed once per different content text."""
        m = _SITE_HEAD.match(body)
        if m is None:
            return self.packed_site(_value(body))
        text = body[m.end() :]
        content = self.sites.get(text)
        if content is None:
            row = self.packed_site(_value(body))
            if isinstance(row, tuple):  # packed (a Gaps when a column is left out)
                # The content stands for its text only if the text does not give id,
                # session_id or seq again (JSON's last one would win over the head).
                again = _value("{" + text).keys() & _HEAD_KEYS
                self.sites[text] = False if again else row[-1]
            return row
        if content is False:
            return self.packed_site(_value(body))
        return (int(m.group(1)), int(m.group(2)), int(m.group(3)), content)

    def packed_site(self, row: Any) -> Any:
        return self.packer.pack("site", row) if packable("site", row) else row


def _member(line: str) -> tuple[str, bool]:
    """A line's text without its trailing comma, and whether it had one."""
    if line.endswith(","):
        return line[:-1], True
    return line, False
