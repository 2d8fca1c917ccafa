"""The results of a study: in memory (pandas) and on disk (a run folder)."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sim.scenario import Scenario, load_scenario
from sim.studies import folders


class Results:
    """Outcomes, rounds and summary of a study, with the scenario and manifest
    that produced them."""

    def __init__(self, scenario: Scenario, manifest: dict, outcomes: pd.DataFrame | None,
                 rounds: pd.DataFrame | None, summary: dict, folder: Path | None = None):
        self.scenario = scenario
        self.manifest = manifest
        self._outcomes = outcomes  # None: read from the folder when first asked for
        self._rounds = rounds
        self.summary = summary
        self.folder = folder

    @property
    def outcomes(self) -> pd.DataFrame:
        """One row per replication, as outcomes.csv."""
        if self._outcomes is None:
            self._outcomes = _read_outcomes(self.folder, self.manifest)
        return self._outcomes

    @property
    def rounds(self) -> pd.DataFrame:
        """One row per talk round of the sampled replications, as rounds.csv."""
        if self._rounds is None:
            path = self.folder / folders.ROUNDS
            self._rounds = read_table(path) if path.is_file() else pd.DataFrame()
        return self._rounds

    def __repr__(self) -> str:
        s = self.summary
        lo, hi = s["p_agreement_ci95"]
        return (f"<Results {self.scenario.name}: {s['runs']} runs, P(agreement) "
                f"{s['p_agreement']:.3f} [{lo:.3f}, {hi:.3f}]>")

    @classmethod
    def load(cls, folder: str | Path, lazy: bool = False, check: bool = True) -> Results:
        """Read a complete run folder; with ``lazy``, the tables only when first used (a
        study of millions of replications can report its summary in little memory). Without
        ``check``, the files are not compared with their checksums (just written)."""
        folder = Path(folder)
        manifest = folders.read_manifest(folder, check=check)
        if manifest["status"] != "complete":
            raise folders.FolderError(
                f"{folder}: the study is {manifest['status']}, not complete; finish it with "
                f"peacesim run --resume {folder}")
        for name in (folders.SCENARIO, folders.OUTCOMES, folders.SUMMARY):
            if not (folder / name).is_file():
                raise folders.FolderError(f"{folder / name}: missing from a complete run folder")
        results = cls(load_scenario(folder / folders.SCENARIO), manifest, None, None,
                      folders.read_json(folder / folders.SUMMARY), folder)
        if not lazy:
            results.outcomes, results.rounds  # noqa: B018 -- read now, and check them
        return results

    def save(self, folder: str | Path) -> Path:
        """Write these results as a new run folder (existing folders are never overwritten):
        the data files; ``sim.Results.save`` also draws the figures and report."""
        files = {folders.SCENARIO: self.scenario.to_yaml(),
                 folders.OUTCOMES: table_text(self.outcomes),
                 folders.SUMMARY: json.dumps(self.summary, indent=2) + "\n"}
        if len(self.rounds.columns):
            files[folders.ROUNDS] = table_text(self.rounds)
        manifest = dict(self.manifest, status="complete", files={
            name: folders.checksum(text) for name, text in files.items()
            if name != folders.SCENARIO})
        files[folders.MANIFEST] = folders.manifest_text(manifest)
        folder = folders.create(Path(folder), files, chunks=False)
        self.folder = folder
        return folder


def _read_outcomes(folder: Path, manifest: dict) -> pd.DataFrame:
    """outcomes.csv, checked to hold every replication once, in order."""
    path = folder / folders.OUTCOMES
    outcomes = read_table(path)
    if "run" not in outcomes or list(outcomes["run"]) != list(range(manifest["runs"])):
        raise folders.FolderError(f"{path}: expected replications 0 to {manifest['runs'] - 1} "
                                  "in order; the file is damaged")
    return outcomes


_PANDAS_MAJOR = int(pd.__version__.split(".")[0])


def read_table(path: Path, wanted: Callable[[str], bool] | None = None) -> pd.DataFrame:
    """A CSV written by peacesim: floats exactly as written, empty text cells as "".

    ``wanted``: read only the columns it accepts (outcomes.csv may hold millions of rows
    with many parameter columns, and a figure needs a few).
    """
    # pandas 3 parses floats round-trip by default and deprecates asking for it.
    exact = {} if _PANDAS_MAJOR >= 3 else {"float_precision": "round_trip"}
    if wanted is not None:
        with open(path, newline="", encoding="utf-8") as fh:
            exact["usecols"] = [c for c in next(csv.reader(fh), []) if wanted(c)]
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values={""}, **exact)
    except (ValueError, UnicodeDecodeError) as exc:  # pandas' ParserError is a ValueError
        raise folders.FolderError(f"{path}: unreadable table ({str(exc).strip()}); the file "
                                  "is damaged") from None
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
    return folders.csv_text(list(table.columns), rows)
