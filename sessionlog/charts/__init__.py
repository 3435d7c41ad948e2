"""plotext figures drawn from analysis results: pure, no Textual, no database.

Each chart has a ``draw_*`` function that draws on a given plotext figure (the TUI's
``PlotextPlot.plt``) and a ``*_chart`` function returning the figure as text for the
command line.
"""

from .clinic import (
    draw_durability,
    draw_lasting,
    draw_responders,
    draw_soreness,
    durability_chart,
    lasting_chart,
    responders_chart,
    soreness_chart,
)
from .common import MAX_POINTS, PROGRESS_POINTS, render, thin
from .progress import draw_progress, progress_chart, progress_key

__all__ = [
    "MAX_POINTS",
    "PROGRESS_POINTS",
    "draw_durability",
    "draw_lasting",
    "draw_progress",
    "progress_key",
    "draw_responders",
    "draw_soreness",
    "durability_chart",
    "lasting_chart",
    "progress_chart",
    "render",
    "responders_chart",
    "soreness_chart",
    "thin",
]
