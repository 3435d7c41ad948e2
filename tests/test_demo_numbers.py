"""The demo clinic read honestly: every reading in a window, sentences that match the table."""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_demo import make_demo

from sessionlog.analysis import patient_progress, patient_sentences
from sessionlog.analysis.readings import GAP_SLOT, latest_by_window, readings_by_record
from sessionlog.analysis.table import progress_summary
from sessionlog.analysis.windows import DEFAULT_WINDOWS, window_index
from sessionlog.store.outcomes import queries as outcomes


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = make_demo(tmp_path_factory.mktemp("demo-numbers") / "demo.db")
    yield store
    store.close()


def test_no_reading_of_the_demo_falls_outside_every_default_window(demo: Any) -> None:
    outside, readings_seen = [], 0
    for p in demo.patients():
        sessions, follow_ups = outcomes.patient_outcomes(demo, p["id"])
        for record, readings in readings_by_record(sessions, follow_ups).items():
            for r in readings:
                readings_seen += 1
                if r.pain is not None and window_index(r.hours, DEFAULT_WINDOWS) is None:
                    outside.append((p["chart_id"], record, r.hours))
            assert GAP_SLOT not in latest_by_window(readings, DEFAULT_WINDOWS)
    assert readings_seen > 500
    assert outside == []
    counts = outcomes.group_counts(demo)
    assert all(g.between == 0 for g in counts.values())


VERDICT_WORDS = {
    "lasting": "the relief lasted: right after",
    "partly": "later some relief was left",
    "later_only": "lower only days later",
    "unclear": "too uncertain to say",
    "no_after": "no score right after",
    "faded": "less than 1 point of that relief was left",
    "small": "less than a change most people notice",
    "no_relief": "has not clearly lowered",
    "uncertain": "relief not yet certain",
    "unknown": "too early",
}


def _sentence_numbers(sentence: str) -> tuple[int, int] | None:
    m = re.search(r"from (\d+) (?:up )?to (\d+)", sentence)
    return (int(m.group(1)), int(m.group(2))) if m else None


def test_every_demo_patient_is_told_what_their_table_shows(demo: Any) -> None:
    checked = 0
    for p in demo.patients():
        sessions, follow_ups = outcomes.patient_outcomes(demo, p["id"])
        progress = patient_progress(p["id"], sessions, follow_ups)
        sentences = patient_sentences(progress)
        summary = progress_summary(progress)
        if progress.settled is None:
            assert "no score from a day or more after a session yet" in sentences[0]
            continue
        checked += 1
        first, now = progress.baseline, progress.settled.pain
        assert first is not None
        # Never a score right after needling; a day or more after a session.
        assert progress.settled.kind in ("before", "follow_up")
        # The summary's figures are the sentence's figures.
        assert f"Pain {first} before the first session; latest {now} (" in summary[1]
        ch = progress.change
        assert ch is not None and ch.points == first - now
        numbers = _sentence_numbers(sentences[0])
        if now != first:
            assert numbers == (first, now), (p["chart_id"], sentences[0])
        else:
            assert f"Your pain is {now}, the same" in sentences[0]
        # The words follow the IMMPACT grade and the 2-point / 30% rule of the summary.
        clearly = "most people notice clearly" in sentences[0]
        assert clearly == (now < first and now > 0 and ch.tier == "substantial"), p["chart_id"]
        assert f"IMMPACT: {ch.tier or '-'}" in summary[2]
        # Each technique's sentence says what the summary's verdict says.
        for fam, sentence in zip(progress.families, sentences[1:], strict=True):
            word = VERDICT_WORDS[fam.verdict]
            assert word in sentence, (p["chart_id"], sentence)
    assert checked >= 35


def test_p0011_is_not_told_a_score_right_after_needling(demo: Any) -> None:
    p = demo.patient_by_chart("P0011")
    sessions, follow_ups = outcomes.patient_outcomes(demo, p["id"])
    progress = patient_progress(p["id"], sessions, follow_ups)
    assert progress.settled is not None and progress.settled.kind != "after"
    sentence = patient_sentences(progress)[0]
    assert _sentence_numbers(sentence) in (None, (progress.baseline, progress.settled.pain))
