"""The roles the audit log vouches for, and the sign-in rows' roles compared with them.

A role (admin or practitioner) lives in ``practitioner_access``, which is not a record:
it has no seal, and the sqlite3 shell changes it in place. But every role sessionlog
gives leaves an audit row (entity ``practitioner_access``, the practitioner's id,
``{"role": ...}`` in its detail) that the hash chain covers. So the role of a
practitioner is the one the audit log last gave them, since the database began or since
the import that made it from another file (the rows before that were the other
database's); a sign-in row naming another was changed by hand (review16: Tom Okafor made
himself admin with one ``UPDATE``). Every privilege decision goes by the audit log's
role (:meth:`.credentials.CredentialStore.access`), and ``check`` names each sign-in row
whose role differs (:func:`role_problems`). Schema 0024's partial indexes make each
read a few rows; before it (a file check opens without upgrading) a scan.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any, NamedTuple

from .people import text

ROLES = ("admin", "practitioner")


class _Row(NamedTuple):
    action: str
    entity: str
    entity_id: int | None
    detail: str


def _detail(row: Any) -> dict[str, Any]:
    try:
        detail = json.loads(row.detail)
    except (TypeError, ValueError):
        return {}
    return detail if isinstance(detail, dict) else {}


def logged_roles(audit: Iterable[Any]) -> dict[int, str]:
    """{practitioner id: role} as the audit rows (in id order: objects with ``action``,
    ``entity``, ``entity_id`` and ``detail``) last gave them, since the last import that
    kept another file's audit log."""
    roles: dict[int, str] = {}
    for row in audit:
        if row.entity == "practitioner_access" and isinstance(row.entity_id, int):
            roles[row.entity_id] = str(_detail(row).get("role"))
        elif row.action == "import" and row.entity == "database":
            copied = _detail(row).get("audit_rows_copied")
            if isinstance(copied, int) and copied > 0:
                roles.clear()  # the roles before were the other database's
    return roles


def _since(conn: sqlite3.Connection) -> int:
    """The id of the last import that kept another database's audit log (0: none)."""
    row = conn.execute(
        "SELECT coalesce(max(id), 0) FROM audit_log WHERE entity = 'database'"
        " AND action = 'import' AND json_valid(detail)"
        " AND json_extract(detail, '$.audit_rows_copied') > 0"
    ).fetchone()
    return int(row[0])


def vouched_roles(conn: sqlite3.Connection) -> dict[int, str]:
    """{practitioner id: role} as the database's audit log last gave them."""
    rows = conn.execute(  # (+id: by the partial index, not a walk of the whole log)
        "SELECT id, action, entity, entity_id, detail FROM audit_log"
        " WHERE entity = 'practitioner_access' AND +id > ?",
        (_since(conn),),
    ).fetchall()
    return logged_roles(_Row(*r[1:]) for r in sorted(rows))


def vouched_role(conn: sqlite3.Connection, practitioner_id: int) -> str:
    """The role the audit log last gave ``practitioner_id``; 'practitioner' when it gave
    none or one sessionlog does not know (a sign-in row added by hand is no admin)."""
    row = conn.execute(
        "SELECT action, entity, entity_id, detail FROM audit_log"
        " WHERE entity = 'practitioner_access' AND entity_id = ? AND id > ?"
        " ORDER BY id DESC LIMIT 1",
        (practitioner_id, _since(conn)),
    ).fetchone()
    role = logged_roles([_Row(*row)]).get(practitioner_id) if row else None
    return role if role in ROLES else "practitioner"


def any_admin(conn: sqlite3.Connection) -> bool:
    """Whether the audit log names an admin: a database whose admins were all made
    practitioners by hand still has one to ask."""
    return "admin" in vouched_roles(conn).values()


def role_problems(conn: sqlite3.Connection) -> list[str]:
    """``check``'s line for each sign-in row whose role is not the one the audit log
    last gave, and for each the audit log gave a role whose row is gone."""
    try:
        logged = vouched_roles(conn)
    except sqlite3.DatabaseError:
        return []  # the audit log unreadable: its own check says so
    rows = conn.execute(
        "SELECT a.practitioner_id, CAST(p.name AS BLOB), a.role FROM practitioner_access a"
        " LEFT JOIN practitioner p ON p.id = a.practitioner_id ORDER BY a.practitioner_id"
    ).fetchall()
    found = []
    having = {pid for pid, _, _ in rows}
    for pid in sorted(set(logged) - having):  # (sessionlog never deletes a sign-in row)
        name = conn.execute(
            "SELECT CAST(name AS BLOB) FROM practitioner WHERE id = ?", (pid,)
        ).fetchone()
        who = text(name[0]) if name else f"practitioner {pid}"
        found.append(
            f"{who}'s sign-in row was removed outside sessionlog (the audit log last gave them"
            f" {logged[pid]}): nobody can claim {who}'s name; an admin gives them a temporary"
            " secret (F2 in the app, then Ctrl+R)."
        )
    for pid, name, role in rows:
        given = logged.get(pid)
        if role == given or role not in ROLES:  # (a role sessionlog never writes: see
            continue  # credentials.access_problems, which names it)
        who = text(name) if name is not None else f"practitioner {pid}"
        gave = f"the audit log last gave {given}" if given else "the audit log gave them none"
        found.append(
            f"{who}'s role was changed outside sessionlog ({role} in practitioner_access,"
            f" {gave}): sessionlog goes by the audit log's. An admin resets {who}'s secret"
            " (F2 in the app, then Ctrl+R) to write it back."
        )
    return found
