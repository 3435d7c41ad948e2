"""The Store: the one object the CLI, the TUI and the tests use to read and write.

Its methods are grouped by subject in sibling modules (people, sessions, follow-ups, protocols);
:mod:`.base` holds opening, the write transaction and the audit trail.
"""

from __future__ import annotations

from .base import Clock, Saved, StoreBase
from .records.access import AccessStore
from .records.credentials import CredentialStore
from .records.follow_ups import FollowUpStore
from .records.people import PeopleStore
from .records.protocols import ProtocolStore
from .records.scales import ScaleStore
from .records.sessions import SessionStore

__all__ = ["Clock", "Saved", "Store", "StoreBase"]


class Store(
    PeopleStore,
    SessionStore,
    FollowUpStore,
    ProtocolStore,
    CredentialStore,
    AccessStore,
    ScaleStore,
):
    """A sessionlog database. Open with :meth:`Store.open`; the clock is injectable."""
