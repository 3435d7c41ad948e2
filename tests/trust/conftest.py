"""Trust tests: the Hypothesis profile, and a clinic database with every kind of row.

Profile ``ci`` (the default here) tries 1,000 examples per property; set
``HYPOTHESIS_PROFILE=dev`` for a quick local run of 100.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from trust_clinic import build, clock

from sessionlog.store import Store

settings.register_profile(
    "ci",
    max_examples=1_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("dev", settings.get_profile("ci"), max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def clinic_path(tmp_path: Path) -> Path:
    """A closed database file holding the trust clinic (see trust_clinic.py)."""
    path = tmp_path / "clinic.db"
    store = Store.open(path, clock=clock)
    build(store)
    store.close()
    return path


@pytest.fixture
def clinic(clinic_path: Path) -> Iterator[Store]:
    store = Store.open(clinic_path, clock=clock)
    yield store
    store.close()


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Show the figures the trust tests produced (see trust_figures.py)."""
    from trust_figures import FIGURES

    if FIGURES:
        terminalreporter.section("trust figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
