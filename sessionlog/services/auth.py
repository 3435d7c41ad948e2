"""Who may sign in: secrets, their hashes, roles and the back-off after wrong secrets.

A secret is a passphrase (at least 8 characters) or a PIN (at least 6 digits). Only a
``hashlib.scrypt`` hash of it is stored, with a random salt and the cost parameters
(``practitioner_access``); checking compares hashes with ``hmac.compare_digest``.
Nothing here can give a secret back, so an admin can reset one but never read it.

Wrong secrets are counted and audited. From the third wrong secret in a row the next
try is refused until a delay has passed (2 s, then 4, 8, ... up to 5 minutes); the
clock is a parameter (``now``), so tests never wait. A right secret starts the count
again.

Roles: the first practitioner to set a secret becomes 'admin'; an admin adds
practitioners and resets a forgotten secret by giving a temporary one, which its owner
replaces at their next sign-in (``must_change``). A practitioner who has no secret yet
(a database from before sign-in existed) sets one at their first sign-in.

:func:`authenticate` is the one call for a front end that is given a name (or id) and
a secret, such as the CLI: it returns the practitioner's id or raises :class:`AuthError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SessionlogError, ValidationError
from ..store import Store
from ..store.records.credentials import SignInName
from ..store.rows import stamp

if TYPE_CHECKING:
    from ..domain.models import Practitioner
    from ..store.records.lazy_rows import Access

# scrypt's cost: 2**14 rounds of 8 blocks (16 MiB, ~50 ms). Stored with every hash, so
# raising it later leaves older hashes checkable.
SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES = 2**14, 8, 1, 32
SALT_BYTES = 16
MIN_PIN_DIGITS = 6
MIN_PASSPHRASE = 8
MAX_SECRET = 1024
FREE_TRIES = 2  # wrong secrets in a row before the back-off starts
MAX_DELAY_S = 300
ROLES = ("admin", "practitioner")


SignInChoice = SignInName  # a practitioner as the sign-in screen lists them


class AuthError(SessionlogError):
    """A sign-in or a change of secret was refused; the message says why, for the user."""


@dataclass(frozen=True)
class SignedIn:
    """A right secret: who, and whether they must now choose a new secret."""

    practitioner_id: int
    must_change: bool


# -- secrets and hashes -----------------------------------------------------------------


def check_secret_rule(secret: str) -> None:
    """Refuse a secret that is neither a 6-digit PIN nor an 8-character passphrase."""
    if not secret:
        raise ValidationError("secret", "is required: a PIN of at least 6 digits or a passphrase")
    if len(secret) > MAX_SECRET:
        raise ValidationError("secret", f"is too long: at most {MAX_SECRET} characters")
    if secret.isdigit():
        if len(secret) < MIN_PIN_DIGITS:
            raise ValidationError("secret", f"a PIN needs at least {MIN_PIN_DIGITS} digits")
    elif len(secret) < MIN_PASSPHRASE:
        raise ValidationError(
            "secret",
            f"a passphrase needs at least {MIN_PASSPHRASE} characters"
            f" (or use a PIN of at least {MIN_PIN_DIGITS} digits)",
        )


def _params_text(n: int, r: int, p: int) -> str:
    return f"scrypt:n={n},r={r},p={p}"


def _derive(secret: str, salt: bytes, params: str) -> bytes:
    kind, _, values = params.partition(":")
    if kind != "scrypt":
        raise AuthError(f"unknown secret hash kind {kind!r}")
    cost = dict(item.split("=") for item in values.split(","))
    n, r, p = int(cost["n"]), int(cost["r"]), int(cost["p"])
    import hashlib  # here: the sign-in's first frame hashes nothing (issue 17)

    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n + 2**20,
        dklen=KEY_BYTES,
    )  # fmt: skip


def hash_secret(secret: str) -> tuple[str, str, str]:
    """(hash, salt, params) of a secret, hex-encoded, with a fresh random salt."""
    salt = os.urandom(SALT_BYTES)
    params = _params_text(SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return _derive(secret, salt, params).hex(), salt.hex(), params


def secret_matches(secret: str, access: Access) -> bool:
    """Whether ``secret`` is the one whose hash ``access`` keeps (constant-time compare)."""
    import hmac

    digest = _derive(secret, bytes.fromhex(access.salt), access.params)
    return hmac.compare_digest(digest.hex(), access.secret_hash)


def refuse_invalid(access: Access, name: str) -> None:
    """One line naming a sign-in row edited by hand into values no sign-in can use
    (never the hash or the salt), instead of a traceback."""
    from ..store.records.credentials import access_line, access_problem

    what = access_problem(
        access.secret_hash, access.salt, access.params, access.role,
        access.failed_attempts, access.last_failed_at,
    )  # fmt: skip
    if what:
        raise AuthError(access_line(name, access.practitioner_id, what))


# -- back-off -----------------------------------------------------------------------------


def backoff_seconds(failures: int) -> int:
    """How long after the last of ``failures`` wrong secrets in a row the next try waits."""
    if failures <= FREE_TRIES:
        return 0
    return min(MAX_DELAY_S, 1 << (failures - FREE_TRIES))


def wait_left(access: Access, now: datetime) -> int:
    """Whole seconds before the next try is accepted (0: now)."""
    if not access.failed_attempts or access.last_failed_at is None:
        return 0
    last = datetime.fromisoformat(access.last_failed_at)
    left = (
        backoff_seconds(access.failed_attempts) - (now.replace(tzinfo=None) - last).total_seconds()
    )
    return max(0, int(left + 0.999))


# -- finding the practitioner -----------------------------------------------------------


def resolve(store: Store, who: str | int) -> tuple[int, str]:
    """A practitioner's (id, name) from their id or their name, by the one lookup rule
    (:func:`sessionlog.services.lookup.find_practitioner`: ``sara`` finds Sara Novak)."""
    from .lookup import find_practitioner

    if not isinstance(who, int | str):
        raise AuthError("practitioner: nobody is signed in")
    try:
        pid = find_practitioner(store, who)
    except ValidationError as exc:
        raise AuthError(str(exc)) from None
    name = next(n.name for n in store.sign_in_names() if n.practitioner_id == pid)
    return pid, name


# -- signing in -------------------------------------------------------------------------


def sign_in(
    store: Store,
    who: str | int,
    secret: str,
    now: datetime,
    *,
    via: str = "app",
    record: bool = True,
) -> SignedIn:
    """Check ``secret`` for ``who``: a right one is audited (unless not ``record``: the
    caller does, once it takes it) and returned, a wrong one is counted, audited and
    refused (:class:`AuthError`), as is a try during the back-off."""
    pid, name = resolve(store, who)
    access = store.access(pid)
    if access is None:
        raise AuthError(no_secret_yet(store, name))
    refuse_invalid(access, name)
    left = wait_left(access, now)
    if left:
        raise AuthError(f"Too many wrong secrets for {name}: try again in {left} s")
    if not secret_matches(secret, access):
        failures = store.record_failed_sign_in(pid, stamp(now), via)
        delay = backoff_seconds(failures)
        after = f"; the next try waits {delay} s" if delay else ""
        raise AuthError(f"Wrong secret for {name}{after}")
    if record:
        store.record_sign_in(pid, via)
    return SignedIn(pid, access.must_change)


def authenticate(store: Store, who: str | int, secret: str, now: datetime) -> int:
    """The practitioner id for ``who`` (an id or a name) if ``secret`` is theirs.

    For front ends given both at once (the CLI): a secret an admin gave (to be
    replaced at the next sign-in in the app) is refused here. Raises :class:`AuthError`.
    """
    signed = sign_in(store, who, secret, now, via="cli", record=False)
    if signed.must_change:  # refused: no sign-in to record
        _pid, name = resolve(store, who)
        raise AuthError(
            f"{name}'s secret was given by an admin: sign in to the app once to choose your own"
        )
    store.record_sign_in(signed.practitioner_id, "cli")
    return signed.practitioner_id


# -- setting secrets ------------------------------------------------------------------


def set_first_secret(store: Store, practitioner_id: int, secret: str) -> str:
    """A practitioner without a secret sets one (at their first sign-in); the first to
    do so in a database becomes its admin. Returns the role given."""
    check_secret_rule(secret)
    if store.access(practitioner_id) is not None:
        raise AuthError("This practitioner already has a secret: sign in with it")
    role = "practitioner" if store.has_admin() else "admin"
    digest, salt, params = hash_secret(secret)
    store.store_secret(
        practitioner_id, secret_hash=digest, salt=salt, params=params, role=role,
        must_change=False, actor_id=practitioner_id, action="set_secret",
    )  # fmt: skip
    return role


def no_secret_yet(store: Store, name: str) -> str:
    """What a practitioner without a secret is told: once the database has an admin, only
    an admin gives a first secret (see :func:`claim_first_secret`)."""
    if store.has_admin():
        return f"{name} has no secret yet: an admin gives them one (F2, then Ctrl+R on their name)"
    return f"{name} has no secret yet: sign in to the app once to set one"


def claim_first_secret(store: Store, practitioner_id: int, secret: str) -> str:
    """At the sign-in screen, a practitioner without a secret chooses one: only in a
    database with no admin yet (one made before sign-in existed; the first to do so
    becomes its admin). Once there is an admin, a name without a secret (a practitioner
    imported, or not yet signed in after the upgrade) could be claimed by anyone at the
    keyboard: an admin gives them a temporary secret instead (:func:`give_secret`)."""
    if store.has_admin():
        name = next(n.name for n in store.sign_in_names() if n.practitioner_id == practitioner_id)
        raise AuthError(no_secret_yet(store, name))
    return set_first_secret(store, practitioner_id, secret)


def choose_secret(store: Store, practitioner_id: int, new_secret: str) -> None:
    """A signed-in practitioner replaces their secret (after a reset: the one given)."""
    check_secret_rule(new_secret)
    access = store.access(practitioner_id)
    if access is None:
        raise AuthError("This practitioner has no secret to replace")
    if secret_matches(new_secret, access):
        raise ValidationError("secret", "choose a new secret, not the one you were given")
    digest, salt, params = hash_secret(new_secret)
    store.store_secret(
        practitioner_id, secret_hash=digest, salt=salt, params=params, role=access.role,
        must_change=False, actor_id=practitioner_id, action="change_secret",
    )  # fmt: skip


def require_admin_to(
    store: Store,
    actor_id: int | None,
    field: str,
    what: str,
    *,
    where: str = " into a database that has one",
    why: str = "",
) -> None:
    """Refuse ``what`` (``"imports records"``; ``field``: the command, ``"import"``) to
    anyone but an admin, in a database that has one (a new database, or one from before
    sign-in, has none to ask); ``why`` ends the line."""
    if not store.has_admin():
        return
    access = store.access(actor_id) if actor_id is not None else None
    if access is None or access.role != "admin":
        who = store.practitioner(actor_id) if actor_id is not None else None
        named = f" ({who['name']} is a practitioner)" if who else ""
        raise ValidationError(field, f"only an admin {what}{where}{named}{why}")


def require_admin_in_file(path: Path, actor_id: int, field: str, what: str) -> None:
    """:func:`require_admin_to` for a database FILE read only (a backup about to be
    restored: who restores proved their secret in it, and its roles are the ones read):
    refused to anyone but an admin of ``path`` when it has one."""
    from ..store.records.credentials import sign_ins_in_file

    people = sign_ins_in_file(path)
    if not any(name.role == "admin" for name, _ in people):
        return  # a backup from before sign-in: nobody to ask
    for name, _ in people:
        if name.practitioner_id == actor_id and name.role != "admin":
            raise ValidationError(
                field,
                f"only an admin {what} ({name.name} is a practitioner in {path.name}):"
                " nothing was changed",
            )


def _require_admin(store: Store, admin_id: int) -> None:
    access = store.access(admin_id)
    if access is None or access.role != "admin":
        raise AuthError("Only an admin can add practitioners or reset a secret")


def give_secret(
    store: Store, admin_id: int, practitioner_id: int, temporary: str, *, role: str | None = None
) -> None:
    """An admin gives ``practitioner_id`` a temporary secret (a new practitioner, or a
    forgotten secret reset), replaced by its owner at their next sign-in. Audited; the
    old secret, if any, is gone (it was never readable)."""
    _require_admin(store, admin_id)
    check_secret_rule(temporary)
    old = store.access(practitioner_id)
    new_role = role or (old.role if old else "practitioner")
    if new_role not in ROLES:
        raise ValidationError("role", f"{new_role!r} is not allowed: admin or practitioner")
    digest, salt, params = hash_secret(temporary)
    store.store_secret(
        practitioner_id, secret_hash=digest, salt=salt, params=params, role=new_role,
        must_change=True, actor_id=admin_id,
        action="reset_secret" if old else "give_secret",
    )  # fmt: skip


def add_practitioner(
    store: Store, admin_id: int, practitioner: Practitioner, temporary: str, role: str
) -> int:
    """An admin adds a practitioner with a temporary secret (and a role); their id."""
    _require_admin(store, admin_id)
    check_secret_rule(temporary)
    with store.write():  # the practitioner and their secret, or neither
        pid = store.add_practitioner(practitioner, actor_id=admin_id)
        give_secret(store, admin_id, pid, temporary, role=role)
    return pid


def first_practitioner(store: Store, practitioner: Practitioner, secret: str) -> int:
    """A new database's first practitioner and their secret, in one step: its admin."""
    check_secret_rule(secret)
    if store.has_admin():
        raise AuthError("This database has an admin already: ask them to add you")
    with store.write():
        pid = store.add_practitioner(practitioner)
        set_first_secret(store, pid, secret)
    return pid


def sign_in_choices(store: Store) -> list[SignInChoice]:
    """Every practitioner by name, with whether they have a secret yet and their role."""
    return store.sign_in_names()


def authenticate_in_file(path: Path, practitioner_id: int, secret: str) -> int:
    """``practitioner_id`` of the database FILE ``path`` (a backup about to be restored)
    once ``secret`` matches the hash kept in that file. Read only: no failed try is
    counted there (whoever holds the file could read it anyway); a wrong secret raises
    :class:`AuthError`."""
    from ..store.records.credentials import sign_ins_in_file

    for name, access in sign_ins_in_file(path):
        if name.practitioner_id == practitioner_id:
            if access is not None:
                refuse_invalid(access, name.name)
            if access is None or not secret_matches(secret, access):
                raise AuthError(
                    f"{name.name}'s secret in {path.name} does not match: nothing was changed"
                )
            return practitioner_id
    raise AuthError(f"practitioner: {practitioner_id} is not a practitioner of {path.name}")
