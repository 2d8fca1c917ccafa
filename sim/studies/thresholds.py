""""What would it take": the value of one parameter at which P(agreement) crosses a target.

The probability may also be of agreements on given terms (``where``:
``deal.donbas >= 0.5``), e.g. of a deal in which a party gives up at least so much.

Bisection on [low, high] with common random numbers: every evaluation is a
study with the same root seed, so replication ``i`` meets the same chance
events at every value and P(agreement) moves only with the parameter. The
answer is the final bracket, a point estimate interpolated inside it, and an
uncertainty range: the values between the last evaluation whose 95% Wilson
interval lies wholly on the low side of the target and the first whose
interval lies wholly on the high side. Bisection assumes P(agreement) crosses
the target once in the range; with several crossings it finds one of them.
"""

from __future__ import annotations

import math
import operator
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.engine.compile import compile_model
from sim.engine.records import outcome_columns
from sim.errors import PeacesimError, StudyInterruptedError
from sim.scenario import Scenario, load_scenario, with_overrides
from sim.studies import folders, study
from sim.studies.results import read_table
from sim.studies.runner import (
    check_options,
    default_workers,
    make_executor,
    new_manifest,
    pilot,
)
from sim.studies.stats import half_width, wilson
from sim.studies.sweeps import range_ends, whole_numbers

STEPS = 8  # bisection steps after the two ends: the bracket shrinks to 1/256 of the range
PROBES = 4  # at most this many evaluations on each side to bound the sampling uncertainty
_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
        "==": operator.eq, "!=": operator.ne}
_TERM = re.compile(r"\s*([a-z][a-z0-9_.]*)\s*(>=|<=|==|!=|>|<)\s*([-+0-9.eE]+)\s*")


@dataclass(frozen=True, eq=False)
class Threshold:
    """The answer of ``threshold``; ``str()`` says it in words."""

    path: str
    target: float
    crossed: bool
    value: float | None  # estimate: linear interpolation inside the bracket
    bracket: tuple[float, float] | None  # P is on either side of the target at its ends
    uncertainty: tuple[float, float] | None  # where the crossing may be, given sampling error
    evaluations: pd.DataFrame  # value, runs, agreements, p_agreement, p_lo, p_hi (by value)
    message: str

    def __str__(self) -> str:
        return self.message


def threshold(scenario: Scenario | str | Path, path: str, low: float, high: float,
              target: float = 0.5, runs: int | None = None, seed: int | None = None,
              workers: int | None = None, scheduler: str | None = None,
              steps: int = STEPS, where: str | None = None, quiet: bool = True) -> Threshold:
    """Find where P(agreement) crosses ``target`` as ``path`` goes from ``low`` to ``high``.

    ``where``: count only agreements on these terms, conditions on the numeric
    columns of outcomes.csv joined by ``and`` (``"deal.donbas >= 0.5"``). Each
    evaluation is a study of ``runs`` replications (default: the scenario's)
    with root ``seed``. Raises ``PeacesimError`` before any work for a bad path,
    a value the scenario rejects, ``low >= high``, a target outside (0, 1) or a
    condition that names no such column. Without ``quiet``, each study shows a progress
    bar on a terminal.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    _check(path, low, high, target, steps)
    whole = whole_numbers(sc)(path)  # max_fires, say: bisection on whole numbers
    low, high = range_ends(sc, path, low, high, whole, "threshold")  # a bad path fails here
    terms = parse_where(where, outcome_columns(compile_model(sc))) if where else []
    runs = sc.runs if runs is None else runs
    seed = sc.seed if seed is None else seed
    if scheduler is None and workers is None:
        workers = default_workers()
    check_options(runs, seed, workers, None, None)
    evaluate = _Evaluator(sc, path, runs, seed, workers or 1, scheduler, terms, quiet)
    try:
        return bisect(evaluate, path, low if whole else float(low),
                       high if whole else float(high), target, steps, whole)
    except StudyInterruptedError:
        done = len(evaluate.rows)
        raise StudyInterruptedError(
            f"threshold search interrupted after {done} {'study' if done == 1 else 'studies'};"
            " a search keeps nothing to resume: run it again (with fewer --runs or --steps for "
            "a quicker answer)") from None
    finally:
        evaluate.close()


def _check(path: str, low, high, target, steps) -> None:
    for name, value in (("LO", low), ("HI", high), ("target", target)):
        if not isinstance(value, int | float) or isinstance(value, bool) or \
                not math.isfinite(value):
            raise PeacesimError(f"threshold {name}: expected a number, got {value!r}")
    if not low < high:
        raise PeacesimError(f"{path}: range {low:g}:{high:g} needs LO < HI")
    if not 0 < target < 1:
        raise PeacesimError(f"--target: expected a probability between 0 and 1, got {target!r}")
    if not isinstance(steps, int) or steps < 1:
        raise PeacesimError(f"steps: expected a whole number >= 1, got {steps!r}")


def parse_where(text: str, columns: list[str]) -> list[tuple[str, str, float]]:
    """``"deal.donbas >= 0.5 and day < 200"`` -> [(column, operator, number), ...], each
    column one of the numeric ``columns`` of outcomes.csv."""
    numeric = [c for c in columns if c.split(".")[0] in ("deal", "utility", "param")
               or c in ("day", "rounds", "held_km2")]
    terms = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _TERM.fullmatch(part)
        if not match:
            raise PeacesimError(f"--where {text!r}: expected COLUMN OP NUMBER (OP one of "
                                f"{' '.join(_OPS)}), joined by 'and'; got {part!r}")
        column, op, number = match.groups()
        if column not in numeric:
            raise PeacesimError(f"--where: no numeric column {column!r} in outcomes.csv; it has "
                                f"{', '.join(numeric)}")
        try:
            terms.append((column, op, float(number)))
        except ValueError:
            raise PeacesimError(f"--where: {number!r} is not a number") from None
    return terms


class _Evaluator:
    """P(agreement), or of agreements on the ``terms`` of ``parse_where``, at a value of the
    parameter: a study in a temporary folder, on one executor for the whole search;
    remembers every evaluation."""

    def __init__(self, sc: Scenario, path: str, runs: int, seed: int, workers: int,
                 scheduler: str | None, terms: list[tuple[str, str, float]] | None = None,
                 quiet: bool = True):
        self.sc, self.path, self.runs, self.seed, self.quiet = sc, path, runs, seed, quiet
        self.terms = terms or []
        on = " and ".join(f"{c} {op} {v:g}" for c, op, v in self.terms)
        self.label = f"P(agreement with {on})" if on else "P(agreement)"
        self.executor, self.description, self.client = make_executor(workers, scheduler)
        self.workers = self.description["workers"]
        self.chunk = pilot(compile_model(sc), seed, runs, self.workers)
        self.staging = Path(tempfile.mkdtemp(prefix="peacesim-threshold-"))
        self.rows: list[tuple[float, int, int]] = []

    def __call__(self, value: float) -> float:
        point = with_overrides(self.sc, {self.path: value}, "threshold")
        folder = self.staging / f"{len(self.rows):03d}"
        manifest = new_manifest(point, self.seed, self.runs, self.chunk, self.description,
                                None, self.runs, 0, None)
        study.start(folder, point, manifest, self.executor, self.workers, self.quiet, None)
        summary = folders.read_json(folder / folders.SUMMARY)
        agreed = self._count(folder / folders.OUTCOMES) if self.terms else \
            round(summary["p_agreement"] * summary["runs"])
        shutil.rmtree(folder)
        self.rows.append((value, summary["runs"], agreed))
        return agreed / summary["runs"]

    def _count(self, path: Path) -> int:
        """Agreements whose row meets every term."""
        names = {"outcome", *(c for c, _, _ in self.terms)}
        table = read_table(path, names.__contains__)
        met = table["outcome"] == "agreement"
        for column, op, number in self.terms:
            met &= _OPS[op](table[column], number)
        return int(met.sum())

    def table(self) -> pd.DataFrame:
        rows = [(v, n, k, k / n, *wilson(k, n)) for v, n, k in sorted(self.rows)]
        return pd.DataFrame(rows, columns=["value", "runs", "agreements", "p_agreement",
                                           "p_lo", "p_hi"])

    def close(self) -> None:
        study.close_executor(self.executor, self.client)
        shutil.rmtree(self.staging, ignore_errors=True)


def bisect(evaluate: _Evaluator, path: str, low: float, high: float, target: float,
            steps: int, whole: bool = False) -> Threshold:
    """The value between ``low`` and ``high`` at which P(agreement) reaches ``target``, by
    bisection on paired seeds: ``steps`` halvings of the bracket (whole numbers only when
    ``whole``); ``evaluate`` runs the study at a value."""
    p_low, p_high = evaluate(low), evaluate(high)
    for end, p in ((low, p_low), (high, p_high)):
        if p == target:  # an end is the answer (the same rule at both ends)
            message = (f"{evaluate.label} is {target:g} at the end of the range, {path} = {end:g}; "
                       "widen the range to see how it crosses")
            return Threshold(path, target, True, end, (end, end), (end, end),
                             evaluate.table(), message)
    if (p_low > target) == (p_high > target):
        side = "above" if p_low >= target else "below"
        message = (f"{evaluate.label} stays {side} {target:g} for {path} from {low:g} "
                   f"(P = {p_low:.3f}) to {high:g} (P = {p_high:.3f}): the target is not "
                   f"crossed in this range")
        return Threshold(path, target, False, None, None, None, evaluate.table(), message)
    a, b, pa, pb = low, high, p_low, p_high
    for _ in range(steps):
        if whole and b - a <= 1:
            break  # neighbours: nothing lies between
        mid = (a + b) // 2 if whole else (a + b) / 2
        pm = evaluate(mid)
        if (pm >= target) == (pa >= target):
            a, pa = mid, pm
        else:
            b, pb = mid, pm
    value = a + (target - pa) * (b - a) / (pb - pa)
    rising = p_high > p_low
    slope = abs(p_high - p_low) / (high - low)
    _probe_edges(evaluate, value, half_width(round(target * evaluate.runs), evaluate.runs)
                 / slope, target, rising, low, high, whole)
    table = evaluate.table()
    uncertainty = _uncertainty(table, target, rising, low, high)
    message = (f"{evaluate.label} crosses {target:g} at {path} ≈ {value:.4g} (bracket "
               f"[{a:.4g}, {b:.4g}]: P = {pa:.3f} and {pb:.3f}); allowing for sampling error "
               f"(95% Wilson intervals of {evaluate.runs} replications per value) the crossing "
               f"lies in [{uncertainty[0]:.4g}, {uncertainty[1]:.4g}]")
    return Threshold(path, target, True, value, (a, b), uncertainty, table, message)


def _probe_edges(evaluate: _Evaluator, value: float, step: float, target: float,
                 rising: bool, low: float, high: float, whole: bool = False) -> None:
    """Step out from the estimate on both sides, one sampling half-width (translated to the
    parameter by the average slope) at a time, until an evaluation is clearly on that side of
    the target or the range ends: this is what makes the uncertainty range tight. Whole
    numbers: steps of at least 1, rounded, each value tried once."""
    tried = set(evaluate.table()["value"])
    if whole:
        step = max(step, 1.0)
    for side in (-1, 1):
        for k in range(1, PROBES + 1):
            x = min(max(value + side * k * step, low), high)
            if whole:
                x = round(x)
            if x in (low, high):
                break
            if x in tried:
                continue
            tried.add(x)
            p = evaluate(x)
            lo, hi = wilson(round(p * evaluate.runs), evaluate.runs)
            if (hi < target if (side < 0) == rising else lo > target):
                break


def _uncertainty(table: pd.DataFrame, target: float, rising: bool, low: float,
                 high: float) -> tuple[float, float]:
    """From the last value clearly before the crossing to the first clearly after it."""
    before = table["p_hi"] < target if rising else table["p_lo"] > target
    after = table["p_lo"] > target if rising else table["p_hi"] < target
    start = table.loc[before, "value"].max() if before.any() else low
    beyond = table.loc[after & (table["value"] > start), "value"]
    return float(start), float(beyond.min()) if len(beyond) else high


__all__ = ["Threshold", "threshold"]
