"""Plain sentences for the patient: what happened to their pain, and did relief last.

Written to be read by the patient on the practitioner's screen: no statistics words,
no other patient's data, and nothing stronger than their own numbers support.
"""

from __future__ import annotations

from .change import Change
from .model import group_label
from .progress import LASTING_AFTER_H, Progress, TimelinePoint

# "Later" in the patient's words: the readings behind "lasted" are all this long after.
LATER = f"more than {LASTING_AFTER_H // 24} days"


def technique_words(family: str) -> str:
    """ "dry needling", "electro-acupuncture", "IMS": a family's or technique's name
    inside a sentence."""
    label = group_label(family)
    return label if label.isupper() else label.lower()


def _points(x: float) -> str:
    n = max(1, round(x))
    return f"about {n} point{'s' if n != 1 else ''}"


def _exact_points(x: float) -> str:
    """A change below the one that matters, to a tenth: "about 2 points" for 1.7 would
    contradict "less than a change most people notice" (2 points; found by review15)."""
    return f"{x:.1f} points"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def pain_sentence(p: Progress) -> str:
    """How the pain changed from before the first session to the latest reading taken a
    day or more after a session (never a score right after needling); with several
    episodes of care, the first one's (:func:`pain_sentences` says each)."""
    return pain_sentences(p)[0]


def pain_sentences(p: Progress) -> list[str]:
    """:func:`pain_sentence`, one per episode of care when there are several, each named
    by its complaint: a change across complaints (the neck's 8 before against the
    knee's latest 1) would tell the patient a change that never happened."""
    if not p.episodes or p.latest is None:
        return ["No sessions are recorded yet."]
    if len(p.episodes) == 1:
        e = p.episodes[0]
        return [_episode_sentence(e.baseline, e.settled, e.change, e.sessions)]
    return [
        _episode_sentence(e.baseline, e.settled, e.change, e.sessions, name)
        for e, name in zip(p.episodes, episode_names(p), strict=True)
    ]


def episode_names(p: Progress) -> list[str]:
    """Each episode's complaint as the start of a sentence ("Neck pain"), with the day it
    began when two share a complaint ("Low back pain (from 2026-09-01)")."""
    labels = [complaint_name(e.complaint) for e in p.episodes]
    shared = {x for x in labels if labels.count(x) > 1}
    return [
        name + (f" (from {e.first_at:%Y-%m-%d})" if name in shared else "")
        for e, name in zip(p.episodes, labels, strict=True)
    ]


def complaint_name(text: str) -> str:
    """A complaint as the start of a sentence: "Neck pain" ("Other sessions": none)."""
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] if text else "Other sessions"


def _episode_sentence(
    first: int,
    settled: TimelinePoint | None,
    change: Change | None,
    sessions: int,
    name: str | None = None,
) -> str:
    """One episode's (``name``: its complaint, when the patient has several) change."""
    over = _plural(sessions, "session")
    if name is not None:  # "Neck pain: your pain ...", begun "when these sessions began"
        head, began, so_far = f"{name}: your", "when these sessions began", f"{over} so far"
    else:
        head, began, so_far = "Your", "before your first session", f"{over} so far"
    if settled is None or change is None:
        return (
            f"{head} pain was {first} {began}; there is no score from a day or more after"
            " a session yet."
        )
    now = settled.pain
    if now < first:
        text = f"{head} pain has gone from {first} to {now} over {over}."
        if now == 0:
            text += " At the last check you had no pain."
        elif change.tier == "substantial":
            text += " That is a change most people notice clearly."
        elif change.important:
            text += " That is a change most people notice."
        else:
            text += " That is a small change."
        return text
    if now == first:
        return f"{head} pain is {now}, the same as {began} ({so_far})."
    return f"{head} pain has gone from {first} up to {now} over {over}."


def lasting_sentence(
    family: str, verdict: str, now: float | None, later: float | None, sessions: int = 2
) -> str:
    """Whether relief after one technique lasted, in plain words (see
    :func:`.progress.verdict`); each sentence holds its verdict's words in the summary
    ``sessions``: how many the later figure rests on."""
    name = technique_words(family)
    one = sessions == 1
    each = "the session" if one else "a session"
    rests = " This rests on one session so far." if one else ""
    if verdict == "lasting":
        return (
            f"After {name} the relief lasted: right after {each} your pain was"
            f" {_points(now or 0)} lower than just before it, and {LATER} later still"
            f" {_points(later or 0)} lower.{rests}"
        )
    if verdict == "partly":
        return (
            f"Right after {each} of {name} your pain was {_points(now or 0)} lower than just"
            f" before it; {LATER} later some relief was left ({_exact_points(later or 0)}), less"
            f" than a change most people notice.{rests}"
        )
    if verdict == "faded":
        # Of each session against its own start, as below: "that relief wore off" read
        # as contradicting a course whose pain fell from 7 to 2.
        return (
            f"Right after each {name} session your pain was {_points(now or 0)} lower than"
            f" just before it; {LATER} later, less than 1 point of that relief was left."
        )
    if verdict == "later_only":
        return (
            f"Right after {name} your pain was not clearly lower than just before it;"
            f" {LATER} later it was {_points(later or 0)} lower (lower only days later).{rests}"
        )
    if verdict == "unclear":
        return (
            f"Your readings after {name} sessions differ too much to say whether it"
            " relieves your pain for long (too uncertain to say)."
        )
    if verdict == "no_after":
        return f"There is no score right after {name}, so whether its relief lasts cannot be said."
    if verdict == "not_recorded":
        # Its time has come and gone: "too early" would say a reading is still to come
        # (review17: a session 36 days before, nothing recorded since). Short: at 80
        # columns the patient view's chart keeps its rows when it is one line.
        return f"No score was recorded days after {name} to show if its relief lasts."
    if verdict == "small":
        return (
            f"Right after {each} of {name} your pain was {_exact_points(now or 0)} lower"
            f" than just before it, less than a change most people notice.{rests}"
        )
    if verdict == "uncertain":
        return (
            # "a session": an interval needs two or more right after ("the session"
            # counts the sessions the later figure rests on).
            f"Right after a session of {name} your pain was {_points(now or 0)} lower on"
            " average than just before it, but your sessions differ too much to be sure"
            " yet (relief not yet certain)."
        )
    if verdict == "no_relief":
        # About each session against its own start, not the whole course: a patient whose
        # pain fell over the weeks can still have sessions that lowered it no further.
        return (
            f"Compared with just before each session, {name} has not clearly lowered your"
            " pain, right after it or days later."
        )
    return f"It is too early to say whether the relief after {name} lasts."


def patient_sentences(p: Progress) -> list[str]:
    """A few sentences for the patient view (and the top of ``report``): the pain's
    change, then whether relief lasted after each technique; with several episodes of
    care, each episode's (named by its complaint) of its own sessions only."""
    out = pain_sentences(p)
    if len(p.episodes) < 2:
        for f in p.families:
            out.append(
                lasting_sentence(f.family, f.verdict, f.immediate.value, f.later.value, f.later.n)
            )
        return out
    for e, name in zip(p.episodes, episode_names(p), strict=True):
        for f in e.families:
            said = lasting_sentence(
                f.family, f.verdict, f.immediate.value, f.later.value, f.later.n
            )
            out.append(f"{name}: {_lower_first(said)}")
    return out


def _lower_first(sentence: str) -> str:
    """A sentence carried on after "Neck pain: " ("IMS" and "I" stay as they are)."""
    word = sentence.split(" ", 1)[0]
    return sentence if word.isupper() else sentence[:1].lower() + sentence[1:]
