"""The CSV form of an export: one ``<table>.csv`` per table, in a zip file or a folder.

Each file has a header row with the column names of ``tables.py``. Empty cells are
"no value" (NULL) for the columns that may be empty; true/false are ``1``/``0``;
lists are their words joined with ``;``; JSON values are their JSON text.
``manifest.json`` beside the tables holds the format name and version, the schema
and the row counts. Files are UTF-8 and written with Python's csv module (RFC 4180
quoting: notes may span lines).

Formula cells: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula (``=HYPERLINK(...)`` in a note would be a
link that sends data away). So every text cell (names, notes, lists of words) that
starts with one of those, or with ``'``, is written with one ``'`` in front (OWASP's
rule); a spreadsheet shows the text as typed. Import takes exactly one leading ``'``
off every text cell, so a round trip gives back the same text. Numbers, dates and
ids are never changed: ``-3`` in a number column stays the number -3.

Reading is bounded whatever the file: each member at most ``MAX_MEMBER`` bytes and
``MAX_RATIO`` times its compressed size (a zip bomb is refused while it inflates),
each cell at most ``MAX_FIELD``, each line at most ``MAX_LINE``; a zip holding two
files of one name, or files in more than one folder, is refused.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ..errors import ValidationError
from .document import ROLES, Tables, check_header, missing_roles, missing_seals, roles_of
from .sealcheck import SEAL_COLUMNS, SEALS, from_csv_rows
from .tables import CSV_LIST_SEPARATOR, TABLES, column_names

MANIFEST = "manifest.json"
MAX_MEMBER = 1 << 30  # 1 GiB: a table of several hundred thousand sessions
MAX_RATIO = 100  # exports compress 2-10 times; a zip bomb hundreds of times
MAX_FIELD = 128 * 1024  # the longest note sessionlog takes is far shorter
MAX_LINE = 4 << 20
MAX_MANIFEST = 1 << 20
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
TEXT_KINDS = ("text", "list")

csv.field_size_limit(MAX_FIELD)


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet will not run it: one ``'`` in front when it starts
    like a formula (or with ``'``, so that import can always take one off)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore_text(text: str) -> str:
    """The text a cell written by :func:`neutralise` stood for."""
    return text[1:] if text.startswith("'") else text


def _cell(kind: str, value: Any) -> Any:
    if value is None:
        return ""
    if kind == "bool":
        return "1" if value else "0"
    if kind == "list":
        return neutralise(CSV_LIST_SEPARATOR.join(str(v) for v in value))
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if kind == "text" and isinstance(value, str):
        return neutralise(value)
    return value


def table_text(table: str, rows: Iterable[dict[str, Any]]) -> str:
    """One table as CSV text with its header row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    columns = TABLES[table]
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([_cell(c.kind, row.get(c.name)) for c in columns])
    return buffer.getvalue()


def seals_text(rows: Iterable[dict[str, Any]]) -> str:
    """The record seals as CSV text with its header row (no cell is text a person wrote)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(SEAL_COLUMNS)
    writer.writerows([row[c] for c in SEAL_COLUMNS] for row in rows)
    return buffer.getvalue()


def write_zip(path: Path, header: dict[str, Any], tables: Tables) -> None:
    """Write the tables as ``<table>.csv`` files and the manifest into a zip at ``path``."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(header, indent=2, ensure_ascii=False))
        for table in TABLES:
            zf.writestr(f"{table}.csv", table_text(table, tables.get(table, [])))
        if SEALS in tables:
            zf.writestr(f"{SEALS}.csv", seals_text(tables[SEALS]))


def write_folder(path: Path, header: dict[str, Any], tables: Tables) -> None:
    """Write the tables as ``<table>.csv`` files and the manifest into folder ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    (path / MANIFEST).write_text(json.dumps(header, indent=2, ensure_ascii=False), "utf-8")
    for table in TABLES:
        (path / f"{table}.csv").write_text(table_text(table, tables.get(table, [])), "utf-8")
    if SEALS in tables:
        (path / f"{SEALS}.csv").write_text(seals_text(tables[SEALS]), "utf-8")


def _lines(stream: IO[str], name: str) -> Iterator[str]:
    """The lines of ``stream``, none longer than ``MAX_LINE`` (read no further)."""
    try:
        while line := stream.readline(MAX_LINE + 1):
            if len(line) > MAX_LINE:
                raise ValidationError(
                    name, f"has a line over {MAX_LINE >> 20} MB: this is not a sessionlog export"
                )
            yield line
    except UnicodeDecodeError:
        raise ValidationError(name, "is not UTF-8 text") from None


def _rows(table: str, stream: IO[str]) -> list[dict[str, Any]]:
    name = f"{table}.csv"
    reader = csv.reader(_lines(stream, name))
    number = 0
    try:
        header = next(reader, None)
        if header is None:
            return []
        header = [h.strip().lstrip("\ufeff") for h in header]
        known = set(column_names(table))
        unknown = [h for h in header if h not in known]
        if unknown:
            raise ValidationError(
                name,
                f"unknown column {unknown[0]!r}: the columns are {', '.join(column_names(table))}",
            )
        kinds = {c.name: c.kind for c in TABLES[table]}
        nullable = {c.name for c in TABLES[table] if c.nullable}
        json_columns = {n for n, k in kinds.items() if k == "json"}
        text_columns = [h for h in header if kinds[h] in TEXT_KINDS]
        rows = []
        for number, cells in enumerate(reader, start=1):
            if len(cells) != len(header):
                raise ValidationError(
                    f"{name} row {number}",
                    f"has {len(cells)} cells; the header has {len(header)}",
                )
            # Empty means NULL where a column may be empty; else it is the empty text.
            row = {
                column: (None if cell == "" and column in nullable else cell)
                for column, cell in zip(header, cells, strict=True)
            }
            for column in text_columns:
                text = row[column]
                if text:
                    row[column] = restore_text(text)
            for column in json_columns & row.keys():
                if row[column] is None:  # an empty nullable JSON cell (scale items) is NULL
                    continue
                row[column] = _json_cell(row[column], f"{name} row {number}", column)
            rows.append(row)
    except csv.Error as exc:
        where = f"{name} row {number + 1}" if number or "field" in str(exc) else name
        if "field larger" in str(exc):
            raise ValidationError(
                where, f"has a cell over {MAX_FIELD // 1024} KB: no sessionlog field is so long"
            ) from None
        raise ValidationError(where, f"is not valid CSV ({exc})") from None
    return rows


def _json_cell(text: str | None, where: str, column: str) -> Any:
    try:
        return json.loads(text or "")
    except json.JSONDecodeError as exc:
        raise ValidationError(where, f"{column}: is not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError):
        raise ValidationError(where, f"{column}: is not a JSON value sessionlog writes") from None


Opener = Callable[[str], IO[bytes]]


def _read(names: list[str], open_member: Opener) -> Tables:
    if MANIFEST not in names:
        raise ValidationError(MANIFEST, "is missing: this is not a sessionlog CSV export")
    with open_member(MANIFEST) as fh:
        raw = fh.read(MAX_MANIFEST + 1)
    if len(raw) > MAX_MANIFEST:
        raise ValidationError(MANIFEST, "is too large to be a sessionlog manifest")
    try:
        header = json.loads(_decode(raw, MANIFEST))
    except json.JSONDecodeError as exc:
        raise ValidationError(MANIFEST, f"is not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError):
        raise ValidationError(MANIFEST, "is not a sessionlog manifest") from None
    if not isinstance(header, dict):
        raise ValidationError(MANIFEST, "must hold a JSON object")
    check_header(header, MANIFEST)
    missing_seals(
        header["format_version"], f"{SEALS}.csv" in names, "audit_log.csv" in names, f"{SEALS}.csv"
    )
    missing_roles(header["format_version"], ROLES in header, "audit_log.csv" in names)
    tables: dict[str, Any] = {ROLES: roles_of(header[ROLES])} if ROLES in header else {}
    extra = [n for n in names if n.endswith(".csv") and n[:-4] not in (*TABLES, SEALS)]
    if extra:
        raise ValidationError(
            extra[0], f"is not a table of this format: one of {', '.join(TABLES)}"
        )
    for t in TABLES:
        if f"{t}.csv" in names:
            with open_member(f"{t}.csv") as raw_member:
                text = io.TextIOWrapper(raw_member, encoding="utf-8-sig", newline="")
                tables[t] = _rows(t, text)
    if f"{SEALS}.csv" in names:
        with open_member(f"{SEALS}.csv") as raw_member:
            text = io.TextIOWrapper(raw_member, encoding="utf-8-sig", newline="")
            seals: Any = from_csv_rows(csv.reader(_lines(text, f"{SEALS}.csv")))
            tables[SEALS] = seals
    return tables


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(name, "is not UTF-8 text") from None


class _Bounded(io.RawIOBase):
    """A member's bytes, refused once more than ``limit`` have come out of it."""

    def __init__(self, inner: IO[bytes], limit: int, name: str) -> None:
        self.inner, self.left, self.name = inner, limit, name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(min(len(buffer), self.left + 1))
        self.left -= len(data)
        if self.left < 0:
            raise ValidationError(
                self.name,
                "expands far beyond an export of its size (a zip bomb?): it was not read",
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def _allowed(info: zipfile.ZipInfo) -> int:
    return min(MAX_MEMBER, max(MAX_RATIO * info.compress_size, 1 << 20))


def _zip_entries(zf: zipfile.ZipFile, source: Path) -> dict[str, zipfile.ZipInfo]:
    """The zip's files by base name; refused when two share a name, when they sit in
    more than one folder, or when one says it inflates beyond its limit."""
    files = [i for i in zf.infolist() if not i.is_dir()]
    folders = sorted({str(PurePosixPath(i.filename).parent) for i in files})
    if len(folders) > 1:
        raise ValidationError(
            str(source),
            f"holds files in more than one folder ({folders[0]!r} and {folders[1]!r}):"
            " a sessionlog export has its files side by side; nothing was imported",
        )
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in files:
        name = PurePosixPath(info.filename).name
        if name in entries:
            raise ValidationError(
                str(source),
                f"holds {name} twice: which one is meant is unclear; nothing was imported",
            )
        if info.file_size > _allowed(info):
            raise ValidationError(
                name, "expands far beyond an export of its size (a zip bomb?): it was not read"
            )
        entries[name] = info
    return entries


def read_csv(source: Path) -> Tables:
    """The tables of a CSV export: a zip file or a folder of ``<table>.csv`` files."""
    if source.is_dir():
        names = sorted(p.name for p in source.iterdir())

        def open_file(name: str) -> IO[bytes]:
            path = source / name
            if not path.is_file() or path.stat().st_size > MAX_MEMBER:
                raise ValidationError(name, f"is not a file of at most {MAX_MEMBER >> 30} GB")
            return path.open("rb")

        return _read(names, open_file)
    try:
        with zipfile.ZipFile(source) as zf:
            # Entries may sit in one top folder (a zipped folder): match on base names.
            entries = _zip_entries(zf, source)

            def open_entry(name: str) -> IO[bytes]:
                info = entries[name]
                bounded = _Bounded(zf.open(info), _allowed(info), name)
                return io.BufferedReader(bounded, 1 << 16)

            return _read(sorted(entries), open_entry)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise ValidationError(str(source), f"is not a zip file sessionlog reads ({exc})") from None
