"""Record fixtures: the exact rows of fixed replications, kept as readable JSON.

Each case plays replications of a shipped scenario with a fixed seed through
``sim.replicate`` and keeps every outcome row and the round rows of the first
few, exactly as the engine gives them (JSON floats are exact: Python writes
the shortest text that reads back to the same float). ``tests/test_records.py``
compares fresh records with ``tests/fixtures/records/<case>.json`` to the bit,
compiled and (in a subprocess) as plain Python (``NUMBA_DISABLE_JIT=1``).

A record that moves means the engine's behaviour changed. If that is intended
(a model change), say why in the commit and regenerate from the repository
root; the command prints what moved:

    python -m tests.records            # rewrite the fixtures, print what moved
    python -m tests.records --check    # only print what moved; exit 1 if anything did
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import sim

REPO = Path(__file__).resolve().parent.parent
FOLDER = REPO / "tests" / "fixtures" / "records"
REGENERATE = "python -m tests.records"
SHOWN = 12  # changes listed per case


@dataclass(frozen=True)
class Case:
    """Replications ``0..runs-1`` of ``scenario`` with root ``seed``; round rows of the first
    ``rounds_of`` of them."""

    name: str
    scenario: str  # relative to the repository
    seed: int
    runs: int
    rounds_of: int


CASES = (
    Case("geneva-2026", "scenarios/geneva-2026.yaml", 7, 6, 6),  # mediated, stepped, a front
    Case("geneva-2026-alternating", "scenarios/geneva-2026-alternating.yaml", 7, 3, 3),
    Case("geneva-2026-us-exit", "scenarios/geneva-2026-us-exit.yaml", 7, 3, 3),
    Case("fearon-indivisible", "scenarios/textbook/fearon-indivisible.yaml", 7, 3, 3),
    Case("nash-three", "scenarios/textbook/nash-three.yaml", 7, 3, 3),  # three parties
    Case("concession", "scenarios/textbook/concession.yaml", 7, 1, 1),  # runs of rounds
    Case("statics", "scenarios/textbook/statics.yaml", 123, 20, 2),
)


def fresh(case: Case) -> dict:
    """The case's records, played now."""
    sc = sim.load_scenario(REPO / case.scenario)
    outcomes, rounds = [], []
    outcome_columns = round_columns = None
    for index in range(case.runs):
        one = sim.replicate(sc, index, case.seed)
        outcome_columns = list(one.outcome)
        outcomes.append(list(one.outcome.values()))
        if index < case.rounds_of:
            for row in one.rounds:
                round_columns = list(row)
                rounds.append(list(row.values()))
    return {"case": case.name, "scenario": case.scenario, "seed": case.seed,
            "runs": case.runs, "rounds_of": case.rounds_of,
            "outcome_columns": outcome_columns, "outcomes": outcomes,
            "round_columns": round_columns or [], "rounds": rounds}


def path(case: Case) -> Path:
    return FOLDER / f"{case.name}.json"


def pinned(case: Case) -> dict | None:
    """The case's records as checked in (None if there are none yet)."""
    return json.loads(path(case).read_text()) if path(case).exists() else None


def text(records: dict) -> str:
    """JSON with one row a line, so a diff of the file shows which rows moved."""
    lines = ["{"]
    items = list(records.items())
    for i, (key, value) in enumerate(items):
        end = "," if i < len(items) - 1 else ""
        if key in ("outcomes", "rounds"):
            rows = [f"  {json.dumps(row)}" for row in value]
            body = "[\n" + ",\n".join(rows) + "\n ]" if rows else "[]"
            lines.append(f" {json.dumps(key)}: {body}{end}")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{end}")
    return "\n".join(lines) + "\n}\n"


def _same(a, b) -> bool:
    """Exactly the same record: 1 is not 1.0, True is not 1, -0.0 is not 0.0."""
    return type(a) is type(b) and (repr(a) == repr(b) if isinstance(a, float) else a == b)


def moved(old: dict | None, new: dict) -> list[str]:
    """What differs, one readable line per cell (replication, round, column: old -> new)."""
    if old is None:
        return [f"{new['case']}: no pinned records yet"]
    out = []
    for key in ("scenario", "seed", "runs", "rounds_of", "outcome_columns", "round_columns"):
        if old.get(key) != new.get(key):
            out.append(f"{new['case']}: {key} {old.get(key)!r} -> {new.get(key)!r}")
    if out:
        return out
    for table, columns in (("outcomes", "outcome_columns"), ("rounds", "round_columns")):
        a, b, names = old[table], new[table], new[columns]
        if len(a) != len(b):
            out.append(f"{new['case']}: {len(a)} {table} rows -> {len(b)}")
        for row_a, row_b in zip(a, b, strict=False):
            where = f"replication {row_b[0]}" + (f" round {row_b[1]}" if table == "rounds"
                                                  else "")
            out += [f"{new['case']}: {where}: {name} {x!r} -> {y!r}"
                    for name, x, y in zip(names, row_a, row_b, strict=True) if not _same(x, y)]
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv
    changes = 0
    for case in CASES:
        new = fresh(case)
        lines = moved(pinned(case), new)
        changes += len(lines)
        for line in lines[:SHOWN]:
            print(line)
        if len(lines) > SHOWN:
            print(f"{case.name}: ... and {len(lines) - SHOWN} more")
        if not check:
            FOLDER.mkdir(parents=True, exist_ok=True)
            path(case).write_text(text(new))
    verb = "would move" if check else "moved"
    print(f"{len(CASES)} cases: {changes} recorded values {verb}"
          + ("" if check else f"; fixtures written to {FOLDER.relative_to(REPO)}"))
    return 1 if check and changes else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
