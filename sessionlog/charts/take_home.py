"""The take-home report as one self-contained HTML page that prints on A4.

Inline SVG charts (:mod:`.svg`), inline CSS, system fonts: nothing is fetched, and no
script runs. Every string from the record (the name, activity names) is escaped. The
page holds one patient only: the caller passes that patient's own figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from ..analysis.activity_words import activity_changes, latest_words
from ..analysis.progress import Progress
from ..analysis.scale_course import ScaleCourse, scale_sentence
from ..analysis.sentences import episode_names
from ..domain.scales import format_score
from .svg import Series, line_chart

CSS = """
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: #111; margin: 0 auto; max-width: 182mm; font-size: 11pt; line-height: 1.4; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; }
.meta { color: #555; margin: 0 0 4mm; }
.chart { width: 100%; height: auto; display: block; font-size: 11px; fill: #333; }
.chart .t { font-weight: 600; font-size: 12px; }
section { break-inside: avoid; page-break-inside: avoid; }
ul.sentences li { margin-bottom: 1mm; }
.note { color: #555; font-size: 9pt; }
footer { margin-top: 6mm; color: #555; font-size: 9pt; }
"""


@dataclass(frozen=True)
class TakeHome:
    """What one patient's report shows."""

    name: str
    chart_id: str
    made_at: datetime
    clinic: str
    progress: Progress
    sentences: tuple[str, ...]
    scales: tuple[ScaleCourse, ...]


# Several episodes of care: each one's line in its own colour, named by its complaint.
EPISODE_COLORS = ("#1f5fa8", "#7a4fa3", "#2f7d4f", "#b8860b", "#555555")


def _pain_lines(p: Progress) -> list[Series]:
    """The line through every reading; with several episodes of care, one per episode,
    named by its complaint: a line from the neck's 8 to the knee's 2 is no relief."""
    if len(p.episodes) < 2:
        return [Series("pain", tuple((t.at, float(t.pain)) for t in p.timeline))]
    return [
        Series(
            name,  # two episodes of one complaint by the day each began, as the sentences
            tuple((t.at, float(t.pain)) for t in e.timeline),
            EPISODE_COLORS[i % len(EPISODE_COLORS)],
            named=True,
        )
        for i, (e, name) in enumerate(zip(p.episodes, episode_names(p), strict=True))
    ]


def pain_svg(p: Progress) -> str:
    before = tuple((t.at, float(t.pain)) for t in p.timeline if t.kind == "before")
    # Shaded: from the first session's pain down to the nearer of 2 points and 30% below
    # it; a reading under the band is a change most people notice. None with several
    # episodes of care: one complaint's first score says nothing of another's readings.
    band = None
    if p.band is not None and p.baseline is not None:
        band = (max(0.0, max(p.band)), float(p.baseline))
    return line_chart(
        "Pain (0 = none, 10 = worst)",
        [*_pain_lines(p), Series("before a session", before, "#b23b3b", line=False)],
        (0, 10),
        band=band,
        band_label="below the band: 2 points or 30% under your first score",
        caption="red: before a session"
        + ("; shaded: within 2 points or 30% of the first" if band else "")
        + ("; one line for each complaint" if len(p.episodes) > 1 else ""),
    )


def scale_svg(c: ScaleCourse) -> str:
    s = c.scale
    # The readings the change is read from: a PSFS on other activities is another measure.
    points = tuple((p.at, p.score) for p in c.followed)
    better = "higher is better" if s.higher_is_better else "lower is better"
    band, label = c.band, f"a change most people notice: {s.mcid_words}" if s.mcid else ""
    caption = f"shaded: {s.mcid_words} from the first score" if c.band else ""
    if band is None and s.responder_min is not None:  # a global rating: its responders
        band = (s.responder_min, s.score_max)
        label = caption = f"shaded: a clear improvement ({s.responder_min:+g} or more)"
    elif band is None and s.responder_max is not None:
        band = (s.score_min, s.responder_max)
        label = caption = f"shaded: a clear improvement ({s.responder_max:g} or less)"
    return line_chart(
        f"{s.name} ({better})",
        [Series(s.code, points, "#2f7d4f")],
        (s.score_min, s.score_max),
        band=band,
        band_label=label,
        caption=caption,
    )


def _notes(c: ScaleCourse) -> str:
    """Under the chart: its latest figure and what it covers, then the activities added
    or no longer rated (PSFS), so no figure on the page is another mean unsaid."""
    notes = [latest_words(c, format_score(c.scale, c.latest)), activity_changes(c)]
    return "".join(f'<p class="note">{escape(n)}</p>' for n in notes if n)


def render_take_home(r: TakeHome) -> str:
    """The whole page, as text."""
    sentences = list(r.sentences) + [scale_sentence(c) for c in r.scales]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Your progress: {escape(r.name)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{escape(r.name)}</h1>",
        f'<p class="meta">Chart {escape(r.chart_id)} · {escape(r.clinic)} ·'
        f" printed {r.made_at.date().isoformat()}</p>",
        "<section><h2>How you are doing</h2><ul class=\"sentences\">",
        *(f"<li>{escape(s)}</li>" for s in sentences),
        "</ul></section>",
        f"<section><h2>Pain</h2>{pain_svg(r.progress)}</section>",
    ]  # fmt: skip
    for c in r.scales:
        parts.append(f"<section><h2>{escape(c.scale.name)}</h2>{scale_svg(c)}{_notes(c)}</section>")
    parts.append(
        "<footer>The shaded band on each chart shows how big a change most people notice."
        " These are your own readings; talk them over with your practitioner.</footer>"
        "</body></html>"
    )
    return "\n".join(parts)
