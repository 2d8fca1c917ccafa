"""Compiling the kernels in the background on a first run, while the run goes on in Python.

A process that finds the cache cold (``sim.model.kernels.ready``) under
``PEACESIM_JIT=auto`` starts ``python -m sim.engine.warmup`` once, detached
(``start``); it compiles every protocol's kernels and leaves a marker per
protocol in the cache folder.
Replications that start after the marker appears use the compiled kernels; the
bytes are the same either way. A lock file keeps it to one such process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sim.model import jit
from sim.model.kernels import Kernels, compiled, failure, kernels, marker, ready
from sim.model.protocols import PROTOCOLS

STALE = 900.0  # seconds after which a lock left by a process that died is taken over


def lock_file() -> Path | None:
    """The lock of the background compile, in the cache folder (None: no cache)."""
    return jit.CACHE / "warming.lock" if jit.CACHE is not None else None


def busy(lock: Path) -> bool:
    """Whether a live process holds the lock (one just being started counts: its pid is
    written a moment after the lock is made)."""
    try:
        text = lock.read_text().strip()
        age = time.time() - lock.stat().st_mtime
    except OSError:
        return False
    if not text.isdigit():
        return age < 60
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive or not, it is not ours to ask: trust the lock for a while
        return age < STALE
    return True


_started = False


def start() -> bool:
    """Start the background compile unless it runs already, is done or failed; True if this
    call started it (once per process). The lock is made here, before the process starts,
    so that processes starting meanwhile do not start another."""
    global _started
    lock, failed = lock_file(), failure()
    if _started or lock is None or jit.mode() != "auto" or failed.exists() or \
            all(map(ready, PROTOCOLS)):
        return False
    _started = True
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if busy(lock):
                return False
            lock.unlink(missing_ok=True)  # its process died: take it over
        except OSError:
            return False
    else:
        return False
    env = dict(os.environ, PEACESIM_JIT="compile")
    try:  # (a new session would be a scheduler group of its own: its low priority would
        # count only within it)
        child = subprocess.Popen([sys.executable, "-m", "sim.engine.warmup"], env=env,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, process_group=0)
        os.write(fd, str(child.pid).encode())
    except OSError:  # no process to spare: this run goes on in Python, the next tries again
        lock.unlink(missing_ok=True)
        return False
    finally:
        os.close(fd)
    return True


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (its stderr shows under the cell)."""
    return "ipykernel" in sys.modules


def announce(protocol: str, quiet: bool) -> str | None:
    """Say, before a study starts, that its kernels are not compiled yet and what happens
    meanwhile: on a terminal (unless ``quiet``) and in a notebook. Returns what it said."""
    path = marker(protocol)
    if path is None or path.exists() or jit.mode() == "python":
        return None
    if jit.mode() == "compile" or failure().exists():
        said = ("peacesim: compiling the model's kernels (first run of this version on this "
                "machine only, about a minute)")
    else:
        said = ("peacesim: first run of this version on this machine: the model's kernels "
                "compile in the background (about a minute); until then they run as plain "
                "Python, slower, with the same results")
    if in_notebook() or (not quiet and sys.stderr.isatty()):
        print(said, file=sys.stderr, flush=True)
        return said
    return None


def kernels_now(protocol: str) -> Kernels:
    """The kernels a replication starting now calls (``sim.model.kernels.kernels``),
    starting the background compile when they are not compiled yet."""
    chosen = kernels(protocol)
    if chosen is not compiled(protocol):
        start()
    return chosen


