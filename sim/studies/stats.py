"""Statistics of a study: proportions with Wilson intervals, their differences, and the
summary (``summary.json``) built in one pass over the outcome rows."""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from sim.engine.records import OUTCOMES

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n (Wilson 1927); (0, 1) when n = 0."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # exact ends at k = 0 and k = n, where centre -+ half differ from them only by rounding
    return (0.0 if k == 0 else max(0.0, centre - half)), (1.0 if k == n else
                                                         min(1.0, centre + half))


def wilson_band(k, n: int, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """``wilson`` for an array of counts out of the same n, e.g. a cumulative curve."""
    k = np.asarray(k, dtype=float)
    if n <= 0:
        return np.zeros_like(k), np.ones_like(k)
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    lo = np.where(k == 0, 0.0, np.maximum(0.0, centre - half))
    return lo, np.where(k == n, 1.0, np.minimum(1.0, centre + half))


def half_width(k: int, n: int) -> float:
    lo, hi = wilson(k, n)
    return (hi - lo) / 2


def runs_for_precision(p: float, h: float, z: float = Z95) -> int:
    """Replications for a 95% interval of about +-h at proportion p (normal approximation)."""
    p = min(max(p, 0.01), 0.99)  # never plan from a degenerate estimate
    return math.ceil(z * z * p * (1 - p) / (h * h))


def difference(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    """p2 - p1 with Newcombe's hybrid score interval (Newcombe 1998, method 10)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p2 - p1
    lo = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    hi = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return d, lo, hi


def quantiles(values: Sequence[float] | array) -> dict | None:
    """Median, 10th and 90th percentiles (None when there are no values)."""
    if len(values) == 0:
        return None
    q = np.quantile(np.asarray(values, dtype=float), [0.5, 0.1, 0.9])
    return {"median": float(q[0]), "p10": float(q[1]), "p90": float(q[2])}


def shares(counter: Counter, total: int) -> dict:
    return {k: v / total for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))} \
        if total else {}


class Summary:
    """Accumulates outcome rows (dicts of text, as read from outcomes.csv) into the summary.

    Keeps counts and the agreement days and terms only: a few floats per
    replication, whatever the number of rounds.
    """

    def __init__(self, issues: Sequence[str]):
        self.issues = list(issues)
        self.n = 0
        self.outcomes: Counter = Counter()
        self.blockers: Counter = Counter()
        self.sticking: Counter = Counter()
        self.levers: Counter = Counter()
        # the agreement days and terms are needed whole for exact quantiles: kept as packed
        # doubles (8 bytes each), so a million replications cost megabytes, not hundreds
        self.days = array("d")
        self.deals = {k: array("d") for k in self.issues}

    def add(self, row: dict) -> None:
        self.n += 1
        outcome = row["outcome"]
        self.outcomes[outcome] += 1
        for name in filter(None, (row.get("levers") or "").split(";")):
            self.levers[name] += 1
        if outcome == "agreement":
            self.days.append(float(row["day"]))
            for k in self.issues:
                self.deals[k].append(float(row[f"deal.{k}"]))
        else:
            self.blockers[row.get("blocker") or "none"] += 1
            self.sticking[row.get("sticking_issue") or "none"] += 1

    def extend(self, rows: Iterable[dict]) -> Summary:
        for row in rows:
            self.add(row)
        return self

    def result(self) -> dict:
        """The contents of summary.json."""
        n, k = self.n, self.outcomes["agreement"]
        failed = n - k
        return {
            "runs": n,
            "p_agreement": k / n if n else None,
            "p_agreement_ci95": list(wilson(k, n)),
            "outcomes": {o: self.outcomes[o] / n if n else None for o in OUTCOMES},
            "outcomes_ci95": {o: list(wilson(self.outcomes[o], n)) for o in OUTCOMES},
            "days_to_agreement": quantiles(self.days),
            "deal": {issue: quantiles(v) for issue, v in self.deals.items()},
            "blockers": shares(self.blockers, failed),
            "sticking_issues": shares(self.sticking, failed),
            "levers_fired": {name: c / n for name, c in sorted(self.levers.items())},
        }
