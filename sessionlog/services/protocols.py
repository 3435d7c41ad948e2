"""Protocols: a practitioner's named group of sites, saved from what the form holds
(Ctrl+B) and offered again on a new session (Ctrl+T).

:func:`save` is the one route a front end takes to write a protocol, as
:mod:`.sessions` is for sessions: it gives a :class:`SavedProtocol` or a
:class:`~sessionlog.services.sessions.Refused` whose error says why in one line (an
unknown practitioner, a full disk, a read-only file). :func:`of` lists a
practitioner's protocols. No Textual, no click, no SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.text import counted
from ..errors import SessionlogError
from .sessions import Refused

if TYPE_CHECKING:
    from ..store import ProtocolRow, Store
    from ..store.rows import ProtocolSite


@dataclass(frozen=True)
class SavedProtocol:
    """A protocol written: its id, its name and how many sites it holds."""

    protocol_id: int
    name: str
    sites: int

    @property
    def message(self) -> str:
        return f"Saved protocol {self.name} ({counted(self.sites, 'site')})"


def save(
    store: Store,
    practitioner_id: int,
    name: str,
    technique: str,
    sites: Sequence[ProtocolSite],
) -> SavedProtocol | Refused:
    """Save ``sites`` (each as the entry language read it) as ``practitioner_id``'s
    protocol ``name``, replacing one of that name; nothing is written on a refusal."""
    try:
        pid = store.save_protocol(practitioner_id, name, technique, list(sites))
    except SessionlogError as exc:
        return Refused(exc)
    return SavedProtocol(pid, name, len(sites))


def of(store: Store, practitioner_id: int | None) -> list[ProtocolRow]:
    """``practitioner_id``'s protocols by name (none for no practitioner)."""
    return store.protocols(practitioner_id) if practitioner_id else []
