"""Protocols: who puts a deal on the table in a talk round, and how it is answered.

A protocol is one module here with two compiled entry points of one signature,
``play`` (one round) and ``play_run`` (rounds in a row, ``round.rounds_in_a_row``),
and one entry in ``PROTOCOLS``; the scenario format's ``talks.protocol`` names
it, and the engine and the batched rounds dispatch on it. Each module builds
its round from the shared steps of ``sim.model.round`` (look, answer, press).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from sim.model.protocols import alternating, mediated


class Protocol(NamedTuple):
    """A protocol's compiled entry points (see ``mediated.play`` and ``mediated.play_run``)."""

    play: Callable
    play_run: Callable


PROTOCOLS: dict[str, Protocol] = {
    "mediated": Protocol(mediated.play, mediated.play_run),
    "alternating": Protocol(alternating.play, alternating.play_run),
}
