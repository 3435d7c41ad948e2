"""What every command shares: the database option, JSON output, one-line errors."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import SessionlogError, ValidationError

if TYPE_CHECKING:
    from ..store import Store

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """Per-invocation state: where the database is, and the clock."""

    def __init__(self, db_path: str | None, clock: Callable[[], datetime] = datetime.now) -> None:
        self.db_path = db_path
        self.clock = clock
        self._store: Store | None = None
        # Who proved their secret for this command, and the command ("practitioners
        # add"): a command refused after that is recorded as refused (see refused()).
        self.practitioner_id: int | None = None
        self.command = ""
        self.refusal: str | None = None  # the line fail() printed

    def store(self) -> Store:
        """The opened Store (opened on first use, so ``--help`` never touches a database)."""
        if self._store is None:
            from ..store import Store

            self._store = Store.open(self.db_path, clock=self.clock)
            self._store.before_first_write = self._warn_if_tampered
        return self._store

    def signed_in(self, practitioner_id: int, invocation: click.Context) -> None:
        """``practitioner_id`` proved their secret for the command being run."""
        names = []
        while invocation.parent is not None:
            names.append(str(invocation.info_name))
            invocation = invocation.parent
        self.practitioner_id, self.command = practitioner_id, " ".join(reversed(names))

    def refused(self) -> None:
        """The command was refused (by :func:`fail`) after a sign-in: the audit log says
        so, and why, not only that someone signed in. Nothing is recorded when
        the database refuses writes (read-only, full): the line printed says so."""
        if self.practitioner_id is None or self._store is None or self.refusal is None:
            return  # (a finding that ends in status 1, as `audit verify`'s, is no refusal)
        from ..store import read_failed

        try:
            self._store.log_event(
                self.practitioner_id,
                "refused",
                "command",
                command=self.command,
                reason=self.refusal,
                via="cli",
            )
        except SessionlogError:
            pass
        except Exception as exc:
            if read_failed(exc) is None:  # not SQLite's: a fault of ours, shown
                raise
        self.practitioner_id = None

    def close(self) -> None:
        """Close the store, if a command opened it (called when the command ends, also
        when it fails: the last connection to close folds the -wal into the file)."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def _warn_if_tampered(self) -> None:
        """Every command that writes says so while the audit chain is broken."""
        warning = self._store.chain_alarm() if self._store is not None else None
        if warning:
            click.echo(f"warning: {warning}", err=True)

    @property
    def path(self) -> Path:
        from ..store import default_path

        return Path(self.db_path) if self.db_path else default_path()


pass_ctx = click.make_pass_decorator(Context)


def fail(message: str) -> None:
    """Print one plain line on stderr and exit non-zero: no traceback for user errors."""
    click.echo(f"error: {message}", err=True)
    invocation = click.get_current_context(silent=True)
    if invocation is not None and isinstance(invocation.find_root().obj, Context):
        invocation.find_root().obj.refusal = message
    sys.exit(1)


def user_errors(fn: F) -> F:
    """Turn our errors into one line and exit status 1 (the database is untouched:
    every write is one transaction)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SessionlogError as exc:
            fail(str(exc))
        except BrokenPipeError:
            raise  # the reader went away (`| head`): click ends quietly
        except sqlite3.DatabaseError as exc:  # damaged, full, read-only: one line
            from ..store import database_error

            fail(str(database_error(exc)))
        except json.JSONDecodeError as exc:
            fail(
                f"the JSON document is not valid JSON (line {exc.lineno},"
                f" column {exc.colno}: {exc.msg})"
            )
        except OSError as exc:
            fail(f"{exc.filename or 'file'}: {exc.strerror or exc}")

    return wrapper  # type: ignore[return-value]


MAX_JSON_INPUT = 1 << 20  # a session document is a few KB


def read_json_input(fh: Any, field: str) -> Any:
    """A JSON document from a file or stdin opened in binary: at most 1 MB, UTF-8,
    nested and sized as JSON a person or a script writes; else one plain error."""
    raw = fh.read(MAX_JSON_INPUT + 1)
    if len(raw) > MAX_JSON_INPUT:
        raise ValidationError(field, "the document is over 1 MB: a session is a few KB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            field,
            f"the document is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
            " (e.g. `iconv -f latin1 -t utf-8`)",
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise  # user_errors names the line and column
    except RecursionError:
        raise ValidationError(field, "the document nests values too deeply") from None
    except ValueError as exc:  # a whole number of more than 4,300 digits
        raise ValidationError(field, f"the document holds a value out of range ({exc})") from None


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def table(rows: Sequence[Mapping[str, Any]], columns: list[tuple[str, str]]) -> None:
    """Print rows as a plain, aligned text table (``columns``: key, heading)."""
    cells = [[("" if r.get(k) is None else str(r.get(k))) for k, _ in columns] for r in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, (_, h) in enumerate(columns)]
    click.echo("  ".join(h.ljust(w) for (_, h), w in zip(columns, widths, strict=True)).rstrip())
    for c in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
