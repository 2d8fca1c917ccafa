"""The entry points a replication calls, compiled or as their Python twins, in one place.

``kernels(protocol)`` picks: compiled when the cache holds them (a marker that
``sim.engine.warm`` leaves in the cache folder once it has compiled them), when
``PEACESIM_JIT=compile``, or when nothing can be cached; otherwise the Python
twins (``jit.twin``), which give the same bytes about ten times more slowly.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import NamedTuple

from sim.model import jit, round
from sim.model.protocols import PROTOCOLS


class Kernels(NamedTuple):
    """What the engine calls: the preferences after an effect (``round.derive``), the
    battlefield's value (``round.field_value``), every actor's utility of a deal
    (``round.utilities``), and the protocol's ``play`` and ``play_run``."""

    derive: Callable
    field_value: Callable
    utilities: Callable
    play: Callable
    play_run: Callable


@cache
def compiled(protocol: str) -> Kernels:
    """The compiled kernels of a model with this protocol."""
    p = PROTOCOLS[protocol]
    return Kernels(round.derive, round.field_value, round.utilities, p.play, p.play_run)


@cache
def interpreted(protocol: str) -> Kernels:
    """The same kernels as plain Python (nothing compiles)."""
    return Kernels(*map(jit.twin, compiled(protocol)))


def marker(protocol: str) -> Path | None:
    """The file that says this protocol's kernels are in the cache (None: no cache)."""
    return jit.CACHE / f"ready-{protocol}" if jit.CACHE is not None else None


def failure() -> Path | None:
    """The file in which a background compile that failed left its traceback: then the
    kernels compile in the process that needs them, as numba does by itself."""
    return jit.CACHE / "warmup-failed.txt" if jit.CACHE is not None else None


_ready: set[str] = set()


def ready(protocol: str) -> bool:
    """Whether the compiled kernels are the ones to call now (``PEACESIM_JIT``, the cache)."""
    if protocol in _ready:  # (once compiled, always: a process does not go back)
        return True
    mode = jit.mode()
    if mode == "python":
        return False
    path = marker(protocol)
    if mode == "compile" or path is None or path.exists() or failure().exists():
        _ready.add(protocol)
        return True
    return False


def kernels(protocol: str) -> Kernels:
    """The kernels to call now: compiled if ``ready``, else their Python twins."""
    return compiled(protocol) if ready(protocol) else interpreted(protocol)
