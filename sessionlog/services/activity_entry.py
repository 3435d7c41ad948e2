"""The app's way of typing a PSFS: each activity the patient names with its answer,
``sleeping 7; lifting: 9, climbing stairs 3`` (``;`` or ``,`` between them, the answer
last, after a space, ``:`` or ``=``). It gives the names and answers that
``scale record --activity ... --items ...`` gives, checked first: a wrong entry is one
line naming the field and what it takes, and nothing is saved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..domain.scales import MAX_LABEL, Scale, check_activity_names
from ..errors import ValidationError

FIELD = "activities"
EXAMPLE = "sleeping 7; lifting 9"
MAX_TEXT = 5 * (MAX_LABEL + 6)  # five named activities with their answers
_ENTRY = re.compile(r"(?P<name>.*?)\s*[:=]?\s*(?P<answer>[-+]?[0-9]+(?:[.][0-9]*)?)")
# Between entries: ";" or "," (a comma between digits is a number's: "reach 1,000 m 5").
_BETWEEN = re.compile(r";|(?<![0-9]),|,(?![0-9])")
# A number 0-10 standing alone inside a name, the answer after a space only: a ";" left
# out ("sleeping 7 lifting 9") or a number of the name ("walking 2 km 7"); ":" says which.
_NUMBER_IN_NAME = re.compile(r"(?:^|\s)(10|[0-9])(?=\s)")


def parse_activities(scale: Scale, text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The activities' names and their answers, in the order typed."""
    if len(text) > MAX_TEXT:
        raise ValidationError(FIELD, f"at most {MAX_TEXT} characters ({len(text):,} given)")
    entries = [e.strip() for e in _BETWEEN.split(text) if e.strip()]
    if not 1 <= len(entries) <= scale.items:
        raise ValidationError(
            FIELD, f"{scale.code} takes 1 to {scale.items} activities ({len(entries)} given)"
        )
    names: list[str] = []
    answers: list[int] = []
    for entry in entries:
        found = _ENTRY.fullmatch(entry)
        name = found["name"].strip() if found else entry
        if found and not name:
            raise ValidationError(
                FIELD, f"name the activity before its answer, e.g. {EXAMPLE} ({entry} has no name)"
            )
        if not found:
            raise ValidationError(
                FIELD,
                f"give each activity its answer after its name, e.g. {EXAMPLE} ({entry} has none)",
            )
        if len(name) > MAX_LABEL or not name.isprintable():
            raise ValidationError(
                FIELD, f"an activity's name is 1-{MAX_LABEL} printable characters"
            )
        if not any(c.isalpha() for c in name):
            raise ValidationError(
                FIELD, f"an activity's name has a letter, e.g. {EXAMPLE} ({name!r} has none)"
            )
        number = _NUMBER_IN_NAME.search(name)
        if number and not re.search(r"[:=]\s*\S+$", entry):
            raise ValidationError(
                FIELD,
                f"is {number[1]} in {entry!r} an answer? Put ; between activities ({EXAMPLE}),"
                " or : before the answer to keep a number in a name (walking 2 km: 7)",
            )
        answer = found["answer"]
        if not answer.lstrip("+-").isdigit() or not scale.item_min <= int(answer) <= scale.item_max:
            raise ValidationError(
                FIELD, f"{name} is {answer}; {scale.code} answers are {scale.allowed()}"
            )
        check_activity_names([*names, name], FIELD)
        names.append(name)
        answers.append(int(answer))
    return tuple(names), tuple(answers)


def activities_text(names: Sequence[str], answers: Sequence[object]) -> str:
    """Names and answers as :func:`parse_activities` reads them back: ``sleeping 4;
    walking 2 km: 7`` (``:`` where a number in the name could pass for an answer)."""
    return "; ".join(
        f"{name}{':' if _NUMBER_IN_NAME.search(name + ' ') else ''} {answer}"
        for name, answer in zip(names, answers, strict=True)
    )
