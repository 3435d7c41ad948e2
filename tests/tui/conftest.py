"""Fixtures for the TUI tests: a seeded store, a fixed clock, no cursor blinking, and
settings written to a temporary file (never to the user's own config)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

sys.path.insert(0, str(Path(__file__).parent))  # tui_scenarios, shared with the benchmark

import tui_scenarios  # noqa: E402


@pytest.fixture(autouse=True)
def no_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes snapshots differ from run to run."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture(autouse=True)
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "tui.json"
    monkeypatch.setenv("SESSIONLOG_CONFIG", str(path))
    return path


@pytest.fixture
def store():  # type: ignore[no-untyped-def]
    s = tui_scenarios.seeded_store()
    yield s
    s.close()
