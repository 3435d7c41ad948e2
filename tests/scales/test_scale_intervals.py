"""The scale comparison's intervals are the pain comparison's (patient-clustered: the
same ``cluster_mean`` and ``cluster_proportion``), and they hold 95% in simulated
clinics with a known truth. Fixed seed, pure Python, no timing."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from sessionlog.analysis.scale_compare import ScaleFact, compare_scales
from sessionlog.analysis.stats import ClusterSums, cluster_mean, cluster_proportion

START = datetime(2026, 1, 5, 9, 0)
CLINICS = 400
MEAN, SD, MCID = 6.0, 6.0, 7.5  # NDI points better; the NDI's MCID
TRUE_SHARE = 1 - 0.5 * (1 + math.erf((MCID - MEAN) / SD / math.sqrt(2)))


def clinic(rng: random.Random) -> list[ScaleFact]:
    facts = []
    for p in range(1, rng.randint(12, 40) + 1):
        base = rng.gauss(25, 5)
        change = rng.gauss(MEAN, SD)
        facts.append(ScaleFact(p, "NDI", START, base, "dry_needling", START))
        # An earlier reading in the window too: only the latest counts.
        facts.append(
            ScaleFact(p, "NDI", START + timedelta(days=9), base - 1, "dry_needling", START)
        )
        later = START + timedelta(days=rng.uniform(14, 27))
        facts.append(ScaleFact(p, "NDI", later, base - change, "dry_needling", START))
    return facts


def test_the_interval_method_is_the_pain_comparisons() -> None:
    facts = [
        ScaleFact(p, "NDI", START + timedelta(days=d), s, "ims", START)
        for p, (a, b) in enumerate(((30, 20), (24, 20), (40, 30), (20, 22)), start=1)
        for d, s in ((0, a), (20, b))
    ]
    [group] = compare_scales(facts)
    cell = {c.window: c for c in group.cells}["1-4w"]
    sums = ClusterSums()
    for change in (10, 4, 10, -2):
        sums.add_patient({"n": 1, "rel": change, "r2": int(change >= MCID)})
    pain_way = cluster_mean(sums, "rel", "n")
    shown = cell.change
    assert (shown.value, shown.low, shown.high, shown.n, shown.patients, shown.se) == (
        pain_way.value,
        pain_way.low,
        pain_way.high,
        pain_way.n,
        pain_way.patients,
        pain_way.se,
    )
    assert cell.reached == cluster_proportion(sums, "r2", "n")
    assert (cell.change.value, cell.change.patients, cell.reached.k) == (5.5, 4, 2)


def test_the_change_and_mcid_share_intervals_cover_95_percent() -> None:
    rng = random.Random(15)
    mean_hits = share_hits = 0
    for _ in range(CLINICS):
        [group] = compare_scales(clinic(rng))
        cell = {c.window: c for c in group.cells}["1-4w"]
        m, r = cell.change, cell.reached
        assert m.low is not None and m.high is not None and r.low is not None
        assert r.high is not None
        mean_hits += m.low <= MEAN <= m.high
        share_hits += r.low <= TRUE_SHARE <= r.high
    print("coverage:", mean_hits / CLINICS, share_hits / CLINICS)
    assert 0.93 <= mean_hits / CLINICS <= 0.975
    assert 0.93 <= share_hits / CLINICS <= 0.985
