"""Compiling the per-round maths: numba turns the plain functions of ``preferences``,
``front`` (the belief update), ``solver``, ``protocols`` and the talk-round kernels of
``rounds`` into machine code, cached on disk.

The compiled functions do the same floating-point operations in the same order
as their Python source, so ``NUMBA_DISABLE_JIT=1`` runs that source unchanged
and gives the same bytes (slowly): read it, step through it with a debugger,
trust it. The first use on a machine compiles them (tens of seconds, once);
later processes load the cache from ``__pycache__`` (or numba's user cache
directory where the package is read-only).

For developers: numba checks a cached function against its own file only, so
after editing a compiled function that functions in other modules call (or
inline), delete ``sim/__pycache__/*.nbi`` and ``*.nbc``; an installed release
has none of this problem (its files are new together).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numba

# error_model="python": a division by zero raises ZeroDivisionError as the source would
jit = numba.njit(cache=True, error_model="python")
# for helpers that take the tuples of arrays of ``sim.rounds`` (Layout, Workspace): a call
# counts a reference to each array in and out, atomically (about 0.1 us a call); inlined
# into the caller (numba's IR inlining, not LLVM's), those counts disappear
inline = numba.njit(cache=True, error_model="python", inline="always")


@contextmanager
def announce_if_slow(quiet: bool, after: float = 2.0) -> Iterator[None]:
    """On a terminal, say why the wait is long if what runs inside is compiling the kernels
    (the first run on a machine); silent when ``quiet`` or not a terminal."""
    if quiet or not sys.stderr.isatty():
        yield
        return
    timer = threading.Timer(after, print, ["peacesim: compiling the model's kernels (first run "
                                           "on this machine only, about half a minute)"],
                            {"file": sys.stderr, "flush": True})
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
