"""Practitioners' sign-in rows (``practitioner_access``): hashes, roles, failed tries.

The store keeps what :mod:`sessionlog.services.auth` computes (the hashing, the rules)
and writes an audit row with every change. No secret ever reaches this module, only
its hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..base import StoreBase
from .people import text
from .roles import ROLES, any_admin, vouched_role, vouched_roles

if TYPE_CHECKING:
    import sqlite3

    from .lazy_rows import Access as Access


def __getattr__(name: str) -> object:
    if name == "Access":  # made on first use (lazy_rows.py): sign-in's first frame reads none
        from .lazy_rows import Access

        return Access
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class SignInName:
    """A practitioner as the sign-in screen lists them."""

    practitioner_id: int
    name: str
    has_secret: bool
    role: str | None  # None: no secret yet


_COLUMNS = (
    "practitioner_id, secret_hash, salt, params, role, must_change, failed_attempts, last_failed_at"
)


def _role(vouched: dict[int, str], practitioner_id: int) -> str:
    """The role a sign-in row gives: the one the audit log last gave (roles.py)."""
    role = vouched.get(practitioner_id)
    return role if role in ROLES else "practitioner"


def sign_ins_in_file(path: Path) -> list[tuple[SignInName, Access | None]]:
    """Every practitioner of the database file ``path`` with their sign-in row, read
    only (a backup about to be restored: nothing is written into it); each role the one
    its audit log last gave (roles.py)."""
    from ..file.health import open_readonly
    from .lazy_rows import Access

    conn = open_readonly(path)
    try:
        rows = conn.execute(
            "SELECT p.id, p.name, a.practitioner_id, a.secret_hash, a.salt, a.params, a.role,"
            " a.must_change, a.failed_attempts, a.last_failed_at FROM practitioner p"
            " LEFT JOIN practitioner_access a ON a.practitioner_id = p.id ORDER BY p.name, p.id"
        ).fetchall()
        vouched = vouched_roles(conn)
    finally:
        conn.close()
    out = []
    for pid, name, has, digest, salt, params, stored, must, failed, last in rows:
        role = _role(vouched, int(pid)) if stored in ROLES else stored
        access = (
            Access(int(pid), digest, salt, params, role, bool(must), failed, last) if has else None
        )
        out.append((SignInName(int(pid), str(name), has is not None, role), access))
    return out


# The scrypt costs a sign-in row may ask for: what sessionlog writes (n=2**14, r=8,
# p=1) and a little more, never enough to take a machine's memory (n*r*128 bytes: at
# most 64 MiB) nor a minute of it (p).
_MAX_N, _MAX_R, _MAX_P = 2**16, 8, 4


def access_problem(
    secret_hash: object,
    salt: object,
    params: object,
    role: object,
    failed_attempts: object,
    last_failed_at: object,
) -> str:
    """What is wrong with a sign-in row's values (hand-edited: sessionlog writes none
    of these), in words that never quote the hash or the salt; "" when nothing."""
    if not _hex(secret_hash):
        return "its secret_hash is not hexadecimal"
    if not _hex(salt):
        return "its salt is not hexadecimal"
    if not _scrypt_costs(params):
        return "its params are not scrypt costs this sessionlog uses"
    if role not in ("admin", "practitioner"):
        return "its role is neither admin nor practitioner"
    if not isinstance(failed_attempts, int) or failed_attempts < 0:
        return "its failed_attempts is not a count"
    if last_failed_at is not None and not _a_time(last_failed_at):
        return "its last_failed_at is not a time"
    return ""


def _a_time(value: object) -> bool:
    from datetime import datetime

    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _hex(value: object) -> bool:
    if not isinstance(value, str) or not value or len(value) % 2:
        return False
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def _scrypt_costs(params: object) -> bool:
    if not isinstance(params, str) or not params.startswith("scrypt:"):
        return False
    try:
        cost = dict(item.split("=") for item in params[len("scrypt:") :].split(","))
        n, r, p = (int(cost.pop(k)) for k in ("n", "r", "p"))
    except (ValueError, KeyError):
        return False
    return not cost and 1 < n <= _MAX_N and not n & (n - 1) and 0 < r <= _MAX_R and 0 < p <= _MAX_P


def access_problems(conn: sqlite3.Connection) -> list[str]:
    """``check``'s line for each sign-in row that is not valid (see access_problem)."""
    rows = conn.execute(
        "SELECT a.practitioner_id, CAST(p.name AS BLOB), a.secret_hash, a.salt, a.params,"
        " a.role, a.failed_attempts, a.last_failed_at FROM practitioner_access a"
        " LEFT JOIN practitioner p ON p.id = a.practitioner_id ORDER BY a.practitioner_id"
    ).fetchall()
    found = []
    for pid, name, *values in rows:
        what = access_problem(*values)
        if what:
            who = text(name) if name is not None else f"practitioner {pid}"
            found.append(f"{access_line(who, pid, what)}.")
    return found


def access_line(name: str, practitioner_id: int, what: str) -> str:
    """The line a sign-in with a row that is not valid stops at, and ``check`` says."""
    return (
        f"{name}'s sign-in row (practitioner_access, practitioner {practitioner_id}) is not"
        f" valid: {what}. An admin resets {name}'s secret (F2 in the app, then Ctrl+R)"
    )


class CredentialStore(StoreBase):
    def access(self, practitioner_id: int) -> Access | None:
        from .lazy_rows import Access

        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM practitioner_access WHERE practitioner_id = ?",
            (practitioner_id,),
        ).fetchone()
        if row is None:
            return None
        pid, digest, salt, params, role, must_change, failed, last_failed = row
        if role in ROLES:  # the audit log's, not a hand edit's (roles.py); any other value
            role = vouched_role(self.conn, pid)  # is named by access_problem
        return Access(pid, digest, salt, params, role, bool(must_change), failed, last_failed)

    def sign_in_names(self) -> list[SignInName]:
        """Every practitioner by name, with whether they have a secret and their role
        (the one the audit log last gave: roles.py)."""
        rows = self.conn.execute(
            "SELECT p.id, CAST(p.name AS BLOB), a.practitioner_id IS NOT NULL, a.role"
            " FROM practitioner p LEFT JOIN practitioner_access a ON a.practitioner_id = p.id"
            " ORDER BY p.name, p.id"
        ).fetchall()
        vouched = vouched_roles(self.conn) if rows else {}
        # (a name's bytes that are not UTF-8 read as U+FFFD: see people.text)
        return [
            SignInName(int(i), text(n), bool(has), _role(vouched, int(i)) if has else role)
            for i, n, has, role in rows
        ]

    def has_admin(self) -> bool:
        """Whether the database has an admin to ask: one the audit log made admin (a
        role taken away by hand in practitioner_access leaves the door shut)."""
        return any_admin(self.conn)

    def store_secret(
        self,
        practitioner_id: int,
        *,
        secret_hash: str,
        salt: str,
        params: str,
        role: str,
        must_change: bool,
        actor_id: int | None,
        action: str,
    ) -> None:
        """Set (or replace) a practitioner's secret hash and role; clears failed tries.

        ``action`` names the change in the audit row ('set_secret', 'reset_secret', ...).
        """
        self._require_practitioner(practitioner_id)
        with self.write() as conn:
            conn.execute(
                "INSERT INTO practitioner_access (practitioner_id, secret_hash, salt, params,"
                " role, must_change, failed_attempts, last_failed_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 0, NULL, ?)"
                " ON CONFLICT (practitioner_id) DO UPDATE SET secret_hash = excluded.secret_hash,"
                " salt = excluded.salt, params = excluded.params, role = excluded.role,"
                " must_change = excluded.must_change, failed_attempts = 0,"
                " last_failed_at = NULL, updated_at = excluded.updated_at",
                (practitioner_id, secret_hash, salt, params, role, int(must_change), self.now()),
            )
            self._audit(conn, actor_id, action, "practitioner_access", practitioner_id, role=role)

    def record_failed_sign_in(self, practitioner_id: int, at: str, via: str) -> int:
        """Count one wrong secret (audited); returns the failures in a row so far."""
        with self.write() as conn:
            conn.execute(
                "UPDATE practitioner_access SET failed_attempts = failed_attempts + 1,"
                " last_failed_at = ? WHERE practitioner_id = ?",
                (at, practitioner_id),
            )
            row = conn.execute(
                "SELECT failed_attempts FROM practitioner_access WHERE practitioner_id = ?",
                (practitioner_id,),
            ).fetchone()
            failures = int(row[0]) if row else 0
            self._audit(
                conn, None, "sign_in_failed", "practitioner", practitioner_id,
                failures=failures, via=via,
            )  # fmt: skip
        return failures

    def record_sign_in(self, practitioner_id: int, via: str) -> None:
        """A right secret: failed tries start again from zero (audited)."""
        with self.write() as conn:
            conn.execute(
                "UPDATE practitioner_access SET failed_attempts = 0, last_failed_at = NULL"
                " WHERE practitioner_id = ?",
                (practitioner_id,),
            )
            self._audit(conn, practitioner_id, "sign_in", "practitioner", practitioner_id, via=via)
