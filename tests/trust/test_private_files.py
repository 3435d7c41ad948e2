"""Files holding patient data are the owner's alone: 0600 files, 0700 folders, under the
usual umask 022 (which would give 0644 / 0755)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from trust_clinic import build, clock

from sessionlog.errors import ValidationError
from sessionlog.exchange import export
from sessionlog.services.take_home import write_take_home, write_take_home_default
from sessionlog.store import Store
from sessionlog.store.file.backup import backup, restore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A new database in a new folder, with the trust clinic in it, still open."""
    opened = Store.open(tmp_path / "data" / "clinic" / "clinic.db", clock=clock)
    build(opened)
    yield opened
    opened.close()


def test_a_new_database_its_wal_and_shm_and_its_new_folders_are_private(
    store: Store, tmp_path: Path
) -> None:
    db = Path(store.path)
    assert (db.exists(), Path(f"{db}-wal").exists(), Path(f"{db}-shm").exists()) == (
        True,
        True,
        True,
    )
    assert {p.name: oct(mode(p)) for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"))} == {
        "clinic.db": "0o600",
        "clinic.db-wal": "0o600",
        "clinic.db-shm": "0o600",
    }
    assert oct(mode(tmp_path / "data")) == "0o700"
    assert oct(mode(db.parent)) == "0o700"


def test_a_folder_that_was_there_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    Store.open(shared / "clinic.db", clock=clock).close()
    assert (oct(mode(shared)), oct(mode(shared / "clinic.db"))) == ("0o755", "0o600")


def test_the_default_data_folder_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SESSIONLOG_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    opened = Store.open(None, clock=clock)
    opened.close()
    assert Path(opened.path) == tmp_path / "share" / "sessionlog" / "sessionlog.db"
    assert oct(mode(tmp_path / "share" / "sessionlog")) == "0o700"
    assert oct(mode(Path(opened.path))) == "0o600"


def test_a_backup_is_private(store: Store, tmp_path: Path) -> None:
    result = backup(store, tmp_path / "monday.db")
    assert oct(mode(result.path)) == "0o600"


def test_nothing_is_written_into_a_folder_that_does_not_exist(store: Store, tmp_path: Path) -> None:
    # `backup /media/usb/` with the drive not mounted made /media/usb on this machine's
    # own disk and put the patients' records there; so did export and report -o.
    usb = tmp_path / "media" / "usb"
    said = "the folder {} does not exist (is the drive mounted?): create it first"
    with pytest.raises(ValidationError) as refused:
        backup(store, f"{usb}/")
    assert str(refused.value) == f"destination: {said.format(usb)}"
    for fmt, name in (("json", "all.json"), ("fhir", "all.fhir.json"), ("csv", "all.zip"),
                      ("csv", "csv")):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            export(store, fmt, usb / name)
        assert str(refused.value) == f"output: {said.format(usb)}"
    with pytest.raises(ValidationError) as refused:
        write_take_home(store, 1, usb / "report.html", None)
    assert str(refused.value) == f"output: {said.format(usb)}"
    assert not (tmp_path / "media").exists()


def test_the_app_s_own_reports_folder_is_made_private(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SESSIONLOG_REPORT_DIR", raising=False)
    written = write_take_home_default(store, 1, None)
    assert written.parent == Path(store.path).resolve().parent / "reports"
    assert (oct(mode(written.parent)), oct(mode(written))) == ("0o700", "0o600")


def test_a_restored_database_and_the_copy_it_replaces_are_private(
    store: Store, tmp_path: Path
) -> None:
    saved = backup(store, tmp_path / "monday.db").path
    target = tmp_path / "restored.db"
    restore(saved, target, clock=clock())
    assert oct(mode(target)) == "0o600"
    again = restore(saved, target, clock=clock())
    assert again.previous is not None
    assert oct(mode(again.previous)) == "0o600"


@pytest.mark.parametrize("fmt, name", [("json", "all.json"), ("fhir", "all.fhir.json"),
                                       ("csv", "all.zip")])  # fmt: skip
def test_an_export_file_is_private(store: Store, tmp_path: Path, fmt: str, name: str) -> None:
    dest = tmp_path / name
    export(store, fmt, dest)
    assert oct(mode(dest)) == "0o600"


def test_a_csv_export_folder_and_every_file_in_it_are_private(store: Store, tmp_path: Path) -> None:
    dest = tmp_path / "csv"
    export(store, "csv", dest)
    assert oct(mode(dest)) == "0o700"
    assert {oct(mode(p)) for p in dest.iterdir()} == {"0o600"}
