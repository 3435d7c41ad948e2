"""The command line. ``sessionlog`` with no command opens the TUI.

The commands are click's: ``cli/group.py`` holds the group, which gathers each area's
commands when one is first looked up. The app alone, as a user types it (``sessionlog``
or ``sessionlog --db FILE``), starts without loading click or the group: its first frame
needs neither, and click was 8-9 ms of CPU in a cold start of about 250 (issue 17).
Anything else on the command line (a command, another option, ``--help``, a database
path click would refuse, shell completion) goes to click, as before.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .group import cli as cli

DB_ENV = "SESSIONLOG_DB"  # --db's envvar (group.py)


def __getattr__(name: str) -> object:
    if name == "cli":  # the group, loaded on first use
        from .group import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def app_alone(args: Sequence[str]) -> tuple[bool, str | None]:
    """Whether ``args`` only open the app, and on which database (None: the default
    place), read as click reads them: ``--db`` or ``--db=``, else ``$SESSIONLOG_DB``
    unless empty. A path click would refuse (a folder, an unreadable file) or one that
    looks like an option is not the app alone: click says what is wrong with it."""
    if any(name.endswith("_COMPLETE") for name in os.environ):
        return False, None  # a shell asking click for completions
    if not args:
        path = os.environ.get(DB_ENV) or None
    elif len(args) == 2 and args[0] == "--db":
        path = args[1]
    elif len(args) == 1 and args[0].startswith("--db="):
        path = args[0].removeprefix("--db=")
    else:
        return False, None
    if path is None:
        return True, None
    if not path or path.startswith("-"):
        return False, None
    try:
        found = os.stat(path)
    except OSError:
        return True, path  # not there yet: the app makes it (click checks nothing then)
    if stat.S_ISDIR(found.st_mode) or not os.access(path, os.R_OK):
        return False, None
    return True, path


def main() -> None:
    """``sessionlog``: the app alone without click, anything else through click."""
    alone, db_path = app_alone(sys.argv[1:])
    try:
        if alone:
            try:
                from ..tui.app import run
            except ImportError:
                alone = False  # click's way says the app is not built
            else:
                run(db_path)
                return
    except (EOFError, KeyboardInterrupt):
        # As click ends a command interrupted: a blank line closes the terminal's ^C.
        print(file=sys.stderr)
        print("Aborted!", file=sys.stderr)
        sys.exit(1)
    from .group import cli

    cli()
