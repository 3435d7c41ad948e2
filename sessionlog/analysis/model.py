"""What outcome analysis reads: one current session, one later reading, the filters.

Plain frozen dataclasses with no I/O. The store builds them from the current versions
of the records (voided and superseded versions never reach analysis).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..domain.techniques import TECHNIQUES
from ..domain.techniques import group_label as group_label  # named here too, as before
from .maker import maker


def family_of(technique: str) -> str:
    """The family a technique belongs to (electro-acupuncture is acupuncture)."""
    return TECHNIQUES[technique].family


@dataclass(frozen=True, slots=True)
class SessionOutcome:
    """One current session: what was done, pain before and after, and the dose."""

    record_id: int
    patient_id: int
    practitioner_id: int
    started_at: datetime
    technique: str
    pain_before: int
    pain_after: int | None = None
    soreness_after: int | None = None
    insertions: int = 0  # needles put in: a bilateral site's insertions count twice
    twitches: int = 0
    episode_id: int | None = None

    @property
    def family(self) -> str:
        return family_of(self.technique)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """Pain (and soreness) reported some time after the session it is linked to."""

    session_record_id: int
    at: datetime
    pain: int
    soreness: int | None = None
    follow_up_id: int = 0


# Every field in order, quicker than the classes' own __init__ (see .maker): the store
# makes a long history's rows with these.
make_session = maker(SessionOutcome)
make_follow_up = maker(FollowUp)


@dataclass(frozen=True)
class Filters:
    """Which sessions an outcome query covers; None means no restriction.

    ``technique`` is a family (``dry_needling``) or an exact technique
    (``electrical_dry_needling``); ``region`` and ``complaint`` come from the
    session's episode; ``since`` and ``until`` bound the session date, both inclusive.
    """

    technique: str | None = None
    practitioner_id: int | None = None
    region: str | None = None
    complaint: str | None = None
    since: date | None = None
    until: date | None = None

    @property
    def any(self) -> bool:
        return any(v is not None for v in vars(self).values())

    def describe(self) -> str:
        """The filters in a few words, for titles ("all sessions" when none)."""
        parts = []
        if self.technique:
            parts.append(group_label(self.technique))
        if self.practitioner_id is not None:
            parts.append(f"practitioner {self.practitioner_id}")
        if self.region:
            parts.append(self.region.replace("_", " "))
        if self.complaint:
            parts.append(f'complaint "{self.complaint}"')
        if self.since or self.until:
            parts.append(f"{self.since or '…'} to {self.until or '…'}")
        return ", ".join(parts) or "all sessions"
