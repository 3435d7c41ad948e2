"""The home screen's three lists: the patients, today's sessions, the patient's sessions.

Plain functions that build and fill the tables from the rows the home screen read
(``screens/home.py`` reads the store and calls them): each list is a table that draws
its own box and title, its rows keyed so that the screen's actions find the record and
the patient (``record:patient``, with ``:void`` on a voided session). The two lists
below the patients start as empty boxes of the same size (:func:`slot`) and become
tables after the first frame.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.coordinate import Coordinate
from textual.widget import Widget
from textual.widgets import DataTable, Static

from ...domain.text import clean_text
from ..safe import plain
from ..tables import FitTable, technique_name
from ..widgets.list_table import ListTable

PATIENT_COLUMNS = ("Chart", "Name", "Born", "Last visit")
# The long columns of variable width come last: on a narrow terminal they are the ones
# cut, not the pain scores.
TODAY_COLUMNS = ("Time", "Chart", "Patient", "Pain", "Technique", "Sites")
SESSION_COLUMNS = ("Date", "Technique", "Pain", "By", "Ver", "Sites")
COMPLAINT = ("Complaint",)  # after the date, for a patient with two episodes listed


def pain(row: Mapping[str, Any]) -> str:
    """Pain before and after, ``6->2`` (``6->`` before an after is recorded)."""
    after = "" if row.get("pain_after") is None else row["pain_after"]
    return f"{row['pain_before']}->{after}"


def cut(text: str, room: int) -> str:
    """``text`` in at most ``room`` cells: cut with an ellipsis when longer."""
    return text if cell_len(text) <= room else text[: room - 1].rstrip() + "…"


def sites_summary(targets: str, count: int, room: int) -> str:
    """A session's sites in ``room`` cells: all of them, else how many (a list cut at
    the edge read as fewer sites; the names, "upper trapezius levator scapulae", have
    spaces of their own, so no first few can be picked out)."""
    if len(targets) <= room:
        return targets
    return f"{count} site{'s' * (count != 1)}"


class HomeList(ListTable, FitTable):
    """A list of the home screen: a :class:`ListTable` whose cells of one style are drawn
    without Rich (:class:`FitTable`: the patients list was most of the first frame after
    the sign-in) and, given their columns' widths (:func:`fitted_columns`), measured as
    they go in rather than again when the table is next idle."""


def new_list(table_id: str, title: str, columns: Sequence[str] = ()) -> DataTable[Any]:
    """A list: a table with its own box and its title in the top border."""
    # A box widget and a title widget around each table cost ~10 ms of the first frame.
    table: DataTable[Any] = HomeList(
        id=table_id, classes="box", cursor_type="row", zebra_stripes=True
    )
    table.border_title = title
    if columns:
        table.add_columns(*columns)
    return table


def slot(table_id: str, title: str) -> Static:
    """The box a list will have (its id, so the same rules size it, and its title), empty:
    drawn in the first frame in place of a list that is filled only after it."""
    box = Static(" ", id=table_id, classes="box")
    box.border_title = title
    return box


async def mount_lists(screen: Widget, before: Widget) -> None:
    """Today's and the patient's sessions tables mounted in place of their boxes (the
    first in ``#lists``, the second ``before`` the footer), with no frame between."""
    today = new_list("today", "Today", TODAY_COLUMNS)
    sessions = new_list("patient-sessions", "Sessions", SESSION_COLUMNS)
    with screen.app.batch_update():  # no frame between a box going and its table coming
        await screen.query_one("#today").remove()
        await screen.query_one("#lists").mount(today)
        await screen.query_one("#patient-sessions").remove()
        await screen.mount(sessions, before=before)


def highlighted_key(table: DataTable[Any]) -> str | None:
    """The key of the table's highlighted row (None when it has no rows)."""
    if not table.row_count:
        return None
    return str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)


def row_key(session: Mapping[str, Any]) -> str:
    """Which session (and whose) a row of Today or of the patient's sessions shows: the
    start of its key (the patient's sessions add ``:void`` to a voided one's)."""
    return f"{session['record_id']}:{session['patient_id']}"


def _session_of(key: str) -> str:
    return ":".join(key.split(":")[:2])


def keeps_row(table: DataTable[Any], keys: Sequence[str]) -> bool:
    """Whether the session highlighted in ``table`` is among ``keys`` (:func:`row_key`)
    (or nothing is highlighted): refilled with them, the highlight can stay on it."""
    key = highlighted_key(table)
    return key is None or _session_of(key) in keys


def keeping_row(table: DataTable[Any], fill: Callable[[], None]) -> None:
    """Run ``fill`` (which refills ``table``), then highlight the session that was (by
    its key, voided since or not) when it is still there."""
    key = highlighted_key(table)
    fill()
    if key is None:
        return
    for i, row in enumerate(table.rows):
        if _session_of(str(row.value)) == _session_of(key):
            table.move_cursor(row=i)
            return


def fitted_columns(
    table: DataTable[Any], headings: Sequence[str], cells: Sequence[Sequence[str | Text]]
) -> dict[str, int]:
    """Empty ``table`` and give it the columns ``headings``, each as wide as its widest
    cell of ``cells`` (the rows about to go in) or its heading. Measured by the table when
    next idle, the columns were drawn at their headings' widths until then: the first
    frame after the sign-in cut every name ("Mari"), and the patient's sessions after a
    save stayed so ("2026", "Acupunctu"). Returns each heading's width (see
    :func:`measured`)."""
    table.clear(columns=True)
    widths = {h: max([cell_len(h), *(_width(r[i]) for r in cells)]) for i, h in enumerate(headings)}
    for heading, width in widths.items():
        table.add_column(heading, width=width, key=heading)
    return widths


def measured(table: DataTable[Any], widths: dict[str, int]) -> None:
    """The rows now in ``table`` went in with their columns' ``widths``
    (:func:`fitted_columns`), one line each: a :class:`HomeList` does not measure them
    again through Rich when next idle (the patients list: 48 cells, 10-15 ms after
    the first frame)."""
    if isinstance(table, FitTable):
        table.measured(widths)


def _width(text: str | Text) -> int:
    """The cells ``text`` takes on the terminal (a wide character takes two)."""
    return text.cell_len if isinstance(text, Text) else cell_len(text)


def fill_today(table: DataTable[Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """Today's sessions, earliest first, and how many in the title."""
    table.clear()
    for s in rows:
        table.add_row(
            str(s["started_at"])[11:16],
            plain(s["chart_id"]),
            plain(s["patient_name"]),
            pain(s),
            technique_name(s["technique"]),
            str(s["site_count"]),
            key=row_key(s),
        )
    table.border_title = f"Today: {len(rows)} session{'s' * (len(rows) != 1)}"


def fill_patients(
    table: DataTable[Any], rows: Sequence[Mapping[str, Any]], title: str, select: int | None
) -> None:
    """The patients listed under ``title``; ``select`` highlighted when among them."""
    cells = [
        [
            plain(p["chart_id"]),
            plain(p["name"]),
            Text(str(p.get("birth_year") or "")),
            Text(str(p.get("last_visit") or "")[:10]),
        ]
        for p in rows
    ]
    widths = fitted_columns(table, PATIENT_COLUMNS, cells)
    for p, row in zip(rows, cells, strict=True):
        table.add_row(*row, key=str(p["id"]))
    measured(table, widths)
    table.border_title = plain(title)
    if select is not None and str(select) in [k.value for k in table.rows]:
        table.move_cursor(row=table.get_row_index(str(select)))


def fill_sessions(
    table: DataTable[Any],
    patient: Mapping[str, Any] | None,
    rows: Sequence[Mapping[str, Any]],
    width: int,
    names: Mapping[int, str] | None = None,
) -> None:
    """The patient's sessions, newest first, voided ones marked (``rows``: none without
    a patient), each site list fitted to what ``width`` cells leave for it. Their
    episodes of care (``names``: by id, :func:`~sessionlog.services.episodes.short_names`)
    are said once the rows are of two (or some of one and some of none: ``-``), each cut
    to a sixth of the width so that pain, the void mark and the sites stay in sight."""
    cursor = table.cursor_row
    title = "Sessions"
    names = names or {}
    said = len({s["episode_id"] for s in rows}) > 1
    columns = SESSION_COLUMNS[:1] + COMPLAINT + SESSION_COLUMNS[1:] if said else SESSION_COLUMNS
    room = max(10, width // 6)
    cells = [
        [
            str(s["started_at"])[:16],
            *([cut(clean_text(names.get(s["episode_id"] or 0, "-")), room)] if said else []),
            technique_name(s["technique"]),
            pain(s),
            clean_text(str(s["practitioner_name"])),
            "void" if s["status"] == "void" else str(s["version"]),
            s["targets"] or "",
        ]
        for s in rows
    ]
    room = sites_room(table, cells, width, columns)
    for row, session in zip(cells, rows, strict=True):
        row[-1] = sites_summary(clean_text(row[-1]), session["site_count"], room)
    widths = fitted_columns(table, columns, cells)
    if patient is not None:
        # Voided sessions too, marked, so that they can be reviewed (F3, Enter).
        live = sum(s["status"] != "void" for s in rows)
        title = f"Sessions of {patient['chart_id']} {patient['name']}: {live}"
        title += f" (+{len(rows) - live} void)" if live < len(rows) else ""
        for s, (started, *middle, by, version, sites) in zip(rows, cells, strict=True):
            void = s["status"] == "void"
            table.add_row(
                Text(started, style="strike dim" if void else ""),
                *middle,
                Text(by),
                Text("void", style="bold red") if void else version,
                Text(sites),
                key=row_key(s) + (":void" if void else ""),
            )
        measured(table, widths)
        if rows:
            table.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
    table.border_title = plain(title)


def sites_room(
    table: DataTable[Any], cells: list[list[str]], width: int, columns: Sequence[str]
) -> int:
    """The cells left for the Sites column (the last of ``columns``) after the others
    (each with its padding), less a scrollbar's: at 80 columns the site list ran off the
    right edge."""
    width = table.region.width or width
    width -= table.styles.gutter.width + table.styles.scrollbar_size_vertical
    others = sum(
        max([len(h), *(len(row[i]) for row in cells)]) + 2 * table.cell_padding
        for i, h in enumerate(columns[:-1])
    )
    return width - others - 2 * table.cell_padding
