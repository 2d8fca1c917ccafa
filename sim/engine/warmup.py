"""The background compile's process: ``python -m sim.engine.warmup`` (see ``warm``).

It plays a few replications of a small built-in scenario, for every protocol,
with and without a front line, so that every entry point compiles with the
argument types the engine passes, and marks each protocol done in the cache
folder.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from pathlib import Path

from sim.engine.compile import compile_model
from sim.engine.replication import State, run_replication
from sim.engine.warm import busy, lock_file
from sim.model.kernels import failure, marker
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


def _claim(lock: Path) -> bool:
    """Whether this process holds the lock: made for it by the process that started it (its
    pid written in it), or made here when started by hand."""
    mine = str(os.getpid())
    for _ in range(100):
        try:
            text = lock.read_text().strip()
        except FileNotFoundError:
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                continue
            os.write(fd, mine.encode())
            os.close(fd)
            return True
        if text == mine:
            return True
        if text and not busy(lock):
            lock.unlink(missing_ok=True)  # a holder that died
            continue
        if text:
            return False  # another one compiles
        time.sleep(0.05)  # the starting process is writing this one's pid
    return False


def main() -> None:
    """Hold the lock (or leave the work to the process that does), compile, let go; a
    failure leaves its traceback in the cache folder, and the kernels then compile where
    they are needed."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(19)  # the run that started it comes first
    lock = lock_file()
    if lock is None or not _claim(lock):
        return
    try:
        compile_all()
    except Exception:
        with contextlib.suppress(OSError):
            failure().write_text(traceback.format_exc())
    finally:
        with contextlib.suppress(OSError):
            if lock.read_text().strip() == str(os.getpid()):
                lock.unlink()


if __name__ == "__main__":
    main()
