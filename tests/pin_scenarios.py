"""Pinned summary figures of every shipped scenario: the regression fixture.

Each scenario under ``scenarios/`` (the default, its variants, the textbook
cases) is run with a fixed seed and a small number of replications in the
calling process. The summary figures are then compared with
``tests/fixtures/scenario_pins.json`` by ``tests/test_scenario_pins.py``. The
figures are: P(agreement), outcome shares, the median day of agreement and
the median and mean agreed terms, each rounded to 9 significant digits. Results do
not depend on the number of workers, so the pins hold for any executor.

A pin that no longer holds means the behaviour of a shipped scenario has
changed. If the change is intended (a model change, a recalibrated scenario),
explain it in the commit and regenerate the pins from the repository root:

    python -m tests.pin_scenarios
    # or: PEACESIM_UPDATE_PINS=1 python -m pytest tests/test_scenario_pins.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import sim

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
FIXTURE = REPO / "tests" / "fixtures" / "scenario_pins.json"
RUNS = 200
SEED = 20260217
DIGITS = 9
UPDATE_ENV = "PEACESIM_UPDATE_PINS"
REGENERATE = f"python -m tests.pin_scenarios (or {UPDATE_ENV}=1 python -m pytest " \
             f"tests/test_scenario_pins.py)"


def shipped() -> list[str]:
    """Every shipped scenario, as a path relative to ``scenarios/`` (posix)."""
    files = sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "textbook").glob("*.yaml"))
    return [f.relative_to(SCENARIOS).as_posix() for f in files]


def _round(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(f"{float(x):.{DIGITS}g}")


def figures(name: str) -> dict:
    """The pinned figures of scenario ``name`` (relative to ``scenarios/``), freshly run."""
    sc = sim.load_scenario(SCENARIOS / name)
    result = sim.run(sc, runs=RUNS, seed=SEED, workers=1)
    summary, outcomes = result.summary, result.outcomes
    agreed = outcomes[outcomes["outcome"] == "agreement"]
    days = summary["days_to_agreement"] or {}
    return {
        "runs": summary["runs"],
        "p_agreement": _round(summary["p_agreement"]),
        "outcomes": {k: _round(v) for k, v in sorted(summary["outcomes"].items())},
        "median_day": _round(days.get("median")),
        "median_deal": {k: _round((v or {}).get("median"))
                        for k, v in summary["deal"].items()},
        # means move with every deal, where medians on a stepped issue may not
        "mean_deal": {k: _round(agreed[f"deal.{k}"].mean()) if len(agreed) else None
                      for k in summary["deal"]},
    }


def pins() -> dict:
    """The pinned figures as checked in ({} if there is no fixture yet)."""
    if not FIXTURE.exists():
        return {}
    return json.loads(FIXTURE.read_text())["scenarios"]


def write(table: dict[str, dict]) -> None:
    document = {
        "about": "Summary figures of every shipped scenario, pinned by tests/"
                 "test_scenario_pins.py. A change must be explained; regenerate with "
                 + REGENERATE + ".",
        "runs": RUNS,
        "seed": SEED,
        "workers": 1,
        "significant_digits": DIGITS,
        "scenarios": table,
    }
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")


def differences(pinned: dict, now: dict, prefix: str = "") -> list[str]:
    """What differs between pinned and fresh figures, one readable line each."""
    out = []
    for key in sorted(set(pinned) | set(now)):
        where = f"{prefix}{key}"
        a, b = pinned.get(key, "<missing>"), now.get(key, "<missing>")
        if isinstance(a, dict) and isinstance(b, dict):
            out += differences(a, b, where + ".")
        elif isinstance(a, (int, float)) and isinstance(b, (int, float)) \
                and not isinstance(a, bool) and not isinstance(b, bool):
            if not math.isclose(a, b, rel_tol=1e-8, abs_tol=1e-12):
                out.append(f"{where}: pinned {a!r}, now {b!r}")
        elif a != b:
            out.append(f"{where}: pinned {a!r}, now {b!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    names = shipped()
    table = {}
    for name in names:
        table[name] = figures(name)
        print(f"{name}: P(agreement) {table[name]['p_agreement']}", file=sys.stderr)
    old = pins()
    write(table)
    changed = [n for n in names if n in old and differences(old[n], table[n])]
    added = [n for n in names if n not in old]
    print(f"wrote {FIXTURE.relative_to(REPO)}: {len(names)} scenarios; changed: "
          f"{', '.join(changed) or 'none'}; new: {', '.join(added) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
