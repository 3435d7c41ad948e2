"""Scoring each outcome scale from hand-worked examples, missing items where the
scale's rules allow them and refusal where they do not."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from sessionlog.domain.scales import (
    _load,
    catalogue,
    check_total,
    find_scale,
    format_score,
    parse_items,
    parse_scale_reading,
    score_items,
)
from sessionlog.errors import ValidationError

NOW = datetime(2026, 11, 22, 10, 0)


def score(code: str, text: str) -> float:
    return score_items(find_scale(code), parse_items(text)).score


def refusal(code: str, text: str) -> str:
    with pytest.raises(ValidationError) as exc:
        score(code, text)
    return str(exc.value)


def test_catalogue_names_every_scale_with_direction_and_a_source() -> None:
    scales = catalogue()
    assert list(scales) == ["PSFS", "NDI", "ODI", "QuickDASH", "PGIC", "GROC"]
    for s in scales.values():
        assert s.mcid_source or s.responder_source, s.code
    assert scales["PSFS"].mcid == 2.0 and "Stratford" in scales["PSFS"].mcid_source
    assert scales["ODI"].mcid == 10.0 and "Ostelo" in scales["ODI"].mcid_source
    assert scales["QuickDASH"].mcid == 15.9 and "Franchignoni" in scales["QuickDASH"].mcid_source
    assert "Young" in scales["NDI"].mcid_source
    assert scales["NDI"].direction == "higher_worse"
    assert scales["PSFS"].direction == "higher_better"


def test_ndi_sums_and_shows_percent() -> None:
    # 3+2+1+0+4+2+1+3+2+2 = 20 of 50 = 40%
    assert score("NDI", "3,2,1,0,4,2,1,3,2,2") == 20
    assert format_score(find_scale("NDI"), 20) == "20.0 of 50 (40%)"


def test_ndi_with_one_item_missing_scales_to_the_items_answered() -> None:
    # 3+2+1+0+4+2+1+3+2 = 18 over 9 items: 18 x 10 / 9 = 20.0
    assert score("NDI", "3,2,1,0,4,2,1,3,2,-") == 20.0
    # 19 over 9: 21.1
    assert score("NDI", "3,2,1,0,4,2,1,3,3,") == 21.1


def test_ndi_with_two_missing_is_refused() -> None:
    assert refusal("NDI", "3,2,1,0,4,2,1,3,-,-") == (
        "items: NDI cannot be scored with 2 items unanswered: at most 1 may be left blank"
    )


def test_odi_percent_of_the_items_answered() -> None:
    # 16 of 50 = 32%
    assert score("ODI", "2,2,2,2,2,2,1,1,1,1") == 32
    # 15 over 9 answered: 15 / 45 x 100 = 33.3 -> 33 (ODI is shown in whole percent)
    assert score("ODI", "2,2,2,2,2,2,1,1,1,x") == 33
    assert format_score(find_scale("ODI"), 32) == "32%"
    assert "cannot be scored with 2 items" in refusal("ODI", "2,2,2,2,2,2,1,1,-,-")


def test_quickdash_mean_minus_one_times_25() -> None:
    # answers 1..5: 11 items summing to 33: mean 3, (3 - 1) x 25 = 50
    assert score("QuickDASH", "1,2,3,4,5,3,3,3,3,3,3") == 50
    # one missing: 10 items summing to 30, mean 3 -> 50
    assert score("QuickDASH", "1,2,3,4,5,3,3,3,3,3,-") == 50
    # all 1 -> 0; all 5 -> 100
    assert score("QuickDASH", ",".join(["1"] * 11)) == 0
    assert score("QuickDASH", ",".join(["5"] * 11)) == 100
    assert "at most 1 may be left blank" in refusal("QuickDASH", "1,2,3,4,5,3,3,3,3,-,-")


def test_quickdash_answers_start_at_one() -> None:
    assert refusal("QuickDASH", "0,2,3,4,5,3,3,3,3,3,3") == (
        "items: item 1 is 0; QuickDASH answers are whole numbers 1 to 5"
    )


def test_psfs_is_the_mean_of_the_patients_activities() -> None:
    assert score("PSFS", "3,4,8") == 5.0
    assert score("PSFS", "3,4") == 3.5
    assert "PSFS takes 1 to 5 answers (6 given)" in refusal("PSFS", "1,2,3,4,5,6")
    assert refusal("PSFS", "11") == "items: item 1 is 11; PSFS answers are whole numbers 0 to 10"


def test_single_item_scales() -> None:
    pgic, groc = find_scale("PGIC"), find_scale("GROC")
    assert score("PGIC", "2") == 2 and pgic.responder(2) and not pgic.responder(3)
    assert score("GROC", "-3") == -3 and groc.responder(4) and not groc.responder(3)
    assert refusal("PGIC", "-") == (
        "items: PGIC cannot be scored with 1 item unanswered: every item must be answered"
    )
    assert refusal("GROC", "8") == "items: item 1 is 8; GROC answers are whole numbers -7 to 7"


def test_wrong_count_and_bad_text_name_the_item() -> None:
    assert refusal("NDI", "1,2,3") == (
        "items: NDI has 10 items: give 10 answers, - for one left blank (3 given)"
    )
    assert refusal("NDI", "1,2,three,0,0,0,0,0,0,0") == (
        "items: item 3 is 'three': give whole numbers, or - when the patient left it blank"
    )
    assert (
        refusal("NDI", "1,2,2.5,0,0,0,0,0,0,0") == "items: item 3 is 2.5: answers are whole numbers"
    )


def test_totals_are_checked_against_the_range() -> None:
    assert check_total(find_scale("NDI"), "18").score == 18
    with pytest.raises(ValidationError, match=r"^total: NDI totals are 0 to 50 \(51 given\)$"):
        check_total(find_scale("NDI"), "51")
    with pytest.raises(ValidationError, match="^total: 'lots' is not a number: 0 to 100$"):
        check_total(find_scale("ODI"), "lots")


def test_a_total_finer_than_the_scale_keeps_is_refused_not_rounded() -> None:
    # GROC 3.6 was stored as +4 (a responder: the threshold is +4) and 4.5 as +4,
    # PGIC 2.6 as 3, ODI 24.5 as 24, without a word.
    for code, total, allowed in (
        ("GROC", "3.6", "whole numbers from -7 to 7"),
        ("GROC", "-4.9", "whole numbers from -7 to 7"),
        ("PGIC", "2.6", "whole numbers from 1 to 7"),
        ("ODI", "24.5", "whole numbers from 0 to 100"),
        ("NDI", "18.25", "numbers with 1 decimal from 0 to 50"),
    ):
        with pytest.raises(ValidationError) as caught:
            check_total(find_scale(code), total)
        assert str(caught.value) == f"total: {code} totals are {allowed} ({total} given)"
    assert check_total(find_scale("GROC"), "4.0").score == 4
    assert check_total(find_scale("GROC"), "-3").score == -3
    assert check_total(find_scale("NDI"), "18.5").score == 18.5
    assert check_total(find_scale("PSFS"), "6.7").score == 6.7


def test_improvement_and_mcid_follow_the_direction() -> None:
    ndi, psfs = find_scale("NDI"), find_scale("PSFS")
    assert ndi.improvement(24, 14) == 10 and ndi.important(24, 14)
    assert not ndi.important(24, 20)
    assert psfs.improvement(3, 6) == 3 and psfs.important(3, 5)
    assert find_scale("PGIC").important(1, 2) is None


def test_a_reading_takes_items_or_total_not_both() -> None:
    base = {"scale": "ndi", "patient_id": 1, "session_record_id": 1}
    with pytest.raises(ValidationError, match="give the NDI item answers or its total"):
        parse_scale_reading({**base, "items": "1,1,1,1,1,1,1,1,1,1", "total": 10}, now=NOW)
    r = parse_scale_reading({**base, "total": "18"}, now=NOW)
    assert (r.scale, r.score, r.items, r.entered_by) == ("NDI", 18.0, None, "practitioner")
    with pytest.raises(ValidationError, match="^scale: 'XYZ' is not a known scale: one of PSFS"):
        parse_scale_reading({**base, "scale": "XYZ", "total": 1}, now=NOW)
    with pytest.raises(ValidationError, match="^entered_by: must be one of practitioner, patient"):
        parse_scale_reading({**base, "total": 1, "entered_by": "robot"}, now=NOW)


def test_psfs_activities_are_named_once_each() -> None:
    base = {"scale": "PSFS", "patient_id": 1, "session_record_id": 1, "items": "3,5"}
    r = parse_scale_reading({**base, "labels": ["stairs", "lifting a child"]}, now=NOW)
    assert r.labels == ("stairs", "lifting a child") and r.score == 4.0
    # How many names and answers were given, and how to give them (review17: it said
    # "name each activity once: 1 names for 2 answers", as if one was named twice).
    with pytest.raises(ValidationError) as said:
        parse_scale_reading({**base, "labels": ["stairs"]}, now=NOW)
    assert str(said.value) == (
        "labels: 1 activity named for 2 answers: name one activity for each answer, in the"
        " answers' order (scale record: one --activity per answer of --items)"
    )
    with pytest.raises(ValidationError, match="^labels: 3 activities named for 2 answers: "):
        parse_scale_reading({**base, "labels": ["stairs", "lifting", "sitting"]}, now=NOW)


def test_a_clinic_adds_a_scale_with_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "ours.json"
    entry = dict(vars(find_scale("PGIC")))
    entry.update(code="KNEE5", name="Our knee score", items=5, min_items=5, item_min=0,
                 item_max=4, factor=25, score_min=0, score_max=100, regions=["knee"])  # fmt: skip
    extra.write_text(json.dumps([entry]), encoding="utf-8")
    monkeypatch.setenv("SESSIONLOG_SCALES", str(extra))
    _load.cache_clear()
    try:
        assert score("knee5", "4,4,4,4,0") == 80
        entry["code"] = "NDI"
        extra.write_text(json.dumps([entry]), encoding="utf-8")
        _load.cache_clear()
        with pytest.raises(ValidationError, match=r"ours.json\[0\].code: NDI is already a scale"):
            catalogue()
    finally:
        _load.cache_clear()


def test_a_pasted_total_or_answer_is_quoted_by_its_start_and_length() -> None:
    # 3,000 characters pasted into the app's total or answers field came back whole in
    # the one-line error (a screenful), as the follow-up's When once did.
    x, nines = "x" * 3000, "9" * 3000
    with pytest.raises(ValidationError) as caught:
        check_total(find_scale("ODI"), x)
    assert str(caught.value) == (
        "total: 'xxxxxxxxxxxxxxxxxxxxxxxx'… (3,000 characters) is not a number: 0 to 100"
    )
    with pytest.raises(ValidationError) as caught:
        check_total(find_scale("NDI"), nines)
    assert str(caught.value) == (
        "total: NDI totals are 0 to 50 ('999999999999999999999999'… (3,000 characters) given)"
    )
    assert refusal("NDI", f"1,2,{x}") == (
        "items: item 3 is 'xxxxxxxxxxxxxxxxxxxxxxxx'… (3,000 characters): give whole numbers,"
        " or - when the patient left it blank"
    )
