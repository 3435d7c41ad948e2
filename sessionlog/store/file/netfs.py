"""Refusing a database on a network file system.

SQLite's locking relies on the file system; over NFS and SMB/CIFS locks are often
broken or emulated, and two workstations writing one file can corrupt it (SQLite's
own documentation says so). The supported set-up is one clinic host that owns the
database, with practitioners connecting to that host (SSH, or ``sessionlog serve``).

Linux: the file system type comes from ``/proc/self/mountinfo`` (the mount point
holding the path). macOS: from the output of ``mount``. Elsewhere nothing is
detected. ``SESSIONLOG_ALLOW_NETWORK_FS=1`` turns the refusal off (tests, or someone
who knows their file system locks properly).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ...errors import DatabaseError

ESCAPE_HATCH = "SESSIONLOG_ALLOW_NETWORK_FS"
NETWORK_TYPES = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "smb2", "afpfs", "webdav", "davfs",
        "9p", "v9fs", "ncpfs", "coda", "afs", "ceph", "glusterfs", "lustre", "gpfs",
        "ocfs2", "gfs2", "fuse.sshfs", "fuse.glusterfs", "fuse.cephfs", "fuse.rclone",
        "fuse.s3fs", "fuse.gcsfuse", "fuse.davfs", "fuse.smbnetfs", "fuse.curlftpfs",
    }
)  # fmt: skip

EXPLANATION = (
    "{path} is on a network file system ({fstype}). SQLite cannot lock a database safely "
    "over {fstype}, and two computers writing it can corrupt the clinic's records. "
    "Keep the database on a local disk of one clinic computer (the host) and let the "
    "other workstations connect to that computer: over SSH (ssh host sessionlog) or "
    "with `sessionlog serve` on the host. Back it up to the network share instead "
    "(`sessionlog backup /path/on/share`), or replicate it with Litestream."
)


def _unescape(field: str) -> str:
    # mountinfo writes space, tab, newline and backslash in mount points as octal.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def parse_mountinfo(text: str) -> list[tuple[str, str]]:
    """(mount point, file system type) for each line of ``/proc/self/mountinfo``."""
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right.split():
            continue
        mounts.append((_unescape(fields[4]), right.split()[0]))
    return mounts


def parse_mount_output(text: str) -> list[tuple[str, str]]:
    """(mount point, type) from macOS ``mount``: ``//u@srv/share on /Volumes/x (smbfs, ...)``."""
    mounts = []
    for line in text.splitlines():
        head, sep, tail = line.rpartition(" (")
        if not sep or " on " not in head:
            continue
        point = head.split(" on ", 1)[1]
        mounts.append((point, tail.split(",")[0].strip(" )")))
    return mounts


def _mount_table() -> list[tuple[str, str]]:
    if sys.platform.startswith("linux"):
        try:
            return parse_mountinfo(Path("/proc/self/mountinfo").read_text())
        except OSError:
            return []
    if sys.platform == "darwin":
        try:
            out = subprocess.run(["/sbin/mount"], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            return []
        return parse_mount_output(out.stdout)
    return []


def filesystem_type(path: str | Path, mounts: list[tuple[str, str]] | None = None) -> str | None:
    """The file system type holding ``path`` (or the folder it would be created in)."""
    target = Path(path).expanduser().absolute()
    missing: list[str] = []  # the part not created yet: it will live where its parent is
    while not target.exists() and target != target.parent:
        missing.append(target.name)
        target = target.parent
    real = os.path.join(os.path.realpath(target), *reversed(missing))
    best, kind = "", None
    for point, fstype in _mount_table() if mounts is None else mounts:
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fstype
    return kind


def is_network(fstype: str | None) -> bool:
    """Whether a file system type is one SQLite cannot lock safely over a network."""
    return fstype in NETWORK_TYPES


def refuse_network_fs(path: str | Path, mounts: list[tuple[str, str]] | None = None) -> None:
    """Raise :class:`DatabaseError` with the supported set-up when ``path`` is on a network
    file system, unless ``$SESSIONLOG_ALLOW_NETWORK_FS`` is set to 1."""
    if os.environ.get(ESCAPE_HATCH) == "1":
        return
    fstype = filesystem_type(path, mounts)
    if is_network(fstype):
        raise DatabaseError(EXPLANATION.format(path=path, fstype=fstype))
