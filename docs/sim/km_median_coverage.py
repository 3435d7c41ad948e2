"""Coverage of the interval of the median time to loss of relief, by simulation.

The compare table's "How long relief lasted" prints the Kaplan-Meier median with an
interval (Brookmeyer and Crowley's, through the patient-clustered log-log band of
:func:`relief_lasting`). Clinics as in ``km_coverage.py`` (a patient's own median
log-normal around ``MEDIAN`` days with sd ``sd``; optional censoring); the truth is the
population's median in the curve's binned days: the first bin end by which half of all
sessions have lost relief. Clinics whose median is "not reached", or where every
session had lost relief by then (printed without an interval), are left out.

    PYTHONPATH=. python docs/sim/km_median_coverage.py [clinics] [median days]
"""

from __future__ import annotations

import math
import random
import sys

import km_coverage
from sessionlog.analysis.lasting import relief_lasting
from sessionlog.analysis.readings import loss_days

GRID = sorted({loss_days(d) for d in range(1, 400)})
# (label, patients, sessions per patient (chosen at random), sd, censoring rate)
CELLS = (
    ("14x4 sd 0", 14, (4,), 0.0, 0.0),
    ("14x4 sd 0.75", 14, (4,), 0.75, 0.0),
    ("14x4 sd 1.0", 14, (4,), 1.0, 0.0),
    ("14x4 sd 1.5", 14, (4,), 1.5, 0.0),
    ("14x4 sd 1.0 cens .03", 14, (4,), 1.0, 0.03),
    ("6x4 sd 1.0", 6, (4,), 1.0, 0.0),
    ("30 x [1,1,1,10] sd 1.0", 30, (1, 1, 1, 10), 1.0, 0.0),
    ("56x1", 56, (1,), 1.0, 0.0),
    ("40x8 sd 1.0", 40, (8,), 1.0, 0.0),
)


def true_median(sd: float, rng: random.Random, draws: int = 200_000) -> tuple[int, float]:
    medians = [math.exp(rng.gauss(math.log(km_coverage.MEDIAN), sd)) for _ in range(draws)]
    for g in GRID:
        lost = 1 - sum(math.exp(-math.log(2) * g / m) for m in medians) / draws
        if lost >= 0.5:
            return g, lost
    raise ValueError("median beyond a year")


def main() -> None:
    clinics = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    km_coverage.MEDIAN = float(sys.argv[2]) if len(sys.argv) > 2 else 8.0
    print("| cell | true median (share lost by then) | held | interval below the truth | interval above the truth | shown |")
    print("|---|---|---|---|---|---|")
    for i, (label, patients, sizes, sd, cens) in enumerate(CELLS):
        rng = random.Random(100 + i)
        truth, lost = true_median(sd, rng)
        held = below = above = shown = 0
        for _ in range(clinics):
            loss, sums, pairs = km_coverage.clinic(rng, patients, sizes, sd, cens)
            r = relief_lasting(loss, patients, sums, pairs=pairs)
            if r.median_days is None or r.median_low_days is None:
                continue
            gone = any(st.survival <= 0 and st.days <= r.median_days for st in r.steps)
            if gone and r.median_low_days == r.median_high_days:
                continue
            shown += 1
            high = math.inf if r.median_high_days is None else r.median_high_days
            if truth < r.median_low_days:
                above += 1
            elif truth > high:
                below += 1
            else:
                held += 1
        print(
            f"| {label} | {truth} ({lost:.3f}) | {held / shown:.1%} | {below / shown:.1%}"
            f" | {above / shown:.1%} | {shown} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
