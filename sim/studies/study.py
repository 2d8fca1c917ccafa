"""``sim.run`` and ``peacesim run``: a study from a scenario to a finished run folder.

A study checks its options, sizes its chunks, creates its folder (never an
existing one), runs, and finishes the folder: outcomes.csv, rounds.csv,
summary.json, figures and report.html, then marks the manifest complete. An
interrupted or crashed study leaves a folder that ``resume`` completes, to the
same bytes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from sim.engine.compile import compile_model
from sim.engine.records import outcome_columns, round_columns
from sim.errors import PeacesimError, StudyInterruptedError
from sim.scenario import MAX_RUNS, Scenario, load_scenario
from sim.studies import folders
from sim.studies.results import Results
from sim.studies.runner import (
    ROUNDS_SAMPLE,
    check_options,
    default_workers,
    execute,
    make_executor,
    new_manifest,
    pilot,
)
from sim.studies.stats import Summary

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "geneva-2026.yaml"
IN_MEMORY_INTERRUPTED = ("interrupted; the work ran in memory (no out= folder), so nothing was "
                         "kept to resume")
# what finishes a run folder's outputs (figures and report; sim.outputs.draw_run)
Draw = Callable[[Path], object]
PRECISION_CAP = 100  # with --precision, at most this many times the initial runs


def run(scenario: Scenario | str | Path, runs: int | None = None, seed: int | None = None,
        workers: int | None = None, scheduler: str | None = None,
        out: str | Path | None = None, precision: float | None = None, quiet: bool = True,
        max_runs: int | None = None, rounds_sample: int = ROUNDS_SAMPLE, draw: Draw | None = None,
        command: str | None = None) -> Results:
    """Run a Monte Carlo study of ``scenario``.

    Defaults (runs, seed) come from the scenario. ``workers=1`` runs in this
    process, more use a process pool (the default: one per core), and
    ``scheduler="tcp://..."`` a Dask cluster. Without ``out`` the results stay in
    memory and nothing is left on disk (the work goes through a temporary folder,
    removed at the end); with ``out`` the folder is written as
    the study goes, and ``draw(folder)`` (figures, a report) runs before it is marked
    complete. ``precision=h`` adds
    replications until the 95% interval of P(agreement) is within +-h (at most
    ``max_runs``, by default 100 times ``runs``).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    runs = sc.runs if runs is None else runs
    seed = sc.seed if seed is None else seed
    if scheduler is None and workers is None:
        workers = default_workers()
    check_options(runs, seed, workers, precision, max_runs)
    if max_runs is None:
        max_runs = min(runs * PRECISION_CAP, MAX_RUNS) if precision else runs
    if out is not None:
        folders.refuse_existing(Path(out))  # before connecting to a cluster or any work
    executor, description, client = make_executor(workers or 1, scheduler)
    workers = description["workers"]
    staging = None
    try:
        chunk = pilot(compile_model(sc), seed, runs, workers, quiet)
        if out is None:
            staging = Path(tempfile.mkdtemp(prefix="peacesim-"))
        folder = staging / "run" if staging else Path(out)
        manifest = new_manifest(sc, seed, runs, chunk, description, precision, max_runs,
                                rounds_sample, command)
        try:
            start(folder, sc, manifest, executor, workers, quiet, draw if out is not None else None)
        except StudyInterruptedError:
            if staging is None:
                raise
            raise StudyInterruptedError(IN_MEMORY_INTERRUPTED) from None
        # just written: no need to check them against their checksums
        results = Results.load(folder, lazy=staging is None, check=False)  # in memory: read now
        if staging is not None:
            results.folder = None
        return results
    finally:
        close_executor(executor, client)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def start(folder: Path, sc: Scenario, manifest: dict, executor, workers: int, quiet: bool,
          draw: Draw | None) -> None:
    """Create ``folder`` (never an existing one) and run the study of ``manifest`` in it on
    ``executor``, to a complete folder."""
    folders.create(folder, {folders.SCENARIO: sc.to_yaml(),
                            folders.MANIFEST: folders.manifest_text(manifest)})
    with folders.Lock(folder):
        _run(folder, sc, manifest, executor, workers, quiet, draw)


def resume(folder: str | Path, workers: int | None = None, scheduler: str | None = None,
           quiet: bool = True, draw: Draw | None = None) -> Results:
    """Complete an interrupted or crashed study in ``folder``, to the same bytes as an
    uninterrupted one. The folder holds everything needed; the executor may be changed."""
    folder = Path(folder)
    manifest = folders.read_manifest(folder)
    if manifest["status"] == "complete":
        raise folders.FolderError(f"{folder}: the study is already complete")
    sc = load_scenario(folder / folders.SCENARIO)
    recorded = manifest.get("executor") or {}
    if workers is None and scheduler is None:
        scheduler = recorded.get("scheduler")
        workers = recorded.get("workers") or default_workers()
    check_options(manifest["runs"], manifest["seed"], workers, manifest.get("precision"),
                  manifest.get("max_runs"))
    executor, description, client = make_executor(workers or 1, scheduler)
    try:
        proceed(folder, sc, manifest, executor, description, description["workers"], quiet,
                draw)
    finally:
        close_executor(executor, client)
    return Results.load(folder, lazy=True, check=False)


def proceed(folder: Path, sc: Scenario, manifest: dict, executor, description: dict,
            workers: int, quiet: bool, draw: Draw | None) -> None:
    """Run the rest of an unfinished study on ``executor``, to a complete folder."""
    with folders.Lock(folder):
        manifest.update(status="running", executor=description, ended=None,
                        resumed=folders.now())
        manifest.pop("error", None)  # from the failure being resumed
        manifest.pop("figures_error", None)
        folders.write_manifest(folder, manifest)
        _run(folder, sc, manifest, executor, workers, quiet, draw)


def _run(folder: Path, sc: Scenario, manifest: dict, executor, workers: int, quiet: bool,
         draw: Draw | None) -> None:
    """Execute, then finish the folder; on interruption or failure, say so in the manifest."""
    try:
        manifest = execute(folder, sc, manifest, executor, workers, quiet)
        finish(folder, sc, manifest, draw)
    except KeyboardInterrupt:
        folders.mark(folder, manifest, "interrupted")
        raise StudyInterruptedError(
            f"{folder}: interrupted with {manifest['completed_runs']} of {manifest['runs']} "
            f"replications saved; finish it with: peacesim run --resume {folder}") from None
    except BaseException as exc:
        folders.mark(folder, manifest, "failed", str(exc))
        raise


def close_executor(executor, client) -> None:
    """Shut an executor from ``make_executor`` down, cancelling work not yet started."""
    if client is None:
        executor.shutdown(wait=True, cancel_futures=True)
        return
    # Dask's executor has no cancel_futures; closing the client cancels its work. Work cut
    # off that way (Ctrl-C) makes tornado log the closed connection with a traceback; the
    # user has been told what happened in one line already
    with _silenced("tornado.application", "distributed"):
        try:
            executor.shutdown(wait=False)
        finally:
            client.close()


@contextlib.contextmanager
def _silenced(*names: str) -> Iterator[None]:
    """Loggers ``names`` (and those below them that keep their level) say nothing inside
    the block."""
    loggers = [logging.getLogger(name) for name in names]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, before, strict=True):
            logger.setLevel(level)


def finish(folder: Path, sc: Scenario, manifest: dict, draw: Draw | None) -> None:
    """Assemble the chunks, write the summary, ``draw`` (if given), and mark the folder
    complete."""
    model = compile_model(sc)
    rows, outcomes = folders.assemble(folder, "outcomes", folders.OUTCOMES,
                                      outcome_columns(model))
    if rows != manifest["runs"]:
        raise folders.FolderError(f"{folder}: assembled {rows} replications, expected "
                                  f"{manifest['runs']}")
    _, rounds = folders.assemble(folder, "rounds", folders.ROUNDS, round_columns(model))
    summary = Summary(model.issues).extend(folders.read_rows(folder / folders.OUTCOMES))
    result = summary.result()
    result.update(scenario=sc.name, seed=manifest["seed"], precision=manifest.get("precision"),
                  stop_reason=manifest.get("stop_reason"))
    text = json.dumps(result, indent=2) + "\n"
    folders.write_atomic(folder / folders.SUMMARY, text)
    manifest["files"] = {folders.OUTCOMES: outcomes, folders.ROUNDS: rounds,
                         folders.SUMMARY: folders.checksum(text)}
    if draw is not None:
        try:
            draw(folder)
        except Exception as exc:  # the data are safe; say what went wrong with the drawing
            manifest["figures_error"] = f"{type(exc).__name__}: {exc}"
            warnings.warn(f"{folder}: figures not drawn: {exc}", stacklevel=2)
    manifest.update(status="complete", ended=folders.now(), completed_runs=rows)
    folders.write_manifest(folder, manifest)
    folders.remove_chunks(folder)  # only now: a kill before this point leaves them to resume


def default_out(sc: Scenario, seed: int, runs: int, prefix: str = "") -> Path:
    """``results/<scenario>/<prefix><UTC time>-<hash>``, with a suffix if that exists."""
    base = Path("results") / sc.name / (prefix + folders.new_folder_name(
        sc.name, f"{sc.to_yaml()}|{seed}|{runs}"))
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


__all__ = ["DEFAULT_SCENARIO", "Draw", "PeacesimError", "default_out", "finish", "resume", "run"]
