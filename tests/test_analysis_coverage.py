"""Do the printed 95% intervals hold 95%? Simulated clinics with known truth.

Each clinic has patients who differ in how much relief they get (an sd of 1 point of
responsiveness) on top of session-to-session noise, so that sessions of one patient
are correlated (about 0.3 within a patient on the latent scale). The true mean relief
and responder rate of each window are computed exactly from the model (integer pain,
clipped to 0-10), and so is the share of the relief right after a session still there
in each later window (relief kept); then the intervals that ``compare`` prints are
checked against them.

Fixed seeds and pure Python: no timing, a few seconds.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import pytest

from sessionlog.analysis import FollowUp, SessionOutcome, compare, counts_from_sessions

CLINICS = 500
PATIENTS = (20, 40)  # patients per clinic: small clinics, as in practice
SESSIONS = (1, 6)  # sessions per patient
PATIENT_SD = 1.0  # responsiveness between patients, in points
NOISE_SD = math.sqrt(PATIENT_SD**2 * (1 - 0.3) / 0.3)  # within-patient correlation 0.3
BEFORE = {4: 1, 5: 2, 6: 3, 7: 3, 8: 2, 9: 1}  # pain before: weights
# True mean relief (latent, before rounding) by window key, and the day of the reading.
EFFECT = {"immediate": 2.5, "72h": 1.8, "1w": 1.2}
READING_DAY = {"72h": 2, "1w": 6}
FOLLOW_UP_SHARE = 0.7  # share of sessions with a reading in each later window


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def truth(effect: float) -> tuple[float, float]:
    """The exact mean relief in points and the share with 2+ points, under the model:
    then = clip(round(before - effect - u - e), 0, 10), u + e ~ N(0, sd)."""
    sd = math.hypot(PATIENT_SD, NOISE_SD)
    total = sum(BEFORE.values())
    mean = resp = 0.0
    for before, weight in BEFORE.items():
        for then in range(11):
            # round(x) == then for x in [then - 0.5, then + 0.5); clipping piles the tails.
            lo = -math.inf if then == 0 else then - 0.5
            hi = math.inf if then == 10 else then + 0.5
            centre = before - effect
            p = _phi((hi - centre) / sd) - _phi((lo - centre) / sd)
            mean += weight / total * p * (before - then)
            resp += weight / total * p * (before - then >= 2)
    return mean, resp


def clinic(rng: random.Random) -> tuple[list[SessionOutcome], list[FollowUp]]:
    sessions, follow_ups = [], []
    start = datetime(2026, 1, 5, 9)
    befores = [b for b, w in BEFORE.items() for _ in range(w)]
    record = 0
    for patient in range(1, rng.randint(*PATIENTS) + 1):
        u = rng.gauss(0, PATIENT_SD)
        for k in range(rng.randint(*SESSIONS)):
            record += 1
            at = start + timedelta(days=14 * k, hours=patient)
            before = rng.choice(befores)

            def then(effect: float, before: int = before, u: float = u) -> int:
                x = before - effect - u - rng.gauss(0, NOISE_SD)
                return min(10, max(0, round(x)))

            # Each session its own episode: the next session's pain before is not one
            # of its readings, so every reading is drawn from the model above.
            sessions.append(
                SessionOutcome(record, patient, 1, at, "dry_needling", before,
                               then(EFFECT["immediate"]), episode_id=record)
            )  # fmt: skip
            for key, day in READING_DAY.items():
                if rng.random() < FOLLOW_UP_SHARE:
                    follow_ups.append(
                        FollowUp(record, at + timedelta(days=day), then(EFFECT[key]),
                                 follow_up_id=record * 10 + day)
                    )  # fmt: skip
    return sessions, follow_ups


@pytest.mark.slow
def test_intervals_hold_95_percent_with_patients_as_clusters() -> None:
    truths = {key: truth(effect) for key, effect in EFFECT.items()}
    held = {(key, what): [0, 0] for key in EFFECT for what in ("mean", "2+ points")}
    # Relief kept (within the same sessions): which sessions have a later reading is
    # independent of the readings, so its truth is the ratio of the two true means.
    held |= {(key, "relief kept"): [0, 0] for key in READING_DAY}
    for seed in range(CLINICS):
        sessions, follow_ups = clinic(random.Random(seed))
        result = compare(counts_from_sessions(sessions, follow_ups))
        group = result.group("dry_needling")
        assert group is not None
        for w in group.windows:
            if w.window.key not in truths or not w.enough:
                continue
            mean, resp = truths[w.window.key]
            checks = [
                ("mean", w.mean_points.low, w.mean_points.high, mean),
                ("2+ points", w.responders_points.low, w.responders_points.high, resp),
            ]
            if w.kept is not None and w.kept.enough:
                kept = mean / truths["immediate"][0]
                checks.append(("relief kept", w.kept.low, w.kept.high, kept))
            for what, low, high, true in checks:
                assert low is not None and high is not None
                held[(w.window.key, what)][0] += low <= true <= high
                held[(w.window.key, what)][1] += 1
    report = {k: round(100 * a / b, 1) for k, (a, b) in held.items()}
    print("coverage of the printed 95% intervals, %:", report)
    for (key, what), (inside, total) in held.items():
        assert total >= 200, (key, what, total)
        assert 93 <= 100 * inside / total <= 97, f"{what} at {key}: {report[(key, what)]}%"


# -- adverse-event rates: patients differ in how often they have one ---------------

AE_CLINICS = 400
AE_LOGIT, AE_SD = math.log(0.15 / 0.85), 1.0  # a typical patient 15%; logit sd 1


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def ae_truth() -> float:
    """The mean chance of an event per session over patients (the logit-normal mean),
    by the midpoint rule on ±8 sd: every patient's sessions are equally many on average
    whatever their chance, so the share of sessions with one tends to this."""
    steps = 4000
    width = 16 / steps
    total = 0.0
    for i in range(steps):
        z = -8 + (i + 0.5) * width
        total += _expit(AE_LOGIT + AE_SD * z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    return total * width


def test_adverse_event_rates_hold_95_percent_with_patients_as_clusters() -> None:
    from sessionlog.analysis import adverse_rates
    from sessionlog.analysis.stats import ClusterSums

    true = 100 * ae_truth()
    held = total = 0
    for seed in range(AE_CLINICS):
        rng = random.Random(10_000 + seed)
        # The sums the store keeps per technique (outcome_details): per patient, the
        # sessions (n) and those with an event (k), their squares and product.
        c = ClusterSums(0, {"k": 0, "n": 0}, {("k", "k"): 0, ("k", "n"): 0, ("n", "n"): 0})
        for _ in range(rng.randint(*PATIENTS)):
            chance = _expit(AE_LOGIT + rng.gauss(0, AE_SD))
            n = rng.randint(*SESSIONS)
            k = sum(rng.random() < chance for _ in range(n))
            c.patients += 1
            c.sums["k"] += k
            c.sums["n"] += n
            for a, b in c.products:
                c.products[(a, b)] += {"k": k, "n": n}[a] * {"k": k, "n": n}[b]
        sessions = int(c.sums["n"])
        rate = adverse_rates(sessions, {"mild": (int(c.sums["k"]), 0)}, {"mild": c})[0]
        assert rate.low is not None and rate.high is not None
        held += rate.low <= true <= rate.high
        total += 1
    print(f"coverage of the adverse-event rate's 95% interval: {100 * held / total:.1f}%")
    assert 93 <= 100 * held / total <= 97


# -- soreness by dose: a mean per dose band, patients differing as for relief ---------

SORENESS_MEAN = 3.5  # latent soreness near 24 h in the 6-10 insertions band


def soreness_truth() -> float:
    """The exact mean of clip(round(3.5 + u + e), 0, 10) under the model above."""
    sd = math.hypot(PATIENT_SD, NOISE_SD)
    mean = 0.0
    for score in range(11):
        lo = -math.inf if score == 0 else score - 0.5
        hi = math.inf if score == 10 else score + 0.5
        mean += score * (_phi((hi - SORENESS_MEAN) / sd) - _phi((lo - SORENESS_MEAN) / sd))
    return mean


def test_soreness_by_dose_holds_95_percent_with_patients_as_clusters() -> None:
    from sessionlog.analysis.soreness import dose_band_clusters, soreness_by_dose

    true = soreness_truth()
    held = total = 0
    for seed in range(AE_CLINICS):
        rng = random.Random(20_000 + seed)
        rows = []
        for patient in range(1, rng.randint(*PATIENTS) + 1):
            u = rng.gauss(0, PATIENT_SD)
            for _ in range(rng.randint(*SESSIONS)):
                x = SORENESS_MEAN + u + rng.gauss(0, NOISE_SD)
                rows.append((patient, rng.randint(6, 10), 0, 6, min(10, max(0, round(x)))))
        band = next(
            b for b in soreness_by_dose(dose_band_clusters(rows)) if b.dimension == "insertions"
            and b.band == "6-10"
        )  # fmt: skip
        assert band.mean.low is not None and band.mean.high is not None
        held += band.mean.low <= true <= band.mean.high
        total += 1
    print(f"coverage of soreness by dose's 95% interval: {100 * held / total:.1f}%")
    assert 93 <= 100 * held / total <= 97


def test_median_sessions_a_week_interval_holds_95_percent() -> None:
    # One value per patient (their sessions a week), skewed: lognormal around 1 a week.
    from sessionlog.analysis.stats import median_with_interval

    held = total = 0
    for seed in range(AE_CLINICS):
        rng = random.Random(30_000 + seed)
        values = sorted(math.exp(rng.gauss(0, 0.6)) for _ in range(rng.randint(*PATIENTS)))
        _, ci = median_with_interval(values)
        assert ci is not None
        held += ci[0] <= 1.0 <= ci[1]  # the true median: exp(0)
        total += 1
    print(f"coverage of the median's 95% interval (sessions a week): {100 * held / total:.1f}%")
    assert 93 <= 100 * held / total <= 98  # order statistics: at least 95%, a little over
