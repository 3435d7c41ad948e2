"""Who is at the command line: a practitioner proved by their secret.

Every command that reads or writes patient data takes ``--practitioner NAME|ID`` (or
``$SESSIONLOG_PRACTITIONER``; needless when the clinic has one practitioner) and the
practitioner's secret, asked without echo on a terminal, or, for scripts and CI, read
from ``$SESSIONLOG_PRACTITIONER_SECRET``. The check is the app's
(:func:`sessionlog.services.auth.authenticate`): a wrong secret is one line, exit
status 1, counted and audited, and slows the next tries down.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import ValidationError
from .common import Context, fail

if TYPE_CHECKING:
    from ..store import SignInName, Store

WHO_ENV = "SESSIONLOG_PRACTITIONER"
SECRET_ENV = "SESSIONLOG_PRACTITIONER_SECRET"
F = TypeVar("F", bound=Callable[..., Any])


def identity_option(flag: str = "--practitioner") -> Callable[[F], F]:
    """The option that says who is at the command line (``compare`` uses ``--as``: its
    ``--practitioner`` chooses whose sessions are compared)."""
    return click.option(
        flag,
        "practitioner_ref",
        envvar=WHO_ENV,
        default=None,
        help=f"Who you are (id or name; default ${WHO_ENV}, or the clinic's only"
        f" practitioner). Your secret is asked, or read from ${SECRET_ENV}.",
    )


def secret_for(name: str, *, new: bool = False, ask: str = "Secret") -> str:
    """The secret from ``$SESSIONLOG_PRACTITIONER_SECRET``, else asked without echo
    (twice when ``new``; ``ask`` is the prompt); never read from a pipe (a script gives
    it by the variable)."""
    given = os.environ.get(SECRET_ENV)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        fail(f"{name}'s secret is needed: set ${SECRET_ENV}, or run in a terminal to be asked")
    what = f"A secret for {name} (a PIN of 6+ digits or a passphrase)" if new else ask
    return str(click.prompt(f"{what}", hide_input=True, confirmation_prompt=new, err=True))


def find(store: Store, ref: str | int | None) -> SignInName:
    """The practitioner ``ref`` (id or name) as the sign-in lists them (no secret
    checked); with no ``ref``, the clinic's only practitioner."""
    names = store.sign_in_names()
    if not names:
        raise ValidationError(
            "practitioner", "there is none yet: add yourself with `sessionlog practitioners add`"
        )
    if ref is None:
        if len(names) > 1:
            raise ValidationError(
                "practitioner", f"say who you are: --practitioner ID or NAME (or ${WHO_ENV})"
            )
        return names[0]
    from ..services.lookup import find_practitioner

    pid = find_practitioner(store, ref)  # the one rule: id, name, or a name's unique start
    return next(who for who in names if who.practitioner_id == pid)


class SecretOnce:
    """A secret asked once for several files (``restore`` proves who restores in the
    backup and in the clinic's database): typed at a terminal and not held by a later
    file (changed since the backup), it is asked once more, naming that file."""

    def __init__(self) -> None:
        self.typed: dict[str, str] = {}
        self.proved: dict[Path, int] = {}  # each file's proof, made once

    @property
    def asked(self) -> bool:
        """Whether the secret was typed at a terminal (not given by the variable)."""
        return bool(self.typed) and os.environ.get(SECRET_ENV) is None

    def proved_in(self, path: Path, ref: str | int | None, *, again: bool = True) -> int:
        """Who ``ref`` is in ``path``, by the secret (asked again, naming the file, when
        ``again`` and the secret typed for another file is not held here)."""
        if path not in self.proved:
            self.proved[path] = self._prove(path, ref, again)
        return self.proved[path]

    def _prove(self, path: Path, ref: str | int | None, again: bool) -> int:
        from ..services.auth import AuthError

        reused = False

        def once(name: str) -> str:
            nonlocal reused
            reused = name in self.typed
            if not reused:
                self.typed[name] = secret_for(name)
            return self.typed[name]

        try:
            return identify_in_backup(path, ref, once)
        except AuthError:
            if not reused or not self.asked or not again:
                raise
        ask = f"Secret in {path.name} (not the one just typed)"
        return identify_in_backup(path, ref, lambda name: secret_for(name, ask=ask))


def identify(store: Store, ref: str | int | None) -> int:
    """The id of the practitioner ``ref`` (see :func:`find`) once their secret is
    checked. Raises a one-line error (a wrong secret is counted and audited)."""
    from ..services import auth

    who = find(store, ref)
    pid = auth.authenticate(store, who.practitioner_id, secret_for(who.name), store.clock())
    invocation = click.get_current_context(silent=True)
    if invocation is not None and isinstance(invocation.find_root().obj, Context):
        invocation.find_root().obj.signed_in(pid, invocation)
    return pid


def identify_unless_empty(store: Store, ref: str | int | None) -> int | None:
    """:func:`identify`, but nobody (None) in a database with no practitioner yet: an
    import into a new database brings its practitioners, who then set their secrets
    at their first sign-in in the app."""
    if not store.sign_in_names():
        return None
    return identify(store, ref)


def identify_in_backup(
    backup: Path, ref: str | int | None, secret: Callable[[str], str] = secret_for
) -> int:
    """Who restores ``backup``: a practitioner of that file (found by the one lookup
    rule), proved by the secret it keeps for them (read only; ``ref`` is required when
    it holds several). ``secret`` gives a name's secret (by default, asked)."""
    from ..services import auth
    from ..services.lookup import pick_practitioner
    from ..store import sign_ins_in_file

    people: list[dict[str, Any]] = [
        {"id": n.practitioner_id, "name": n.name} for n, _ in sign_ins_in_file(backup)
    ]
    if ref is None and len(people) != 1:
        raise ValidationError(
            "practitioner", f"say who restores: --practitioner ID or NAME (or ${WHO_ENV})"
        )
    pid = pick_practitioner(people, people[0]["id"] if ref is None else ref)
    name = next(str(p["name"]) for p in people if p["id"] == pid)
    return auth.authenticate_in_file(backup, pid, secret(name))
