"""What a restore or a backup leaves beside the database when it cannot finish: a
full disk leaves no partial "before-restore" copy, and the hidden partial copies of a
backup or restore that was killed are removed by the next one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers_cli import fingerprint, make_clinic, run, with_secrets
from helpers_disks import small_disk

from sessionlog.store.file import backup as backup_module

__all__ = ["small_disk"]  # the fixture


def _nearly_full(disk: Path, free: int) -> None:
    """Fill ``disk`` but for about ``free`` bytes."""
    spare = disk / "spare"
    spare.write_bytes(b"\0" * free)
    filler = disk / "filler"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * (1 << 16))
                fh.flush()
        except OSError:
            pass
    spare.unlink()


@pytest.mark.parametrize("asked_first", [True, False], ids=["space asked", "copy fails"])
def test_a_restore_on_a_full_disk_keeps_no_partial_copy(
    small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, asked_first: bool
) -> None:
    db = make_clinic(small_disk / "clinic.db")
    with_secrets(db)
    saved = tmp_path / "saved.db"
    assert run(db, f"backup {saved}").exit_code == 0
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{db}{suffix}").exists()
    before = fingerprint(db)
    size = db.stat().st_size
    _nearly_full(small_disk, size // 2)
    if not asked_first:  # the space seen is enough, but the disk fills during the copy
        monkeypatch.setattr(backup_module, "_free_space", lambda _: 1 << 40)
    result = run(db, f"restore --force {saved}", give_secrets=False)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: not enough space to keep the current database before restoring:"
        f" {size / 1_048_576:.1f} MB needed; nothing was changed\n"
    )
    left = sorted(p.name for p in small_disk.iterdir())
    assert [n for n in left if n not in ("clinic.db-wal", "clinic.db-shm")] == [
        "clinic.db",
        "filler",
    ]
    (small_disk / "filler").unlink()
    assert fingerprint(db) == before


DEAD = 999_999_999  # above any Linux pid_max: no process has it


def _partial(folder: Path, name: str, pid: int) -> Path:
    path = folder / f".{name}.{pid}.partial"
    path.write_bytes(b"SQLite format 3\0" + b"\0" * 4096)
    return path


def test_backup_and_restore_remove_the_partial_copies_of_killed_ones(
    clinic_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    stale = [_partial(out, "b.db", DEAD), _partial(out, "sessionlog-20261101-0900.db", DEAD)]
    alive = _partial(out, "b.db", os.getppid())  # a backup still running (its process lives)
    other = out / "notes.partial"  # not a copy of ours
    other.write_text("keep")
    result = run(clinic_path, f"backup {out / 'b.db'}")
    assert result.exit_code == 0, result.output
    assert not any(p.exists() for p in stale)
    assert sorted(p.name for p in out.iterdir()) == [alive.name, "b.db", "notes.partial"]
    assert (out / "b.db").stat().st_mode & 0o777 == 0o600
    alive.unlink()

    beside = _partial(clinic_path.parent, clinic_path.name, DEAD)
    result = run(clinic_path, f"restore --force {out / 'b.db'}", give_secrets=False)
    assert result.exit_code == 0, result.output
    assert not beside.exists()


def test_a_partial_copy_is_private_while_it_is_written(
    clinic_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes: list[int] = []
    real = backup_module.inspect  # type: ignore[attr-defined]  # (its own import)

    def looking(conn, health):  # type: ignore[no-untyped-def]
        modes.extend(p.stat().st_mode & 0o777 for p in tmp_path.glob(".*.partial"))
        return real(conn, health)

    monkeypatch.setattr(backup_module, "inspect", looking)
    assert run(clinic_path, f"backup {tmp_path / 'b.db'}").exit_code == 0
    assert modes == [0o600]
