"""Commands for the outcomes: ``report`` (one patient) and ``compare`` (the clinic).

Charts are plotext text; colour only when stdout is a terminal (``--color`` forces it).
``--json`` prints every figure with its n and 95% interval instead.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from ..errors import ValidationError, WriteFailed
from .common import Context, echo_json, pass_ctx, table, user_errors
from .identify import identify, identity_option

if TYPE_CHECKING:
    from ..store import Store


def _date(field: str, text: str | None) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(field, f"{text!r} is not a date: use YYYY-MM-DD") from None


def _size(width: int | None, height: int | None, default_height: int) -> tuple[int, int]:
    cols = shutil.get_terminal_size((100, 30)).columns
    return (width or max(60, min(cols, 120)), height or default_height)


def _color(flag: bool | None) -> bool:
    return sys.stdout.isatty() if flag is None else flag


def _heading(text: str) -> None:
    click.echo("")
    click.echo(text)


# `report --json`: the document's version (2: "shape" and per-episode figures; 1, never
# written, had neither) and its shape: "one_episode", the figures under "progress" are
# the patient's; "episodes" (several complaints), the pooled ones are null or empty and
# each complaint's are under progress.episodes[i] (README, "Is the relief lasting?").
REPORT_JSON_VERSION = 2


_SIZE_OPTIONS = [
    click.option("--width", type=click.IntRange(40, 400), help="Chart width (default: terminal)."),
    click.option("--height", type=click.IntRange(8, 200), help="Chart height in lines."),
    click.option("--color/--no-color", default=None, help="Colour the charts (default: on a tty)."),
]


def _with_size(fn: Any) -> Any:
    for option in reversed(_SIZE_OPTIONS):
        fn = option(fn)
    return fn


@click.command()
@click.option(
    "--patient", "patient", required=True, help="Chart id (P0001 in the demo), id or name."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@identity_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "html"]),
    default="text",
    help="html: the take-home report, one self-contained page for A4 (needs -o).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File for --format html.")
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
@_with_size
@pass_ctx
@user_errors
def report(
    ctx: Context,
    patient: str,
    as_json: bool,
    practitioner_ref: str | None,
    fmt: str,
    output: str | None,
    force: bool,
    width: int | None,
    height: int | None,
    color: bool | None,
) -> None:
    """One patient's progress: pain over time, relief per session, whether it lasted,
    and each outcome scale (NDI, ODI, PSFS...) with its important-change line."""
    if fmt == "html":
        from .scales import write_report

        write_report(ctx, patient, output, practitioner_ref, force=force)
        return
    from ..analysis import patient_sentences, to_jsonable
    from ..analysis.table import progress_summary, session_rows
    from ..services.lookup import find_patient
    from ..services.reports import progress_report
    from .scales import scale_json

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    who = find_patient(store, patient)
    progress = progress_report(store, who["id"])
    store.log_access(actor, who["id"], "report", action="report")
    from ..services.take_home import patient_scales

    courses = patient_scales(store, who["id"])
    if as_json:
        echo_json({
            "version": REPORT_JSON_VERSION,
            "shape": "episodes" if len(progress.episodes) > 1 else "one_episode",
            "patient": {"id": who["id"], "chart_id": who["chart_id"], "name": who["name"]},
            "sentences": patient_sentences(progress),
            "summary": progress_summary(progress),
            "progress": to_jsonable(progress),
            "scales": [scale_json(c) for c in courses],
        })  # fmt: skip
        return
    from ..charts import progress_chart

    w, h = _size(width, height, 20)
    click.echo(f"{who['chart_id']}  {who['name']}")
    if progress.sessions:
        click.echo(progress_chart(progress, w, h, _color(color)))
    for line in patient_sentences(progress):
        click.echo(line)
    if courses:
        from ..analysis.activity_words import scale_words
        from ..charts.scales import scale_chart

        _heading("Outcome scales")
        for c in courses:
            click.echo(scale_words(c))
            click.echo(scale_chart(c, w, max(8, h * 2 // 3), _color(color)))
    _heading("Summary")
    for line in progress_summary(progress):
        click.echo(f"  {line}")
    if progress.sessions:
        columns, rows = session_rows(progress)
        _heading("Sessions (pain then, and relief in points, in each window after the session)")
        table(rows, columns)


@click.command()
@click.option("--technique", help="A family (acupuncture, dry_needling, ims) or a technique.")
@click.option("--practitioner", help="Practitioner id or name.")
@click.option("--region", help="Body region of the episode (neck, low back, shoulder...).")
@click.option("--complaint", help="Words in the episode's complaint (e.g. 'neck').")
@click.option("--since", help="Sessions from this date (YYYY-MM-DD).")
@click.option("--until", help="Sessions up to this date, inclusive (YYYY-MM-DD).")
@click.option("--by", type=click.Choice(["family", "technique"]), default="family",
              show_default=True, help="Group by family or by exact technique.")  # fmt: skip
@click.option("--windows", help="Windows after the session, e.g. '72h,72h-8d,13d-29d,83d-'.")
@click.option("--min-patients", type=click.IntRange(1, 10_000), default=3, show_default=True,
              help="Fewer patients than this in a window: 'not enough data'.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
@click.option("--rebuild", is_flag=True,
              help="Rebuild the outcome figures kept in the database from the records first"
              " (when `check` says they are not what the records give).")  # fmt: skip
@identity_option("--as")
@_with_size
@pass_ctx
@user_errors
def compare(
    ctx: Context,
    practitioner_ref: str | None,
    technique: str | None,
    practitioner: str | None,
    region: str | None,
    complaint: str | None,
    since: str | None,
    until: str | None,
    by: str,
    windows: str | None,
    min_patients: int,
    as_json: bool,
    rebuild: bool,
    width: int | None,
    height: int | None,
    color: bool | None,
) -> None:
    """Compare techniques: relief by time since the session, durability, soreness, safety.

    Descriptive: who received which technique was not randomised.

    Windows by time since the session: immediately after = at the session's end; up to
    72 h = over 0 h, up to 72 h; 72 h to 1 week = over 72 h, up to 8 days (192 h); 1 to 4
    weeks = over 8 days, up to 29 days; 4 to 12 weeks = over 29 days, up to 83 days; 12
    weeks and later = over 83 days.
    """  # the default windows' edges_legend (tests/test_window_edges.py holds them equal)
    from ..analysis import DEFAULT_LONG, DEFAULT_SHORT, DEFAULT_WINDOWS, Filters, to_jsonable
    from ..analysis.windows import parse_windows
    from ..domain.episodes import as_region
    from ..domain.techniques import FAMILIES, TECHNIQUES
    from ..domain.validate import as_choice
    from ..services.lookup import find_practitioner
    from ..services.reports import comparison_report, details_report
    from ..store import check_filters

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    filters = Filters(
        # A family (dry_needling: both kinds) or one technique; each name listed once.
        technique=as_choice("technique", technique, tuple(dict.fromkeys((*TECHNIQUES, *FAMILIES))))
        if technique
        else None,
        practitioner_id=find_practitioner(store, practitioner) if practitioner else None,
        region=as_region("region", region) if region else None,  # as `log` takes it
        complaint=complaint.strip() if complaint and complaint.strip() else None,
        since=_date("since", since),
        until=_date("until", until),
    )
    spans = parse_windows(windows) if windows else DEFAULT_WINDOWS
    check_filters(filters)  # bad input is refused before any work
    kept, figures, reason = True, store, ""
    try:
        _prepare(store, rebuild)
    except WriteFailed as exc:
        # A read: the figures are computed in a copy in memory, and said not kept.
        kept, reason, figures = False, exc.reason, store.in_memory()
        _prepare(figures, rebuild)
    short = spans[1].key if len(spans) > 1 else spans[0].key
    long = spans[-1].key
    if spans == DEFAULT_WINDOWS:
        short, long = DEFAULT_SHORT, DEFAULT_LONG
    result = comparison_report(
        figures, filters, windows=spans, by=by, min_patients=min_patients, short=short, long=long
    )
    extra = details_report(figures, filters, by)
    # The outcome scales by technique (every patient's: `scale compare`'s figures).
    from ..analysis.scale_compare import compare_scales
    from .scales import print_scale_groups, scale_groups_json

    scales = compare_scales(store.scale_facts())
    # Its access-log row is written as ever: a comparison no row records is refused.
    store.log_event(actor, "report", "clinic", filters=to_jsonable(filters), by=by)
    if not kept:
        click.echo(f"{reason}: these figures could not be kept for next time; free space", err=True)
    if as_json:
        echo_json({
            "filters": to_jsonable(filters),
            "descriptive": "who received which technique was not randomised",
            "comparison": to_jsonable(result),
            "details": to_jsonable(extra),
            "scales": scale_groups_json(scales),
            "scales_cover": "every patient: the filters do not apply to the scales",
        })  # fmt: skip
        return
    _print_comparison(result, extra, short, long, width, height, _color(color))
    _heading(
        "Outcome scales by technique: change since the first reading,"
        " by time since the first session"
        + (" (every patient: the filters above do not apply here)" if filters.any else "")
    )
    print_scale_groups(scales)


# From this many sessions the outcome figures take long enough to prepare (about a
# second) for a progress bar; below, stderr stays quiet.
PROGRESS_FROM_SESSIONS = 5_000


def _prepare(store: Store, rebuild: bool = False) -> None:
    """The first comparison after an import or an upgrade computes the outcome figures
    for the whole clinic: on a large clinic a progress bar on stderr says so. ``rebuild``:
    from the records, whatever the cache says of itself (check found it wrong)."""
    from ..services.reports import prepare_outcomes, rebuild_outcomes, repair_outcomes

    said = rebuild_outcomes(store) if rebuild else repair_outcomes(store)
    if said:
        click.echo(said, err=True)
    bar: Any = None

    def progress(step: int, steps: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(
                length=steps,
                label="Preparing the outcome figures (first comparison after an import)",
                file=sys.stderr,
            ).__enter__()
        bar.update(step - bar.pos)

    try:
        prepare_outcomes(store, progress, from_sessions=PROGRESS_FROM_SESSIONS)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _print_comparison(
    result: Any, extra: Any, short: str, long: str,
    width: int | None, height: int | None, color: bool,
) -> None:  # fmt: skip
    from ..analysis.table import (
        DETAIL_COLUMNS,
        LASTING_COLUMNS,
        WINDOW_COLUMNS,
        detail_rows,
        fmt_mean,
        fmt_n,
        kept_rows,
        lasting_rows,
        soreness_rows,
        window_rows,
    )
    from ..charts import durability_chart, lasting_chart, responders_chart, soreness_chart

    w, h = _size(width, height, 18)
    click.echo(
        f"Outcomes by technique: {result.filters.describe()}. Descriptive: who received"
        " which technique was not randomised."
    )
    _heading("Relief from the session's pain before it, by time since the session")
    table(window_rows(result), WINDOW_COLUMNS)
    between = sum(g.between for g in result.groups)
    if between:
        sessions = "1 session also had" if between == 1 else f"{between:,} sessions also had"
        click.echo(f"({sessions} readings between windows; not counted here.)")
    kept_columns, kept = kept_rows(result)
    if len(kept_columns) > 1 and any(g.sessions for g in result.groups):
        _heading(
            "Relief kept: of the relief right after the session, the share still there"
            " in each window, over the sessions with both readings (95% CI; patients, sessions)"
        )
        table(kept, kept_columns)
    if any(g.sessions for g in result.groups):
        click.echo(durability_chart(result, w, h, color))
    _heading(
        "How long relief lasted after sessions with relief right after them (Kaplan-Meier;"
        " lost: a later reading under 2 points / 30% below the pain before)"
    )
    table(lasting_rows(result), LASTING_COLUMNS)
    if any(g.lasting and g.lasting.enough for g in result.groups):
        click.echo(lasting_chart(result, w, max(10, h - 2), color))
    if any(g.sessions for g in result.groups):
        click.echo(responders_chart(result, short, long, w, max(10, h - 4), color))
        _heading("Soreness after needling (mean 0-10, 95% CI; patients, sessions)")
        columns, rows = soreness_rows(result)
        table(rows, columns)
        click.echo(soreness_chart(result, w, max(10, h - 4), color))
    if extra:
        _heading("Dose and adverse events (sessions with one per 100 sessions, 95% CI)")
        table(detail_rows(extra), DETAIL_COLUMNS)
        _heading("Soreness at about 24 h by dose (mean, 95% CI; patients, sessions)")
        table(
            [
                {
                    "technique": d.label,
                    "dimension": b.dimension,
                    "band": b.band,
                    "mean": f"{fmt_mean(b.mean)}; {fmt_n(b.patients, b.sessions)}"
                    if b.patients >= result.min_patients
                    else f"not enough data ({fmt_n(b.patients, b.sessions)})",
                }  # fmt: skip
                for d in extra
                for b in d.soreness_by_dose
                if b.sessions
            ],
            [
                ("technique", "Technique"),
                ("dimension", "Dose"),
                ("band", "Band"),
                ("mean", "Soreness"),
            ],  # fmt: skip
        )


COMMANDS: list[click.Command] = [report, compare]
