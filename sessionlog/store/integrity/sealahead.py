"""Seals computed ahead, in a second process, while an import writes its rows.

An import into a new database seals about a million rows. SQLite building each row's
canonical form (``seal.canonical_sql``) and Python hashing it took a fifth of the
import, on one core, after the rows were in. Here a child process (forked once the
rows to write are known, so it shares them) builds the same canonical form in Python
from the values about to be inserted, hashes it, and hands back (id, seal) pairs
through shared memory while the parent inserts; the parent then only writes the seal
rows.

The form is the one :func:`seal.canonical_sql` defines, byte for byte: a text through
the JSON encoder's own quoting (equal to SQLite's ``json_quote`` for every code point:
``tests/store/test_sealahead.py`` holds them equal), an integer as its digits, a real
through SQLite's own ``printf('%!.17g')`` (asked once per distinct value). Any value
outside that (a type the STRICT column would convert, a NaN, a column the rows lack)
makes the child give up, and the rows are sealed in SQL as before: this is a shortcut,
never a second definition.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import mmap
import os
import sqlite3
import struct
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from . import seal
from .seal import Column

RECORD = struct.Struct("<q32s")  # (row id, seal) as the child writes them
SHARED_MIN_ROWS = 20_000  # fewer rows: sealing in SQL costs less than a fork
# Rows of each table whose seal from the child is checked against SQL's own before any
# is kept: a form that differed anywhere common (a quoting rule, a real's digits) would
# show in a few hundred rows, and the import then seals in SQL instead.
SAMPLE = 256
_GIVEN = "sessionlog_seal_given"
# The rows of one table above the ids it had (the ids of the rows the child sealed).
_INSERT = (
    "INSERT INTO record_seal (tbl, row_id, audit_id, hash)"
    f" SELECT ?, id, ?, {_GIVEN}(id) FROM {{table}} WHERE id > ? ORDER BY id"
)

Batch = tuple[str, Sequence[str], Iterable[Sequence[Any]]]
Form = Callable[[Sequence[Any]], str]


class Unsupported(ValueError):
    """A value the Python form does not build (SQLite would convert or drop it)."""


def _integer(v: Any) -> str:
    if type(v) is not int and type(v) is not bool:
        raise Unsupported(f"not an integer: {v!r}")
    return int.__repr__(v)


def _reals() -> Callable[[Any], str]:
    """A REAL value's text, by SQLite's own printf (once per distinct value)."""
    mem = sqlite3.connect(":memory:")
    known: dict[float, str] = {}

    def real(v: Any) -> str:
        text = known.get(v)
        if text is None:
            if type(v) is int and abs(v) < 2**53:
                v = float(v)  # a STRICT REAL column stores an integer as a real
            if type(v) is not float or not math.isfinite(v):
                raise Unsupported(f"not a finite real: {v!r}")
            text = known[v] = mem.execute("SELECT printf('%!.17g', ?)", (v,)).fetchone()[0]
        return text

    return real


def _text(v: Any) -> str:
    if type(v) is not str:
        raise Unsupported(f"not a text: {v!r}")
    return json.encoder.encode_basestring(v)


def row_form(
    table: str, cols: Sequence[Column], order: Sequence[str], real: Callable[[Any], str]
) -> Form:
    """The canonical form of a row of ``table`` given as values in ``order``: the text
    ``seal.canonical_sql(table, cols)`` builds in SQLite from the stored row."""
    if sorted(order) != sorted(c[0] for c in cols):
        raise Unsupported(f"{table}: the rows do not give every column")
    where = {name: i for i, name in enumerate(order)}
    kinds = {"INTEGER": _integer, "TEXT": _text, "REAL": real}
    spec = []
    for name, declared, _ in sorted(cols):
        encode = kinds.get(declared.upper())
        if encode is None:
            raise Unsupported(f"{table}.{name}: a column of type {declared!r}")
        spec.append(("," + json.dumps(name) + ",", where[name], encode))
    head = "[" + json.dumps(table)

    def form(row: Sequence[Any]) -> str:
        out = [head]
        for label, i, encode in spec:
            v = row[i]
            if v is not None:
                out.append(label)
                out.append(encode(v))
        out.append("]")
        return "".join(out)

    return form


def _fill(
    buf: mmap.mmap, batches: Sequence[Batch], names: Mapping[str, tuple[Column, ...]]
) -> tuple[int, str]:
    """(The child) every row's (id, seal) into ``buf``, tables in name order, ids
    rising; returns the count and the digest, as ``seal.seal_rows`` would."""
    sha = hashlib.sha256
    real = _reals()
    digest = sha()
    count = 0
    pack = RECORD.pack_into
    for table, order, rows in sorted(batches, key=lambda b: b[0]):
        form = row_form(table, names[table], order, real)
        key = list(order).index("id")
        last = 0
        for row in rows:
            rid = row[key]
            if type(rid) is not int or rid <= last:
                raise Unsupported(f"{table}: ids not rising at {rid!r}")
            last = rid
            value = sha(form(row).encode("utf-8")).digest()
            digest.update(value)
            pack(buf, RECORD.size * count, rid, value)
            count += 1
    return count, digest.hexdigest()


def seals_of(
    conn: sqlite3.Connection,
    table: str,
    order: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    exact: bool = False,
) -> list[tuple[int, bytes]]:
    """(id, seal) of each row of ``table`` given as values in ``order`` (rows as they
    would be inserted, not written anywhere), in id order: the seal each would get. The
    Python form of :func:`row_form` (a shortcut); with ``exact``, or for a value outside
    it (:class:`Unsupported`), the form built by SQLite itself (``seal.canonical_sql``)
    from the rows put in a table of the same definition in a scratch database in memory."""
    rows = list(rows)
    key = list(order).index("id")
    cols = seal.columns(conn, table)
    sha = hashlib.sha256
    try:
        if exact:
            raise Unsupported("the exact form asked for")
        form = row_form(table, cols, order, _reals())
        out = [(row[key], sha(form(row).encode("utf-8")).digest()) for row in rows]
    except Unsupported:
        out = _seals_in_sql(conn, table, order, rows, cols)
    if any(type(rid) is not int for rid, _ in out):
        raise Unsupported(f"{table}: an id that is not a whole number")
    out.sort(key=lambda pair: pair[0])
    return out


def _seals_in_sql(
    conn: sqlite3.Connection,
    table: str,
    order: Sequence[str],
    rows: Sequence[Sequence[Any]],
    cols: tuple[Column, ...],
) -> list[tuple[int, bytes]]:
    """:func:`seals_of` by SQLite: the table's own definition (STRICT, its checks) in
    a scratch database, the rows inserted as the import would insert them."""
    (definition,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(definition)
        names = ", ".join('"' + n.replace('"', '""') + '"' for n in order)
        scratch.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(order))})", rows
        )
        return list(seal.sealed_rows(scratch, table, cols))
    finally:
        scratch.close()


class SealsAhead:
    """The child process sealing the rows an import is about to write."""

    def __init__(self, pid: int, fd: int, buf: mmap.mmap, tables: dict[str, int]) -> None:
        self.pid, self.fd, self.buf, self.tables = pid, fd, buf, tables
        self.running = True
        self.done = False

    @classmethod
    def start(
        cls, conn: sqlite3.Connection, batches: Sequence[Batch], counts: Mapping[str, int]
    ) -> SealsAhead | None:
        """Fork the child over ``batches`` (each table's rows, as about to be inserted:
        the child iterates its own copy); None when it is not worth it or not possible."""
        total = sum(counts.values())
        # With another thread running (the app's), a fork could copy a lock it holds.
        if total < SHARED_MIN_ROWS or not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        names = {t: seal.columns(conn, t) for t, _, _ in batches}
        tables = {t: counts.get(t, 0) for t, _, _ in sorted(batches, key=lambda b: b[0])}
        buf = mmap.mmap(-1, RECORD.size * total)
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the child: measured by the parent's result)
            status = 1
            try:
                os.close(rfd)
                count, digest = _fill(buf, batches, names)
                os.write(wfd, f"{count} {digest}".encode())
                status = 0
            except BaseException:
                pass
            finally:
                os._exit(status)  # no cleanup: the parent's connection is not ours
        os.close(wfd)
        return cls(pid, rfd, buf, tables)

    def _result(self) -> tuple[int, str] | None:
        with os.fdopen(self.fd, "rb") as pipe:
            answer = pipe.read().decode()
        _, status = os.waitpid(self.pid, 0)
        self.running = False
        if status != 0 or not answer:
            return None
        count, digest = answer.split()
        if int(count) != sum(self.tables.values()):
            return None
        return int(count), digest

    def finish(self, conn: sqlite3.Connection, audit_id: int) -> tuple[int, str] | None:
        """Wait for the child and write its seals under ``audit_id`` (the audit row about
        to be appended); the count and digest for that row, or None (nothing written:
        the child gave up, so the rows are to be sealed in SQL). The child is done with
        either way; the seals stay readable by :meth:`pairs` until :meth:`close`."""
        try:
            result = self._result()
            if result is None or not self._write(conn, audit_id):
                return None
            seal.note_sealed(conn, dict(self._ends()))
            self.done = True
            return result
        finally:
            if self.running:
                self.close()

    def wait(self) -> bool:
        """Wait for the child, for :meth:`pairs` (nothing is written); False when it
        gave up (the caller then seals otherwise: :func:`seals_of`)."""
        if self.running:
            self.done = self._result() is not None
        return self.done

    def pairs(self, table: str) -> Iterator[tuple[int, bytes]]:
        """(id, seal) of ``table``'s rows as the child sealed them, in id order (after
        :meth:`wait` said True; read from the shared memory, until :meth:`close`)."""
        at = 0
        for name, n in self.tables.items():
            if name == table:
                part = self.buf[RECORD.size * at : RECORD.size * (at + n)]
                return RECORD.iter_unpack(part)
            at += n
        return iter(())

    def _ends(self) -> Iterator[tuple[str, int]]:
        at = 0
        for table, n in self.tables.items():
            at += n
            if n:
                yield table, RECORD.unpack_from(self.buf, RECORD.size * (at - 1))[0]

    def _write(self, conn: sqlite3.Connection, audit_id: int) -> bool:
        """One INSERT ... SELECT per table, its rows' ids read by SQLite and each seal
        taken from the child's (id, seal) at the same place (the ids must agree): no
        Python tuple per row. False, and nothing written, if any does not agree."""
        marks = seal.open_marks(conn)
        if marks is None:
            return False
        buf, size = self.buf, RECORD.size
        at = [0]
        unpack = RECORD.unpack_from

        def given(rid: int) -> bytes:
            got, value = unpack(buf, at[0])
            if got != rid:
                raise ValueError(f"seal of row {got} given for row {rid}")
            at[0] += size
            return value  # type: ignore[no-any-return]

        conn.create_function(_GIVEN, 1, given, deterministic=False)
        conn.execute("SAVEPOINT seals_ahead")
        try:
            for table, n in self.tables.items():
                if n:
                    end = at[0] + n * size
                    conn.execute(
                        _INSERT.format(table=table), (table, audit_id, marks.get(table, 0))
                    )
                    if at[0] != end:
                        raise ValueError(f"{table}: {(end - at[0]) // size} seals left over")
                    _check_sample(conn, table, audit_id, marks.get(table, 0), n)
        except (sqlite3.OperationalError, ValueError):
            conn.execute("ROLLBACK TO seals_ahead")
            return False
        finally:
            conn.execute("RELEASE seals_ahead")
            conn.create_function(_GIVEN, 1, None)
        return True

    def close(self) -> None:
        """Done with the child (or the import failed before its seals were needed):
        end it if it still runs, and free the shared memory."""
        if self.running:
            self.running = False
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
            with contextlib.suppress(OSError):
                os.close(self.fd)
        if not self.buf.closed:
            self.buf.close()


def _check_sample(conn: sqlite3.Connection, table: str, audit_id: int, after: int, n: int) -> None:
    """Raise ValueError unless the seals just written for ``table``'s rows above
    ``after`` agree with SQL's own (:func:`seal.sealed_rows`) on about :data:`SAMPLE`
    of them, spread over the ids, the last one included."""
    step = max(1, n // SAMPLE)
    last = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
    form = seal.canonical_sql(table, seal.columns(conn, table))
    sha = hashlib.sha256
    sql = f"SELECT id, {form} FROM {table} WHERE id > ? AND (id % ? = 0 OR id = ?)"
    ours = {
        rid: sha(text.encode("utf-8")).digest()
        for rid, text in conn.execute(sql, (after, step, last))
    }
    given = dict(
        conn.execute(
            "SELECT row_id, hash FROM record_seal WHERE tbl = ? AND audit_id = ? AND row_id > ?"
            " AND (row_id % ? = 0 OR row_id = ?)",
            (table, audit_id, after, step, last),
        )
    )
    if ours != given:
        raise ValueError(f"{table}: the seals made ahead differ from SQL's")
