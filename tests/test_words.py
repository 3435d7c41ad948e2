"""Words the user reads (issue 14 defect 15): one name per thing, no markup shown as
text, help that points at what exists."""

from __future__ import annotations

from pathlib import Path

from helpers_cli import make_clinic, ok, run

from sessionlog.domain import parse_session
from sessionlog.services.entry.field_words import sentence
from sessionlog.services.entry.site_text import parse_site_text


def test_required_reads_as_a_sentence() -> None:
    assert sentence("name", "is required") == "Name is required"
    assert sentence("pain_before", "11 is out of range") == "Pain before: 11 is out of range"


def test_moxa_is_moxibustion_and_deqi_on_a_site_line() -> None:
    session = parse_session(
        {
            "patient_id": 1,
            "practitioner_id": 1,
            "technique": "acupuncture",
            "consent": True,
            "pain_before": 5,
            "started_at": "2026-11-20 09:00",
            "sites": [{"target": "st36", "side": "left"}],
            "co_interventions": "moxa, exercise",
        }
    )
    assert session.co_interventions == ("moxibustion", "exercise")
    assert parse_site_text("st36 b deqi", "acupuncture") == {
        "target": "st36",
        "side": "bilateral",
        "deqi_obtained": True,
    }
    # "deqi" then its quality, as a new user typed it in tmux: it was read as a point
    # named "st36 b deqi" ("not a known point").
    assert parse_site_text("st36 b deqi ache 25mm", "acupuncture") == {
        "target": "st36",
        "side": "bilateral",
        "deqi_obtained": True,
        "deqi_quality": "ache",
        "depth_value": 25.0,
        "depth_unit": "mm",
    }


def test_help_and_errors_name_things_once_and_what_exists(tmp_path: Path) -> None:
    db = make_clinic(tmp_path / "c.db")
    assert "docs/trust.md" not in ok(db, "export --help")
    assert "P0001" in ok(db, "report --help")
    error = run(db, "compare --technique foo").stderr
    assert error.count(" acupuncture,") == 1 and error.count("ims") == 1


# One name per technique (defect 15): the picker, the tables, the history, the CLI's
# text output and the compare filters all say the same words.
NAMES = {
    "acupuncture": "Acupuncture",
    "electroacupuncture": "Electro-acupuncture",
    "dry_needling": "Dry needling",
    "electrical_dry_needling": "Electrical dry needling",
    "ims": "IMS",
}


def test_each_technique_has_one_name_in_every_place(tmp_path: Path) -> None:
    from sessionlog.analysis.model import group_label
    from sessionlog.tui.tables import technique_name
    from sessionlog.tui.widgets.choice import TechniquePicker

    picker = TechniquePicker()
    picker.value = "acupuncture"
    shown = str(picker.render())
    for key, name in NAMES.items():
        assert group_label(key) == name  # compare's groups, reports, exports' display
        assert technique_name(key) == name  # the app's tables and history
        assert f" {name} " in shown  # the form's picker
    db = make_clinic(tmp_path / "c.db")
    ok(db, "log --patient C001 --technique electrical_dry_needling --at '2025-06-10 09:00'"
       " --consent --pain-before 6 --site 'upper trap:left'")  # fmt: skip
    assert "Electrical dry needling" in ok(db, "sessions")
