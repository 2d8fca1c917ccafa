"""Monte Carlo studies: replications in chunks, on any executor,
saved as they finish.

Replication ``i`` always uses ``SeedSequence(seed, spawn_key=(i,))``, so the
rows do not depend on the executor, the number of workers, the chunking or
the order in which chunks finish; chunks are written to disk as they arrive
and assembled in replication order at the end.
"""

from __future__ import annotations

import concurrent.futures as cf
import gc
import hashlib
import json
import math
import multiprocessing
import os
import platform
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sim.engine.compile import Model, compile_model
from sim.engine.records import outcome_columns, round_columns
from sim.engine.replication import run_replication
from sim.engine.warm import announce
from sim.errors import PeacesimError
from sim.scenario import MAX_RUNS, from_document, to_document
from sim.studies import folders
from sim.studies.stats import half_width, runs_for_precision
from sim.version import __version__

CHUNK_SECONDS = 1.0  # aim for chunks of about a second of work
MAX_CHUNK = 5000
ROUNDS_SAMPLE = 1000  # rounds.csv keeps the rounds of the first this many replications


class ReplicationError(PeacesimError):
    """The model raised an exception inside one replication."""

    def __init__(self, index: int, seed: int, detail: str):
        self.index, self.seed, self.detail = index, seed, detail
        super().__init__(f"replication {index} (seed {seed}) failed: {detail}; reproduce it "
                         f"with sim.replicate(scenario, {index}, {seed})")

    def __reduce__(self):  # travels back from worker processes
        return ReplicationError, (self.index, self.seed, self.detail)


class WorkerError(PeacesimError):
    """A worker process died or its executor failed; the study stops cleanly."""


# --- the task: module-level, plain data in and out -------------------------------------

_MODELS: dict[str, Model] = {}


def fingerprint(doc: dict) -> str:
    """A stable hash of a resolved scenario document."""
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def replicate_or_explain(model: Model, index: int, seed: int, keep_rounds: bool):
    """``run_replication``, with a failure named by its replication index and seed."""
    try:
        return run_replication(model, index, seed, keep_rounds=keep_rounds)
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        raise ReplicationError(index, seed, f"{type(exc).__name__}: {exc} "
                                            f"({Path(where.filename).name}:{where.lineno})"
                               ) from None


def run_chunk(doc: dict, key: str, seed: int, start: int, stop: int, keep_rounds_below: int) \
        -> tuple[int, int, str, str]:
    """Replications ``start..stop-1``: (start, stop, outcome rows, round rows), the rows as
    the chunk files' CSV text (empty: no rounds kept). The worker formats them: the
    process that collects the chunks would otherwise take CPU from the workers."""
    model = _MODELS.get(key)
    if model is None:
        model = _MODELS[key] = compile_model(from_document(doc))
    outcomes, rounds = [], []
    for index in range(start, stop):
        record = replicate_or_explain(model, index, seed, index < keep_rounds_below)
        outcomes.append(record.outcome)
        rounds.extend(record.rounds)
    return (start, stop, folders.csv_text(outcome_columns(model), outcomes),
            folders.csv_text(round_columns(model), rounds) if rounds else "")


# --- executors -------------------------------------------------------------------------------

class InlineExecutor(cf.Executor):
    """Runs each task at once in this process: the one-worker executor."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            future.set_exception(exc)
        return future


class _Pool(cf.ProcessPoolExecutor):
    """A process pool whose forked workers leave the objects they share with the parent
    alone: the parent's objects are frozen (``gc.freeze``) when the first task forks the
    workers, and thawed at shutdown. Otherwise each worker's first full garbage collection
    walks them all (numba alone holds about 150,000), which takes a tenth of a second and
    copies the memory pages they are on."""

    def __init__(self, workers: int, mp_context, initializer: Callable,
                 initargs: tuple = ()) -> None:
        super().__init__(workers, mp_context=mp_context, initializer=initializer,
                         initargs=initargs)
        self._forks = mp_context.get_start_method() == "fork"
        self._frozen = False

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        if self._forks and not self._frozen:
            gc.freeze()  # garbage frozen with the rest is collected after the thaw
            self._frozen = True
        return super().submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait, cancel_futures=cancel_futures)
        if self._frozen:
            gc.unfreeze()
            self._frozen = False


def _start_worker(parent: int) -> None:
    """Workers leave Ctrl-C to the main process, which stops the study cleanly, and end
    when it is gone (killed with SIGKILL, say): nothing else would tell them, since every
    worker holds the task queue open, and they would wait on it forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def make_executor(workers: int, scheduler: str | None) -> tuple[cf.Executor, dict, Any]:
    """(executor, its description for the manifest, a client to close or None). The
    description's ``workers`` is how many chunks can run at once."""
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise PeacesimError("--scheduler needs Dask: pip install 'peacesim[dask]'") \
                from None
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError, ValueError) as exc:
            raise PeacesimError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") \
                from None
        # its worker threads size the chunks and how many are in flight at once
        workers = max(1, sum(client.nthreads().values()))
        return (client.get_executor(), {"kind": "dask", "scheduler": scheduler,
                                        "workers": workers}, client)
    if workers == 1:
        return InlineExecutor(), {"kind": "inline", "workers": 1}, None
    # fork on Linux: workers start at once with the modules loaded, and nothing re-runs the
    # caller's script (spawn would, in every worker, unless it has a __main__ guard)
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    pool = _Pool(workers, mp_context=context, initializer=_start_worker,
                 initargs=(os.getpid(),))
    return pool, {"kind": "processes", "workers": workers}, None


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


# --- a study ---------------------------------------------------------------------------------

def check_options(runs: int, seed: int, workers: int | None, precision: float | None,
                  max_runs: int | None) -> None:
    """Bad numbers end the study before anything is written."""
    def bad(message: str) -> PeacesimError:
        return PeacesimError(message)

    if not isinstance(runs, int) or isinstance(runs, bool) or not 1 <= runs <= MAX_RUNS:
        raise bad(f"--runs: expected a whole number from 1 to {MAX_RUNS:,}, got {runs!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise bad(f"--seed: expected a whole number in [0, 2^63), got {seed!r}")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise bad(f"--workers: expected a whole number >= 1, got {workers!r}")
    if precision is not None and not (isinstance(precision, (int, float))
                                      and 0 < precision < 0.5):
        raise bad(f"--precision: expected a half-width between 0 and 0.5, got {precision!r}")
    if max_runs is not None and (not isinstance(max_runs, int) or
                                 not runs <= max_runs <= MAX_RUNS):
        raise bad(f"max_runs: expected a whole number from runs ({runs}) to {MAX_RUNS:,}, "
                  f"got {max_runs!r}")


def pilot(model: Model, seed: int, runs: int, workers: int, quiet: bool = True) -> int:
    """Chunk size: replications in about a second, and enough chunks to share among workers."""
    sample = min(runs, 5)
    announce(model.protocol, quiet)
    replicate_or_explain(model, 0, seed, False)  # untimed: loads (or compiles) the kernels
    started = time.perf_counter()
    for index in range(sample):
        replicate_or_explain(model, index, seed, False)
    per_run = max((time.perf_counter() - started) / sample, 1e-6)
    size = max(1, min(int(CHUNK_SECONDS / per_run), MAX_CHUNK))
    # chunks of equal size (the last may be shorter), at least four per worker and, where
    # the runs allow, as many as a multiple of the workers: a lone chunk at the end would
    # leave the other workers idle while it runs
    chunks = max(math.ceil(runs / size), 4 * workers)
    chunks = math.ceil(chunks / workers) * workers
    return math.ceil(runs / chunks)


def new_manifest(sc, seed: int, runs: int, chunk_size: int, executor: dict,
                 precision: float | None, max_runs: int, rounds_sample: int,
                 command: str | None) -> dict:
    return {
        "format": folders.FORMAT, "peacesim": __version__, "scenario": sc.name,
        "command": command, "seed": seed, "runs": runs, "requested_runs": runs,
        "precision": precision, "max_runs": max_runs, "chunk_size": chunk_size,
        "rounds_sample": rounds_sample, "executor": executor, "status": "running",
        "study": folders.study_key(folders.checksum(sc.to_yaml()), seed, rounds_sample),
        "started": folders.now(), "ended": None, "stop_reason": None, "completed_runs": 0,
        "python": platform.python_version(), "platform": platform.platform(),
    }


class Progress:
    """A tqdm bar on a terminal (replications per second, time left); silent otherwise."""

    def __init__(self, total: int, done: int, quiet: bool):
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
            self.bar = tqdm(total=total, initial=done, unit="run", dynamic_ncols=True,
                            smoothing=0.1)

    def update(self, n: int) -> None:
        if self.bar:
            self.bar.update(n)

    def grow(self, total: int) -> None:
        if self.bar:
            self.bar.total = total
            self.bar.refresh()

    def close(self) -> None:
        if self.bar:
            self.bar.close()


def execute(folder: Path, sc, manifest: dict, executor: cf.Executor, workers: int,
            quiet: bool) -> dict:
    """Run every missing chunk of the study in ``folder``; extend it while ``precision``
    asks for more. Returns the updated manifest (status still "running")."""
    doc = to_document(sc)
    key = fingerprint(doc)
    model = compile_model(sc)
    header = outcome_columns(model)
    seed, size = manifest["seed"], manifest["chunk_size"]
    (folder / folders.CHUNKS).mkdir(exist_ok=True)  # removed by hand: everything runs again
    done = folders.done_chunks(folder, header, round_columns(model), manifest["rounds_sample"])
    progress = Progress(manifest["runs"], sum(b - a for a, b in done.items()), quiet)
    in_flight = max(2, 4 * workers)
    try:
        while True:
            target = manifest["runs"]
            pending: dict[cf.Future, tuple[int, int]] = {}
            queue = _missing(done, target, size)
            span = next(queue, None)
            try:
                while span or pending:
                    while span and len(pending) < in_flight:
                        future = executor.submit(run_chunk, doc, key, seed, *span,
                                                 manifest["rounds_sample"])
                        pending[future] = span
                        span = next(queue, None)
                    finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                    for future in finished:
                        start, stop, outcomes, rounds = _result(future, pending, seed)
                        folders.write_chunk(folder, start, stop, outcomes, rounds)
                        done[start] = stop
                        progress.update(stop - start)
            except KeyboardInterrupt:
                for future in pending:
                    future.cancel()
                for future in cf.as_completed([f for f in pending if not f.cancelled()]):
                    if future.exception() is None:  # finished during the wait: keep it
                        start, stop, outcomes, rounds = future.result()
                        folders.write_chunk(folder, start, stop, outcomes, rounds)
                        done[start] = stop
                raise
            manifest["completed_runs"] = target
            if not _needs_more(folder, manifest, done):
                return manifest
            progress.grow(manifest["runs"])
            folders.write_manifest(folder, manifest)
    finally:
        progress.close()
        manifest["completed_runs"] = sum(b - a for a, b in done.items())


def _missing(done: dict[int, int], target: int, size: int) -> Iterator[tuple[int, int]]:
    """The (start, stop) of every chunk below ``target`` not in ``done``, in order, one at a
    time: a study of billions of replications never holds the list of its chunks."""
    position = 0
    while position < target:
        if position in done:
            position = done[position]
        else:
            stop = min(position + size - position % size, target)
            yield position, stop
            position = stop


def _result(future: cf.Future, pending: dict[cf.Future, tuple[int, int]], seed: int) -> tuple:
    """A finished chunk's rows; a worker that died or failed outside the model is named by
    the replications that were running, so they can be rerun one by one."""
    span = pending.pop(future)
    try:
        return future.result()
    except (ReplicationError, KeyboardInterrupt):
        raise
    except Exception as exc:
        running = ", ".join(f"{a} to {b - 1}" for a, b in sorted([span, *pending.values()]))
        raise WorkerError(f"a worker failed ({type(exc).__name__}: {exc}) while running "
                          f"replications {running} (seed {seed}); finished chunks are saved; "
                          f"rerun one with sim.replicate(scenario, index, {seed}) or resume "
                          "the study") from None


def _needs_more(folder: Path, manifest: dict, done: dict[int, int]) -> bool:
    """With a precision target: raise ``runs`` if the interval is still too wide."""
    h = manifest.get("precision")
    if not h:
        manifest["stop_reason"] = "all replications done"
        return False
    n = agreed = 0
    for start in sorted(done):
        path = folders.chunk_path(folder, "outcomes", start, done[start])
        for row in folders.read_rows(path):
            n += 1
            agreed += row["outcome"] == "agreement"
    width = half_width(agreed, n)
    manifest.setdefault("precision_checks", []).append([n, width])
    if width <= h:
        manifest["stop_reason"] = f"precision reached: +-{width:.4f} <= {h}"
        return False
    if n >= manifest["max_runs"]:
        manifest["stop_reason"] = f"cap of {manifest['max_runs']} runs reached at +-{width:.4f}"
        return False
    # the next target depends on the rows only, never on the chunk size (which depends on
    # the machine and the workers), so the study stops at the same count everywhere
    wanted = int(runs_for_precision(agreed / n, h) * 1.05)
    step = max(1, manifest["requested_runs"] // 10)
    manifest["runs"] = min(manifest["max_runs"], max(wanted, n + step))
    return True
