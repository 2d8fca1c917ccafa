"""Shared helpers of the benchmark scripts: paths, timing, the machine, printing ratios.

Every benchmark measures the things it compares side by side in the same run,
repeats each measurement and reports the minimum and median of the repeats
(the machine is shared, so single timings are noisy).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

# the compiled kernels, compiled in this process if the cache is cold (not their Python
# twins while a background compile runs: see sim/model/jit.py); cold_start.py sets its own
os.environ.setdefault("PEACESIM_JIT", "compile")

SCENARIOS = ROOT / "scenarios"
DEFAULT_SCENARIO = SCENARIOS / "geneva-2026.yaml"


def options(doc: str, runs: tuple[int, int, str] | None = None,
            repeats: tuple[int, int, str] | None = None, workers: tuple[int, str] | None = None,
            scenario: bool = True, more: Callable | None = None):
    """The command line every benchmark shares: ``--quick``, and as asked ``--runs``,
    ``--repeats`` (each given as (quick default, full default, what it counts)), ``--workers``
    (default, meaning), ``--scenario`` and whatever ``more(parser)`` adds. Returns the parsed
    arguments with ``runs`` and ``repeats`` resolved for ``--quick``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    for name, spec in (("runs", runs), ("repeats", repeats)):
        if spec:
            parser.add_argument(f"--{name}", type=int, help=f"{spec[2]} (default {spec[1]})")
    if workers:
        parser.add_argument("--workers", type=int, default=workers[0],
                            help=f"{workers[1]} ({workers[0]})")
    if scenario:
        parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    if more:
        more(parser)
    args = parser.parse_args()
    for name, spec in (("runs", runs), ("repeats", repeats)):
        if spec:
            setattr(args, name, getattr(args, name) or spec[0 if args.quick else 1])
    return args


def machine() -> str:
    """One line saying where the figures were measured."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
            f"{cores} cores available")


def times(fn: Callable[[], object], repeats: int) -> list[float]:
    """Wall seconds of ``repeats`` calls of ``fn``."""
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def interleaved(fns: dict[str, Callable[[], object]], repeats: int,
                batch: float = 0.0) -> dict[str, list[float]]:
    """Time each function ``repeats`` times, taking turns, so that load from other users of
    the machine falls on all of them alike. With ``batch`` (seconds), each timing is the
    mean of as many calls in a row as fill about that long (as ``timeit`` does), so that a
    call of a fraction of a millisecond is not timed cold, just after the others ran."""
    number = {name: max(1, round(batch / max(times(fn, 1)[0], 1e-9))) if batch else 1
              for name, fn in fns.items()}
    out: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            out[name].append(sum(times(fn, number[name])) / number[name])
    return out


def describe(seconds: list[float], unit: float = 1.0, label: str = "s") -> str:
    """``min x, median y`` of timings, scaled by ``unit``."""
    return (f"min {min(seconds) * unit:.4g} {label}, median "
            f"{statistics.median(seconds) * unit:.4g} {label} ({len(seconds)} repeats)")


def verdict(ratio: float, target: float, at_most: bool) -> str:
    ok = ratio <= target if at_most else ratio >= target
    sign = "<=" if at_most else ">="
    return f"{ratio:.2f}x (target {sign} {target}x: {'met' if ok else 'NOT met'})"


def header(title: str, quick: bool) -> None:
    print(f"== {title}{' (quick smoke run)' if quick else ''}")
    print(f"   {machine()}")
