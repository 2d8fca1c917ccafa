"""Parameter sweeps: a study at every point of a design.

A design is a full grid (``{path: [values]}``) or a Latin hypercube over
ranges (``{path: (low, high)}``, ``design="lhs"``). Every point is a complete
run folder under ``points/`` with the same root seed, so replication ``i``
draws the same random numbers at every point (common random numbers) and
point-to-point differences are the parameter's effect, not noise. Points are
checkpointed as they finish; ``resume`` carries on after a crash or a kill
and gives the same bytes as an uninterrupted sweep.

A sweep folder holds ``scenario.yaml`` (the base), ``manifest.json`` (with the
design), ``design.csv``, ``points/NNNN/`` (one run folder per point),
``points.csv`` (one summary row per point), ``outcomes.csv`` (every
replication, with its ``point``) and ``figures/``.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import shutil
import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.compile import compile_model
from sim.engine.records import OUTCOMES
from sim.errors import PeacesimError, StudyInterruptedError
from sim.scenario import Scenario, load_scenario, to_document, with_overrides
from sim.scenario.paths import split, whole_number
from sim.scenario.yamlsafe import read_yaml_text
from sim.studies import folders, study
from sim.studies.results import read_table
from sim.studies.runner import (
    Progress,
    check_options,
    default_workers,
    make_executor,
    new_manifest,
    pilot,
)

KIND = "sweep"
POINTS, DESIGN, TABLE = "points", "design.csv", "points.csv"
MAX_POINTS = 100_000  # a design larger than this is almost surely a typo


# --- designs -------------------------------------------------------------------------------

def grid_design(grid: Mapping[str, Sequence[Any]]) -> tuple[list[str], list[tuple]]:
    """Every combination of the listed values, the last path varying fastest."""
    if not grid:
        raise PeacesimError("a sweep needs at least one parameter")
    for path, values in grid.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence):
            raise PeacesimError(f"{path}: expected a list of values, got {values!r}")
        if len(values) == 0:
            raise PeacesimError(f"{path}: empty list of values; give at least one")
        seen = [json.dumps(v, sort_keys=True, default=str) for v in values]
        twice = sorted({s for s in seen if seen.count(s) > 1})
        if twice:
            raise PeacesimError(f"{path}: value {', '.join(twice)} given twice; each point of "
                                "a grid is run once")
    points = list(itertools.product(*grid.values()))
    return list(grid), points


def lhs_design(ranges: Mapping[str, Sequence[float]], samples: int,
               design_seed: int = 0, whole: Collection[str] = ()) -> tuple[list[str], list[tuple]]:
    """A Latin hypercube (McKay, Beckman and Conover 1979): each range cut into ``samples``
    equal strata, one point per stratum on every axis, strata paired at random. The paths
    in ``whole`` take whole numbers: LO..HI each as likely, the strata cut [LO, HI + 1)."""
    if not ranges:
        raise PeacesimError("a sweep needs at least one parameter")
    if not isinstance(samples, int) or isinstance(samples, bool) or samples < 1:
        raise PeacesimError(f"--samples: expected a whole number >= 1, got {samples!r}")
    bounds = []
    for path, span in ranges.items():
        if isinstance(span, str) or not isinstance(span, Sequence) or len(span) != 2 or \
                not all(_is_number(v) for v in span):
            raise PeacesimError(f"{path}: expected a range LO:HI of two numbers, got {span!r}")
        low, high = float(span[0]), float(span[1])
        if low > high:
            raise PeacesimError(f"{path}: range {low:g}:{high:g} has LO > HI")
        bounds.append((low, high))
    rng = np.random.default_rng(np.random.SeedSequence(design_seed))
    columns = []
    for path, (low, high) in zip(ranges, bounds, strict=True):
        u = (rng.permutation(samples) + rng.random(samples)) / samples
        if path in whole:
            columns.append([int(v) for v in np.floor(low + (high + 1 - low) * u)])
        else:
            columns.append([float(v) for v in low + (high - low) * u])
    return list(ranges), [tuple(c[i] for c in columns) for i in range(samples)]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def point_scenarios(sc: Scenario, paths: Sequence[str], points: Sequence[tuple]) \
        -> list[Scenario]:
    """The scenario of every point, validated before any work starts."""
    if len(points) > MAX_POINTS:
        raise PeacesimError(f"the design has {len(points):,} points; at most {MAX_POINTS:,}")
    if len(set(paths)) != len(paths):
        raise PeacesimError(f"a path is swept twice: {', '.join(paths)}")
    return [with_overrides(sc, dict(zip(paths, values, strict=True)), "sweep")
            for values in points]


# --- the command line's spelling of a design ---------------------------------------------

def parse_grid(text: str) -> tuple[str, list]:
    """``"PATH=V1,V2,..."``: each value read as YAML (commas inside [] or {} do not split)."""
    path, raw = _split_assignment(text, "--grid", "PATH=V1,V2,...")
    parts, depth, current = [], 0, ""
    for char in raw:
        depth += (char in "[{") - (char in "]}")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    if not raw.strip() or any(not p.strip() for p in parts):
        raise PeacesimError(f"--grid {path}: empty value in {raw!r}; expected V1,V2,...")
    return path, [read_yaml_text(p, f"--grid {path}")[0] for p in parts]


def parse_range(text: str, option: str = "--lhs") -> tuple[str, tuple[float, float]]:
    """``"PATH=LO:HI"`` with two numbers."""
    path, raw = _split_assignment(text, option, "PATH=LO:HI")
    low, sep, high = raw.partition(":")
    try:
        span = float(low), float(high)
    except ValueError:
        span = None
    if not sep or span is None or not all(map(math.isfinite, span)):
        raise PeacesimError(f"{option} {path}: expected LO:HI with two numbers, got {raw!r}")
    return path, span


def as_parameters(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """``[(path, values), ...]`` from the command line as a dict, refusing a repeated path
    (a dict would silently keep the last)."""
    parameters: dict[str, Any] = {}
    for path, values in pairs:
        if path in parameters:
            raise PeacesimError(f"{path}: given twice; list all its values in one option")
        parameters[path] = values
    return parameters


def _split_assignment(text: str, option: str, form: str) -> tuple[str, str]:
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise PeacesimError(f"{option}: expected {form}, got {text!r}")
    return path.strip(), raw


def default_out(sc: Scenario, seed: int, runs: int) -> Path:
    """``results/<scenario>/sweep-<UTC time>-<hash>``, made unique."""
    return study.default_out(sc, seed, runs, prefix="sweep-")


# --- running -------------------------------------------------------------------------------

def sweep(scenario: Scenario | str | Path, parameters: Mapping[str, Any], *,
          design: str = "grid", samples: int | None = None, design_seed: int = 0,
          runs: int | None = None, seed: int | None = None, workers: int | None = None,
          scheduler: str | None = None, out: str | Path | None = None, quiet: bool = True,
          command: str | None = None, draw: study.Draw | None = None) -> pd.DataFrame:
    """Run a study at every point of a design; one summary row per point.

    ``parameters`` maps dotted paths to lists of values (``design="grid"``) or
    to ``(low, high)`` ranges (``design="lhs"`` with ``samples`` points drawn
    with ``design_seed``). Every point uses the same replication seeds. The
    table has the swept values, ``runs``, ``p_agreement`` with ``p_agreement_lo``
    and ``_hi`` (Wilson 95%), ``share.<outcome>``, ``days.median/p10/p90`` and
    ``deal.<issue>`` (median agreed value). With ``out``, the sweep folder keeps
    every replication's row and the figures; without it only the table is
    returned and nothing is left on disk. Bad paths, values or ranges fail before any work starts.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    whole = whole_numbers(sc)
    paths, points = _design(parameters, design, samples, design_seed, whole)
    if design == "lhs":  # a range end the scenario rejects is named as such, not a sample
        for path in paths:
            range_ends(sc, path, *parameters[path], whole(path), f"--lhs {path} range end")
    point_scenarios(sc, paths, points)  # every point validated first
    runs = sc.runs if runs is None else runs
    seed = sc.seed if seed is None else seed
    if scheduler is None and workers is None:
        workers = default_workers()
    check_options(runs, seed, workers, None, None)
    if out is not None:
        folders.refuse_existing(Path(out))  # before connecting to a cluster or any work
    executor = make_executor(workers or 1, scheduler)
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(prefix="peacesim-")) if out is None else None
        folder = staging / "sweep" if staging else Path(out)
        chunk = pilot(compile_model(sc), seed, runs, executor[1]["workers"], quiet)
        manifest = _new_manifest(sc, paths, points, design, samples, design_seed, runs, seed,
                                 chunk, command)
        design_text = folders.csv_text(["point", *paths], [
            (k, *map(_cell, values)) for k, values in enumerate(points)])
        folders.create(folder, {folders.SCENARIO: sc.to_yaml(), DESIGN: design_text,
                                folders.MANIFEST: folders.manifest_text(manifest)},
                       chunks=False)
        with folders.Lock(folder):
            _run(folder, sc, manifest, executor, quiet, draw if out is not None else None)
        return load_table(folder)
    except StudyInterruptedError:
        if staging is None:
            raise
        raise StudyInterruptedError(study.IN_MEMORY_INTERRUPTED) from None
    finally:
        study.close_executor(executor[0], executor[2])
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def resume(folder: str | Path, workers: int | None = None, scheduler: str | None = None,
           quiet: bool = True, draw: study.Draw | None = None) -> pd.DataFrame:
    """Finish an interrupted, killed or failed sweep; the folder holds all it needs."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest["status"] == "complete":
        raise folders.FolderError(f"{folder}: the sweep is already complete")
    sc = load_scenario(folder / folders.SCENARIO)
    if workers is None and scheduler is None:
        workers = default_workers()
    executor = make_executor(workers or 1, scheduler)
    try:
        with folders.Lock(folder):
            manifest.update(status="running", ended=None, resumed=folders.now())
            manifest.pop("error", None)  # from the failure being resumed
            manifest.pop("figures_error", None)
            folders.write_manifest(folder, manifest)
            _run(folder, sc, manifest, executor, quiet, draw)
    finally:
        study.close_executor(executor[0], executor[2])
    return load_table(folder)


def _design(parameters: Mapping[str, Any], design: str, samples: int | None,
            design_seed: int, whole: Callable[[str], bool]) -> tuple[list[str], list[tuple]]:
    if design == "grid":
        if samples is not None:
            raise PeacesimError("samples (--samples) is for a Latin hypercube (--lhs, "
                                "design='lhs'); a grid takes lists of values")
        return grid_design(parameters)
    if design == "lhs":
        if samples is None:
            raise PeacesimError("a Latin hypercube (--lhs, design='lhs') needs the number of "
                                "points: --samples M (samples=M)")
        return lhs_design(parameters, samples, design_seed,
                          [path for path in parameters if whole(path)])
    raise PeacesimError(f"design: expected 'grid' or 'lhs', got {design!r}")


def range_ends(sc: Scenario, path: str, low: Any, high: Any, whole: bool,
               source: str) -> tuple:
    """LO and HI of a range over ``path``, as whole numbers where it takes only those, each
    checked by the scenario's validation (its messages start with ``source``)."""
    ends = (whole_end(path, low), whole_end(path, high)) if whole else (low, high)
    for end in ends:
        with_overrides(sc, {path: end}, source)
    return ends


def whole_end(path: str, value: Any) -> int:
    """An end of the range of a whole-number parameter, as a whole number."""
    if isinstance(value, int | float) and not isinstance(value, bool) and \
            math.isfinite(value) and value == int(value):
        return int(value)
    raise PeacesimError(f"{path} takes whole numbers; got the range end {value!r}")


def whole_numbers(sc: Scenario) -> Callable[[str], bool]:
    """Whether a dotted path of ``sc`` takes whole numbers only."""
    document = to_document(sc)
    return lambda path: isinstance(path, str) and whole_number(Scenario, document, split(path))


def _new_manifest(sc: Scenario, paths: list[str], points: list[tuple], design: str,
                  samples: int | None, design_seed: int, runs: int, seed: int, chunk: int,
                  command: str | None) -> dict:
    manifest = new_manifest(sc, seed, runs, chunk, {}, None, runs, 0, command)
    manifest.update(kind=KIND, points=len(points), points_done=0, design={
        "type": design, "paths": paths, "values": [list(v) for v in points],
        "samples": samples, "design_seed": design_seed if design == "lhs" else None})
    return manifest


def _run(folder: Path, sc: Scenario, manifest: dict, executor: tuple, quiet: bool,
         draw: study.Draw | None) -> None:
    """Run every unfinished point on one executor (``make_executor``'s triple), then
    assemble; record how it ended."""
    pool, description, _ = executor
    manifest["executor"] = description
    try:
        _points(folder, sc, manifest, pool, description, description["workers"], quiet)
        _finish(folder, sc, manifest, draw)
    except (KeyboardInterrupt, StudyInterruptedError):
        folders.mark(folder, manifest, "interrupted")
        raise StudyInterruptedError(
            f"{folder}: sweep interrupted with {manifest['points_done']} of "
            f"{manifest['points']} points saved; finish it with: peacesim sweep --resume "
            f"{folder}") from None
    except BaseException as exc:
        folders.mark(folder, manifest, "failed", str(exc))
        raise


def _points(folder: Path, sc: Scenario, manifest: dict, executor, description: dict,
            workers: int, quiet: bool) -> None:
    design = manifest["design"]
    paths, values = design["paths"], design["values"]
    runs = manifest["runs"]
    done = [_status(point_folder(folder, k)) == "complete" for k in range(len(values))]
    progress = Progress(len(values) * runs, sum(done) * runs, quiet)
    try:
        for k, point in enumerate(values):
            if done[k]:
                continue
            where = point_folder(folder, k)
            if where.exists():
                study.proceed(where, load_scenario(where / folders.SCENARIO),
                              folders.read_manifest(where), executor, description, workers,
                              True, None)
            else:
                point_sc = with_overrides(sc, dict(zip(paths, point, strict=True)), "sweep")
                point_manifest = new_manifest(point_sc, manifest["seed"], runs,
                                              manifest["chunk_size"], description, None, runs,
                                              0, None)
                study.start(where, point_sc, point_manifest, executor, workers, True, None)
            manifest["points_done"] = sum(done) + 1
            done[k] = True
            folders.write_manifest(folder, manifest)
            progress.update(runs)
    finally:
        progress.close()


def point_folder(folder: Path, k: int) -> Path:
    return folder / POINTS / f"{k:04d}"


def _status(where: Path) -> str | None:
    """A point folder's status, or None when it has no manifest yet. A damaged or edited
    point folder is an error that names it."""
    if not (where / folders.MANIFEST).is_file():
        return None
    return folders.read_manifest(where)["status"]


# --- assembling ----------------------------------------------------------------------------

def _finish(folder: Path, sc: Scenario, manifest: dict, draw: study.Draw | None) -> None:
    """points.csv and outcomes.csv from the point folders; ``draw`` (the sweep's figure);
    manifest complete."""
    design = manifest["design"]
    paths, values = design["paths"], design["values"]
    rows = [_summary_row(point, folders.read_json(point_folder(folder, k) / folders.SUMMARY))
            for k, point in enumerate(values)]
    folders.write_atomic(folder / TABLE, folders.csv_text(table_columns(sc, paths), rows))
    _combine_outcomes(folder, len(values))
    if draw is not None:
        try:
            draw(folder)
        except Exception as exc:  # the data are safe; say what went wrong with the drawing
            manifest["figures_error"] = f"{type(exc).__name__}: {exc}"
    manifest.update(status="complete", ended=folders.now(), points_done=len(values))
    folders.write_manifest(folder, manifest)


def table_columns(sc: Scenario, paths: Sequence[str]) -> list[str]:
    """The columns of points.csv and of the table ``sweep`` returns."""
    return [*paths, "runs", "p_agreement", "p_agreement_lo", "p_agreement_hi",
            *(f"share.{o}" for o in OUTCOMES), "days.median", "days.p10", "days.p90",
            *(f"deal.{k}" for k in sc.issues)]


def _summary_row(point: Sequence[Any], s: dict) -> list:
    days = s["days_to_agreement"] or {}
    return [*(_cell(v) for v in point), s["runs"], s["p_agreement"], *s["p_agreement_ci95"],
            *(s["outcomes"][o] for o in OUTCOMES),
            days.get("median"), days.get("p10"), days.get("p90"),
            *((q or {}).get("median") for q in s["deal"].values())]


def _cell(value: Any) -> Any:
    """A swept value as a CSV cell (distributions and lists as compact JSON)."""
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def _combine_outcomes(folder: Path, points: int) -> None:
    """Every replication of every point in one file with a ``point`` column, streamed; the
    header is the union of the points' headers (a swept input drawn at one point and fixed at
    another has a ``param.`` column at the first only)."""
    sources = [point_folder(folder, k) / folders.OUTCOMES for k in range(points)]
    header: list[str] = []
    for path in sources:
        with open(path, encoding="utf-8", newline="") as fh:
            header += [c for c in next(csv.reader(fh)) if c not in header]
    with folders.atomic_file(folder / folders.OUTCOMES) as out:
        writer = csv.DictWriter(out, ["point", *header], restval="", lineterminator="\n")
        writer.writeheader()
        for k, path in enumerate(sources):
            for row in folders.read_rows(path):
                row["point"] = k
                writer.writerow(row)


# --- reading -------------------------------------------------------------------------------

def read_manifest(folder: Path) -> dict:
    """A sweep folder's manifest, checked to be one."""
    manifest = folders.read_manifest(folder, kind=KIND)
    design = manifest.get("design")
    if not isinstance(design, dict) or not isinstance(design.get("paths"), list) or \
            not isinstance(design.get("values"), list):
        raise folders.FolderError(f"{folder}: the manifest has no usable design")
    return manifest


def load_table(folder: str | Path) -> pd.DataFrame:
    """The per-point table of a complete sweep folder."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest["status"] != "complete":
        raise folders.FolderError(f"{folder}: the sweep is {manifest['status']}; finish it "
                                  f"with: peacesim sweep --resume {folder}")
    return read_table(folder / TABLE)


__all__ = ["default_out", "grid_design", "lhs_design", "load_table", "parse_grid", "parse_range",
           "point_scenarios", "resume", "sweep", "table_columns"]
