"""One mechanism for levers and scheduled events (docs/model.md §8).

An effect changes one parameter slot by add, set or scale, for a while or
for the rest of the run. A slot's value is always recomputed from its value
at the start of the replication and the effects active on it, in the order
they started, then kept inside the parameter's bounds; so effects that end
leave no trace, whatever happened in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

OPS = {"add": 0, "set": 1, "scale": 2}


@dataclass(frozen=True)
class Effect:
    """One change of one parameter slot, by ``op`` (``OPS``) with the amount held in slot
    ``value`` (a slot of its own: an amount may be an uncertain input)."""

    slot: int  # parameter changed (or the engine's HELD: the front line itself)
    op: int  # OPS
    value: int  # slot holding the amount


class ActiveEffects:
    """The effects in force in one replication."""

    def __init__(self, start: Sequence[float], bounds: Sequence[tuple[float, float]]):
        self._start = start
        self._bounds = bounds
        self._on: dict[int, list[tuple[int, int, float]]] = {}  # slot -> (token, op, amount)
        self._tokens = 0

    def begin(self, effects: Sequence[Effect], values: list[float]) -> int:
        """Put effects in force, update ``values`` in place; return a token to end them."""
        self._tokens += 1
        for e in effects:
            self._on.setdefault(e.slot, []).append((self._tokens, e.op, values[e.value]))
            values[e.slot] = self._value(e.slot)
        return self._tokens

    def end(self, token: int, values: list[float]) -> list[int]:
        """Take the effects started under ``token`` out of force; return the slots whose
        value was recomputed."""
        changed = []
        for slot, items in self._on.items():
            kept = [item for item in items if item[0] != token]
            if len(kept) != len(items):
                self._on[slot] = kept
                values[slot] = self._value(slot)
                changed.append(slot)
        return changed

    def _value(self, slot: int) -> float:
        v = self._start[slot]
        for _, op, amount in self._on[slot]:
            v = apply(op, v, amount)
        lo, hi = self._bounds[slot]
        return min(max(v, lo), hi)


def apply(op: int, value: float, amount: float) -> float:
    """add (0), set (1) or scale (2)."""
    if op == 0:
        return value + amount
    if op == 1:
        return amount
    return value * amount
