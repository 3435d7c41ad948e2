"""The rows of an import file held small while they are checked.

A 100,000-session export has about 1.4 million rows. As parsed JSON objects (a dict
per row, a new string per value) they took 1.5 GB; checked, as dicts again, another
gigabyte. Here a row is a tuple of its values in the table's column order instead,
with :data:`MISSING` where the file leaves a column out (which is not the same as
null: a site without ``insertions`` has 1, one with ``insertions: null`` is refused).

Only rows that are objects with known columns are packed; anything else stays as the
file has it, so that ``shape`` names its problem exactly as before. Checked rows are
named tuples (:data:`ROW_TYPES`), also in column order with the id first: what the
database gets, as they are, when an export goes into a new database.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from .tables import TABLES, column_names


class _Missing:
    """A column the row does not have (a singleton)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

NAMES = {table: column_names(table) for table in TABLES}
KNOWN = {table: frozenset(names) for table, names in NAMES.items()}
ROW_TYPES: dict[str, Any] = {t: namedtuple(f"{t}_row", names) for t, names in NAMES.items()}
VALUES = {table: itemgetter(*names) for table, names in NAMES.items()}
_DEFAULTS = {table: (MISSING,) * len(names) for table, names in NAMES.items()}

# A site row is packed as (id, session_id, seq, content): the other columns' values in
# one tuple, shared by every site with the same content (a clinic needles the same
# points with the same needles: about 4,000 different sites in 500,000).
SITE_HEAD = 3
_AUDIT_ROW = ROW_TYPES["audit_log"]._make


def packable(table: str, row: Any) -> bool:
    """Whether ``row`` is an object whose every key is a column of ``table``."""
    return type(row) is dict and row.keys() <= KNOWN[table]


class Gaps(tuple):  # type: ignore[type-arg]
    """A packed row (or a site's content) with a column left out: :data:`MISSING` is
    in it. Rows as an export writes them have every column, and are plain tuples."""

    __slots__ = ()


def values(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
    """The values of a packable row in column order, :data:`MISSING` where absent."""
    try:
        got: tuple[Any, ...] = VALUES[table](row)
        return got
    except KeyError:  # a column left out: rare (a hand-made file)
        return Gaps(map(row.get, NAMES[table], _DEFAULTS[table]))


# Values that repeat across rows and tables are kept once: the words a column takes
# from a short list (status, technique...) and the moments (a follow-up's time is its
# recorded time, the session's time of recording that of its record and audit row).
_SHARED_TEXT = frozenset(
    {"status", "technique", "response_sought", "style", "amend_reason", "sex", "body_region"}
    | {"complaint", "kind", "tier", "side", "level", "action", "entity", "at", "profession"}
)
SHARED = {
    table: tuple(
        c.name
        for c in columns
        if c.kind in ("when", "date") or (c.kind == "text" and c.name in _SHARED_TEXT)
    )
    for table, columns in TABLES.items()
}


class Packer:
    """Packs the rows of one import; equal site contents, the words and moments that
    repeat, and each audit row's link to the row before it share one object."""

    def __init__(self) -> None:
        self.last_hash: Any = None
        self.words: dict[str, str] = {}

    def pack(self, table: str, row: dict[str, Any]) -> tuple[Any, ...]:
        """The packed form of a packable row (a dict of the caller's own: it is
        changed, each repeated value swapped for the one kept)."""
        if table == "site":
            vals = values(table, row)
            if type(vals) is Gaps:
                return Gaps((*vals[:SITE_HEAD], Gaps(vals[SITE_HEAD:])))
            return (*vals[:SITE_HEAD], vals[SITE_HEAD:])
        word = self.words.setdefault
        for name in SHARED[table]:
            value = row.get(name)
            if type(value) is str:
                row[name] = word(value, value)
        if table == "audit_log":
            # An audit row's prev_hash is the same text as the row before's hash: one
            # string for both (64 hex digits, 113 bytes, 400,000 times).
            prev, last = row.get("prev_hash"), self.last_hash
            self.last_hash = row.get("hash")
            if type(prev) is str and prev == last:
                row["prev_hash"] = last
            vals = values(table, row)
            # Checked as it is, an audit row packed as its named row is kept as it is.
            return vals if type(vals) is Gaps else _AUDIT_ROW(vals)
        return values(table, row)


def as_mapping(table: str, row: tuple[Any, ...]) -> dict[str, Any]:
    """A packed row as the object the file had (absent columns absent)."""
    if table == "site":
        gaps = type(row) is Gaps or type(row[SITE_HEAD]) is Gaps
        row = (*row[:SITE_HEAD], *row[SITE_HEAD])
    else:
        gaps = type(row) is Gaps
    data = dict(zip(NAMES[table], row, strict=True))
    if gaps:
        return {k: v for k, v in data.items() if v is not MISSING}
    return data


def get(row: tuple[Any, ...], index: int) -> Any:
    """A packed row's value at ``index``, ``None`` where the column is absent (what
    ``dict.get`` gives for the row as the file had it)."""
    value = row[index]
    return None if value is MISSING else value


class SiteView(Mapping[str, Any]):
    """A packed site row as a read-only mapping: what ``parse_session`` takes as a
    site. ``content`` is the shared tuple, so equal sites are known without comparing
    their values."""

    __slots__ = ("row", "content")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.row = row
        self.content = row[SITE_HEAD]

    def data(self) -> dict[str, Any]:
        """The site as the file had it (a new dict)."""
        return as_mapping("site", self.row)

    def __getitem__(self, key: str) -> Any:
        return self.data()[key]

    def __iter__(self) -> Any:
        return iter(self.data())

    def __len__(self) -> int:
        return len(self.data())

    def get(self, key: str, default: Any = None) -> Any:
        return self.data().get(key, default)


class CheckedSite(tuple):  # type: ignore[type-arg]
    """A checked site: ``(id, session_id, seq, values)``, ``values`` being every other
    column in column order, one tuple shared by all equal sites (the memo's). 88 bytes
    instead of a 22-column row's 232, half a million times."""

    __slots__ = ()
    id = property(itemgetter(0))
    session_id = property(itemgetter(1))
    seq = property(itemgetter(2))

    def flat(self) -> tuple[Any, ...]:
        """The database row, every column in order."""
        return (self[0], self[1], self[2], *self[3])

    def _asdict(self) -> dict[str, Any]:
        return dict(zip(NAMES["site"], self.flat(), strict=True))


class RowNumbers(dict[int, int]):
    """The row number of each id in the file. Only ids whose row number differs from
    the id are stored: in an export ids run 1, 2, 3... in file order, and 1.4 million
    entries would otherwise take a hundred megabytes."""

    def __missing__(self, rid: int) -> int:
        return rid
