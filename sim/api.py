"""The Python API of ``import sim`` that needs more than one layer.

Each layer below does one thing: ``sim.studies`` runs a study into a folder,
``sim.outputs`` draws a folder's figures and report. A user expects both from
one call, so these functions put them together: a study that writes a folder
also draws it (``figures=False`` leaves that out), and ``Results`` can save and
redraw itself. The rest of the API lives where it is defined (``sim/__init__.py``
lists every name and its module).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.outputs import draw_run, draw_sweep
from sim.scenario import Scenario
from sim.studies import folders, results, study, sweeps
from sim.studies.runner import ROUNDS_SAMPLE


class Results(results.Results):
    """Outcomes, rounds and summary of a study, with the scenario and manifest that produced
    them; in memory, or read from a run folder (``Results.load``)."""

    @classmethod
    def adopt(cls, data: results.Results) -> Results:
        """The same results, with figures at hand."""
        if isinstance(data, cls):
            return data
        new = cls.__new__(cls)
        new.__dict__.update(data.__dict__)
        return new

    def save(self, folder: str | Path, figures: bool = True) -> Path:
        """Write these results as a new run folder (existing folders are never overwritten),
        with its figures and report unless ``figures=False``."""
        saved = super().save(folder)
        if figures:
            draw_run(saved)
        return saved

    def plot(self) -> list[Path]:
        """Redraw the figures and report of the folder these results live in."""
        if self.folder is None:
            raise folders.FolderError("results in memory have no folder; save them first")
        return draw_run(self.folder)


def run(scenario: Scenario | str | Path, runs: int | None = None, seed: int | None = None,
        workers: int | None = None, scheduler: str | None = None,
        out: str | Path | None = None, precision: float | None = None, quiet: bool = True,
        max_runs: int | None = None, rounds_sample: int = ROUNDS_SAMPLE, figures: bool = True,
        command: str | None = None) -> Results:
    """Run a Monte Carlo study of ``scenario`` (``sim.studies.study.run``); with ``out``, the
    folder gets its figures and report too (unless ``figures=False``)."""
    return Results.adopt(study.run(
        scenario, runs=runs, seed=seed, workers=workers, scheduler=scheduler, out=out,
        precision=precision, quiet=quiet, max_runs=max_runs, rounds_sample=rounds_sample,
        draw=draw_run if figures else None, command=command))


def resume(folder: str | Path, workers: int | None = None, scheduler: str | None = None,
           quiet: bool = True, figures: bool = True) -> Results:
    """Complete an interrupted or crashed study in ``folder``, to the same bytes as an
    uninterrupted one, then draw it (unless ``figures=False``)."""
    return Results.adopt(study.resume(folder, workers=workers, scheduler=scheduler, quiet=quiet,
                                      draw=draw_run if figures else None))


def sweep(scenario: Scenario | str | Path, parameters: Mapping[str, Any], *,
          design: str = "grid", samples: int | None = None, design_seed: int = 0,
          runs: int | None = None, seed: int | None = None, workers: int | None = None,
          scheduler: str | None = None, out: str | Path | None = None, quiet: bool = True,
          command: str | None = None) -> pd.DataFrame:
    """A study at every point of a design (``sim.studies.sweeps.sweep``); with ``out``, the
    sweep folder gets its figure."""
    return sweeps.sweep(scenario, parameters, design=design, samples=samples,
                        design_seed=design_seed, runs=runs, seed=seed, workers=workers,
                        scheduler=scheduler, out=out, quiet=quiet, command=command,
                        draw=draw_sweep)


def resume_sweep(folder: str | Path, workers: int | None = None,
                 scheduler: str | None = None, quiet: bool = True) -> pd.DataFrame:
    """Finish an interrupted, killed or failed sweep, and draw its figure."""
    return sweeps.resume(folder, workers=workers, scheduler=scheduler, quiet=quiet,
                         draw=draw_sweep)
