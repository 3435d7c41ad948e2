"""The user-path benchmark reads real frames from a real terminal (structure, no timings).

``benchmarks/pty_start.py`` times a process on a pseudo-terminal until words of its
frame arrive; these tests check that the words it waits for are the app's own and
that it drives an app as a user does (keys in, frame out, Ctrl+Q ends it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks import bench_user, pty_start
from sessionlog.tui.screens.sign_in import TITLES

ROOT = Path(__file__).resolve().parent.parent


def test_screen_words_drop_the_terminal_escapes() -> None:
    raw = b"\x1b[?1049h\x1b[1;1H\x1b[38;2;1;2;3mWho is \x1b[0m\x1b[1msigning in?\x1b]0;t\x07"
    assert pty_start.screen_words(raw) == "Who is signing in?"


def test_the_sign_in_words_are_the_first_screens_title() -> None:
    # The benchmark waits for this title: if the screen's words change, it must too.
    assert TITLES["start"] == "Who is signing in?"
    assert bench_user.SECRET.isdigit() and len(bench_user.SECRET) >= 6  # a valid PIN


def test_a_bare_app_frame_arrives_and_ctrl_q_ends_it(tmp_path: Path) -> None:
    frame = pty_start.start_bare(tmp_path)
    assert frame.first_frame > 0 and frame.quit > 0  # both moments were seen


def test_the_console_script_is_the_one_pip_writes(tmp_path: Path) -> None:
    script = pty_start.console_script(tmp_path)
    text = script.read_text(encoding="utf-8")
    assert text.startswith(f"#!{sys.executable}\n")
    assert "from sessionlog.cli import main" in text
    assert "project.scripts" not in text
    assert 'sessionlog = "sessionlog.cli:main"' in (ROOT / "pyproject.toml").read_text()


def test_the_save_baseline_writes_the_rows_the_app_writes(tmp_path: Path) -> None:
    """The raw transaction the save is compared with inserts what save_session does:
    the same number of rows in every table (seals included), nothing else."""
    from benchmarks.bench_save import _raw_connection, raw_transaction, session_input
    from benchmarks.clinic import END
    from sessionlog.domain import Patient, Practitioner, parse_session
    from sessionlog.store import Store
    from sessionlog.store.integrity.seal import RECORD_TABLES
    from sessionlog.store.rows import session_values, site_values

    store = Store.open(tmp_path / "c.db", clock=lambda: END)
    practitioner = store.add_practitioner(Practitioner("Mei Lin Chen", "acupuncturist"))
    patient = store.add_patient(Patient("P000001", "Ana Test", 1970, "female"))
    parsed = parse_session(session_input(patient, practitioner), now=END)
    tables = (*RECORD_TABLES, "audit_log", "record_seal")

    def counts() -> list[int]:
        return [store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]

    before = counts()
    store.save_session(parsed)
    after_app = counts()
    raw = _raw_connection(tmp_path / "c.db", autocheckpoint=False)
    raw_transaction(raw, patient, session_values(parsed), [site_values(s) for s in parsed.sites])
    raw.close()
    after_raw = counts()
    store.close()
    app_rows = [a - b for a, b in zip(after_app, before, strict=True)]
    raw_rows = [r - a for r, a in zip(after_raw, after_app, strict=True)]
    assert app_rows == raw_rows
    assert dict(zip(tables, app_rows, strict=True))["record_seal"] == 10  # record, version, 8


def test_paced_saves_wait_untimed_before_every_timed_save_on_both_sides() -> None:
    """The save figure is paced as a user's saves are: before each timed save, the app's
    and the raw one alike, the benchmark lets the last checkpoint finish (settle)."""
    from benchmarks.bench_save import paced

    calls: list[str] = []
    ours, raw = paced(
        lambda: calls.append("ours"),
        lambda: calls.append("raw"),
        3,
        lambda: calls.append("settle"),
        warmup=1,
    )
    assert len(ours) == len(raw) == 3
    assert calls == ["ours", "raw", *["settle", "ours", "settle", "raw"] * 3]
    cpu: tuple[list[float], list[float]] = ([], [])
    paced(lambda: None, lambda: None, 2, lambda: None, warmup=0, cpu=cpu)
    assert len(cpu[0]) == len(cpu[1]) == 2 and min(cpu[0] + cpu[1]) >= 0


def test_the_app_and_the_raw_baseline_save_each_into_a_file_of_its_own(tmp_path: Path) -> None:
    """A user saves alone: the save figure's two sides get a scratch copy each (on one
    shared file each side's commit emptied the other connection's page cache)."""
    from benchmarks.bench_save import scratch_pair

    db = tmp_path / "clinic.db"
    db.write_bytes(b"SQLite format 3\x00" + bytes(4080))
    (tmp_path / "scratch").mkdir()
    app, raw = scratch_pair(db, tmp_path / "scratch")
    assert len({app, raw, db}) == 3 and app.name == raw.name == db.name
    assert app.read_bytes() == raw.read_bytes() == db.read_bytes()
