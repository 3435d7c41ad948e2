"""The details panel's model (no Textual): finding lines, problems, repeat and summary."""

from __future__ import annotations

from typing import Any

from sessionlog.services.entry.form_model import build_raw, state_from_session
from sessionlog.services.entry.stricta import (
    SIGN_FIELDS,
    STYLE_SUGGESTIONS,
    Details,
    check_finding,
    level_text,
    problems,
    split_level_text,
    summary,
)
from sessionlog.tui.screens.history import changes, details_text

STORED: dict[str, Any] = {
    "technique": "ims",
    "started_at": "2026-11-16 09:00:00",
    "sites": [],
    "style": "Gunn IMS",
    "rationale": "L5 radiculopathy",
    "co_interventions": ["exercise"],
    "ims_findings": [
        {
            "level": "L4-L5",
            "side": "right",
            **{s: 0 for s in SIGN_FIELDS},
            "coldness": 1,
            "notes": "cold foot",
        },
    ],  # fmt: skip
}


def test_a_finding_line_is_a_level_then_an_optional_side() -> None:
    assert split_level_text("l4-5 r") == ("l4-5", "right")
    assert split_level_text("L4 L5") == ("L4 L5", None)  # a pair, not a side
    assert split_level_text(" c5-c6 ") == ("c5-c6", None)
    assert level_text({"level": "L5-S1", "side": "bilateral"}) == "L5-S1 b"


def test_a_finding_is_checked_by_the_domain_and_made_canonical() -> None:
    found, errors = check_finding(Details(), "l5/s1 l", {"coldness": True}, " cold ", 1)
    assert errors == []
    assert found == {
        "level": "L5-S1", "side": "left", **{s: s == "coldness" for s in SIGN_FIELDS},
        "notes": "cold",
    }  # fmt: skip
    found, errors = check_finding(Details(), "", {"coldness": True}, "", 3)
    assert found is None
    assert [(e.field, e.message) for e in errors] == [
        ("ims_findings[3].level", "is required: a spinal level, e.g. L4-L5")
    ]
    _, errors = check_finding(Details(), "L9-L10", {}, "", 2)
    assert [e.field for e in errors] == ["ims_findings[2].level"]


def test_problems_name_only_the_details_fields() -> None:
    bad = Details(style="x" * 121, rationale="ok", findings=[{"level": "L4-L5", "side": "up"}])
    assert [(e.field, e.message) for e in problems(bad)] == [
        ("style", "is 121 characters long: at most 120 allowed"),
        ("ims_findings[1].side", "'up' is not allowed: one of left, right, bilateral, midline"),
    ]
    assert problems(Details(style="TCM")) == []


def test_an_amendment_keeps_the_findings_and_a_repeat_does_not() -> None:
    amend = state_from_session(STORED, with_outcomes=True).details
    repeat = state_from_session(STORED, with_outcomes=False).details
    assert (amend.style, amend.rationale) == (repeat.style, repeat.rationale)
    assert amend.findings[0]["coldness"] is True and amend.findings[0]["notes"] == "cold foot"
    assert repeat.findings == []
    state = state_from_session(STORED, with_outcomes=True)
    raw = build_raw(state, patient_id=1, practitioner_id=1)
    assert (raw["style"], raw["rationale"], raw["ims_findings"]) == (
        "Gunn IMS",
        "L5 radiculopathy",
        amend.findings,
    )


def test_the_summary_line_and_the_suggested_styles() -> None:
    assert summary(Details(), "acupuncture") == "F4 adds style, rationale"
    assert summary(Details(), "ims").endswith("IMS findings per segment")
    line = summary(state_from_session(STORED, with_outcomes=True).details, "ims")
    assert line == "Gunn IMS · rationale: L5 radiculopathy · IMS 1 finding: L4-L5 R  (F4)"
    assert "Five Element" in STYLE_SUGGESTIONS["acupuncture"]
    assert "Gunn IMS" in STYLE_SUGGESTIONS["ims"]


def test_history_names_what_changed_in_the_details() -> None:
    before = {**STORED, "status": "active"}
    after = {
        **before,
        "style": "Gunn IMS (iSTOP)",
        "ims_findings": [
            {**STORED["ims_findings"][0], "coldness": 0, "sweating": 1, "notes": ""},
            {"level": "L5-S1", "side": "bilateral", **{s: 0 for s in SIGN_FIELDS}},
        ],
    }
    assert changes(before, after) == (
        "style Gunn IMS -> Gunn IMS (iSTOP); IMS +L5-S1 both, L4-L5 R -Coldness +Sweating notes"
    )
    assert details_text(after).splitlines() == [
        "Style: Gunn IMS (iSTOP)",
        "Rationale: L5 radiculopathy",
        "Co-interventions: exercise",
        "IMS findings: 2",
        "  L4-L5 R: Sweating",
        "  L5-S1 both: no signs",
    ]
