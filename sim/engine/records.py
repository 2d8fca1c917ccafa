"""The columns of a replication's records: ``outcomes.csv`` and ``rounds.csv`` (docs/reference.md,
"What comes out")."""

from __future__ import annotations

from sim.engine.compile import Model

OUTCOMES = ("agreement", "military", "breakdown", "no_deal")


def outcome_columns(m: Model) -> list[str]:
    """One row per replication."""
    return ["run", "outcome", "day", "rounds",
            *(f"deal.{k}" for k in m.issues),
            *(f"utility.{a}" for a in m.actors),
            *(["held_km2"] if m.field_issue >= 0 else []),
            "blocker", "sticking_issue", "levers",
            *(f"param.{m.paths[slot]}" for slot, _ in m.draws)]


def round_columns(m: Model) -> list[str]:
    """One row per talk round: the proposal and every party's view of it."""
    per_party = []
    for a in m.parties:
        per_party += [f"utility.{a}", f"aspiration.{a}", f"nodeal.{a}", f"accept.{a}"]
    return ["run", "round", "day", "venue", "proposer",
            *(f"proposal.{k}" for k in m.issues), *per_party,
            *(["held_km2"] if m.field_issue >= 0 else []),
            "blocker", "sticking_issue", "levers", "walkout"]
