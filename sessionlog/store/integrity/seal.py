"""Record seals: every record row bound into the audit chain by a hash of its content.

A row's seal is the SHA-256 of its canonical form: the JSON array ``[table, name, value,
name, value, ...]`` over the row's columns (read from the database, so a new column
needs no change here) in the order of their names, NULL columns left out (a later
migration that adds a nullable column changes no seal). Values keep SQLite's types:
an integer as digits, a real with 17 significant digits and a decimal point, a text as
a JSON string. SQLite builds the form (:func:`canonical_sql`) for saves and checks alike.

When a change writes rows, the audit row describing it seals them: each new row gets a
``record_seal`` row (table, id, the audit row's id, the seal), and the audit row's
detail holds how many rows it sealed and the SHA-256 of their seals in (table, id)
order, which its own chained hash covers. ``health.py`` (via ``tamper.py``) recomputes
all of it. Only rows written in the writer's own transaction are sealed (the
transaction's starting ids are noted by :func:`begin`), so a row slipped in by another
program is never sealed by the next save: it stays visible to ``check``.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import cache
from itertools import islice

# The tables that hold the record, in the order rows depend on each other. Declared
# once: the exchange's table list (store/records/bulk.py) and the checks derive from it.
RECORD_TABLES = (
    "practitioner",
    "patient",
    "patient_contact",  # schema 0012: each change of a patient's contact note
    "episode",
    "session_record",
    "session",
    "site",
    "ims_finding",
    "follow_up",
    "adverse_event",
    "scale_reading",
    "protocol",
)
MIGRATION = "0005_record_seals"

Marks = dict[str, int]


Column = tuple[str, str, bool]  # name, declared type, NOT NULL


def _value(name: str, declared: str, not_null: bool) -> str:
    """SQL for one column's pair: ``,"name",value``, or nothing when it is NULL. A real
    is written with 17 significant digits and always a decimal point (exact, and never
    the same text as an integer), an integer as its digits, a text as a JSON string.
    The tables are STRICT, so a column's declared type is its values' type and the
    value's own type need not be asked row by row (that took a third of a check); any
    other column asks it, a blob written as ``X'..'``. The text is the same whichever
    way it is built: a rebuilt table changes no seal unless a value changed."""
    col = '"' + name.replace('"', '""') + '"'
    label = "'," + json.dumps(name).replace("'", "''") + ",'"
    kind = declared.upper()
    if kind == "REAL":
        value = f"printf('%!.17g', {col})"
    elif kind in ("INTEGER", "TEXT"):
        value = f"json_quote({col})"
    else:
        value = (
            f"CASE typeof({col}) WHEN 'real' THEN printf('%!.17g', {col})"
            f" WHEN 'blob' THEN quote({col}) ELSE json_quote({col}) END"
        )
    if not_null:
        return f"{label} || {value}"
    return f"CASE WHEN {col} IS NULL THEN '' ELSE {label} || {value} END"


@cache
def canonical_sql(table: str, cols: tuple[Column, ...]) -> str:
    """The SQL expression of a row's canonical form: ``["table","name",value,...]`` over
    its non-NULL columns in the order of their names. Built by SQLite, row by row, for
    the save and for ``check`` alike (one definition of the form, at C speed)."""
    head = "'[" + json.dumps(table).replace("'", "''") + "'"
    return " || ".join([head, *(_value(*c) for c in sorted(cols)), "']'"])


def columns(conn: sqlite3.Connection, table: str) -> tuple[Column, ...]:
    """The columns of a record table as the database has them now."""
    return tuple(
        (name, str(declared), bool(not_null))
        for _, name, declared, not_null, _, _ in conn.execute(f"PRAGMA table_info({table})")
    )


def sealed_rows(
    conn: sqlite3.Connection, table: str, cols: tuple[Column, ...], after: int = 0
) -> Iterator[tuple[int, bytes]]:
    """(id, seal) of each row of ``table`` with an id above ``after``, in id order.

    The canonical form is hashed as the bytes the file holds (a cast to BLOB): the same
    bytes as its UTF-8 text, but a row whose text is not valid UTF-8 (a byte changed on
    disk) is still read, and no longer matches its seal, instead of stopping the check."""
    sha = hashlib.sha256
    cur = conn.execute(
        f"SELECT id, CAST({canonical_sql(table, cols)} AS BLOB) FROM {table}"
        " WHERE id > ? ORDER BY id",
        (after,),
    )
    for rid, form in cur:
        yield rid, sha(form).digest()


def not_utf8(
    conn: sqlite3.Connection, table: str, row_id: int, cols: tuple[Column, ...]
) -> list[str]:
    """The columns of one row of ``table`` whose text is not valid UTF-8."""
    names = [name for name, declared, _ in cols if declared.upper() not in ("INTEGER", "REAL")]
    if not names:
        return []
    quoted = ", ".join('CAST("' + n.replace('"', '""') + '" AS BLOB)' for n in names)
    row = conn.execute(f"SELECT {quoted} FROM {table} WHERE id = ?", (row_id,)).fetchone()
    out = []
    for name, value in zip(names, row or (), strict=False):
        try:
            bytes(value or b"").decode("utf-8")
        except UnicodeDecodeError:
            out.append(name)
    return out


def seal_of(conn: sqlite3.Connection, table: str, row_id: int) -> bytes:
    """The seal of one row as it stands (for tests and tools)."""
    return next(sealed_rows(conn, table, columns(conn, table), row_id - 1))[1]


def removal_seal(table: str, row_id: int) -> bytes:
    """The seal that says a row was removed by sessionlog (a replaced protocol)."""
    return hashlib.sha256(json.dumps(["removed", table, row_id]).encode("utf-8")).digest()


def digest(seals: Iterable[bytes]) -> str:
    """The digest an audit row holds of the seals it wrote, given in (table, id) order."""
    h = hashlib.sha256()
    for seal in seals:
        h.update(seal)
    return h.hexdigest()


_MAX_IDS = "SELECT " + ", ".join(f"coalesce((SELECT max(id) FROM {t}), 0)" for t in RECORD_TABLES)
_MAX_SEALED = "SELECT " + ", ".join(
    f"coalesce((SELECT max(row_id) FROM record_seal WHERE tbl = '{t}'), 0)" for t in RECORD_TABLES
)


class Sealing:
    """One store's view of where the record tables end, kept between its transactions.

    ``begin`` notes, as a write transaction starts, the highest id of each table: only
    rows above it are this transaction's to seal. Reading that (ten index seeks, ~0.1 ms)
    is skipped when no other connection has committed since this one's last transaction
    (``PRAGMA data_version`` unchanged): the ids are then the ones it left itself."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.marks: Marks = {}
        self.schema: int | None = None
        self.names: dict[str, tuple[Column, ...]] = {}

    def columns(self, conn: sqlite3.Connection) -> dict[str, tuple[Column, ...]]:
        """Every record table's columns, read again only when the schema changed."""
        schema = conn.execute("PRAGMA schema_version").fetchone()[0]
        if schema != self.schema:
            self.names = {t: columns(conn, t) for t in RECORD_TABLES}
            self.schema = schema
        return self.names


# The open write transaction of each connection (sqlite3 connections cannot be weakly
# referenced: an entry lives from begin() to end()).
_OPEN: dict[int, Sealing] = {}


def max_ids(conn: sqlite3.Connection) -> Marks:
    """The highest id in each record table."""
    return dict(zip(RECORD_TABLES, conn.execute(_MAX_IDS).fetchone(), strict=True))


def max_sealed(conn: sqlite3.Connection) -> Marks:
    """The highest sealed id of each record table (a removed protocol's included)."""
    return dict(zip(RECORD_TABLES, conn.execute(_MAX_SEALED).fetchone(), strict=True))


def begin(conn: sqlite3.Connection, sealing: Sealing) -> None:
    """A write transaction begins on ``conn``: note where the record tables end."""
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    if version != sealing.version or not sealing.marks:
        sealing.marks = max_ids(conn)
        sealing.version = version
    _OPEN[id(conn)] = sealing


def prepare(conn: sqlite3.Connection, sealing: Sealing) -> None:
    """Read the columns and compile the union :func:`seal_rows` runs (no row is above
    the tables' ends, so it returns none): the first transaction then finds both."""
    names = sealing.columns(conn)
    tables = tuple(sorted(names))
    ends = max_ids(conn)
    conn.execute(_union(tuple((t, names[t]) for t in tables)), [ends[t] for t in tables]).fetchall()


def end(conn: sqlite3.Connection, sealing: Sealing, *, committed: bool) -> None:
    """The write transaction on ``conn`` is over; after a rollback the ids are read again."""
    _OPEN.pop(id(conn), None)
    if not committed:
        sealing.marks = {}


def open_marks(conn: sqlite3.Connection) -> Marks | None:
    """The ids each record table had when ``conn``'s write transaction began (the rows
    above are its own), or None when no transaction was begun by :func:`begin`."""
    sealing = _OPEN.get(id(conn))
    return None if sealing is None else dict(sealing.marks)


def note_sealed(conn: sqlite3.Connection, ends: Mapping[str, int]) -> bool:
    """The caller seals, itself, its transaction's rows up to ``ends`` (the last id per
    table) under the audit row it appends next (``audit.append(sealed=...)``); False,
    and nothing noted, when ``conn`` has no write transaction begun by :func:`begin`."""
    sealing = _OPEN.get(id(conn))
    if sealing is None:
        return False
    for table, rid in ends.items():
        if rid > sealing.marks.get(table, 0):
            sealing.marks[table] = rid
    return True


@cache
def _union(names: tuple[tuple[str, tuple[Column, ...]], ...]) -> str:
    """One statement giving (table, id, canonical form) of every record row above the
    given ids, in (table, id) order: ten index seeks, whatever was written."""
    return " UNION ALL ".join(
        f"SELECT * FROM (SELECT '{t}', id, {canonical_sql(t, cols)} FROM {t}"
        " WHERE id > ? ORDER BY id)"
        for t, cols in sorted(names)
    )


CHUNK = 5_000  # seals per executemany call: an import's are never all held at once


def seal_rows(
    conn: sqlite3.Connection,
    marks: Marks | None,
    names: Mapping[str, tuple[Column, ...]],
    removed: Sequence[tuple[str, int]],
    audit_id: int,
) -> tuple[int, str]:
    """Seal, under the audit row ``audit_id`` (about to be written), the rows above
    ``marks`` (ids per table, moved up to the last row sealed; None: no rows) and the
    ``removed`` (table, id) rows. Returns how many and their digest, in (table, id)
    order. The rows alone (every save, every import) are sealed by one INSERT ... SELECT
    (:func:`_seal_in_sql`); with removed rows, or should that refuse, row by row here,
    streamed: an import's rows are read and sealed a chunk at a time."""
    if marks is not None and not removed:
        sealed = _seal_in_sql(conn, marks, names, audit_id)
        if sealed is not None:
            return sealed
    sha = hashlib.sha256
    rows: Iterable[tuple[str, int, bytes]] = ()
    if marks is not None:
        tables = tuple(sorted(names))
        cur = conn.execute(
            _union(tuple((t, names[t]) for t in tables)), [marks.get(t, 0) for t in tables]
        )
        rows = ((t, rid, sha(text.encode("utf-8")).digest()) for t, rid, text in cur)
    if removed:
        rows = heapq.merge(rows, sorted((t, rid, removal_seal(t, rid)) for t, rid in removed))
    h = hashlib.sha256()
    count = 0
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        for table, rid, seal in chunk:
            h.update(seal)
            if marks is not None and rid > marks.get(table, 0):
                marks[table] = rid
        count += len(chunk)
        conn.executemany(
            "INSERT INTO record_seal (tbl, row_id, audit_id, hash) VALUES (?, ?, ?, ?)",
            [(t, rid, audit_id, seal) for t, rid, seal in chunk],
        )
    return count, h.hexdigest()


SEAL_FUNCTION = "sessionlog_seal"
_sha256 = hashlib.sha256


class _Sink:
    """The SQL function ``sessionlog_seal(table, id, canonical form)`` of one connection:
    gives the row's seal and adds it to the digest. The rows must come in (table, id)
    order, as the digest is defined; one out of order makes the statement fail (and
    :func:`seal_rows` seal row by row instead)."""

    __slots__ = ("digest", "count", "last", "ends")

    def __init__(self) -> None:
        self.start()

    def start(self) -> None:
        self.digest = hashlib.sha256()
        self.count = 0
        self.last: tuple[str, int] = ("", 0)
        self.ends: Marks = {}

    def __call__(self, table: str, rid: int, text: str) -> bytes:
        key = (table, rid)
        if key <= self.last:
            raise ValueError(f"seal out of (table, id) order at {key}")
        self.last = key
        self.ends[table] = rid
        seal = _sha256(text.encode()).digest()
        self.digest.update(seal)
        self.count += 1
        return seal


# Each connection's function, registered once (registering a name again would expire
# every statement the connection has prepared); keyed like _OPEN. A new connection that
# reuses a closed one's id is found out by "no such function" and registered then.
_SINKS: dict[int, _Sink] = {}


def _sink(conn: sqlite3.Connection, fresh: bool = False) -> _Sink:
    sink = None if fresh else _SINKS.get(id(conn))
    if sink is None:
        sink = _SINKS[id(conn)] = _Sink()
        conn.create_function(SEAL_FUNCTION, 3, sink)
    return sink


def forget(conn: sqlite3.Connection) -> None:
    """``conn`` is closing: its seal function goes with it."""
    _SINKS.pop(id(conn), None)


@cache
def _insert_seals(names: tuple[tuple[str, tuple[Column, ...]], ...]) -> str:
    return (
        f"WITH fresh (tbl, id, form) AS ({_union(names)})"
        " INSERT INTO record_seal (tbl, row_id, audit_id, hash)"
        f" SELECT tbl, id, ?, {SEAL_FUNCTION}(tbl, id, form) FROM fresh"
    )


# The last mapping of columns :func:`_seal_statement` was given, with its answer: a
# store's Sealing hands the same mapping to every save (a new one when the schema
# changes), and finding the statement in _insert_seals' cache hashed every column
# of every record table on each save. The mapping is never changed in place.
_LAST_STATEMENT: list[tuple[Mapping[str, tuple[Column, ...]], tuple[str, ...], str]] = []


def _seal_statement(names: Mapping[str, tuple[Column, ...]]) -> tuple[tuple[str, ...], str]:
    """The record tables in (table) order and the statement sealing their new rows."""
    last = _LAST_STATEMENT[0] if _LAST_STATEMENT else None
    if last is not None and last[0] is names:
        return last[1], last[2]
    tables = tuple(sorted(names))
    sql = _insert_seals(tuple((t, names[t]) for t in tables))
    _LAST_STATEMENT[:] = [(names, tables, sql)]
    return tables, sql


def _seal_in_sql(
    conn: sqlite3.Connection, marks: Marks, names: Mapping[str, tuple[Column, ...]], audit_id: int
) -> tuple[int, str] | None:
    """:func:`seal_rows` of the rows above ``marks`` as one statement: SQLite reads each
    row's canonical form and writes its seal, Python only hashes (an import's million
    rows: ~35% less CPU than fetching them and writing the seals with executemany).
    None when the statement refused (rows out of order): nothing of it was written."""
    tables, sql = _seal_statement(names)
    params = [*(marks.get(t, 0) for t in tables), audit_id]
    sink = _sink(conn)
    sink.start()
    try:
        try:
            conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            if SEAL_FUNCTION not in str(exc) or "no such function" not in str(exc):
                raise
            sink = _sink(conn, fresh=True)  # a new connection where a closed one was
            conn.execute(sql, params)
    except sqlite3.OperationalError as exc:
        if "user-defined function raised exception" not in str(exc):
            raise
        return None  # the statement was undone: seal row by row
    for table, rid in sink.ends.items():
        if rid > marks.get(table, 0):
            marks[table] = rid
    return sink.count, sink.digest.hexdigest()


def seal_pending(
    conn: sqlite3.Connection, removed: Sequence[tuple[str, int]], audit_id: int
) -> tuple[int, str]:
    """What an audit row about to be appended on ``conn`` seals: the rows its transaction
    wrote (none when no transaction was begun through :func:`begin`), and ``removed``."""
    sealing = _OPEN.get(id(conn))
    if sealing is None:
        return seal_rows(conn, None, {}, removed, audit_id) if removed else (0, "")
    return seal_rows(conn, sealing.marks, sealing.columns(conn), removed, audit_id)


def seal_existing(conn: sqlite3.Connection, *, at: str, reason: str) -> int:
    """Seal every record row that has no seal yet, with one audit row saying so (none
    when there is nothing to seal). The caller holds the transaction. Returns how many
    rows were sealed. For the migration that introduced seals and for generated data."""
    from . import audit

    last = conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
    # A migration before a record table's own (0005 before 0010's scale_reading) seals
    # the tables there are; the later table's rows are sealed as they are written.
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    names = {t: columns(conn, t) for t in RECORD_TABLES if t in present}
    count, digest_hex = seal_rows(conn, max_sealed(conn), names, (), last + 1)
    if not count:
        return 0
    audit.append(
        conn,
        at=at,
        actor_id=None,
        action="seal",
        entity="database",
        entity_id=None,
        detail={"reason": reason},
        sealed=(count, digest_hex),
    )
    return count


def migrate(conn: sqlite3.Connection) -> None:
    """The Python half of migration 0005: seal the rows of an existing database once."""
    seal_existing(
        conn,
        at=datetime.now().replace(microsecond=0).isoformat(sep=" "),
        reason=(
            "schema 0005: the record rows already here were sealed as they stood when"
            " this sessionlog first opened the database"
        ),
    )
