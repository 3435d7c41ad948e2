"""Figures as short text, and the rows of the tables the CLI and the screens show.

Pure formatting of analysis results: every figure with its n and 95% interval, and
"not enough data (n=2)" where too few patients stand behind it.
"""

from __future__ import annotations

from datetime import datetime

from .change import Change
from .compare import Comparison, Details
from .dose import DoseSummary
from .model import group_label
from .progress import FamilyCourse, Progress, TimelinePoint
from .relief import WindowRelief, not_enough
from .sentences import episode_names, technique_words
from .stats import Mean, Proportion


def fixed(x: float, digits: int = 1, sign: str = "") -> str:
    """``x`` to ``digits`` places, never "-0" (-0.04 reads 0.0: no figure is below 0
    that rounds to 0); ``sign="+"`` for ``+1.5``."""
    text = f"{x:{sign}.{digits}f}"
    return f"{0.0:{sign}.{digits}f}" if float(text) == 0 else text


def fmt_num(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else fixed(x, digits)


ALIKE = "all the same: no interval"  # a mean whose values did not differ (Mean.alike)


def fmt_mean(m: Mean, digits: int = 1, unit: str = "") -> str:
    """``1.4 (1.1 to 1.7)``; no interval from a single value, nor from values that were
    all the same (``2.0 (all the same: no interval)``); ``-`` from none."""
    if m.value is None:
        return "-"
    text = f"{fixed(m.value, digits)}{unit}"
    if m.alike:
        return f"{text} ({ALIKE})"
    if m.low is not None and m.high is not None:
        text += f" ({fixed(m.low, digits)} to {fixed(m.high, digits)})"
    return text


def fmt_prop(p: Proportion) -> str:
    """``45% (35-55%), 40/90``; ``100%, 3/3`` without an interval (one patient)."""
    if p.value is None:
        return "-"
    if p.low is None or p.high is None:
        return f"{fixed(100 * p.value, 0)}%, {p.k}/{p.n}"
    return f"{_share(p.value, p.low, p.high)}, {p.k}/{p.n}"


def fmt_median(value: float | None, ci: tuple[float, float] | None, unit: str = "") -> str:
    """``2.0 (1.0 to 3.0)``; ``-`` without a value."""
    if value is None:
        return "-"
    digits = 0 if unit == "%" else 1
    text = f"{fixed(value, digits)}{unit}"
    if ci is not None:
        text += f" ({fixed(ci[0], digits)} to {fixed(ci[1], digits)})"
    return text


def fmt_n(patients: int, sessions: int) -> str:
    """Patients first: ``14 patients, 58 sessions``."""
    return (
        f"{patients} patient{'s' if patients != 1 else ''},"
        f" {sessions} session{'s' if sessions != 1 else ''}"
    )


def fmt_complete(w: WindowRelief) -> str:
    """``58 of 80 (73%)``: sessions with a reading of those old enough to have one."""
    if not w.eligible:
        return "-"
    return f"{w.sessions} of {w.eligible} ({w.complete_percent:.0f}%)"


WINDOW_COLUMNS = [
    ("technique", "Technique"),
    ("window", "Window"),
    ("sessions", "Patients, sessions"),
    ("mean", "Mean relief, points (95% CI)"),
    ("median", "Median (95% CI)"),
    ("percent", "Mean relief %"),
    ("resp2", "2+ points"),
    ("resp30", "30%+"),
    ("complete", "Reading there"),
    ("worst", "2+ points if missing = none"),
]


def window_row(label: str, w: WindowRelief) -> dict[str, str]:
    """One technique's figures in one window, as text."""
    row = {
        "technique": label,
        "window": w.window.label,
        "sessions": fmt_n(w.patients, w.sessions),
        "complete": fmt_complete(w),
    }
    if not w.enough:
        blank = dict.fromkeys(("median", "percent", "resp2", "resp30", "worst"), "")
        return row | blank | {"mean": w.note}
    worst = w.responders_if_missing_none
    # Sessions with pain 0 before have no percent: the percent figures stand on fewer
    # sessions (and perhaps patients) than the rest of the row, which the row says.
    z = w.baseline_zero
    left_out = f"; baseline 0 left out: {z} session{'s' if z != 1 else ''}" if z else ""
    if w.percent_enough:
        percent, resp30 = fmt_mean(w.mean_percent, 0, "%"), fmt_prop(w.responders_percent)
    else:
        lo, hi = w.percent_patients, w.percent_patients_most
        # The cache's sums bound the patients with a percent; a range when they differ.
        percent = not_enough(lo) if hi <= lo else f"not enough data ({lo} to {hi} patients)"
        resp30 = ""
    return row | {
        "mean": fmt_mean(w.mean_points),
        "median": fmt_median(w.median_points, w.median_points_ci),
        "percent": percent + left_out,
        "resp2": fmt_prop(w.responders_points),
        "resp30": resp30,
        "worst": "-" if worst is None else fmt_prop(worst),
    }


def window_rows(c: Comparison) -> list[dict[str, str]]:
    """The technique × window table."""
    rows = []
    for g in c.groups:
        if not g.sessions:
            rows.append({"technique": g.label, "window": "no sessions",
                         "sessions": fmt_n(0, 0)})  # fmt: skip
            continue
        for i, w in enumerate(g.windows):
            rows.append(window_row(g.label if i == 0 else "", w))
    return rows


DURABILITY_COLUMNS = [
    ("technique", "Technique"),
    ("short", "Short term"),
    ("long", "Long term"),
    ("retained", "Relief retained"),
]


def durability_rows(c: Comparison) -> list[dict[str, str]]:
    """Relief retained from the short to the long window, per technique."""
    rows = []
    for g in c.groups:
        d = g.durability

        def side(w: WindowRelief | None) -> str:
            if w is None:
                return "-"
            if not w.enough:  # as the relief table says it: no figure behind too few
                return f"{w.window.key}: {w.note}"
            return (
                f"{w.window.key}: {fmt_num(w.mean_points.value)} pts, n={w.sessions}/{w.patients}"
            )

        retained = f"{d.retained_percent:.0f}%" if d.retained_percent is not None else d.note or "-"
        rows.append({"technique": g.label, "short": side(d.short), "long": side(d.long),
                     "retained": retained})  # fmt: skip
    return rows


def kept_rows(c: Comparison) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """Relief kept in each later window, within the same sessions, per technique:
    ``40% (25 to 55%); 9 patients, 31 sessions``."""
    columns = [("technique", "Relief kept, same sessions")]
    rows = []
    for g in c.groups:
        row = {"technique": g.label}
        for w in g.windows:
            k = w.kept
            if k is None:
                continue
            key = "k" + w.window.key
            if all(col != key for col, _ in columns):
                columns.append((key, w.window.label))
            n = fmt_n(k.patients, k.sessions)
            if k.share is None:  # too few patients, or no relief right after to keep
                row[key] = k.note if k.patients < c.min_patients else f"{k.note} ({n})"
            else:
                ci = f" ({ALIKE})" if k.alike else "" if k.low is None or k.high is None else (
                    f" ({fixed(100 * k.low, 0)} to {fixed(100 * k.high, 0)}%)"  # may be below 0
                )  # fmt: skip
                row[key] = f"{fixed(100 * k.share, 0)}%{ci}; {n}"
        rows.append(row)
    return columns, rows


def _share(x: float | None, low: float | None, high: float | None) -> str:
    if x is None:
        return "-"
    if low is None or high is None:
        return f"{fixed(100 * x, 0)}%"
    return f"{fixed(100 * x, 0)}% ({fixed(100 * low, 0)}-{fixed(100 * high, 0)}%)"


LASTING_COLUMNS = [
    ("technique", "Technique"),
    ("sessions", "Sessions with relief right after"),
    ("lost", "Relief lost (of sessions)"),
    ("median", "Median days relief lasted (95% CI)"),
    ("s72", "Still relieved at 72 h"),
    ("s1w", "at 1 week"),
    ("s4w", "at 4 weeks"),
    ("s12w", "at 12 weeks"),
]


def lasting_rows(c: Comparison) -> list[dict[str, str]]:
    """How long relief lasted after sessions that gave it (Kaplan-Meier), per technique."""
    rows = []
    for g in c.groups:
        lasting = g.lasting
        if lasting is None:
            continue
        row = {
            "technique": g.label,
            "sessions": fmt_n(lasting.patients, lasting.sessions),
            "lost": f"{lasting.lost} of {lasting.sessions}",
        }
        if not lasting.enough:
            rows.append(row | {"median": not_enough(lasting.patients)})
            continue
        if lasting.median_days is None:
            median = "not reached: most kept it while followed"
        else:
            low = fmt_num(lasting.median_low_days, 0)
            high = (
                "not reached" if lasting.median_high_days is None
                else fmt_num(lasting.median_high_days, 0)
            )  # fmt: skip
            median = f"{fixed(lasting.median_days, 0)} ({low} to {high})"
            gone = any(st.survival <= 0 and st.days <= lasting.median_days
                       for st in lasting.steps)  # fmt: skip
            if gone and lasting.median_low_days == lasting.median_high_days:
                # Every session lost relief by then: a bound equal to the median would
                # claim a certainty a few sessions cannot give (as Mean.alike).
                median = f"{fixed(lasting.median_days, 0)} (all lost by then: no interval)"
        row["median"] = median
        for key, st in zip(("s72", "s1w", "s4w", "s12w"), lasting.still, strict=True):
            row[key] = _share(st.share, st.low, st.high) + (
                f"; all {st.at_risk} followed lost it" if st.at_risk is not None else ""
            )
        rows.append(row)
    return rows


SORENESS_COLUMNS = [("technique", "Technique")]


def soreness_rows(c: Comparison) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """Mean soreness near each time point (95% CI) and resolution, per technique; each
    figure with its patients and sessions."""
    columns = [("technique", "Technique")]
    rows = []
    for g in c.groups:
        row = {"technique": g.label}
        for p in g.soreness.points:
            if all(key != "w" + p.window.key for key, _ in columns):
                columns.append(("w" + p.window.key, p.window.label))
            n = fmt_n(p.patients, p.sessions)
            row["w" + p.window.key] = (
                f"{fmt_mean(p.mean)}; {n}" if p.enough else f"not enough data ({n})"
            )
        r = g.soreness.resolution
        if r.median_day is not None:
            median = f"median day {r.median_day:g}"
        else:
            median = (
                "-"
                if not r.sessions
                else "none 0 by the last reading"
                if r.unresolved == r.sessions
                else f"{r.unresolved} of {r.sessions} not 0 by the last reading"
            )
        row["resolved"] = f"{median}; by 72 h {fmt_prop(r.by_day[3])}" + (
            f" ({fmt_n(r.patients, r.sessions)})" if r.sessions else ""
        )
        rows.append(row)
    columns.append(("resolved", "Soreness gone"))
    return columns, rows


DETAIL_COLUMNS = [
    ("technique", "Technique"),
    ("patients", "Patients"),  # patients first, as in every n
    ("sessions", "Sessions"),
    ("per_week", "Sessions/week"),
    ("insertions", "Insertions/session"),
    ("mild", "Mild AE /100"),
    ("significant", "Significant /100"),
    ("serious", "Serious /100"),
]


def detail_rows(details: tuple[Details, ...]) -> list[dict[str, str]]:
    """Dose and adverse-event rates per technique (rule of three when there were none)."""
    rows = []
    for d in details:
        row = {
            "technique": d.label,
            "sessions": str(d.dose.sessions),
            "patients": str(d.dose.patients),
            "per_week": fmt_median(d.dose.per_week_median, d.dose.per_week_ci),
            "insertions": fmt_mean(d.dose.insertions_per_session),
        }
        for a in d.adverse:
            if a.rule_of_three:
                row[a.tier] = f"0 (at most {fmt_num(a.high)})"
            elif a.low is None or a.high is None:  # one patient: no interval ("(---)")
                row[a.tier] = f"{fmt_num(a.per_100)} (1 patient: no interval)"
            else:
                row[a.tier] = f"{fmt_num(a.per_100)} ({fmt_num(a.low)}-{fmt_num(a.high)})"
        rows.append(row)
    return rows


def _day(at: datetime) -> str:
    """``at.strftime("%Y-%m-%d")``, quicker (the same text from the year 1000 on)."""
    return at.isoformat()[:10] if at.year >= 1000 else at.strftime("%Y-%m-%d")


def session_rows(p: Progress) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """A patient's sessions: pain before and after and in each later window; with
    several episodes of care, each row's complaint (:func:`episode_names`)."""
    columns = [("date", "Date"), ("technique", "Technique"), ("before", "Before"),
               ("after", "After")]  # fmt: skip
    complaint_of: dict[int | None, str] = {}
    if len(p.episodes) > 1:  # a neck's session and a knee's read alike without it
        complaint_of = {
            e.episode_id: name for e, name in zip(p.episodes, episode_names(p), strict=True)
        }
        columns.insert(1, ("complaint", "Complaint"))
    later = [(i, w) for i, w in enumerate(p.windows) if not w.immediate]
    columns += [(f"w{i}", w.label) for i, w in later]
    between = any(r.between is not None for r in p.rows)
    if between:  # readings between the windows count for "lasted" too: show them
        columns.append(("between", "Between windows"))
    columns += [("sore", "Soreness after"), ("insertions", "Insertions")]
    rows = []
    # A long history repeats a few techniques and changes (each Change is shared: see
    # progress._change): each written once.
    labels: dict[str, str] = {}
    cells: dict[int, str] = {}
    keys = [(i, f"w{i}") for i, _ in later]
    for r in p.rows:
        technique = labels.get(r.technique)
        if technique is None:
            technique = labels[r.technique] = group_label(r.technique)  # Electro-acupuncture
        row = {
            "date": _day(r.started_at),
            "technique": technique,
            "before": str(r.before),
            "after": "-" if r.after is None else str(r.after),
            "sore": "-" if r.soreness_after is None else str(r.soreness_after),
            "insertions": str(r.insertions),
        }
        for i, key in keys:
            ch = r.windows[i]
            if ch is None:
                row[key] = "-"
                continue
            cell = cells.get(id(ch))
            if cell is None:
                cell = cells[id(ch)] = f"{ch.then} ({ch.points:+d})"
            row[key] = cell
        if complaint_of:
            row["complaint"] = complaint_of[r.episode_id]
        if between:
            b = r.between
            # The day first: a cell cut at the screen's edge must not show a wrong day.
            row["between"] = "-" if b is None else f"day {r.between_day}: {b.then} ({b.points:+d})"
        rows.append(row)
    return columns, rows


VERDICT_WORDS = {
    "lasting": "relief lasted",
    "partly": "some relief was left",
    "faded": "relief faded within days",
    "later_only": "lower only days later",
    "unclear": "too uncertain to say",
    "no_after": "no score right after",
    "small": "small relief right after",
    "uncertain": "relief not yet certain",
    "no_relief": "no clear relief",
    "unknown": "too early to tell (no reading after 72 h)",
    "not_recorded": "none was recorded",
}


def _yes(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "no")


def _sessions(n: int) -> str:
    return f"{n} session{'s' if n != 1 else ''}"


def _span(first: datetime | None, last: datetime | None) -> str:
    """``2026-11-01 to 2026-11-10``; ``on 2026-11-20`` when both are that day."""
    a = first.strftime("%Y-%m-%d") if first else "?"
    b = last.strftime("%Y-%m-%d") if last else "?"
    return f"on {a}" if a == b else f"{a} to {b}"


def _change_lines(
    baseline: int, settled: TimelinePoint | None, ch: Change | None, first: str
) -> list[str]:
    """Pain before ``first`` (session), the latest settled reading and the change."""
    if ch is None or settled is None:
        return [f"Pain {baseline} before {first}; no score a day or more after a session yet."]
    pct = "no percent (baseline 0)" if ch.percent is None else f"{fixed(ch.percent, 0)}%"
    kind = "follow-up" if settled.kind == "follow_up" else "before a session"
    return [
        f"Pain {baseline} before {first}; latest {settled.pain}"
        f" ({kind}, {settled.at:%Y-%m-%d}; scores right after needling are left out).",
        f"Change: {ch.points:+d} points of relief, {pct}; IMMPACT: {ch.tier or '-'};"
        f" 2+ points: {_yes(ch.responder_points)}; 30%+: {_yes(ch.responder_percent)}"
        + ("; recovered (pain 0)." if ch.recovered else "."),
    ]


def progress_summary(p: Progress) -> list[str]:
    """The practitioner's summary of a patient's progress, line by line."""
    if not p.episodes or p.latest is None:
        return ["No sessions recorded."]
    span = _span(p.first_at, p.last_at)
    if len(p.episodes) == 1:
        e = p.episodes[0]
        lines = [f"{_sessions(p.sessions)}, {span}."]
        lines += _change_lines(e.baseline, e.settled, e.change, "the first session")
    else:  # each episode of care its own change: none across complaints (review17)
        lines = [f"{_sessions(p.sessions)} for {len(p.episodes)} complaints, {span}."]
        for e, name in zip(p.episodes, episode_names(p), strict=True):
            first, *rest = _change_lines(e.baseline, e.settled, e.change, "its first session")
            span = _span(e.first_at, e.last_at)
            lines.append(f"{name}: {_sessions(e.sessions)}, {span}. {first}")
            lines += [f"{name}: {line.replace('Change: ', 'change ', 1)}" for line in rest]
    if len(p.episodes) < 2:
        lines += _relief_lines(p.families, p.dose)
    else:  # each episode's verdicts, of its own sessions: none pooled over complaints
        for e, name in zip(p.episodes, episode_names(p), strict=True):
            lines += _relief_lines(e.families, e.dose, name)
    return lines


def _relief_lines(
    families: tuple[FamilyCourse, ...], doses_of: tuple[DoseSummary, ...], complaint: str = ""
) -> list[str]:
    """A line per technique: its relief right after and later, and whether it lasted;
    ``complaint`` names the episode of care they are about (when there are several)."""
    lines: list[str] = []
    doses = {d.key: d for d in doses_of}
    for f in families:
        d = doses.get(f.family)
        dose = ""
        if d is not None:
            per_week = d.per_week_median
            dose = (
                f"; {fmt_num(per_week)} sessions/week" if per_week is not None else ""
            ) + f"; {fmt_num(d.insertions_per_session.value)} insertions/session"
        now = (
            f"relief right after {fmt_mean(f.immediate, unit=' points')}"
            f" ({f.immediate.n} session{'s' if f.immediate.n != 1 else ''})"
            if f.immediate.n
            else "no pain score right after"
        )
        later = (
            f"after 72 h {fmt_mean(f.later, unit=' points')}"
            + (
                " (1 session; its latest reading)"
                if f.later.n == 1
                else f" ({f.later.n} sessions; the latest reading of each)"
            )  # fmt: skip
            if f.later.n
            else "no reading more than 72 h after" + ("" if f.verdict == "not_recorded" else " yet")
        )
        head = f"{complaint}, {technique_words(f.family)}" if complaint else group_label(f.family)
        lines.append(
            f"{head}: {f.sessions} session"
            f"{'s' if f.sessions != 1 else ''}; {now}, {later}:"
            f" {VERDICT_WORDS[f.verdict]}{dose}."
        )
    return lines
