"""Where the time of one replication of the default scenario goes, per function.

Two views: cProfile over N replications (own time and time including callees,
per replication; the profiler's own cost inflates functions that make many
small calls), and an unprofiled breakdown that replays the recorded calls of
the main model functions alone and compares them with whole replications.

    python benchmarks/profile_replication.py [--quick] [--runs N] [--top K] [--scenario FILE]
"""

from __future__ import annotations

import copy
import cProfile
import pstats
import time

import _common

from sim.engine.compile import compile_model
from sim.engine.replication import run_replication
from sim.model import kernels, round
from sim.model.protocols import PROTOCOLS
from sim.scenario import load_scenario

# the calls into the compiled kernels (what they call inside is compiled code)
PARTS = [(PROTOCOLS["mediated"], "play", "mediated play"),
         (PROTOCOLS["alternating"], "play", "alternating play"), (round, "derive", "derive")]


def _set(part, value) -> None:
    """Swap a kernel the engine calls (the registry's tuples are immutable: rebuild them)."""
    owner, name, label = part
    if owner is round:
        setattr(round, name, value)
    else:
        protocol = next(k for k, p in PROTOCOLS.items() if p is owner or label.startswith(k))
        PROTOCOLS[protocol] = PROTOCOLS[protocol]._replace(**{name: value})
    kernels.compiled.cache_clear()


def profile(model, seed: int, runs: int, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(runs):
        run_replication(model, i, seed, keep_rounds=False)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(own for _, _, own, _, _ in stats.values())
    rows = sorted(stats.items(), key=lambda item: -item[1][2])[:top]
    print(f"   cProfile, per replication (profiled total {total / runs * 1e6:.0f} us):")
    print(f"   {'own us':>7} {'own %':>6} {'incl. us':>8} {'calls':>7}  function")
    for (path, line, name), (_, calls, own, cumulative, _) in rows:
        where = f"{path.split('/site-packages/')[-1].split('/main/')[-1]}:{line}"
        print(f"   {own / runs * 1e6:7.1f} {100 * own / total:5.1f}% "
              f"{cumulative / runs * 1e6:8.1f} {calls / runs:7.1f}  {name} ({where})")


def breakdown(model, seed: int, runs: int) -> None:
    """Record the calls of PARTS during ``runs`` replications, then time each alone."""
    calls: dict[str, list] = {label: [] for _, _, label in PARTS}
    originals = {label: getattr(owner, name) for owner, name, label in PARTS}

    def recorder(name):
        def call(*args):
            calls[name].append(copy.deepcopy(args))
            return originals[name](*args)
        return call

    for part in PARTS:
        _set(part, recorder(part[2]))
    try:
        for i in range(runs):
            run_replication(model, i, seed, keep_rounds=False)
    finally:
        for part in PARTS:
            _set(part, originals[part[2]])

    def whole():
        for i in range(runs):
            run_replication(model, i, seed, keep_rounds=False)

    total = min(_common.times(whole, 5)) / runs
    talks = (len(calls["mediated play"]) + len(calls["alternating play"])) / runs
    print(f"   unprofiled: {total * 1e6:.0f} us per replication, {talks:.1f} talk rounds, "
          f"{total / talks * 1e6:.1f} us per round")
    for name, recorded in calls.items():
        best = float("inf")
        for _ in range(5):
            args = [copy.deepcopy(a) for a in recorded]
            started = time.perf_counter()
            for a in args:
                originals[name](*a)
            best = min(best, time.perf_counter() - started)
        print(f"   {name:>17}: {len(recorded) / runs:5.2f} calls per replication, "
              f"{best / runs * 1e6:6.0f} us ({100 * best / runs / total:4.1f}% of a replication),"
              f" {best / max(len(recorded), 1) * 1e6:5.1f} us per call")


def main() -> None:
    args = _common.options(__doc__, runs=(20, 300, "replications"), more=lambda p: p.add_argument(
        "--top", type=int, default=25, help="functions listed (25)"))
    runs = args.runs
    _common.header("where one replication's time goes", args.quick)
    sc = load_scenario(args.scenario)
    model = compile_model(sc)
    for i in range(min(runs, 20)):  # warm up
        run_replication(model, i, sc.seed, keep_rounds=False)
    print(f"   scenario {sc.name}, seed {sc.seed}, replications 0..{runs - 1}")
    breakdown(model, sc.seed, runs)
    profile(model, sc.seed, runs, args.top)


if __name__ == "__main__":
    main()
