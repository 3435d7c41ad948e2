"""The file's practitioner roles, compared with the roles its audit log gave.

An export carries each practitioner's role (``practitioner_roles``: admin or not), and
an import into a new database makes one of the file's admins its admin. The roles are
not record rows and have no seal, but every change of one leaves an audit row (entity
``practitioner_access``, the practitioner's id, ``{"role": ...}`` in its detail) that
the file's hash chain covers. So the roles the file gives must be exactly the last ones
its audit log gave since the database began (or since the import that made it from
another file: the rows before that were the other database's), or nothing is imported.
A file without an audit log has nothing to vouch for its roles, nor for its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ValidationError
from ..store.records.roles import logged_roles

__all__ = ["check_roles", "logged_roles"]

ROLES = "practitioner_roles"  # as the export document names them (document.py)
SEALS = "tables.record_seal"  # the seals' place in the document, as its checks name it
MAX_NAMED = 20


def check_roles(
    roles: Mapping[int, str] | None, audit: Iterable[Any], seals: bool = False
) -> Mapping[int, str] | None:
    """The roles the file's audit log vouches for: the file's own, refused (one line, by
    practitioner id) where they differ from what its audit log gave; without roles (an
    export made before they were carried, or a file relabelled as one), the ones its
    audit log gave, if any. Roles or record ``seals`` in a file without the audit log
    that vouches for them are refused: it was taken out (review16)."""
    rows = list(audit)
    if not rows:
        if seals:
            raise ValidationError(
                SEALS,
                "the file carries record seals but not the audit log they belong to (taken"
                " out of this file?): nothing was imported",
            )
        if roles:
            raise ValidationError(
                ROLES,
                "the file gives roles but not the audit log that vouches for them (taken out"
                " of this file?): nothing was imported",
            )
        return None
    given = logged_roles(rows)
    if roles is None:
        return given or None
    differ = sorted(p for p in set(roles) | set(given) if roles.get(p) != given.get(p))
    if not differ:
        return roles
    named = [
        f"practitioner {p} ({roles.get(p, 'none')} in the file,"
        f" {given.get(p, 'none')} in its audit log)"
        for p in differ[:MAX_NAMED]
    ]
    more = f" and {len(differ) - MAX_NAMED:,} more" if len(differ) > MAX_NAMED else ""
    what = (
        "1 role does not match the one"
        if len(differ) == 1
        else f"{len(differ):,} roles do not match the ones"
    )
    raise ValidationError(
        ROLES,
        f"nothing was imported: {what} the file's audit log gave (changed after it was"
        f" written): {', '.join(named)}{more}",
    )
