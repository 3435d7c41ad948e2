"""The quick constructors of analysis/maker.py make the objects the classes' own
``__init__`` makes: equal, of the same type, still frozen."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import pytest

from sessionlog.analysis.maker import maker
from sessionlog.analysis.model import FollowUp, SessionOutcome, make_follow_up, make_session
from sessionlog.analysis.progress import SessionPoints, TimelinePoint
from sessionlog.analysis.readings import Reading


@pytest.mark.parametrize(
    ("cls", "fields"),
    [
        (FollowUp, (3, datetime(2026, 1, 2, 9), 4, None, 17)),
        (SessionOutcome, (1, 2, 3, datetime(2026, 1, 1), "ims", 6, 2, 1, 8, 3, None)),
        (TimelinePoint, (datetime(2026, 1, 1), 5, "before", "acupuncture", 9)),
        (SessionPoints, ((3, None, 2), 1)),
        (Reading, (4, datetime(2026, 1, 3), 86400, 3, None, 2, 11)),
    ],
)
def test_made_objects_equal_the_classes_own(cls: Any, fields: tuple[object, ...]) -> None:
    made: Any = maker(cls)(*fields)
    assert type(made) is cls
    assert made == cls(*fields)
    assert hash(made) == hash(cls(*fields))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.__setattr__(dataclasses.fields(cls)[0].name, 0)


def test_the_stores_makers_are_the_models() -> None:
    at = datetime(2026, 3, 4, 10, 30)
    assert make_session(1, 2, 3, at, "ims", 6, 2, 1, 8, 3, 4) == SessionOutcome(
        1, 2, 3, at, "ims", 6, 2, 1, 8, 3, 4
    )
    assert make_follow_up(3, at, 4, 1, 17) == FollowUp(3, at, 4, 1, 17)


def test_a_class_without_slots_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Plain:
        a: int

    with pytest.raises(TypeError, match="slotted"):
        maker(Plain)
