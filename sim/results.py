"""The results of a study: in memory (pandas) and on disk (a run folder)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from sim import storage
from sim.scenario import load_scenario
from sim.schema import Scenario


class Results:
    """Outcomes, rounds and summary of a study (DESIGN.md 4.1), with the scenario and manifest
    that produced them."""

    def __init__(self, scenario: Scenario, manifest: dict, outcomes: pd.DataFrame,
                 rounds: pd.DataFrame, summary: dict, folder: Path | None = None):
        self.scenario = scenario
        self.manifest = manifest
        self.outcomes = outcomes
        self.rounds = rounds
        self.summary = summary
        self.folder = folder

    def __repr__(self) -> str:
        s = self.summary
        lo, hi = s["p_agreement_ci95"]
        return (f"<Results {self.scenario.name}: {s['runs']} runs, P(agreement) "
                f"{s['p_agreement']:.3f} [{lo:.3f}, {hi:.3f}]>")

    @classmethod
    def load(cls, folder: str | Path) -> Results:
        """Read a complete run folder."""
        folder = Path(folder)
        manifest = storage.read_manifest(folder)
        if manifest["status"] != "complete":
            raise storage.FolderError(
                f"{folder}: the study is {manifest['status']}, not complete; finish it with "
                f"peacesim run --resume {folder}")
        for name in (storage.SCENARIO, storage.OUTCOMES, storage.SUMMARY):
            if not (folder / name).is_file():
                raise storage.FolderError(f"{folder / name}: missing from a complete run folder")
        scenario = load_scenario(folder / storage.SCENARIO)
        rounds_path = folder / storage.ROUNDS
        return cls(scenario, manifest, read_table(folder / storage.OUTCOMES),
                   read_table(rounds_path) if rounds_path.is_file() else pd.DataFrame(),
                   storage.read_json(folder / storage.SUMMARY), folder)

    def save(self, folder: str | Path, figures: bool = True) -> Path:
        """Write these results as a new run folder (existing folders are never overwritten)."""
        from sim.study import draw

        folder = storage.create(Path(folder))
        storage.write_atomic(folder / storage.SCENARIO, self.scenario.to_yaml())
        storage.write_atomic(folder / storage.OUTCOMES, table_text(self.outcomes))
        if len(self.rounds.columns):
            storage.write_atomic(folder / storage.ROUNDS, table_text(self.rounds))
        storage.write_atomic(folder / storage.SUMMARY,
                             json.dumps(self.summary, indent=2) + "\n")
        storage.remove_chunks(folder)
        if figures:
            draw(folder)
        storage.write_manifest(folder, dict(self.manifest, status="complete"))
        self.folder = folder
        return folder

    def plot(self) -> list[Path]:
        """Redraw the figures and report of the folder these results live in."""
        from sim.study import draw

        if self.folder is None:
            raise storage.FolderError("results in memory have no folder; save them first")
        return draw(self.folder)


_PANDAS_MAJOR = int(pd.__version__.split(".")[0])


def read_table(path: Path) -> pd.DataFrame:
    """A CSV written by peacesim: floats exactly as written, empty text cells as ""."""
    # pandas 3 parses floats round-trip by default and deprecates asking for it.
    exact = {} if _PANDAS_MAJOR >= 3 else {"float_precision": "round_trip"}
    table = pd.read_csv(path, keep_default_na=False, na_values={""}, **exact)
    for column in table.columns:
        if table[column].dtype == object:
            table[column] = table[column].fillna("")
    return table


def table_text(table: pd.DataFrame) -> str:
    """A DataFrame read by ``read_table`` back to the exact text peacesim writes."""
    def plain(value):
        if isinstance(value, float) and math.isnan(value):
            return None
        return value.item() if hasattr(value, "item") else value

    rows = [[plain(v) for v in row] for row in table.itertuples(index=False, name=None)]
    return storage.csv_text(list(table.columns), rows)
