"""The import's fast paths (for the plain values a JSON export holds) accept exactly
what the full validators accept and refuse the rest with the full validators' words;
the faster file layout and index handling change nothing that is saved."""

from __future__ import annotations

import gc
import hashlib
import json
import sqlite3
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from trust_clinic import TABLES, clock, dump

from sessionlog.domain.fields import as_datetime, as_int
from sessionlog.domain.text import _BIDI, clean_text
from sessionlog.errors import ValidationError
from sessionlog.exchange import ImportRefused, export, import_file
from sessionlog.exchange.collector import collector_paused
from sessionlog.exchange.rowcheck import MAX_ID, audit_row, ref, when
from sessionlog.exchange.sessioncheck import SiteMemo
from sessionlog.store import Store
from sessionlog.store.integrity.audit import row_hash
from sessionlog.store.rows import stamp

NOW = datetime(2026, 11, 22, 18, 0)


def _loop_clean(value: str, multiline: bool = False) -> str:
    """clean_text's rule character by character (what its fast path must agree with)."""
    keep = {"\n", "\t"} if multiline else set()
    out = []
    for ch in value:
        if ch in keep:
            out.append(ch)
        elif ch in _BIDI:
            continue
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or ch in ("\u2028", "\u2029"):
            if ch in ("\n", "\r", "\t"):
                out.append(" ")
        else:
            out.append(ch)
    return "".join(out).strip()


# Plain text, accents, scripts, emoji, and each kind of character the loop removes.
TRICKY = (
    "aé漢😀\u00a0\u200b\u202e\u2066\u200e\u061c\u2028\u2029"
    + "\x00\x1f\x7f\r\n\t\ue000\U000e0001\u0378"
)


@pytest.mark.parametrize("ch", list(TRICKY))
@pytest.mark.parametrize("multiline", [False, True])
def test_clean_text_fast_path_agrees_with_the_rule(ch: str, multiline: bool) -> None:
    for value in (f"a{ch}b", f" {ch} ", ch, f"Dr {ch}Lee  "):
        assert clean_text(value, multiline=multiline) == _loop_clean(value, multiline)


def test_clean_text_still_removes_a_bidi_override_from_plain_text() -> None:
    assert clean_text("pain \u202eleft\u202c side") == "pain left side"


def _error(fn: Any, *args: Any, **kw: Any) -> str:
    with pytest.raises(ValidationError) as err:
        fn(*args, **kw)
    return f"{err.value.field}: {err.value.message}"


def test_whole_numbers_fast_path_keeps_every_refusal() -> None:
    assert as_int("pain", 7, 0, 10) == 7
    assert as_int("pain", 7.0, 0, 10) == 7  # a float with no fraction, as before
    assert _error(as_int, "pain", True, 0, 10) == (
        "pain: True is not a whole number: a whole number from 0 to 10"
    )
    assert _error(as_int, "pain", 11, 0, 10) == (
        "pain: 11 is out of range: a whole number from 0 to 10"
    )
    assert _error(as_int, "id", 2**63, 1) == (
        f"id: {2**63} is too large: the largest allowed is {2**63 - 1}"
    )


def test_references_fast_path_keeps_every_refusal() -> None:
    assert ref("patient_id", 5) == 5
    assert ref("supersedes_id", None, nullable=True) is None
    assert _error(ref, "patient_id", True) == (
        "patient_id: True is not a whole number: a whole number, 1 or more"
    )
    assert _error(ref, "patient_id", 0) == _error(as_int, "patient_id", 0, 1, MAX_ID)
    assert _error(ref, "patient_id", MAX_ID + 1) == _error(
        as_int, "patient_id", MAX_ID + 1, 1, MAX_ID
    )


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-22 14:30:00",  # the export's own form: the fast path
        "2026-11-22T14:30:00",  # another form of the same moment: normalised
        "2026-W47-1 14:30:00",  # nineteen characters, but an ISO week date
        "2026-11-22 14:30:00.5",
        "2026-11-22 14:30:00+02:00",
        " 2026-11-22 14:30",
        "2026-11-22",
    ],
)
def test_moments_fast_path_gives_what_the_full_check_gives(value: str) -> None:
    assert when("at", value) == stamp(as_datetime("at", value))


@pytest.mark.parametrize("value", ["2026-02-30 10:00:00", "1899-12-31 23:59:59", "yesterday", 5])
def test_moments_fast_path_refuses_with_the_full_message(value: Any) -> None:
    assert _error(when, "recorded_at", value) == _error(as_datetime, "recorded_at", value)


def test_as_datetime_still_drops_zone_and_fraction() -> None:
    moment = as_datetime("at", "2026-11-22 14:30:15.250+02:00")
    assert moment == datetime(2026, 11, 22, 14, 30, 15) and moment.tzinfo is None


def test_the_site_memo_tells_true_from_one() -> None:
    # True == 1 to Python: a remembered site with 1 insertion must not let true through.
    memo = SiteMemo()
    site = {"target": "ST36", "side": "left", "insertions": 1, "retention_s": 600}
    memo(site, "acupuncture")
    bad = {**site, "insertions": True}
    assert _error(memo, bad, "acupuncture", field="sites[2]") == (
        "sites[2].insertions: True is not a whole number: a whole number from 1 to 50"
    )


@pytest.fixture
def doc(clinic: Store, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "clinic.json"
    export(clinic, "json", path)
    return json.loads(path.read_text())


def _import(doc: Any, tmp_path: Path, text: str | None = None) -> Path:
    source = tmp_path / "in.json"
    source.write_text(text if text is not None else json.dumps(doc), "utf-8")
    target = tmp_path / "target.db"
    store = Store.open(target, clock=clock)
    try:
        import_file(source, store)
    finally:
        store.close()
    return target


def _refused(doc: Any, tmp_path: Path) -> list[str]:
    with pytest.raises(ImportRefused) as err:
        _import(doc, tmp_path)
    return [str(p) for p in err.value.problems]


def test_a_site_that_differs_from_an_earlier_one_only_by_true_is_refused(
    doc: dict, tmp_path: Path
) -> None:
    sites = doc["tables"]["site"]
    content = [{k: v for k, v in s.items() if k not in ("id", "session_id", "seq")} for s in sites]
    twin = content.index(content[0], 1)  # the same site again, in another session
    first = sites[0]
    assert first["insertions"] == 1
    sites[twin]["insertions"] = True
    assert _refused(doc, tmp_path) == [
        f"site row {twin + 1}: insertions: True is not a whole number: a whole number from 1 to 50"
    ]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("status", " Active", None),  # forgiven: the full check normalises it
        ("status", "gone", "'gone' is not allowed: one of active, void"),
        ("status", None, "is required: one of active, void"),
        ("recorded_by", True, "True is not a whole number: a whole number, 1 or more"),
        ("recorded_at", "2026-13-01 10:00:00", None),
        ("amend_reason", 5, "5 is not text"),
    ],
)
def test_follow_up_version_columns_keep_their_messages(
    doc: dict, tmp_path: Path, column: str, value: Any, message: str | None
) -> None:
    doc["tables"]["follow_up"][0][column] = value
    if message is None and column == "status":
        target = _import(doc, tmp_path)
        status = sqlite3.connect(target).execute("SELECT status FROM follow_up WHERE id = 1")
        assert status.fetchone()[0] == "active"
        return
    if message is None:
        message = _error(as_datetime, column, value).split(": ", 1)[1]
    assert _refused(doc, tmp_path) == [f"follow_up row 1: {column}: {message}"]


def test_the_export_has_one_row_per_line(clinic: Store, tmp_path: Path) -> None:
    path = tmp_path / "clinic.json"
    export(clinic, "json", path)
    text = path.read_text("utf-8")
    doc = json.loads(text)
    lines = text.splitlines()
    rows = sum(len(r) for r in doc["tables"].values())
    # (a record seal's row begins with its table: it has no id of its own)
    row_lines = [line.rstrip(",") for line in lines if line.startswith(('{"id":', '{"tbl":'))]
    assert len(row_lines) == rows  # every row on a line of its own, compact
    everyone = [row for table in doc["tables"].values() for row in table]
    assert [json.loads(line) for line in row_lines] == everyone
    assert (lines[0], lines[-1]) == ("{", "}")


def test_an_indented_export_of_before_still_imports(
    clinic: Store, doc: dict, tmp_path: Path
) -> None:
    before = dump(clinic.conn)
    target = _import(doc, tmp_path, json.dumps(doc, ensure_ascii=False, indent=1))
    after = dump(target)
    for table in TABLES:
        if table != "audit_log":
            assert after[table] == before[table], table


def _indexes(db: Path | sqlite3.Connection) -> list[tuple[str, str]]:
    conn = db if isinstance(db, sqlite3.Connection) else sqlite3.connect(db)
    return conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    ).fetchall()


def test_indexes_built_after_an_import_into_a_new_database_are_the_same(
    doc: dict, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.db"
    Store.open(fresh, clock=clock).close()
    target = _import(doc, tmp_path)
    assert _indexes(target) == _indexes(fresh)
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM session WHERE patient_id = 1 ORDER BY started_at"
    ).fetchall()
    assert "session_patient_time" in str(plan)


def test_a_refused_write_leaves_every_index_in_place(
    clinic: Store, doc: dict, tmp_path: Path
) -> None:
    target = tmp_path / "target.db"
    store = Store.open(target, clock=clock)
    store.close()
    before = _indexes(target)
    # A file that passes every check, then fails inside the transaction (after the
    # indexes were dropped): here a trigger of the test's own refuses the follow-ups.
    conn = sqlite3.connect(target)
    conn.execute(
        "CREATE TRIGGER t_fail BEFORE INSERT ON follow_up BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    conn.commit()
    conn.close()
    with pytest.raises(sqlite3.DatabaseError):
        _import(doc, tmp_path)
    assert _indexes(target) == before
    assert sqlite3.connect(target).execute("SELECT count(*) FROM session").fetchone() == (0,)


def test_the_collector_resumes_after_an_import(doc: dict, tmp_path: Path) -> None:
    assert gc.isenabled()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    _import(doc, tmp_path)
    assert gc.isenabled()
    doc["tables"]["session"][0]["pain_before"] = 11
    with pytest.raises(ImportRefused):
        _import(doc, tmp_path)
    assert gc.isenabled()


def _audit(**change: Any) -> dict[str, Any]:
    row = {
        "at": "2026-11-22 14:30:00",
        "actor_id": 1,
        "action": "create",
        "entity": "session",
        "entity_id": 3,
        "detail": "{}",
        "prev_hash": "0" * 64,
        "hash": "a" * 64,
    }
    return {**row, **change}


@pytest.mark.parametrize(
    ("column", "value", "fn", "args"),
    [
        ("actor_id", True, ref, (True,)),
        ("actor_id", 0, ref, (True,)),
        ("entity_id", 2**63, as_int, (-MAX_ID, MAX_ID)),
        ("entity_id", 1.5, as_int, (-MAX_ID, MAX_ID)),
    ],
)
def test_audit_rows_fast_path_keeps_every_refusal(
    column: str, value: Any, fn: Any, args: tuple
) -> None:
    assert audit_row(_audit(), NOW) == _audit()
    assert audit_row(_audit(actor_id=None, entity_id=None), NOW)["actor_id"] is None
    assert _error(audit_row, _audit(**{column: value}), NOW) == _error(fn, column, value, *args)


def test_audit_hash_is_the_documented_json_payload() -> None:
    for detail in ('{"note":"é, 漢"}', "{}"):
        args = ("0" * 64, "2026-11-22 14:30:00", None, "export", "database", None, detail)
        payload = json.dumps(list(args), ensure_ascii=False, separators=(",", ":"))
        assert row_hash(*args) == hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_the_site_memo_tells_a_missing_column_from_a_null_one() -> None:
    # Without insertions a site has 1; with insertions null it is refused.
    memo = SiteMemo()
    site = {"target": "ST36", "side": "left", "retention_s": 600}
    assert memo(site, "acupuncture").insertions == 1
    bad = {**site, "insertions": None}
    assert _error(memo, bad, "acupuncture", field="sites[2]") == (
        "sites[2].insertions: is required: a whole number from 1 to 50"
    )


_FOLLOW_UP = {  # a follow-up as an export writes it, and each column's tricky values
    "id": (1,),
    "patient_id": (3, 0, -1, True, 3.0, "3", None, MAX_ID, MAX_ID + 1),
    "session_record_id": (7, 0, False, "7", None, 7.5),
    "supersedes_id": (None, 1, 0, "", "2", True, MAX_ID + 1),
    "status": ("active", "void", " Active", "VOID", "gone", None, 1),
    "amend_reason": (None, "typo", "", "  ", " why ", "a\tb", "x" * 2001, 5, "\u202eno"),
    "at": (
        "2026-11-20 10:00:00",
        "2026-11-23 17:59:59",
        "2026-11-23 18:00:01",
        "2026-11-20T10:00:00",
        "2026-11-20 10:00",
        "2026-11-20",
        "1899-12-31 10:00:00",
        "2026-11-20 10:00:00+01:00",
        " 2026-11-20 10:00:00",
        "2026-13-01 10:00:00",
        "",
        None,
        5,
    ),
    "pain": (4, 0, 10, 11, -1, True, 4.0, "4", None),
    "soreness": (None, 0, 10, 11, "", "2", False, 2.0),
    "groc": (None, -7, 7, 8, -8, "3", True),
    "notes": (None, "", "better", " better ", "x" * 5000, "x" * 5001, "a\nb", "\x1b[31mx", 9),
    "recorded_by": (1, 0, True, "1", None),
    "recorded_at": ("2026-11-20 11:00:00", "2026-11-20 10:00:00", "2026-11-20T11:00", None, 3),
}


def _check_follow_up(row: tuple[Any, ...], fast: bool, monkeypatch: Any) -> tuple[Any, list[str]]:
    from sessionlog.exchange import sessioncheck
    from sessionlog.exchange.problems import Problems
    from sessionlog.exchange.rowcheck import Checked

    with monkeypatch.context() as m:
        if not fast:
            m.setattr(sessioncheck, "_plain_follow_up", lambda *_: None)
        problems, out = Problems(csv=False), Checked()
        out.numbers = {"follow_up": {1: 1}, "adverse_event": {}}  # type: ignore[dict-item]
        out.seen = {"follow_up": {1}}
        raw: Any = {"follow_up": {1: row}, "adverse_event": {}}
        sessioncheck.check_follow_ups(raw, NOW, problems, out)
    row_out = out.rows["follow_up"].get(1)
    return (tuple(row_out) if row_out else None), [str(p) for p in problems.sorted()]


def test_the_plain_follow_up_fast_path_gives_what_the_full_check_gives(monkeypatch: Any) -> None:
    from sessionlog.exchange import sessioncheck

    plain = tuple(values[0] for values in _FOLLOW_UP.values())
    latest = NOW.replace(day=23)
    assert sessioncheck._plain_follow_up(plain, latest) is not None  # the fast path is taken
    taken = 0
    for at, (column, values) in enumerate(_FOLLOW_UP.items()):
        for value in values:
            for base in (plain, (*plain[:3], 1, "active", "typo", *plain[6:])):  # a correction
                row = (*base[:at], value, *base[at + 1 :])
                fast = sessioncheck._plain_follow_up(row, latest)
                taken += fast is not None
                full = _check_follow_up(row, False, monkeypatch)
                assert _check_follow_up(row, True, monkeypatch) == full, (column, value)
                if fast is not None:
                    assert full == (fast, []), (column, value)
    assert taken > 30


def test_the_ims_memo_gives_the_full_check_and_words_each_problem_on_its_own_row() -> None:
    from sessionlog.domain.validate import parse_ims_finding
    from sessionlog.exchange.sessioncheck import ImsMemo
    from sessionlog.store.rows import ims_values

    memo = ImsMemo()
    first = memo({"id": 1, "session_id": 2, "level": "c4-c5", "coldness": True, "notes": ""})
    again = memo({"id": 7, "session_id": 9, "level": "c4-c5", "coldness": True, "notes": ""})
    assert first is again
    assert first == parse_ims_finding({"level": "c4-c5", "coldness": True, "notes": ""})
    assert memo.values(first) == ims_values(first)
    assert memo({"level": "c4-c5", "coldness": 1, "notes": ""}) == first  # 1 is yes here too
    for field in ("ims_findings[1]", "ims_findings[2]"):  # a problem is never kept
        assert _error(memo, {"level": "C4-C5", "side": "up"}, field=field) == (
            f"{field}.side: 'up' is not allowed: one of left, right, bilateral, midline"
        )


_SESSION = {  # a session as an export writes it, and each column's tricky values
    "id": (1,),
    "record_id": (2, 0, True, "2", None, 2.0, MAX_ID + 1),
    "version": (1, 2, 0, 100_001, True, "1", None),
    "supersedes_id": (None, 5, 0, "", "5", True, MAX_ID + 1),
    "status": ("active", "void", " Active", "VOID", "gone", None, 1),
    "amend_reason": (None, "typo", "", "  ", " why ", "a\tb", "x" * 2001, 5, "\u202eno"),
    "patient_id": (3, 0, -1, True, 3.0, "3", None, 2**63),
    "practitioner_id": (1, 0, True, "1", None),
    "episode_id": (None, 4, 0, "", "4", True, 4.0),
    "started_at": (
        "2026-11-20 10:00:00",
        "2026-11-23 17:59:59",
        "2026-11-23 18:00:01",
        "2026-11-20T10:00:00",
        "2026-11-20 10:00",
        "1899-12-31 10:00:00",
        "2026-11-20 10:00:00+01:00",
        "",
        None,
        5,
    ),
    "technique": (
        "acupuncture",
        "dry_needling",
        "ims",
        "electroacupuncture",
        " Acupuncture",
        "x",
        None,
    ),
    "style": ("", None, "TCM", " TCM ", "x" * 120, "x" * 121, "a\nb", "\u202eno", 5),
    "rationale": ("", None, "why", "x" * 1001, "a\nb", 5),
    "response_sought": ("deqi", "twitch", "none", "Deqi", "", None, "x", 1),
    "consent": (True, 1, False, 0, "yes", None, 1.0),
    "pain_before": (6, 0, 10, 11, -1, True, "6", None, 6.0),
    "pain_after": (None, 3, 11, "", "3", True),
    "pain_during": (None, 2, 11, -1),
    "soreness_after": (None, 1, 11, False),
    "face_to_face_min": (None, 30, 480, 481, -1, "30"),
    "co_interventions": (
        [],
        ["heat"],
        ["heat", "exercise"],
        ["heat", "heat"],
        ["moxa"],
        ["Heat"],
        ["x"],
        "heat",
        None,
        [1],
    ),
    "notes": ("", None, "better", " better ", "x" * 10000, "x" * 10001, "a\nb", "\x1b[31mx", 9),
    "recorded_by": (1, 0, True, "1", None),
    "recorded_at": ("2026-11-20 11:00:00", "2026-11-20T11:00", "", None, 3),
}
_SITE = {  # a site as an export writes it (its content after id, session_id and seq)
    "kind": "acupuncture_point",
    "target": "ST36",
    "side": "left",
    "insertions": 1,
    "depth_value": None,
    "depth_unit": None,
    "depth_tissue": None,
    "needle_diameter_mm": None,
    "needle_length_mm": None,
    "needle_material": None,
    "stimulation": "none",
    "estim_frequency_hz": None,
    "estim_intensity": None,
    "retention_s": 1200,
    "deqi_obtained": True,
    "deqi_quality": [],
    "twitch_count": None,
    "grasp": None,
    "thorax_risk": False,
    "estim_frequency_2_hz": None,
    "estim_lead": None,
}


def _check_session(
    row: tuple[Any, ...], parts: dict[str, list[dict[str, Any]]], fast: bool, monkeypatch: Any
) -> tuple[Any, ...]:
    """Every row check_sessions keeps, and every problem it words, for one session (id
    1) with ``parts`` (its sites, IMS findings and adverse events)."""
    from sessionlog.exchange import sessioncheck
    from sessionlog.exchange.compact import Packer
    from sessionlog.exchange.problems import Problems
    from sessionlog.exchange.rowcheck import Checked

    packer = Packer()
    raw: Any = {"session": {1: row}}
    numbers: Any = {"session": {1: 1}}
    for table, rows in parts.items():
        raw[table] = {r["id"]: packer.pack(table, dict(r)) for r in rows}
        numbers[table] = {r["id"]: r["id"] for r in rows}
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(sessioncheck, "_plain_session", lambda *_: None)
        problems, out = Problems(csv=False), Checked()
        out.numbers = numbers
        out.seen = {"session": {1}}
        # The same memos for two sessions: the second one finds its sites remembered.
        memo, ims_memo = sessioncheck.SiteMemo(), sessioncheck.ImsMemo()
        m.setattr(sessioncheck, "SiteMemo", lambda: memo)
        m.setattr(sessioncheck, "ImsMemo", lambda: ims_memo)
        kept = []
        for _ in range(2):
            given: Any = {t: dict(rows) for t, rows in raw.items()}
            sessioncheck.check_sessions(given, NOW, problems, out)
            kept.append({t: {k: tuple(v) for k, v in r.items()} for t, r in out.rows.items()})
    return tuple(kept), tuple(str(p) for p in problems.sorted())


def _session_shapes() -> list[dict[str, list[dict[str, Any]]]]:
    site = {"id": 1, "session_id": 1, "seq": 1, **_SITE}
    return [
        {"site": [site], "ims_finding": [], "adverse_event": []},
        {  # two sites, one on the stimulator (lead 1), a finding and an adverse event
            "site": [
                site,
                {**site, "id": 2, "seq": 2, "stimulation": "electrical", "estim_lead": 1},
            ],
            "ims_finding": [{"id": 1, "session_id": 1, "level": "L4", "side": "left"}],
            "adverse_event": [
                {
                    "id": 1,
                    "session_id": 1,
                    "follow_up_id": None,
                    "tier": "mild",
                    "kind": "bruising",
                    "description": "small",
                }
            ],
        },
        {"site": [{**site, "target": "nowhere"}], "ims_finding": [], "adverse_event": []},
        {"site": [], "ims_finding": [], "adverse_event": []},  # none: refused, or a void's
    ]


def _spy_keep_plain(monkeypatch: Any) -> list[bool]:
    from sessionlog.exchange import sessioncheck

    kept: list[bool] = []
    real = sessioncheck._keep_plain

    def spy(*args: Any) -> bool:
        kept.append(real(*args))
        return kept[-1]

    monkeypatch.setattr(sessioncheck, "_keep_plain", spy)
    return kept


def test_a_plain_session_takes_the_fast_path(monkeypatch: Any) -> None:
    from sessionlog.exchange.compact import NAMES

    assert tuple(_SESSION) == NAMES["session"]  # the fast path unpacks the row so
    plain = tuple(values[0] for values in _SESSION.values())
    kept = _spy_keep_plain(monkeypatch)
    for parts in _session_shapes()[:2]:
        kept.clear()
        rows, problems = _check_session(plain, parts, True, monkeypatch)
        assert kept == [False, True]  # the second time its sites are remembered
        assert problems == () and rows[1]["session"][1][9] == "2026-11-20 10:00:00"


@pytest.mark.parametrize("column", list(_SESSION))
def test_the_plain_session_fast_path_gives_what_the_full_check_gives(
    monkeypatch: Any, column: str
) -> None:
    plain = tuple(values[0] for values in _SESSION.values())
    correction = (*plain[:2], 2, 5, "active", "typo", *plain[6:])
    kept = _spy_keep_plain(monkeypatch)
    at = list(_SESSION).index(column)
    shapes = _session_shapes()
    for n, value in enumerate(_SESSION[column]):
        # (A site the catalogue refuses is tried once a column: its message is slow.)
        given = [shapes[i] for i in ((0, 1, 2, 3) if n == 0 else (0, 1, 3))]
        for base, parts in [(plain, p) for p in given] + [(correction, shapes[0])]:
            row = (*base[:at], value, *base[at + 1 :])
            fast = _check_session(row, parts, True, monkeypatch)
            assert fast == _check_session(row, parts, False, monkeypatch), (value, parts["site"])
    assert any(kept) or column == "id"


_READING = {  # a scale reading as an export writes it, and each column's tricky values
    "id": (1,),
    "patient_id": (3, 0, -1, True, 3.0, "3", None, MAX_ID, MAX_ID + 1),
    "session_record_id": (7, 0, False, "7", None, 7.5),
    "follow_up_id": (None, 2, 0, "", "2", True, MAX_ID + 1),
    "supersedes_id": (None, 1, 0, "", "2", True, MAX_ID + 1),
    "status": ("active", "void", " Active", "VOID", "gone", None, 1),
    "amend_reason": (None, "typo", "", "  ", " why ", "a\tb", "x" * 2001, 5, "\u202eno"),
    "scale": ("NDI", "ndi", " NDI", "PSFS", "GROC", "XYZ", "", None, 5),
    "at": (
        "2026-11-20 10:00:00",
        "2026-11-23 17:59:59",
        "2026-11-23 18:00:01",
        "2026-11-20T10:00:00",
        "2026-11-20",
        "1899-12-31 10:00:00",
        " 2026-11-20 10:00:00",
        "",
        None,
        5,
    ),
    "items": (
        [1, 2, 3, 2, 1, 0, 4, 5, 2, 1],
        None,
        [1, 2, 3, 2, 1, 0, 4, 5, 2, None],
        [1, 2, 3, 2, 1, 0, 4, 5, 2, True],
        [1, 2, 3, 2, 1, 0, 4, 5, 2, 1.0],
        [1, 2, 3, 2, 1, 0, 4, 5, 2, "1"],
        [1, 2, 3, 2, 1, 0, 4, 5, 2, 6],
        [1, 2, 3, 2, 1, 0, 4, 5, 2, -1],
        [1, 2, 3],
        [4, 2, 3],
        [1],
        [],
        "1,2,3,2,1,0,4,5,2,1",
        "",
        {"a": 1},
        [[1]],
    ),
    "labels": (
        [],
        None,
        ["walking", "sitting", "driving"],
        [" walking ", "sitting", "driving"],
        ["walking"],
        ["walking", "", "driving"],
        ["walking", 5, "driving"],
        ["walking", "a\tb", "driving"],
        "walking",
        ["x" * 81, "b", "c"],
    ),
    "score": (
        42.0,
        42,
        43.0,
        42.5,
        -0.0,
        0.0,
        0.0001,
        50.0,
        51.0,
        3.0,
        3,
        2.7,
        7.0,
        "42",
        "42.0",
        True,
        None,
        "",
        float("nan"),
        float("inf"),
    ),  # fmt: skip
    "entered_by": ("practitioner", None, "", "patient", " patient", "Patient", "x", 5),
    "recorded_by": (1, 0, True, "1", None),
    "recorded_at": ("2026-11-20 11:00:00", "2026-11-20T11:00", None, 3),
}


def _check_reading(row: tuple[Any, ...], fast: bool) -> tuple[Any, list[str]]:
    from sessionlog.exchange import scalecheck
    from sessionlog.exchange.problems import Problems
    from sessionlog.exchange.rowcheck import Checked, check_simple

    problems, out = Problems(csv=False), Checked()
    out.numbers = {"scale_reading": {1: 1}}  # type: ignore[dict-item]
    raw: Any = {"scale_reading": {1: row}}
    quick = {"scale_reading": scalecheck.plain_reading(NOW)} if fast else None
    check_simple(raw, NOW, problems, out, {"scale_reading": scalecheck.scale_reading_row}, quick)
    row_out = out.rows["scale_reading"].get(1)
    return (tuple(row_out) if row_out else None), [str(p) for p in problems.sorted()]


def test_the_plain_scale_reading_fast_path_gives_what_the_full_check_gives() -> None:
    from sessionlog.exchange import scalecheck
    from sessionlog.exchange.compact import NAMES

    assert tuple(_READING) == NAMES["scale_reading"]  # the fast path unpacks the row so
    plain = tuple(values[0] for values in _READING.values())
    fast = scalecheck.plain_reading(NOW)
    assert fast(plain) == _check_reading(plain, False)[0]  # the fast path is taken
    psfs = {"scale": "PSFS", "items": [4, 2, 3], "score": 3.0, "labels": ["a", "b", "c"]}
    bases = [
        plain,
        (*plain[:4], 1, "active", "typo", *plain[7:]),  # a correction
        tuple(psfs.get(c, v[0]) for c, v in _READING.items()),
        tuple({"scale": "NDI", "items": None}.get(c, v[0]) for c, v in _READING.items()),
        tuple({"scale": "GROC", "items": None}.get(c, v[0]) for c, v in _READING.items()),
    ]
    taken = 0
    for at, (column, values) in enumerate(_READING.items()):
        for value in values:
            for base in bases:
                row = (*base[:at], value, *base[at + 1 :])
                full = _check_reading(row, False)
                got = fast(row)  # the memo too: each row after those before it
                taken += got is not None
                assert _check_reading(row, True) == full, (column, value, base[7])
                if got is not None:
                    assert full == (got, []), (column, value, base[7])
                    assert [type(v) for v in got] == [type(v) for v in full[0]], (column, value)
    assert taken > 60
