"""The scenario file format (docs/reference.md) as frozen pydantic models.

These classes hold parameters and nothing else. Checks that need more than
one field (a red line inside its issue's range, a lever aimed at an actor
that exists) live in ``checks``; loading lives in ``load``; the JSON Schema
shipped for editors is generated from here (``schema``).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, model_validator

from sim.scenario.frozen import Frozen
from sim.scenario.params import ANY, NONNEGATIVE, PROBABILITY, Name, Param

MAX_RUNS = 100_000_000  # replications of one study: about five hours on two cores

PRESETS = {"hardliner": 0.0, "boulware": 0.2, "linear": 1.0, "conceder": 2.0,
           "immediate": float("inf")}
_KM2 = Param(0)
_DAYS = Param(0)


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _describe(text: str, **kw: Any) -> Any:
    return Field(description=text, **kw)


class Issue(Frozen):
    """One question the deal settles, a number in ``range``."""

    label: str = _describe("Human-readable name used in figures and reports.", default="")
    range: Annotated[tuple[float, float], BeforeValidator(_tuple)] = _describe(
        "[lo, hi]: the values a deal can give this issue.", default=(0.0, 1.0))
    status_quo: ANY | None = _describe(
        "Value the issue keeps without a deal; null means lo.", default=None)
    step: Annotated[float, Field(gt=0)] | None = _describe(
        "Granularity: proposals are rounded to multiples of step from lo.", default=None)
    indivisible: bool = _describe(
        "Only lo or hi can be agreed (Fearon's indivisibility).", default=False)

    @model_validator(mode="after")
    def _ordered(self):
        if self.range[0] > self.range[1]:
            raise ValueError(f"range needs lo <= hi, got [{self.range[0]:g}, {self.range[1]:g}]")
        return self


class Position(Frozen):
    """What an actor wants on one issue."""

    ideal: ANY = _describe("The value the actor wants most (in the issue's range).")
    weight: NONNEGATIVE = _describe(
        "Importance of the issue; an actor's weights are normalised to sum to 1.", default=1.0)
    red_line: ANY | None = _describe(
        "Worst acceptable value: a deal beyond it (away from the ideal) is always rejected "
        "(parties only; a mediator has none).",
        default=None)


class Exponent(Frozen):
    """Concession with an explicit exponent e of model.md §5."""

    exponent: NONNEGATIVE = _describe(
        "e < 1 holds out (Boulware), e = 1 linear, e > 1 concedes early.")


Preset = Literal["hardliner", "boulware", "linear", "conceder", "immediate"]


def _concession_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "concession:preset"
    return "concession:exponent" if isinstance(value, (dict, Exponent)) else None


Concession = Annotated[
    Annotated[Preset, Tag("concession:preset")] | Annotated[Exponent, Tag("concession:exponent")],
    Discriminator(_concession_kind, custom_error_type="concession",
                  custom_error_message="expected a preset name or {exponent: e}"),
]


class Effect(Frozen):
    """A change to one model parameter, by exactly one of add, set or scale."""

    path: str = _describe("Dotted path of the parameter, e.g. battlefield.drift.")
    add: ANY | None = _describe("Added to the parameter.", default=None)
    set: ANY | None = _describe("Replaces the parameter.", default=None)
    scale: ANY | None = _describe("Multiplies the parameter.", default=None)

    @model_validator(mode="after")
    def _one_change(self):
        given = [k for k in ("add", "set", "scale") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"needs exactly one of add, set, scale; got {', '.join(given) or 'none'}")
        return self


Effects = Annotated[list[Effect], Field(min_length=1, max_length=100)]


class Lever(Frozen):
    """A mediator's threat: after ``on`` rejects a proposal, it fires with ``probability``."""

    name: Name = _describe("Short name recorded when the lever fires.")
    on: Name = _describe("The party the lever is aimed at.")
    probability: PROBABILITY = _describe(
        "Chance it fires after each rejection by its target (credibility).")
    duration_days: _DAYS | None = _describe(
        "How long its effects last; null means for the rest of the run.", default=None)
    max_fires: Annotated[int, Field(ge=1)] = _describe(
        "How many times it can fire in one run (never while already active).", default=1)
    effects: Effects = _describe("What firing changes.")


class Mediation(Frozen):
    """How the mediator builds its single negotiating text."""

    bias: NONNEGATIVE = _describe(
        "Weight of the mediator's own utility in the Nash product (0: neutral).", default=0.0)
    information: NONNEGATIVE = _describe(
        "Sd of the mediator's error on each party's no-deal value, per round (0: perfect).",
        default=0.0)


class Party(Frozen):
    """An actor whose consent a deal needs."""

    role: Literal["party"] = "party"
    label: str = _describe("Display name.", default="")
    positions: dict[Name, Position] = _describe(
        "Position per issue; an issue left out is one the party does not care about.",
        default_factory=dict)
    concession: Concession = _describe(
        "Concession over time: hardliner (e=0), boulware (0.2), linear (1), conceder (2), "
        "immediate, or {exponent: e}.", default="linear")
    power: NONNEGATIVE = _describe(
        "Bargaining power: the party's weight in the mediator's Nash product; with "
        "alternating offers among three or more parties, its weight among the others when "
        "a proposer looks for the deal best for them.", default=1.0)
    batna: ANY | None = _describe(
        "Fixes the no-deal utility; null derives it from the war (model.md §3).",
        default=None)
    war_cost: NONNEGATIVE = _describe("War cost in utility per day at day 0.", default=0.0)
    weariness: NONNEGATIVE = _describe("Growth of war_cost per year (0.5: +50%/year).",
                                       default=0.0)
    planning_days: _DAYS = _describe(
        "Planning horizon in days: costs and front-line projections run this far.",
        default=180.0)
    optimism: ANY = _describe(
        "Bias of its prior belief about the front-line drift, km2/day in its own favour.",
        default=0.0)
    belief_sd: NONNEGATIVE = _describe(
        "Sd of its prior belief about the drift, km2/day (0: never learns).", default=5.0)
    noise: NONNEGATIVE = _describe(
        "Sd of the random term in its accept/reject decision (domestic politics).",
        default=0.0)
    walkout: PROBABILITY = _describe("Chance it walks out after rejecting a proposal.",
                                     default=0.0)


class Mediator(Frozen):
    """The actor who proposes texts and applies pressure; its consent is not needed."""

    role: Literal["mediator"]
    label: str = _describe("Display name.", default="")
    positions: dict[Name, Position] = _describe(
        "The mediator's own preferences (used with mediation.bias).", default_factory=dict)
    mediation: Mediation = _describe("Bias and information of its proposals.",
                                     default_factory=Mediation)
    levers: Annotated[list[Lever], Field(max_length=100)] = _describe(
        "Threats it can carry out after a rejection.", default_factory=list)


def _role(value: Any) -> str | None:
    if isinstance(value, dict):
        role = value.get("role", "party")
        return "role:" + role if isinstance(role, str) else None
    return "role:" + value.role if isinstance(value, Frozen) else None


Actor = Annotated[
    Annotated[Party, Tag("role:party")] | Annotated[Mediator, Tag("role:mediator")],
    Discriminator(_role, custom_error_type="role",
                  custom_error_message="expected an actor mapping with role party or mediator"),
]


class Shocks(Frozen):
    """Sudden jumps of the front line, arriving as a Poisson process."""

    per_year: NONNEGATIVE = _describe("Expected number of shocks per year.", default=0.0)
    mean_km2: ANY = _describe("Mean size of a shock, km2 for the holder.", default=0.0)
    sd_km2: NONNEGATIVE = _describe("Sd of a shock's size, km2.", default=0.0)


class Battlefield(Frozen):
    """The front line: km2 of the contested region held by one party (model.md §4)."""

    issue: Name = _describe("The issue whose no-deal value follows the front line.")
    holder: Name = _describe("The party that holds the contested area.")
    held_km2: _KM2 = _describe("Area held at day 0, km2.")
    reference_km2: Annotated[float, Field(gt=0)] = _describe(
        "Area that counts as 'all of it' for the issue: no-deal share = 1 - held/reference.")
    max_km2: Annotated[float, Field(gt=0)] | None = _describe(
        "Largest area the holder can hold, km2; null means reference_km2.", default=None)
    drift: ANY = _describe("Mean change of the held area, km2/day (negative: losing ground).",
                           default=0.0)
    volatility: NONNEGATIVE = _describe("Random variation of the front, km2 per sqrt(day).",
                                        default=0.0)
    shocks: Shocks = _describe("Sudden jumps.", default_factory=Shocks)


class Round(Frozen):
    """One explicitly scheduled talk round."""

    day: Annotated[float, Field(ge=0, allow_inf_nan=False)] = _describe("Day of the round.")
    venue: str = _describe("Where it is held (labels only).", default="")


class Talks(Frozen):
    """When and how the parties negotiate (model.md §6, §7)."""

    protocol: Literal["mediated", "alternating"] = _describe(
        "mediated: the mediator proposes one text; alternating: parties propose in turn.",
        default="mediated")
    rounds: Annotated[list[Round], Field(max_length=10_000)] = _describe(
        "Explicit rounds, in increasing day order.", default_factory=list)
    every_days: Param(0, positive=True) | None = _describe(
        "After the explicit rounds, one round every this many days; null: no more rounds.",
        default=None)
    jitter_days: NONNEGATIVE = _describe(
        "Each periodic round moves by a uniform amount in [-jitter, +jitter] days.", default=0.0)
    start_day: Annotated[float, Field(allow_inf_nan=False)] = _describe(
        "Day the negotiation began (may be before day 0); concession counts from here.",
        default=0.0)
    deadline_day: ANY | None = _describe(
        "Day by which aspirations reach the no-deal value; null means the horizon.",
        default=None)
    on_deadline: Literal["continue", "mediator_exits"] = _describe(
        "After the deadline: talks go on, or the mediator leaves (outcome breakdown).",
        default="continue")
    resume_after_days: Param(0, positive=True) | None = _describe(
        "Days until talks resume after a walkout; null: never (outcome breakdown).",
        default=None)


class Event(Frozen):
    """A scheduled change: effects that start on a fixed day."""

    day: _DAYS = _describe("Day the effects start.")
    label: str = _describe("What happens (recorded and plotted).", default="")
    duration_days: _DAYS | None = _describe(
        "How long the effects last; null means for the rest of the run.", default=None)
    effects: Effects = _describe("What changes.")


class ScenarioFile(Frozen):
    """A complete scenario file: its keys, and nothing else (``sim.scenario.load.Scenario``
    adds the conveniences)."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$", max_length=64)] = _describe(
        "Short name, [a-z0-9_-]+; names the results folder.")
    title: str = _describe("One-line title.", default="")
    description: str = _describe("What the scenario assumes and where its numbers come from.",
                                 default="")
    start: Annotated[datetime.date, Field(strict=False)] | None = _describe(
        "Calendar date of day 0 (labels only).", default=None)
    horizon_days: Annotated[float, Field(ge=0, le=36_500)] = _describe(
        "Length of a replication in days.", default=365.0)
    runs: Annotated[int, Field(ge=1, le=MAX_RUNS)] = _describe(
        "Default number of replications.", default=1000)
    seed: Annotated[int, Field(ge=0, lt=2**63)] = _describe("Default root seed.", default=0)
    issues: Annotated[dict[Name, Issue], Field(min_length=1, max_length=50)] = _describe(
        "The issues a deal settles.")
    actors: Annotated[dict[Name, Actor], Field(min_length=1, max_length=50)] = _describe(
        "Parties (who must accept) and at most one mediator.")
    battlefield: Battlefield | None = _describe("The front line, if the war is modelled.",
                                                default=None)
    talks: Talks = _describe("The negotiation schedule and protocol.", default_factory=Talks)
    events: Annotated[list[Event], Field(max_length=10_000)] = _describe(
        "Scheduled changes.", default_factory=list)
