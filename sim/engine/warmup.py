"""The background compile's process: ``python -m sim.engine.warmup`` (see ``warm``).

It plays a few replications of a small built-in scenario, for every protocol,
with and without a front line, so that every entry point compiles with the
argument types the engine passes, and marks each protocol done in the cache
folder.
"""

from __future__ import annotations

import contextlib
import os

from sim.engine.compile import compile_model
from sim.engine.replication import State, run_replication
from sim.engine.warm import busy, lock_file
from sim.model.kernels import marker
from sim.model.protocols import PROTOCOLS
from sim.scenario import parse_scenario

# a model small enough to play in no time and with every kind of thing a kernel reads:
# a stepped and an indivisible issue, red lines, a mediator leaning on the deal, a lever,
# walkouts; with and without a front line (rounds one at a time, and runs of rounds)
_BASE = """
name: warm
horizon_days: 120
issues:
  land: {step: 0.1}
  guarantee: {}
  sanctions: {indivisible: true}
actors:
  a:
    positions:
      land: {ideal: 0, weight: 0.6, red_line: 0.7}
      guarantee: {ideal: 1, weight: 0.3}
      sanctions: {ideal: 0, weight: 0.1}
    war_cost: 0.001
    walkout: 0.2
  b:
    positions:
      land: {ideal: 1, weight: 0.6, red_line: 0.4}
      guarantee: {ideal: 0, weight: 0.3, red_line: 0.8}
      sanctions: {ideal: 1, weight: 0.1}
    war_cost: 0.001
    walkout: 0.2
  m:
    role: mediator
    positions: {land: {ideal: 0.5, weight: 1}}
    mediation: {bias: 0.2, information: 0.05}
    levers:
      - {name: push, 'on': a, probability: 0.5, duration_days: 10,
         effects: [{path: actors.a.war_cost, scale: 2}]}
talks: {protocol: PROTOCOL, rounds: [{day: 0}], every_days: 7, jitter_days: 1,
        deadline_day: 60, resume_after_days: 7}
"""
_FRONT = """
battlefield: {issue: land, holder: a, held_km2: 100, reference_km2: 100, drift: -0.5,
              volatility: 1}
"""


def compile_all() -> None:
    """Compile every protocol's kernels into the cache and mark each one done."""
    for protocol in PROTOCOLS:
        for extra in ("", _FRONT):
            model = compile_model(parse_scenario(_BASE.replace("PROTOCOL", protocol) + extra))
            for index in range(4):
                run_replication(model, index, 0)
            rep = State(model, 0, 0)  # what only some replications reach
            rep.outcome("no_deal", 1.0, None)
        path = marker(protocol)
        if path is not None:
            path.touch()


def main() -> None:
    """Take the lock (or leave it to the process that holds it), compile, let go."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(19)  # the run that started it comes first
    lock = lock_file()
    if lock is None:
        return
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        if busy(lock):
            return
        lock.unlink(missing_ok=True)
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        compile_all()
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()


if __name__ == "__main__":
    main()
