"""The export document: every table of the database in the file form of ``tables.py``.

The JSON export is this document as it is::

    {"format": "sessionlog-export", "format_version": 1, "exported_at": "...",
     "schema": ["0001_initial", ...], "counts": {"session": 12, ...},
     "tables": {"practitioner": [{"id": 1, "name": "...", ...}, ...], ...}}

Every version of every session is there (amendments and voids too), every follow-up
(superseded ones too) and the audit log, so nothing is lost on the way out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ..store.integrity.chainhead import head
from ..store.records import bulk
from ..store.store import Store
from .sealcheck import SEALS, FileSeals, from_json_rows
from .tables import FORMAT_NAME, FORMAT_VERSION, LIST_STORAGE, SEALED_FROM, TABLES, column_names

Tables = dict[str, list[dict[str, Any]]]


def _from_db(table: str, kind: str, name: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "bool":
        return bool(value)
    if kind == "list":
        joined = LIST_STORAGE[(table, name)]
        if joined == "json":
            return list(json.loads(value))
        return [w for w in value.split(joined) if w]
    if kind == "json":
        return json.loads(value)
    return value


def read_tables(store: Store) -> Tables:
    """Every row of every exported table, as plain values (lists, true/false)."""
    out: Tables = {}
    for table, columns in TABLES.items():
        names = column_names(table)
        converters = [(c.name, c.kind) for c in columns]
        rows = bulk.read_table(store.conn, table, names)
        if all(kind not in ("bool", "list", "json") for _, kind in converters):
            out[table] = [dict(zip(names, row, strict=True)) for row in rows]
            continue
        out[table] = [
            {
                name: _from_db(table, kind, name, value)
                for (name, kind), value in zip(converters, row, strict=True)
            }
            for row in rows
        ]
    return out


def build_document(store: Store, tables: Tables) -> dict[str, Any]:
    """The versioned JSON document around the tables."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_at": store.now(),
        "schema": bulk.applied_migrations(store.conn),
        "counts": {t: len(rows) for t, rows in tables.items()},
        # The audit chain as exported: `sessionlog check --against FILE` proves the
        # database's chain still extends it (store/integrity/chainhead.py).
        "chain_head": head(store.conn).as_dict(),
        # Each practitioner's role (never a secret nor its hash): an import into a new
        # database makes an admin of the file's its importer names (services/import_admin).
        ROLES: {str(n.practitioner_id): n.role for n in store.sign_in_names() if n.role},
        "tables": tables,
    }


def check_header(header: Mapping[str, Any], where: str) -> None:
    """Refuse a document that is not a sessionlog export, or is from a newer version."""
    if header.get("format") != FORMAT_NAME:
        raise ValidationError(
            where, f"this is not a sessionlog export (its format is {header.get('format')!r})"
        )
    version = header.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValidationError(where, f"format_version {version!r} is not a version number")
    if version > FORMAT_VERSION:
        raise ValidationError(
            where,
            f"the file is format version {version}; this sessionlog reads up to"
            f" {FORMAT_VERSION}: upgrade sessionlog to import it",
        )


ROLES = "practitioner_roles"


def roles_of(given: Any) -> Any:
    """A file's roles (``{"1": "admin"}``), checked: {file practitioner id: role}."""
    if not isinstance(given, dict) or len(given) > 100_000:
        raise ValidationError(ROLES, "must be an object of practitioner ids and roles")
    roles = {}
    for key, role in given.items():
        if not (isinstance(key, str) and key.isdigit() and len(key) < 19):
            raise ValidationError(ROLES, f"{key[:20]!r} is not a practitioner id")
        if role not in ("admin", "practitioner"):
            raise ValidationError(ROLES, f"{str(role)[:20]!r} is not a role: admin or practitioner")
        roles[int(key)] = role
    return roles


def tables_from_json(data: Any) -> Tables:
    """The tables of a parsed JSON export, after checking its header and shape."""
    if not isinstance(data, dict):
        raise ValidationError("document", "the file must hold one JSON object (an export)")
    check_header(data, "document")
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise ValidationError("tables", "is missing: an object with one list of rows per table")
    out: Tables = {}
    if ROLES in data:
        out[ROLES] = roles_of(data[ROLES])
    for name, rows in tables.items():
        if name == SEALS:
            seals: Any = rows if isinstance(rows, FileSeals) else from_json_rows(rows)
            out[name] = seals
            continue
        if name not in TABLES:
            raise ValidationError(
                f"tables.{name}", f"is not a table of this format: one of {', '.join(TABLES)}"
            )
        if not isinstance(rows, list):
            raise ValidationError(f"tables.{name}", "must be a list of rows")
        out[name] = rows
    missing_seals(
        data["format_version"], SEALS in out, bool(out.get("audit_log")), f"tables.{SEALS}"
    )
    missing_roles(data["format_version"], ROLES in out, bool(out.get("audit_log")))
    return out


def missing_seals(version: int, seals: bool, audit_log: bool, where: str) -> None:
    """Refuse a file with an audit log but without the record seals, of a version whose
    exports always carry them: taken out, its rows would import unchecked under a kept
    history (an older export says so instead; a file without an audit log, made by
    hand, claims no history and says so)."""
    if version >= SEALED_FROM and audit_log and not seals:
        raise ValidationError(
            where,
            f"is missing: every export of format {version} carries the record seals that"
            " vouch for its rows (taken out of this file?): nothing was imported",
        )


def missing_roles(version: int, roles: bool, audit_log: bool) -> None:
    """Refuse a file with an audit log but without the practitioners' roles, of a
    version whose exports always carry them (their audit log vouches for them:
    rolecheck.py): taken out, the one who imports would choose the admin."""
    if version >= SEALED_FROM and audit_log and not roles:
        raise ValidationError(
            ROLES,
            f"is missing: every export of format {version} carries each practitioner's"
            " role, which its audit log vouches for (taken out of this file?): nothing"
            " was imported",
        )
