"""Building blocks of the scenario schema: frozen models and numeric parameters with bounds.

A *parameter* is a number or a distribution (``{dist: uniform, low, high}``).
Its ``Bounds`` are checked once at load time, for a number and for every value
its distribution can give, and the engine reads the same bounds to keep
effects (``add: -5``) inside them.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Union

from pydantic import BaseModel, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError, core_schema

from sim.scenario.distributions import DISTRIBUTIONS
from sim.scenario.frozen import Frozen

__all__ = ["Bounds", "Frozen", "Name", "Param", "bounds_of"]


@dataclass(frozen=True)
class Bounds:
    """The closed range ``[lo, hi]`` a parameter must stay in (``positive``: ``lo`` excluded)."""

    lo: float = -math.inf
    hi: float = math.inf
    positive: bool = False

    def describe(self) -> str:
        if self.positive:
            return f"> {self.lo:g}"
        if math.isinf(self.hi):
            return f">= {self.lo:g}"
        if math.isinf(self.lo):
            return f"<= {self.hi:g}"
        return f"within [{self.lo:g}, {self.hi:g}]"

    def admits(self, lo: float, hi: float) -> bool:
        low_ok = lo > self.lo if self.positive else lo >= self.lo
        return low_ok and hi <= self.hi

    def clamp(self, x: float) -> float:
        return min(max(x, self.lo), self.hi)

    def check(self, value: Any) -> Any:
        if value is None:
            return value
        if isinstance(value, BaseModel):
            lo, hi = value.support()
            if not self.admits(lo, hi):
                raise PydanticCustomError(
                    "out_of_bounds",
                    "must be {want}, but this distribution ranges over [{lo}, {hi}]; "
                    "give it low/high that keep it in range",
                    {"want": self.describe(), "lo": f"{lo:g}", "hi": f"{hi:g}"},
                )
        elif not self.admits(value, value):
            raise PydanticCustomError(
                "out_of_bounds", "must be {want}, got {got}",
                {"want": self.describe(), "got": f"{value:g}"},
            )
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict:
        js = handler(schema)
        for branch in js.get("oneOf", [js]):
            if branch.get("type") == "number":
                if not math.isinf(self.lo):
                    branch["exclusiveMinimum" if self.positive else "minimum"] = self.lo
                if not math.isinf(self.hi):
                    branch["maximum"] = self.hi
        return js


def _tag(value: Any) -> str | None:
    """Which branch of a parameter a value is: a number or the named distribution."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return "num:value"
    if isinstance(value, dict) and isinstance(value.get("dist"), str):
        return "dist:" + value["dist"]
    if isinstance(value, BaseModel) and hasattr(value, "dist"):
        return "dist:" + value.dist
    return None


def _value_type() -> Any:
    branches = [Annotated[float, Tag("num:value")]]
    branches += [Annotated[cls, Tag("dist:" + name)] for name, cls in DISTRIBUTIONS.items()]
    return Annotated[
        Union[tuple(branches)],  # noqa: UP007 -- built at run time
        Discriminator(
            _tag,
            custom_error_type="param",
            custom_error_message="expected a number or a distribution {dist: ...}",
        ),
    ]


Value = _value_type()


def Param(lo: float = -math.inf, hi: float = math.inf, positive: bool = False) -> Any:  # noqa: N802
    """The type of a numeric model parameter: a number or a distribution within bounds."""
    return Annotated[Value, Bounds(lo, hi, positive)]


PROBABILITY = Param(0, 1)
NONNEGATIVE = Param(0)
ANY = Param()
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


def bounds_of(model: type[BaseModel], field: str) -> Bounds | None:
    """The Bounds of a model's parameter field, or None when the field is not a parameter."""
    info = model.model_fields[field]
    found = [m for m in info.metadata if isinstance(m, Bounds)]
    annotation = info.annotation
    while not found and typing.get_origin(annotation) in (Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = inner[0] if len(inner) == 1 else None
        if typing.get_origin(annotation) is Annotated:
            found = [m for m in annotation.__metadata__ if isinstance(m, Bounds)]
    return found[0] if found else None
