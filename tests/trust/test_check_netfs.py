"""`check` says in plain words what is wrong; a network file system is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_backup import damage, tamper_audit

from sessionlog.errors import DatabaseError
from sessionlog.store import Store
from sessionlog.store.file import netfs
from sessionlog.store.file.health import check

MOUNTINFO = (
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "40 22 0:35 / /srv/clinic rw,relatime shared:20 - nfs4 nas:/export/clinic rw,vers=4.2\n"
    "41 22 0:36 / /mnt/front\\040desk rw,relatime - cifs //nas/front rw,vers=3.1.1\n"
    "42 22 0:37 / /home/ann/remote rw - fuse.sshfs ann@host:/data rw\n"
)


def test_a_healthy_database(clinic_path: Path) -> None:
    health = check(clinic_path)
    assert health.ok
    assert health.summary() == (
        "The database is healthy: 3 sessions (2 patients), audit chain of 16 rows intact."
    )


def test_a_damaged_database(clinic_path: Path) -> None:
    damage(clinic_path)
    health = check(clinic_path)
    assert not health.ok
    lines = health.summary().splitlines()
    assert lines[0] == f"The database at {clinic_path} has a problem:"
    assert lines[1].startswith("- The file is damaged")
    assert lines[1].endswith(
        "Stop using this file: restore the latest good backup with"
        " `sessionlog restore BACKUP_FILE` (the damaged file is kept beside it)."
    )


def test_rows_pointing_nowhere(clinic_path: Path) -> None:
    conn = sqlite3.connect(clinic_path)
    conn.execute(
        "INSERT INTO site (session_id, seq, kind, target, side, insertions, stimulation,"
        " retention_s, thorax_risk) VALUES (999, 1, 'ashi', 'x', 'left', 1, 'none', 0, 0)"
    )
    conn.commit()
    conn.close()
    problems = check(clinic_path).problems
    assert problems[0] == (
        "1 row point at records that do not exist (site -> session): rows were removed"
        " outside sessionlog. Stop using this file: restore the latest good backup with"
        " `sessionlog restore BACKUP_FILE` (the damaged file is kept beside it)."
    )
    assert problems[1] == "site 11 was added without an audit row."


def test_an_altered_history(clinic_path: Path) -> None:
    tamper_audit(clinic_path)
    assert check(clinic_path).problems[:1] == [
        "The audit log is broken at row 3: its content does not match its hash (the row was"
        " altered). Records may have been changed outside sessionlog. Keep this file as"
        " evidence, compare it with a backup made before that row's time, and restore the"
        " backup if needed."
    ]


def test_no_database_and_not_a_database(tmp_path: Path) -> None:
    assert (
        check(tmp_path / "none.db")
        .problems[0]
        .startswith(f"There is no database at {tmp_path / 'none.db'} yet")
    )
    (tmp_path / "notes.txt").write_text("hello")
    assert check(tmp_path / "notes.txt").problems == [
        f"{tmp_path / 'notes.txt'} is not a sessionlog database (not an SQLite file at all)."
    ]


def test_mountinfo_is_read_with_escapes() -> None:
    assert netfs.parse_mountinfo(MOUNTINFO) == [
        ("/", "ext4"),
        ("/srv/clinic", "nfs4"),
        ("/mnt/front desk", "cifs"),
        ("/home/ann/remote", "fuse.sshfs"),
    ]


@pytest.mark.parametrize(
    ("path", "fstype"),
    [
        ("/srv/clinic/sessionlog.db", "nfs4"),
        ("/mnt/front desk/new/folder/x.db", "cifs"),
        ("/home/ann/remote/x.db", "fuse.sshfs"),
        ("/srv/clinical.db", "ext4"),  # a name that merely starts like a mount point
    ],
)
def test_the_mount_holding_a_path(path: str, fstype: str) -> None:
    assert netfs.filesystem_type(path, netfs.parse_mountinfo(MOUNTINFO)) == fstype


def test_macos_mount_output() -> None:
    text = (
        "/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n"
        "//ann@nas._smb._tcp.local/clinic on /Volumes/clinic"
        " (smbfs, nodev, nosuid, mounted by ann)\n"
    )
    mounts = netfs.parse_mount_output(text)
    assert mounts == [("/", "apfs"), ("/Volumes/clinic", "smbfs")]
    assert netfs.filesystem_type("/Volumes/clinic/s.db", mounts) == "smbfs"


def test_opening_a_database_on_nfs_is_refused_with_the_supported_set_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(netfs.ESCAPE_HATCH, raising=False)
    monkeypatch.setattr(netfs, "_mount_table", lambda: [("/", "ext4"), (str(tmp_path), "nfs")])
    with pytest.raises(DatabaseError) as err:
        Store.open(tmp_path / "shared" / "sessionlog.db")
    message = str(err.value)
    assert message.startswith(
        f"{tmp_path / 'shared' / 'sessionlog.db'} is on a network file"
        " system (nfs). SQLite cannot lock a database safely over nfs"
    )
    assert "Keep the database on a local disk of one clinic computer (the host)" in message
    assert "`sessionlog serve`" in message
    assert not (tmp_path / "shared").exists()  # refused before anything was created
    monkeypatch.setenv(netfs.ESCAPE_HATCH, "1")
    Store.open(tmp_path / "shared" / "sessionlog.db").close()
