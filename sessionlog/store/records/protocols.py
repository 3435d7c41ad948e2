"""Protocols: a practitioner's named groups of sites, saved from the session form.

Saving one under a name already used replaces it; its rows are sealed like the record
tables' (the removal with the save's audit row). The front ends save one only through
:mod:`sessionlog.services.protocols`.
"""

from __future__ import annotations

from typing import cast

from ..base import StoreBase
from ..rows import ProtocolRow, ProtocolSite


class ProtocolStore(StoreBase):
    def save_protocol(
        self, practitioner_id: int, name: str, technique: str, sites: list[ProtocolSite]
    ) -> int:
        """Save (or replace) a practitioner's named group of sites.

        A replaced protocol's removal is sealed with the save's audit row, and the new
        one never takes a used id (``check`` would see a removed row come back)."""
        import json

        from ..integrity.seal import max_ids, max_sealed

        self._require_practitioner(practitioner_id)
        with self.write() as conn:
            old = conn.execute(
                "SELECT id FROM protocol WHERE practitioner_id = ? AND name = ?",
                (practitioner_id, name),
            ).fetchone()
            if old:
                conn.execute("DELETE FROM protocol WHERE id = ?", (old[0],))
            pid = 1 + max(max_ids(conn)["protocol"], max_sealed(conn)["protocol"])
            conn.execute(
                "INSERT INTO protocol (id, practitioner_id, name, technique, sites, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (pid, practitioner_id, name, technique, json.dumps(sites), self.now()),
            )
            removed = (("protocol", int(old[0])),) if old else ()
            self._audit(conn, practitioner_id, "save", "protocol", pid, removed, name=name)
        return pid

    def protocols(self, practitioner_id: int) -> list[ProtocolRow]:
        """A practitioner's protocols by name, each with its sites."""
        import json

        rows = self._rows(
            "SELECT * FROM protocol WHERE practitioner_id = ? ORDER BY name", (practitioner_id,)
        )
        for r in rows:
            r["sites"] = json.loads(r["sites"])
        return cast("list[ProtocolRow]", rows)
