"""Coverage of the 95% interval of "How long relief lasted" (Kaplan-Meier) by simulation.

Clinics of patients who each contribute sessions; a session's time to loss of relief is
exponential with the patient's own median, log-normal around 8 days (``sd``: the sd of
its log; 0: patients alike); optional exponential censoring (``cens``: its rate a day).
Times are whole days of at least 1, binned as the cache bins them (``loss_days``). The
truth S(t) is the population's, E[exp(-ln 2 t / M)]. Each clinic's curve is read at
``t`` with the interval of :func:`relief_lasting` without the patients' loss pairs
("before": Greenwood's variance times the design effect of the share of sessions that
lost relief) and with them ("after": the patient-clustered variance of log S(t)).
Clinics whose curve has no interval at t (fallen to 0, or not followed) are left out,
for both.

    PYTHONPATH=. python docs/sim/km_coverage.py [clinics] [seed]
"""

from __future__ import annotations

import math
import random
import sys
from collections import Counter

from sessionlog.analysis.lasting import loss_pairs, relief_lasting
from sessionlog.analysis.readings import loss_days
from sessionlog.analysis.stats import ClusterSums

MEDIAN = 8.0
# (label, patients, sessions per patient (chosen at random), sd, censoring rate, t)
CELLS = (
    ("14x4 sd 0 (alike)", 14, (4,), 0.0, 0.0, 7),
    ("14x4 sd 0.5", 14, (4,), 0.5, 0.0, 7),
    ("14x4 sd 0.75", 14, (4,), 0.75, 0.0, 7),
    ("14x4 sd 1.0 t=3", 14, (4,), 1.0, 0.0, 3),
    ("14x4 sd 1.0", 14, (4,), 1.0, 0.0, 7),
    ("14x4 sd 1.0 t=28", 14, (4,), 1.0, 0.0, 28),
    ("14x4 sd 1.5", 14, (4,), 1.5, 0.0, 7),
    ("14x4 sd 1.0 cens .03", 14, (4,), 1.0, 0.03, 7),
    ("14x4 sd 0 cens .03", 14, (4,), 0.0, 0.03, 7),
    ("6x4 sd 1.0", 6, (4,), 1.0, 0.0, 7),
    ("6x4 sd 0", 6, (4,), 0.0, 0.0, 7),
    ("30 x [1,1,1,10] sd 1.0", 30, (1, 1, 1, 10), 1.0, 0.0, 7),
    ("30 x [1,1,1,10] sd 0", 30, (1, 1, 1, 10), 0.0, 0.0, 7),
    ("56x1 (one session each)", 56, (1,), 1.0, 0.0, 7),
)


def truth(sd: float, t: int, rng: random.Random, draws: int = 200_000) -> float:
    log_med = math.log(MEDIAN)
    return (
        sum(math.exp(-math.log(2) * t / math.exp(rng.gauss(log_med, sd))) for _ in range(draws))
        / draws
    )


def clinic(
    rng: random.Random, patients: int, sizes: tuple[int, ...], sd: float, cens: float
) -> tuple[Counter[int], ClusterSums, dict[tuple[int, int], int]]:
    loss: Counter[int] = Counter()
    sums, per_patient = ClusterSums(), []
    for _ in range(patients):
        m = math.exp(rng.gauss(math.log(MEDIAN), sd))
        mine: Counter[int] = Counter()
        for _ in range(rng.choice(sizes)):
            t = rng.expovariate(math.log(2) / m)
            c = rng.expovariate(cens) if cens > 0 else math.inf
            lost = t <= c
            value = 2 * loss_days(max(1, math.ceil(min(t, c)))) + lost
            mine[value] += 1
        loss.update(mine)
        per_patient.append(mine)
        sums.add_patient({"n": sum(mine.values()), "odd": sum(n for v, n in mine.items() if v % 2)})
    return loss, sums, loss_pairs(per_patient)


def coverage(cell: tuple, clinics: int, seed: int) -> tuple[float, float, float, int]:
    _, patients, sizes, sd, cens, t = cell
    rng = random.Random(seed)
    true = truth(sd, t, rng)
    hits = [0, 0]
    shown = 0
    for _ in range(clinics):
        loss, sums, pairs = clinic(rng, patients, sizes, sd, cens)
        results = (
            relief_lasting(loss, patients, sums),
            relief_lasting(loss, patients, sums, pairs=pairs),
        )
        reads = [next(x for x in r.still if x.days == t) for r in results]
        if any(x.low is None or x.high is None or x.share == 0 for x in reads):
            continue
        shown += 1
        for i, x in enumerate(reads):
            assert x.low is not None and x.high is not None
            hits[i] += x.low <= true <= x.high
    return true, hits[0] / shown, hits[1] / shown, shown


def main() -> None:
    clinics = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    print("| cell | t | true S(t) | before | after | clinics |\n|---|---|---|---|---|---|")
    for i, cell in enumerate(CELLS):
        true, before, after, n = coverage(cell, clinics, seed + i)
        print(f"| {cell[0]} | {cell[5]} | {true:.3f} | {before:.1%} | {after:.1%} | {n} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
