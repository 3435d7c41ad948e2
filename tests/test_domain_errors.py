"""The domain layer refusing bad input: each error names the field and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest
from helpers_domain import NOW, problems, session_data

from sessionlog.domain import InvalidRecord, parse_session
from sessionlog.errors import UnknownCode

# --- bad input: each error names the field and what is allowed ----------------------


def test_pain_out_of_range() -> None:
    site = {"target": "st36", "side": "left"}
    assert problems(session_data("acupuncture", [site], pain_before=11)) == {
        "pain_before": "11 is out of range: a whole number from 0 to 10"
    }
    assert problems(session_data("acupuncture", [site], pain_after=-1)) == {
        "pain_after": "-1 is out of range: a whole number from 0 to 10"
    }


def test_negative_counts() -> None:
    found = problems(
        session_data(
            "dry_needling",
            [{"target": "upper trap", "side": "left", "insertions": -1, "twitch_count": "-2"}],
        )
    )
    assert found == {
        "sites[1].insertions": "-1 is out of range: a whole number from 1 to 50",
        "sites[1].twitch_count": "-2 is out of range: a whole number from 0 to 100",
    }


def test_unknown_point_with_suggestions() -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_session(session_data("acupuncture", [{"target": "ST99", "side": "left"}]), now=NOW)
    [error] = caught.value.errors
    assert isinstance(error, UnknownCode)
    assert error.field == "sites[1].target"
    assert error.message.startswith("'ST99' is not a known point, muscle or spinal level")
    assert "ST45" in error.suggestions  # the last point of the stomach channel


def test_unknown_technique() -> None:
    assert problems(session_data("reiki", [{"target": "st36", "side": "left"}])) == {
        "technique": "'reiki' is not allowed: one of acupuncture, electroacupuncture, "
        "dry_needling, electrical_dry_needling, ims"
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "'abc' is not a whole number: a whole number from 0 to 10"),
        ("5.5", "'5.5' is not a whole number: a whole number from 0 to 10"),
        ("+-5", "'+-5' is not a whole number: a whole number from 0 to 10"),
        ("²", "'²' is not a whole number: a whole number from 0 to 10"),
        (float("nan"), "nan is not allowed: a whole number from 0 to 10"),
        (float("inf"), "inf is not allowed: a whole number from 0 to 10"),
        (True, "True is not a whole number: a whole number from 0 to 10"),
        ([5], "[5] is not a whole number: a whole number from 0 to 10"),
        (None, "is required: a whole number from 0 to 10"),
        ("", "is required: a whole number from 0 to 10"),
    ],
)
def test_pain_not_a_whole_number(value: Any, message: str) -> None:
    data = session_data("acupuncture", [{"target": "st36", "side": "left"}], pain_before=value)
    assert problems(data) == {"pain_before": message}


def test_whole_numbers_given_as_text_or_float_are_accepted() -> None:
    s = parse_session(
        session_data(
            "acupuncture", [{"target": "st36", "side": "left"}], pain_before=" 7 ", pain_after=3.0
        ),
        now=NOW,
    )
    assert (s.pain_before, s.pain_after) == (7, 3)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "nan is out of range: a number from 0 to 150"),
        (float("inf"), "inf is out of range: a number from 0 to 150"),
        ("nan", "'nan' is out of range: a number from 0 to 150"),
        ("deep", "'deep' is not a number: a number from 0 to 150"),
        (True, "True is not a number: a number from 0 to 150"),
        (10**400, "is too large: a number from 0 to 150"),
    ],
)
def test_depth_must_be_a_finite_number(value: Any, message: str) -> None:
    data = session_data("acupuncture", [{"target": "st36", "side": "left", "depth_value": value}])
    assert problems(data) == {"sites[1].depth_value": message}


def test_consent_is_required() -> None:
    data = session_data("acupuncture", [{"target": "st36", "side": "left"}])
    del data["consent"]
    assert problems(data) == {"consent": "informed consent must be obtained before needling"}
    data["consent"] = "no"
    assert problems(data) == {"consent": "informed consent must be obtained before needling"}
    data["consent"] = "perhaps"
    assert problems(data)["consent"] == "'perhaps' is not allowed: yes or no"


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_session({"technique": "ims", "pain_before": 12, "sites": []}, now=NOW)
    assert [e.field for e in caught.value.errors] == [
        "patient_id",
        "practitioner_id",
        "consent",
        "pain_before",
        "sites",
    ]
    # The one-line form names the first field and counts the rest.
    assert str(caught.value) == (
        "patient_id: is required: a whole number, 1 or more (and 4 more problems)"
    )


def test_future_and_malformed_dates() -> None:
    data = session_data("acupuncture", [{"target": "st36", "side": "left"}])
    assert problems({**data, "started_at": "2027-01-01"}) == {
        "started_at": "2027-01-01 00:00 is in the future"
    }
    assert problems({**data, "started_at": "22/11/2026"}) == {
        "started_at": "'22/11/2026' is not a date: use YYYY-MM-DD or YYYY-MM-DD HH:MM"
    }


def test_malformed_lists_are_errors_not_crashes() -> None:
    # JSON documents from scripts can hold anything; each is a named problem.
    base = session_data("ims", [{"target": "L4-L5", "side": "bilateral"}])
    assert problems({**base, "sites": 5}) == {"sites": "5 is not a list of sites"}
    assert problems({**base, "adverse_events": "mild"}) == {
        "adverse_events": "'mild' is not a list of records"
    }
    assert problems({**base, "adverse_events": ["mild"]}) == {
        "adverse_events[1]": "'mild' is not a record with fields"
    }
    assert problems({**base, "ims_findings": [3]}) == {
        "ims_findings[1]": "3 is not a record with fields"
    }
    assert problems({**base, "sites": [7]}) == {"sites[1]": "7 is not a site"}


def test_site_kind_must_fit_the_target() -> None:
    data = session_data("ims", [{"target": "L4-L5", "side": "left", "kind": "acupuncture_point"}])
    assert problems(data) == {
        "sites[1].kind": "acupuncture_point does not fit L4-L5 (a spinal level)"
    }


def test_adverse_events() -> None:
    s = parse_session(
        session_data(
            "dry_needling",
            [{"target": "upper trap", "side": "left"}],
            adverse_events=[{"tier": "Mild", "kind": "bruising"}],
        ),
        now=NOW,
    )
    assert [(a.tier, a.kind, a.description) for a in s.adverse_events] == [("mild", "bruising", "")]
    bad = session_data(
        "dry_needling",
        [{"target": "upper trap", "side": "left"}],
        adverse_events=[{"tier": "mild", "kind": "pneumothorax"}],
    )
    assert problems(bad) == {"adverse_events[1].tier": "a pneumothorax is a serious adverse event"}
