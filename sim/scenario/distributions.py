"""Uncertain inputs: the distributions a numeric parameter may take instead of a number.

Each is drawn once per replication from that replication's generator
(docs/model.md §9). Every ``draw`` consumes the generator in a fixed way, so the
same seed gives the same value on every machine.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.scenario.frozen import Frozen

Finite = Annotated[float, Field(allow_inf_nan=False)]


class Uniform(Frozen):
    """Any value between ``low`` and ``high`` equally likely."""

    dist: Literal["uniform"]
    low: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self):
        _check_order(self.low, self.high)
        return self

    def draw(self, rng: np.random.Generator) -> float:
        return self.low + (self.high - self.low) * float(rng.random())

    def support(self) -> tuple[float, float]:
        return self.low, self.high


class Normal(Frozen):
    """Normal with mean and sd, clipped to ``[low, high]`` when given."""

    dist: Literal["normal"]
    mean: Finite
    sd: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    low: Finite | None = None
    high: Finite | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.low is not None and self.high is not None:
            _check_order(self.low, self.high)
        return self

    def draw(self, rng: np.random.Generator) -> float:
        x = self.mean + self.sd * float(rng.standard_normal())
        return min(max(x, self.support()[0]), self.support()[1])

    def support(self) -> tuple[float, float]:
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        if self.sd == 0:  # a point mass: the mean, clipped
            lo = hi = min(max(self.mean, lo), hi)
        return lo, hi


class Triangular(Frozen):
    """Triangular on ``[low, high]`` with its peak at ``mode``."""

    dist: Literal["triangular"]
    low: Finite
    mode: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"needs low <= mode <= high, got low {self.low}, mode {self.mode}, high {self.high}"
            )
        return self

    def draw(self, rng: np.random.Generator) -> float:
        u = float(rng.random())  # inverse CDF: one uniform, also when low == high
        lo, m, hi = self.low, self.mode, self.high
        if hi == lo:
            return lo
        cut = (m - lo) / (hi - lo)
        if u < cut:
            return lo + math.sqrt(u * (hi - lo) * (m - lo))
        return hi - math.sqrt((1 - u) * (hi - lo) * (hi - m))

    def support(self) -> tuple[float, float]:
        return self.low, self.high


class Beta(Frozen):
    """Beta(a, b) stretched onto ``[low, high]`` (default ``[0, 1]``)."""

    dist: Literal["beta"]
    a: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    b: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    low: Finite = 0.0
    high: Finite = 1.0

    @model_validator(mode="after")
    def _ordered(self):
        _check_order(self.low, self.high)
        return self

    def draw(self, rng: np.random.Generator) -> float:
        return self.low + (self.high - self.low) * float(rng.beta(self.a, self.b))

    def support(self) -> tuple[float, float]:
        return self.low, self.high


class Choice(Frozen):
    """One of ``values``, with probabilities ``p`` (equal when omitted)."""

    dist: Literal["choice"]
    values: Annotated[list[Finite], Field(min_length=1, max_length=1000)]
    p: list[Annotated[float, Field(ge=0, le=1)]] | None = None

    @model_validator(mode="after")
    def _probabilities(self):
        if self.p is not None:
            if len(self.p) != len(self.values):
                raise ValueError(
                    f"p needs one probability per value: {len(self.values)} values, "
                    f"got {len(self.p)} probabilities"
                )
            if abs(sum(self.p) - 1) > 1e-9:
                raise ValueError(f"p must sum to 1, got {sum(self.p):g}")
        return self

    def draw(self, rng: np.random.Generator) -> float:
        u = float(rng.random())
        if self.p is None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        acc = 0.0
        for value, p in zip(self.values, self.p, strict=True):
            acc += p
            if u < acc:
                return value
        return self.values[-1]

    def support(self) -> tuple[float, float]:
        return min(self.values), max(self.values)


DISTRIBUTIONS = {cls.model_fields["dist"].annotation.__args__[0]: cls
                 for cls in (Uniform, Normal, Triangular, Beta, Choice)}
Distribution = Uniform | Normal | Triangular | Beta | Choice


def _check_order(low: float, high: float) -> None:
    if low > high:
        raise ValueError(f"needs low <= high, got low {low}, high {high}")


def span(value) -> tuple[float, float] | None:
    """The (lo, hi) a parameter can take: a point for a number, the support of a distribution,
    None when it is not set."""
    if value is None:
        return None
    if hasattr(value, "support"):
        lo, hi = value.support()
        return float(lo), float(hi)
    return float(value), float(value)
