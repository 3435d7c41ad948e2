"""Files that hold patient data are readable by their owner only, whatever the umask.

The database (and, through it, its ``-wal`` and ``-shm``: SQLite gives them the
database file's mode), backups, exports and the folders sessionlog creates for them
are made 0600 / 0700 here, at creation, the one place that knows how. A folder that
already exists (``/tmp``, a user's Documents) is left as it is; only folders made
here are 0700. Only sessionlog's own folders are made (the database's, the app's
reports): a backup, an export or a report goes into a folder that exists
(:func:`existing_folder`).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ValidationError

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_private_folder(path: Path) -> None:
    """Create ``path`` and any missing parents, each one made 0700."""
    missing: list[Path] = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # made meanwhile by another process: theirs to set
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is reduced by the umask


def existing_folder(folder: Path, field: str) -> None:
    """Refuse to write into ``folder`` unless it exists: ``backup /media/usb/`` with the
    drive not mounted would make that folder on this machine's own disk and leave the
    patients' records there. ``field``: what the user gave (``output``)."""
    if not folder.is_dir():
        raise ValidationError(
            field, f"the folder {folder} does not exist (is the drive mounted?): create it first"
        )


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (its folder as by :func:`make_private_folder`)
    unless it exists; an existing file keeps its mode."""
    make_private_folder(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        return
    os.chmod(path, FILE_MODE)  # os.open's mode is reduced by the umask (which may be 0)


def make_private(path: Path) -> None:
    """Set a file just written by sessionlog (a copy, a CSV) to 0600, a folder to 0700."""
    os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)
