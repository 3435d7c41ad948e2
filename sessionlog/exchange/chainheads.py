"""The audit chain a backup or an export was taken at, read for ``check --against``.

A backup is a sessionlog database: its whole audit log. A JSON or CSV export holds its
audit log too (and its ``chain_head``); a FHIR bundle only its head, as a tag. Rows are
read one at a time (a JSON export line by line), never the whole file at once.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import ValidationError
from ..store.file.health import SQLITE_MAGIC, open_readonly
from ..store.integrity.chainhead import Comparison, compare
from .csvfiles import MANIFEST
from .export import CHAIN_HEAD_SYSTEM

Pairs = Iterator[tuple[int, str]]


def _pair(row: dict[str, Any], where: Path) -> tuple[int, str]:
    try:
        return int(row["id"]), str(row["hash"])
    except (KeyError, TypeError, ValueError):
        raise ValidationError(str(where), "has an audit row without an id and hash") from None


def _head_only(header: dict[str, Any], where: Path) -> Pairs:
    head = header.get("chain_head")
    if not isinstance(head, dict):
        raise ValidationError(
            str(where), "carries no chain head (an export made before it had one)"
        )
    if head.get("id"):
        yield _pair(head, where)


def _json_rows(path: Path) -> Pairs:
    """A JSON export: its audit log's rows (one per line as sessionlog writes them), or
    its whole document read at once when it was written another way."""
    with path.open(encoding="utf-8") as fh:
        # (bounded: a FHIR bundle or an older export is one long line, read whole below)
        first, second = fh.readline(MAX_LINE), fh.readline(MAX_LINE)
        if first.strip() != "{" or not second.startswith('"format":'):
            # not the row-per-line layout of a sessionlog export (a FHIR bundle, an
            # older export): read it whole
            fh.seek(0)
            doc = json.load(fh)
            if doc.get("resourceType") == "Bundle":
                yield from _bundle_head(doc, path)
                return
            yield from (_pair(r, path) for r in doc.get("tables", {}).get("audit_log", []))
            return
        inside = False
        for line in iter(lambda: _line(fh, path), ""):
            if line.startswith('"audit_log":['):
                inside = True
            elif inside and line.startswith("]"):
                return
            elif inside:
                yield _pair(json.loads(line.rstrip().rstrip(",")), path)


MAX_LINE = 1 << 20  # a line of a sessionlog export holds one row: a few KB


def _line(fh: IO[str], path: Path) -> str:
    """The next line of ``fh`` ("" at the end), read no further than MAX_LINE."""
    line = fh.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise ValidationError(
            str(path), "has a line of over 1 MB: not a sessionlog export (one audit row per line)"
        )
    return line


def _bundle_head(doc: dict[str, Any], path: Path) -> Pairs:
    for tag in doc.get("meta", {}).get("tag", []):
        if tag.get("system") == CHAIN_HEAD_SYSTEM:
            rid, _, digest = str(tag.get("code", "")).partition(":")
            if rid.isdigit() and int(rid):
                yield int(rid), digest
            return
    raise ValidationError(str(path), "carries no chain head (an export made before it had one)")


def _csv_rows(text: Iterator[str], path: Path) -> Pairs:
    for row in csv.DictReader(text):
        yield _pair(row, path)


def _zip_rows(path: Path) -> Pairs:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        if "audit_log.csv" in names:
            with zf.open("audit_log.csv") as raw:
                yield from _csv_rows(io.TextIOWrapper(raw, encoding="utf-8-sig"), path)
        elif MANIFEST in names:
            yield from _head_only(json.loads(zf.read(MANIFEST)), path)


def _folder_rows(path: Path) -> Pairs:
    if (path / "audit_log.csv").exists():
        with (path / "audit_log.csv").open(encoding="utf-8-sig", newline="") as fh:
            yield from _csv_rows(fh, path)
    else:
        yield from _head_only(json.loads((path / MANIFEST).read_text("utf-8")), path)


def against(conn: sqlite3.Connection, source: Path) -> Comparison:
    """Whether the chain of the database on ``conn`` extends the one ``source`` was
    taken at."""
    what = f"the chain of {source.name}"
    if not source.is_dir() and not source.is_file():  # /dev/zero, a pipe: endless
        raise ValidationError(
            str(source),
            "is not a file: give a backup or an export (a JSON file, a CSV .zip or folder)",
        )
    if source.is_dir():
        return compare(conn, _folder_rows(source), what)
    with source.open("rb") as fh:
        magic = fh.read(16)
    if magic == SQLITE_MAGIC:
        kept = open_readonly(source)
        try:
            return compare(conn, kept.execute("SELECT id, hash FROM audit_log ORDER BY id"), what)
        finally:
            kept.close()
    if magic.startswith(b"PK"):
        return compare(conn, _zip_rows(source), what)
    try:
        return compare(conn, _json_rows(source), what)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError(
            str(source), "is not a sessionlog backup or export (JSON, CSV zip or folder, FHIR)"
        ) from None
