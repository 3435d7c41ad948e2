"""Exporting the database: JSON document, CSV (zip or folder) or a FHIR R4 bundle.

Files are written under a temporary name beside the destination, flushed to disk,
then renamed, so a crash never leaves half an export under the real name. Every
export leaves a row in the audit log (what, where, how many rows).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import ValidationError, WriteFailed
from ..private_files import existing_folder, make_private
from ..store.file.failures import write_failed
from ..store.file.guard import check_output
from ..store.integrity.chainhead import head
from ..store.store import Store
from .csvfiles import write_folder, write_zip
from .document import build_document, read_tables
from .fhir import bundle
from .sealcheck import SEALS, export_rows

FORMATS = ("json", "csv", "fhir")
# A FHIR bundle carries the chain head it was taken at as a tag: "ID:HASH".
CHAIN_HEAD_SYSTEM = "https://sessionlog.invalid/audit-chain-head"


def chain_head_code(store: Store) -> str:
    h = head(store.conn)
    return f"{h.id}:{h.hash}"


@dataclass(frozen=True)
class ExportResult:
    format: str
    destination: str  # a path, or "-" for standard output
    counts: dict[str, int]


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows); the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(
    dest: Path,
    write: Callable[[Path], None],
    before_rename: Callable[[], None] = lambda: None,
    *,
    what: str = "export",
) -> None:
    """Call ``write(temp_path)``, fsync the file, call ``before_rename`` (the audit row:
    if it fails, no file is left), then rename it to ``dest``. A full disk is the line a
    backup says (``what``: "export" or "report"), with no part of the file left."""
    existing_folder(dest.parent, "output")
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    temp = Path(name)
    try:
        write(temp)
        with temp.open("rb+") as fh:
            os.fsync(fh.fileno())
        before_rename()
        os.replace(temp, dest)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        _refuse_full_disk(exc, dest, what)
        raise
    _fsync_dir(dest.parent)


def _refuse_full_disk(exc: BaseException, dest: Path, what: str) -> None:
    """Say a full disk as a backup does (the partial file is already gone)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        failed = write_failed(exc, str(dest))
        raise WriteFailed(
            f"the {what} could not be written: {failed.reason}", failed.remedy
        ) from None


# How the JSON export is laid out. Only white space differs between layouts: a reader
# (ours: json.loads) takes any of them, and files written with indent=1 before still
# import. The benchmarks key their cached export on it.
JSON_LAYOUT = "row-per-line"
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _write_json(doc: Any, out: IO[str]) -> None:
    if isinstance(doc, dict) and isinstance(doc.get("tables"), dict):
        _write_document(doc, out)
    else:  # a FHIR bundle: indented, as before
        json.dump(doc, out, ensure_ascii=False, indent=1)
    out.write("\n")


def _write_document(doc: dict[str, Any], out: IO[str]) -> None:
    """The export document with one row per line, each row compact: a quarter smaller
    than indented and faster to read back, and still a file a person can page through
    or search line by line."""
    encode = _COMPACT.encode
    out.write("{")
    for i, (key, value) in enumerate(doc.items()):
        out.write(",\n" if i else "\n")
        out.write(f"{encode(key)}:")
        if key != "tables":
            out.write(encode(value))
            continue
        out.write("{")
        for j, (table, rows) in enumerate(value.items()):
            out.write(",\n" if j else "\n")
            out.write(f"{encode(table)}:[")
            for k, row in enumerate(rows):
                out.write(",\n" if k else "\n")
                out.write(encode(row))
            out.write("\n]")
        out.write("\n}")
    out.write("\n}")


def export(
    store: Store,
    fmt: str,
    dest: Path | None,
    *,
    actor_id: int | None = None,
    force: bool = False,
) -> ExportResult:
    """Export the whole database to ``dest`` (``None``: standard output, JSON/FHIR only).

    CSV goes to a ``.zip`` file, or else to a folder that must not hold files yet. An
    existing file is replaced only with ``force``, and a database never.
    """
    if fmt not in FORMATS:
        raise ValidationError("format", f"{fmt!r} is not allowed: one of {', '.join(FORMATS)}")
    if dest is not None:
        csv_folder = fmt == "csv" and dest.suffix.lower() != ".zip"
        check_output(dest, store.path, force=force, folder_ok=csv_folder)
    tables = read_tables(store)
    if fmt != "fhir":  # the seals the audit log vouches for: an import compares rows
        tables[SEALS] = export_rows(store.conn)
    counts = {t: len(rows) for t, rows in tables.items()}
    if fmt == "fhir":
        doc: Any = bundle(tables, store.now())
        doc["meta"] = {"tag": [{"system": CHAIN_HEAD_SYSTEM, "code": chain_head_code(store)}]}
        counts = {"resources": len(doc["entry"])}
    else:
        doc = build_document(store, tables)
    where = "-" if dest is None else str(dest)

    def log() -> None:  # before the export is out: no export without its audit row
        store.log_event(
            actor_id, "export", "database", format=fmt, destination=where, counts=counts
        )

    if dest is None:
        if fmt == "csv":
            raise ValidationError("output", "a CSV export needs a .zip file or a folder name")
        log()
        _write_json(doc, sys.stdout)
    elif fmt == "csv" and dest.suffix.lower() != ".zip":
        _export_folder(dest, doc, log)
    elif fmt == "csv":
        header = {k: v for k, v in doc.items() if k != "tables"}
        write_atomically(dest, lambda p: write_zip(p, header, tables), log)
    else:

        def write(path: Path) -> None:
            with path.open("w", encoding="utf-8") as fh:
                _write_json(doc, fh)

        write_atomically(dest, write, log)
    return ExportResult(fmt, where, counts)


def _export_folder(dest: Path, doc: dict[str, Any], before_rename: Callable[[], None]) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ValidationError(
            "output", f"{dest} already exists and is not an empty folder: give a new name"
        )
    header = {k: v for k, v in doc.items() if k != "tables"}
    existing_folder(dest.parent, "output")
    temp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))  # 0700
    try:
        write_folder(temp, header, doc["tables"])
        for child in temp.iterdir():
            make_private(child)
            with child.open("rb+") as fh:
                os.fsync(fh.fileno())
        before_rename()
        if dest.exists():
            dest.rmdir()
        os.replace(temp, dest)
    except BaseException as exc:
        shutil.rmtree(temp, ignore_errors=True)
        _refuse_full_disk(exc, dest, "export")
        raise
