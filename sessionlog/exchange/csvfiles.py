"""The CSV form of an export: one ``<table>.csv`` per table, in a zip file or a folder.

Each file has a header row with the column names of ``tables.py``. Empty cells are
"no value" (NULL) for the columns that may be empty; true/false are ``1``/``0``;
lists are their words joined with ``;``; JSON values are their JSON text.
``manifest.json`` beside the tables holds the format name and version, the schema
and the row counts. Files are UTF-8 and written with Python's csv module (RFC 4180
quoting: notes may span lines).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .document import Tables, check_header
from .tables import CSV_LIST_SEPARATOR, TABLES, column_names

MANIFEST = "manifest.json"


def _cell(kind: str, value: Any) -> Any:
    if value is None:
        return ""
    if kind == "bool":
        return "1" if value else "0"
    if kind == "list":
        return CSV_LIST_SEPARATOR.join(str(v) for v in value)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
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


def write_zip(path: Path, header: dict[str, Any], tables: Tables) -> None:
    """Write the tables as ``<table>.csv`` files and the manifest into a zip at ``path``."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(header, indent=2, ensure_ascii=False))
        for table in TABLES:
            zf.writestr(f"{table}.csv", table_text(table, tables.get(table, [])))


def write_folder(path: Path, header: dict[str, Any], tables: Tables) -> None:
    """Write the tables as ``<table>.csv`` files and the manifest into folder ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    (path / MANIFEST).write_text(json.dumps(header, indent=2, ensure_ascii=False), "utf-8")
    for table in TABLES:
        (path / f"{table}.csv").write_text(table_text(table, tables.get(table, [])), "utf-8")


def _rows(table: str, text: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    header = [h.strip().lstrip("\ufeff") for h in header]
    known = set(column_names(table))
    unknown = [h for h in header if h not in known]
    if unknown:
        raise ValidationError(
            f"{table}.csv",
            f"unknown column {unknown[0]!r}: the columns are {', '.join(column_names(table))}",
        )
    nullable = {c.name for c in TABLES[table] if c.nullable}
    json_columns = {c.name for c in TABLES[table] if c.kind == "json"}
    rows = []
    for number, cells in enumerate(reader, start=1):
        if len(cells) != len(header):
            raise ValidationError(
                f"{table}.csv row {number}",
                f"has {len(cells)} cells; the header has {len(header)}",
            )
        # Empty means NULL where a column may be empty; else it is the empty text.
        row = {
            name: (None if cell == "" and name in nullable else cell)
            for name, cell in zip(header, cells, strict=True)
        }
        for name in json_columns & row.keys():
            if row[name] is None:  # an empty nullable JSON cell (scale items) is NULL
                continue
            try:
                row[name] = json.loads(row[name] or "")
            except json.JSONDecodeError as exc:
                raise ValidationError(
                    f"{table}.csv row {number}", f"{name}: is not valid JSON ({exc.msg})"
                ) from None
        rows.append(row)
    return rows


def _read(names: list[str], read: Any) -> Tables:
    if MANIFEST not in names:
        raise ValidationError(MANIFEST, "is missing: this is not a sessionlog CSV export")
    try:
        header = json.loads(read(MANIFEST))
    except json.JSONDecodeError as exc:
        raise ValidationError(MANIFEST, f"is not valid JSON ({exc.msg})") from None
    if not isinstance(header, dict):
        raise ValidationError(MANIFEST, "must hold a JSON object")
    check_header(header, MANIFEST)
    extra = [n for n in names if n.endswith(".csv") and n[:-4] not in TABLES]
    if extra:
        raise ValidationError(
            extra[0], f"is not a table of this format: one of {', '.join(TABLES)}"
        )
    return {t: _rows(t, read(f"{t}.csv")) for t in TABLES if f"{t}.csv" in names}


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(name, "is not UTF-8 text") from None


def read_csv(source: Path) -> Tables:
    """The tables of a CSV export: a zip file or a folder of ``<table>.csv`` files."""
    if source.is_dir():
        names = sorted(p.name for p in source.iterdir())
        return _read(names, lambda n: _decode((source / n).read_bytes(), n))
    try:
        with zipfile.ZipFile(source) as zf:
            # Entries may sit in one top folder (a zipped folder): match on base names.
            entries = {Path(i.filename).name: i for i in zf.infolist() if not i.is_dir()}
            return _read(sorted(entries), lambda n: _decode(zf.read(entries[n]), n))
    except zipfile.BadZipFile:
        raise ValidationError(str(source), "is not a zip file") from None
