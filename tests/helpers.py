"""Small helpers shared by the tests: load textbook scenarios, run replications."""

from __future__ import annotations

import sim
from sim.engine.compile import compile_model
from sim.engine.records import outcome_columns
from sim.engine.replication import replicate, run_replication
from tests.conftest import SCENARIOS


def ctrl_c_at_chunk(monkeypatch, chunk: int, size: int) -> None:
    """Make the next study cut its work into chunks of ``size`` and see Ctrl-C when chunk
    number ``chunk`` (from 1) starts, as if the user pressed it then."""
    from sim.studies import runner, study

    real, calls = runner.run_chunk, []

    def interrupting(*args):
        calls.append(args)
        if len(calls) == chunk:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(study, "pilot", lambda *a: size)
    monkeypatch.setattr(runner, "run_chunk", interrupting)


def textbook(name: str, **overrides) -> sim.Scenario:
    sc = sim.load_scenario(SCENARIOS / "textbook" / f"{name}.yaml")
    return sc.with_overrides(overrides) if overrides else sc


def outcome(sc: sim.Scenario, index: int = 0) -> dict:
    return replicate(sc, index).outcome


def outcomes(sc: sim.Scenario, runs: int, seed: int | None = None) -> list[dict]:
    """Outcome rows of replications 0..runs-1 (the runner of a later issue does this in bulk)."""
    model = compile_model(sc)
    columns = outcome_columns(model)
    seed = sc.seed if seed is None else seed
    return [dict(zip(columns, run_replication(model, i, seed, keep_rounds=False).outcome,
                     strict=True)) for i in range(runs)]
