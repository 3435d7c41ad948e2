"""Trust tests: the Hypothesis profile, and a clinic database with every kind of row.

Profile ``ci`` (the default here) tries 1,000 examples per property; set
``HYPOTHESIS_PROFILE=dev`` for a quick local run of 100. Fewer in CI would test less:
with a line tracer over ``sessionlog/`` (one run of 1,000 each, session 18), the parsers'
properties still reached lines of the code new to the run late: ``test_parse_session``
at example 956 (37 lines first reached after example 400), ``test_parse_site`` at 968
(49 after 400), ``test_parse_follow_up`` at 610 and ``test_parse_patient`` at 478.
"""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture(scope="session")
def clinic_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trust clinic, built once per test process: never opened after, only copied."""
    path = tmp_path_factory.mktemp("clinic-template") / "clinic.db"
    store = Store.open(path, clock=clock)
    build(store)
    store.close()
    return path


@pytest.fixture
def clinic_path(tmp_path: Path, clinic_template: Path) -> Path:
    """A closed database file holding the trust clinic (see trust_clinic.py), this test's
    own: a copy of the one built for the session (same bytes, same file mode), since a
    build took 0.27 s of CPU and 249 tests ask for one; a copy takes a millisecond."""
    path = tmp_path / "clinic.db"
    shutil.copy2(clinic_template, path)
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
