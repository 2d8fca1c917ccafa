"""One replication of the default scenario against a bare SimPy skeleton of it.

The floor of a SimPy model is SimPy itself: creating the processes and
scheduling and processing the events. This benchmark records, for each of N
replications of the default scenario, which processes the engine starts and
which timeouts each of them waits on (by running it in an instrumented copy
of the engine's ``simpy.Environment``, ``sim.engine.replication.Clock``), then replays
exactly that structure with processes that do no work: the same processes,
the same events, the same run-until-finish.
The ratio real / skeleton is how much the model's own work costs on top of
the event machinery. Target: at most 10x.

    python benchmarks/replication.py [--quick] [--runs N] [--repeats R] [--scenario FILE]
"""

from __future__ import annotations

import statistics
from contextlib import contextmanager

import _common
import simpy

from sim.engine import replication as engine
from sim.engine.compile import compile_model
from sim.engine.replication import Clock, run_replication
from sim.scenario import load_scenario

TIMEOUT, SPAWN, FINISH, AT = 0, 1, 2, 3
TARGET = 10.0


class _Finish(simpy.Event):
    """The run's ``finish`` event; notes in the script which process triggered it."""

    def succeed(self, value=None):
        self.env.note(FINISH, None)
        return super().succeed(value)


class Recorder(Clock):
    """An environment that writes down, per process, what it spawns and waits on.

    ``scripts[0]`` is the caller of ``env.run`` (it only spawns); ``scripts[n]`` is
    the n-th process. ``steps`` counts the events processed.
    """

    def __init__(self):
        super().__init__()
        self.scripts: list[list[tuple[int, float | None]]] = [[]]
        self.owner: dict[simpy.Process, int] = {}
        self.steps = 0

    def note(self, op: int, arg) -> None:
        proc = self.active_process
        self.scripts[self.owner[proc] if proc is not None else 0].append((op, arg))

    def process(self, generator):
        n = len(self.scripts)
        self.note(SPAWN, n)
        self.scripts.append([])
        proc = simpy.Process(self, generator)
        self.owner[proc] = n
        return proc

    def timeout(self, delay=0, value=None):
        self.note(TIMEOUT, delay)
        return simpy.Timeout(self, delay, value)

    def at(self, day):
        self.note(AT, day)
        return super().at(day)

    def event(self):
        return _Finish(self)

    def step(self):
        self.steps += 1
        super().step()


@contextmanager
def recording():
    """Make the engine's environment (``engine.Clock()``) a Recorder; yield the list of
    recorders created."""
    made: list[Recorder] = []
    original = engine.Clock

    def make(*args, **kwargs):
        env = Recorder()
        made.append(env)
        return env

    engine.Clock = make
    try:
        yield made
    finally:
        engine.Clock = original


def skeleton(scripts: list[list[tuple[int, float | None]]], environment=None):
    """Replay one replication's processes and timeouts with no work in them (in the
    engine's environment, or a Recorder while ``recording``)."""
    env = (environment or engine.Clock)()
    finish = env.event()

    def proc(script):
        for op, arg in script:
            if op == TIMEOUT:
                yield env.timeout(arg)
            elif op == AT:
                yield env.at(arg)
            elif op == SPAWN:
                env.process(proc(scripts[arg]))
            else:
                finish.succeed()

    for _, child in scripts[0]:
        env.process(proc(scripts[child]))
    env.run(until=finish)


def main() -> None:
    args = _common.options(__doc__, runs=(30, 300, "replications per timing"),
                           repeats=(3, 9, "timings of each side"))
    runs, repeats = args.runs, args.repeats
    _common.header("one replication against a bare SimPy skeleton", args.quick)

    sc = load_scenario(args.scenario)
    model = compile_model(sc)
    seed = sc.seed

    # 1. what the engine schedules in each replication, counted at run time
    with recording() as envs:
        rounds = [run_replication(model, i, seed, keep_rounds=False).outcome[3]
                  for i in range(runs)]
    scripts = [env.scripts for env in envs]
    steps = [env.steps for env in envs]
    # the skeleton must process exactly the same events
    with recording() as replayed:
        for s in scripts:
            skeleton(s)
    assert [e.scripts for e in replayed] == scripts, "skeleton differs from the engine"
    assert [e.steps for e in replayed] == steps
    processes = [len(s) - 1 for s in scripts]
    timeouts = [sum(op in (TIMEOUT, AT) for body in s for op, _ in body) for s in scripts]

    # 2. time both, taking turns
    def real():
        for i in range(runs):
            run_replication(model, i, seed, keep_rounds=False)

    def bare():
        for s in scripts:
            skeleton(s, Clock)

    real(), bare()  # warm up
    t = _common.interleaved({"real": real, "bare": bare}, repeats)
    per = {k: [x / runs for x in v] for k, v in t.items()}
    mean_steps = statistics.mean(steps)
    print(f"   scenario {sc.name} (file {args.scenario}), seed {seed}, replications 0..{runs - 1}")
    print(f"   per replication: {mean_steps:.1f} events processed (min {min(steps)}, max "
          f"{max(steps)}), {statistics.mean(timeouts):.1f} timeouts, "
          f"{statistics.mean(processes):.1f} processes, {statistics.mean(rounds):.1f} talk rounds")
    print(f"   engine:   {_common.describe(per['real'], 1e6, 'us')} per replication"
          f" = {min(per['real']) * 1e6 / statistics.mean(rounds):.1f} us per talk round (min)")
    print(f"   skeleton: {_common.describe(per['bare'], 1e6, 'us')} per replication"
          f" = {min(per['bare']) * 1e6 / mean_steps:.2f} us per event (min)")
    ratio = min(per["real"]) / min(per["bare"])
    ratio_med = statistics.median(per["real"]) / statistics.median(per["bare"])
    print(f"   ratio engine / skeleton (min of repeats): {_common.verdict(ratio, TARGET, True)};"
          f" of medians: {ratio_med:.2f}x")


if __name__ == "__main__":
    main()
