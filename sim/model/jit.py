"""Compiling the per-round maths, caching it by its source, and running it uncompiled.

numba turns the plain functions of ``sim.model`` into machine code. The
compiled functions do the same floating-point operations in the same order as
their Python source, so the source gives the same bytes, only slower: read it,
step through it with a debugger (``PEACESIM_JIT=python``), trust it.

The cache cannot run stale code: numba checks a cached function against its
own file only, so a change to a helper it inlines from another file would go
unseen; here every kernel is cached in a folder named by a hash of all the
sources of ``sim.model`` (``CACHE``), and any edit to any of them starts a new
folder. The folder lies under ``$NUMBA_CACHE_DIR`` when that is set, else in
``sim/__pycache__`` (folders there of older sources are removed after a day),
else in the user's cache directory; with none writable, nothing is cached.

Compiling takes about a minute, once per machine and version. Until it is done
the kernels run as their Python twins (``twin``): the same source with every
compiled callee swapped for its own twin, while a background process compiles
(``sim.engine.warm``). ``PEACESIM_JIT`` chooses: ``auto`` (that), ``compile``
(always compiled, compiling in this process when the cache is cold), ``python``
(never compiled).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import sys
import time
import types
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numba
from numba.core.registry import CPUDispatcher

SOURCES = Path(__file__).resolve().parent  # every compiled function lives under sim/model
MODES = ("auto", "compile", "python")


_misspelt: set[str] = set()  # values of PEACESIM_JIT already said to be unknown


def mode() -> str:
    """``PEACESIM_JIT``: ``auto`` (the default), ``compile`` or ``python``; anything else is
    said once, on stderr, and taken as ``auto``."""
    value = os.environ.get("PEACESIM_JIT", "auto").strip().lower() or "auto"
    if value in MODES:
        return value
    if value not in _misspelt:
        _misspelt.add(value)
        print(f"peacesim: PEACESIM_JIT={value!r}: expected one of {', '.join(MODES)}; "
              "using auto", file=sys.stderr)
    return "auto"


def source_key(root: Path = SOURCES) -> str:
    """A hash of every source file of the kernels: the name of their cache folder."""
    # numba's own cache files are per Python version and machine too: a folder shared by
    # several (NUMBA_CACHE_DIR) keeps them apart, and so do the markers in it
    h = hashlib.sha256(f"{numba.__version__} {sys.version_info[:2]} {platform.machine()}"
                       .encode())
    for path in sorted(root.rglob("*.py")):
        h.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _writable(folder: Path) -> bool:
    """Whether ``folder`` exists or can be made, and takes files (the probe also marks the
    folder used now: its time is what the clean-up below reads)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
        return True
    except OSError:
        return False


def _cache_folder(key: str) -> Path | None:
    """Where the kernels of this source are cached (None: nowhere writable)."""
    name = f"numba-{key}"
    if os.environ.get("NUMBA_CACHE_DIR"):
        folder = Path(os.environ["NUMBA_CACHE_DIR"]) / "peacesim" / name
        return folder if _writable(folder) else None
    in_tree = SOURCES.parent / "__pycache__"
    if _writable(in_tree / name):
        for old in in_tree.glob("numba-*"):  # this copy's earlier sources, unused for a day
            try:
                unused = old.name != name and time.time() - old.stat().st_mtime > 86400
            except OSError:  # another process removed it first
                continue
            if unused:
                shutil.rmtree(old, ignore_errors=True)
        return in_tree / name
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "peacesim" / name
    return user if _writable(user) else None


CACHE = _cache_folder(source_key())


@contextmanager
def _caching() -> Any:
    """numba's cache directory set to ``CACHE`` while a function is decorated (numba picks a
    function's cache location then)."""
    old = numba.config.CACHE_DIR
    numba.config.CACHE_DIR = str(CACHE) if CACHE is not None else old
    try:
        yield
    finally:
        numba.config.CACHE_DIR = old


def _compiler(**options: Any) -> Callable:
    decorate = numba.njit(cache=CACHE is not None, error_model="python", **options)

    def compile_(f: Callable) -> Callable:
        with _caching():
            return decorate(f)
    return compile_


# error_model="python": a division by zero raises ZeroDivisionError as the source would
jit = _compiler()
# for helpers that take the named tuples of arrays of ``state`` (layout, workspace): a call
# counts a reference to each array in and out, atomically (about 0.1 us a call); inlined
# into the caller (numba's IR inlining, not LLVM's), those counts disappear
inline = _compiler(inline="always")
# for functions generated at import (``state``: the views of declared structs): always
# inlined, so they need no cache of their own (their callers' cache is keyed by ``state``)
generated = numba.njit(error_model="python", inline="always")


# --- Python twins --------------------------------------------------------------------------

_twin_modules: dict[int, types.ModuleType] = {}  # a module's globals -> its twin module


def twin(kernel: Callable) -> Callable:
    """The Python source of a compiled function, calling the Python twins of every compiled
    function it reaches (directly, through a module of ``sim.model``, or passed on): it
    runs without compiling anything and gives the same bytes."""
    if not isinstance(kernel, CPUDispatcher):
        return kernel
    f = kernel.py_func
    if hasattr(f, "twin"):  # generated with a Python twin of its own (``state``)
        return f.twin
    return types.FunctionType(f.__code__, _twin_module(f.__globals__).__dict__, f.__name__,
                              f.__defaults__, f.__closure__)


def _twin_module(namespace: dict) -> types.ModuleType:
    """A module of the same names as ``namespace``, compiled functions swapped for twins."""
    key = id(namespace)
    if key not in _twin_modules:
        module = _twin_modules[key] = types.ModuleType(namespace.get("__name__", "generated"))
        twins = module.__dict__  # registered first: modules may refer to each other
        twins.update(namespace)
        for name, value in namespace.items():
            if isinstance(value, CPUDispatcher):
                twins[name] = twin(value)
            elif isinstance(value, types.ModuleType) and value.__name__.startswith("sim.model"):
                twins[name] = _twin_module(value.__dict__)
    return _twin_modules[key]
