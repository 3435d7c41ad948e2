"""Who becomes the admin of a new database filled by an import.

An export carries its practitioners and each one's role, never a secret. Imported into a
new database, nobody would have a secret, and whoever reached the app first could choose
one and so become its admin. So such an import names its admin: a practitioner of the
file (an admin there, when the file gives roles and has an admin), who sets their secret
as the import runs. The others then get a secret from that admin ("No secret yet: an
admin gives you one"), as after ``practitioners add``.

A file from before roles were exported (format 5 and older) names no admin: the one who
imports chooses any practitioner of the file, and the import says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ValidationError
from ..store import Store
from .auth import check_secret_rule, set_first_secret
from .lookup import pick_practitioner

ROLES = "practitioner_roles"  # as the export document names them (exchange/document.py)
_FIELDS = ("id", "name", "profession", "credential")


@dataclass(frozen=True)
class ImportAdmin:
    """The practitioner of the file who becomes the new database's admin."""

    name: str
    profession: str
    credential: str
    roles_given: bool  # False: the file names no roles (an export made before them)
    from_log: bool = False  # the file names none, its audit log does: one of its admins

    def summary(self) -> str:
        if self.from_log:
            why = "an admin in the file's audit log"
        elif self.roles_given:
            why = "an admin in the file"
        else:
            why = "the file names no roles: the one who imports chose"
        return (
            f"{self.name} is this database's admin ({why}); every other practitioner gets"
            " a secret from an admin before signing in."
        )


def _people(tables: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for row in tables.get("practitioner") or []:
        values = dict(row) if isinstance(row, Mapping) else dict(zip(_FIELDS, row, strict=False))
        if isinstance(values.get("id"), str) and values["id"].isdigit():  # a CSV cell
            values["id"] = int(values["id"])
        if all(isinstance(values.get(f), int if f == "id" else str) for f in _FIELDS):
            out.append({f: values[f] for f in _FIELDS})
    return out


def choose_admin(tables: Mapping[str, Any], ref: str | int | None) -> ImportAdmin | None:
    """The file's practitioner ``ref`` names, allowed to become the admin; refuses with
    one line saying what to give. None when the file names no practitioner: the new
    database then has nobody, as one just made (its first practitioner is its admin)."""
    people = _people(tables)
    if not people:
        return None
    roles: dict[int, str] = tables.get(ROLES) or {}
    admins = [p for p in people if roles.get(p["id"]) == "admin"]
    if ref is None:
        if len(people) != 1:
            whom = ", ".join(p["name"] for p in admins) if admins else "a practitioner of the file"
            raise ValidationError(
                "import",
                "a new database needs its admin: say who you are with --practitioner NAME"
                f" (or $SESSIONLOG_PRACTITIONER: {whom}) and set your secret"
                " ($SESSIONLOG_PRACTITIONER_SECRET, or asked twice)",
            )
        ref = people[0]["id"]
    picked = pick_practitioner(people, ref)
    who = next(p for p in people if p["id"] == picked)
    if admins and who not in admins:
        names = ", ".join(p["name"] for p in admins)
        raise ValidationError(
            "import", f"{who['name']} is not an admin in the file: the admin of a new"
            f" database is one of the file's admins ({names})"
        )  # fmt: skip
    return ImportAdmin(who["name"], who["profession"], who["credential"], bool(roles))


def check_admin_secret(secret: str) -> None:
    """The admin's secret, checked before anything is imported."""
    check_secret_rule(secret)


def make_admin(
    store: Store, admin: ImportAdmin, secret: str, logged: Mapping[int, str] | None = None
) -> ImportAdmin:
    """Inside the import's transaction: the chosen practitioner sets their secret and is
    the admin. ``logged``: the roles the file's audit log vouches for. A file naming no
    roles (an export made before they were carried, or one relabelled as such: review16)
    whose audit log names admins makes one of them the admin, or nothing is imported."""
    people = store.practitioners()
    pid = int(
        next(
            p["id"]
            for p in people
            if (p["name"], p["profession"], p["credential"])
            == (admin.name, admin.profession, admin.credential)
        )
    )
    admins = sorted(p for p, role in (logged or {}).items() if role == "admin")
    if not admin.roles_given and admins:
        if pid not in admins:
            names = ", ".join(p["name"] for p in people if p["id"] in admins)
            raise ValidationError(
                "import",
                f"{admin.name} is not an admin in the file's audit log: the admin of a new"
                f" database is one of its admins ({names}); nothing was imported",
            )
        admin = replace(admin, from_log=True)
    set_first_secret(store, pid, secret)
    return admin
