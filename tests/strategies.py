"""Hypothesis strategies: valid scenario documents, and mutations of them."""

from __future__ import annotations

import copy

from hypothesis import strategies as st

ISSUE_NAMES = ["donbas", "guarantee", "sanctions", "army"]
PARTY_NAMES = ["ukraine", "russia", "belarus"]
finite = st.floats(allow_nan=False, allow_infinity=False, width=32)


def rounded(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats in [lo, hi] with few digits, as people write them."""
    return st.floats(lo, hi, allow_nan=False).map(lambda x: round(x, 3)).filter(
        lambda x: lo <= x <= hi)


def param(lo: float, hi: float, uncertain: bool = True) -> st.SearchStrategy:
    """A number or a distribution whose values stay in [lo, hi]."""
    number = rounded(lo, hi)
    if not uncertain:
        return number

    @st.composite
    def dist(draw):
        a, b = sorted([draw(number), draw(number)])
        kind = draw(st.sampled_from(["uniform", "normal", "triangular", "beta", "choice"]))
        if kind == "uniform":
            return {"dist": "uniform", "low": a, "high": b}
        if kind == "normal":
            return {"dist": "normal", "mean": round((a + b) / 2, 3), "sd": round(b - a, 3),
                    "low": a, "high": b}
        if kind == "triangular":
            return {"dist": "triangular", "low": a, "mode": a, "high": b}
        if kind == "beta":
            return {"dist": "beta", "a": 2, "b": 3, "low": a, "high": b}
        return {"dist": "choice", "values": [a, b]}

    return st.one_of(number, number, dist())


@st.composite
def scenarios(draw, uncertain: bool = True, battlefield: bool | None = None,
              noise: bool = True) -> dict:
    """A valid scenario document (plain data, as read from YAML)."""
    issue_names = draw(st.lists(st.sampled_from(ISSUE_NAMES), min_size=1, max_size=3,
                                unique=True))
    issues = {}
    for name in issue_names:
        lo = draw(st.sampled_from([0.0, 0.0, -1.0, 10.0]))
        hi = lo + draw(st.sampled_from([1.0, 1.0, 2.0, 100.0]))
        issue = {"range": [lo, hi]}
        if draw(st.booleans()):
            issue["status_quo"] = draw(rounded(lo, hi))
        if draw(st.integers(0, 4)) == 0:
            issue["indivisible"] = True
        elif draw(st.booleans()):
            issue["step"] = (hi - lo) / draw(st.sampled_from([4, 10, 20]))
        issues[name] = issue
    party_names = draw(st.lists(st.sampled_from(PARTY_NAMES), min_size=1, max_size=3,
                                unique=True))
    actors = {}
    for name in party_names:
        positions = {}
        for issue in draw(st.lists(st.sampled_from(issue_names), min_size=1, unique=True)):
            lo, hi = issues[issue]["range"]
            pos = {"ideal": draw(param(lo, hi, uncertain)),
                   "weight": draw(param(0, 1, uncertain))}
            if draw(st.booleans()):
                pos["red_line"] = draw(param(lo, hi, uncertain))
            positions[issue] = pos
        actor = {
            "positions": positions,
            "concession": draw(st.one_of(
                st.sampled_from(["hardliner", "boulware", "linear", "conceder", "immediate"]),
                st.builds(lambda e: {"exponent": e}, rounded(0, 5)))),
            "power": draw(param(0.1, 2, uncertain)),
            "war_cost": draw(param(0, 0.01, uncertain)),
            "weariness": draw(rounded(0, 1)),
            "planning_days": draw(rounded(0, 365)),
            "optimism": draw(param(-5, 5, uncertain)),
            "belief_sd": draw(rounded(0, 10)),
            "noise": draw(param(0, 0.1, uncertain)) if noise else 0,
            "walkout": draw(param(0, 0.3, uncertain)) if noise else 0,
        }
        if draw(st.integers(0, 3)) == 0:
            actor["batna"] = draw(param(-0.5, 1, uncertain))
        actors[name] = actor
    doc: dict = {"name": "generated", "horizon_days": draw(rounded(0, 400)),
                 "issues": issues, "actors": actors}
    with_field = draw(st.booleans()) if battlefield is None else battlefield
    if with_field:
        ref = draw(rounded(100, 10000))
        doc["battlefield"] = {
            "issue": draw(st.sampled_from(issue_names)),
            "holder": draw(st.sampled_from(party_names)),
            "held_km2": draw(param(0, ref, uncertain)),
            "reference_km2": ref,
            "max_km2": ref * 2,
            "drift": draw(param(-20, 20, uncertain)),
            "volatility": draw(rounded(0, 50)),
            "shocks": {"per_year": draw(rounded(0, 10)), "mean_km2": 0,
                       "sd_km2": draw(rounded(0, 500))},
        }
    if draw(st.booleans()):
        mediator: dict = {"role": "mediator", "positions": {
            i: {"ideal": draw(rounded(*issues[i]["range"]))} for i in issue_names},
            "mediation": {"bias": draw(rounded(0, 1)),
                          "information": draw(rounded(0, 0.1)) if noise else 0}}
        target = draw(st.sampled_from(party_names))
        mediator["levers"] = [{
            "name": "pressure", "on": target, "probability": draw(param(0, 1, uncertain)),
            "duration_days": draw(st.one_of(st.none(), rounded(0, 90))),
            "effects": [{"path": f"actors.{target}.war_cost", "scale": 1.5}]}]
        actors["mediator"] = mediator
    days = sorted(set(draw(st.lists(rounded(0, 200), max_size=3))))
    every = draw(st.one_of(st.none(), rounded(1, 60)))
    doc["talks"] = {
        "protocol": draw(st.sampled_from(["mediated", "alternating"])),
        "rounds": [{"day": d} for d in days],
        "every_days": every,
        "jitter_days": draw(rounded(0, 3 if every is None else min(3, every / 2.01))),
        "start_day": draw(rounded(-100, 0)),
        "deadline_day": draw(st.one_of(st.none(), param(1, 300, uncertain))),
        "resume_after_days": draw(st.one_of(st.none(), rounded(1, 60))),
    }
    if draw(st.booleans()):
        party = draw(st.sampled_from(party_names))
        doc["events"] = [{"day": draw(rounded(0, 300)), "label": "event",
                          "duration_days": draw(st.one_of(st.none(), rounded(0, 60))),
                          "effects": [draw(effects(doc, party))]}]
    return doc


@st.composite
def effects(draw, doc: dict, party: str) -> dict:
    """An effect on ``party``: on its war cost, its fixed no-deal value, or a red line."""
    actor = doc["actors"][party]
    kinds = ["war_cost"] + ["batna"] * ("batna" in actor) + \
        [issue for issue, pos in actor["positions"].items() if "red_line" in pos]
    kind = draw(st.sampled_from(kinds))
    if kind == "war_cost":
        return {"path": f"actors.{party}.war_cost", "add": draw(rounded(0, 0.01))}
    if kind == "batna":
        return {"path": f"actors.{party}.batna", "add": draw(rounded(-0.2, 0.2))}
    return {"path": f"actors.{party}.positions.{kind}.red_line",
            "set": draw(rounded(*doc["issues"][kind]["range"]))}


JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), finite,
                 st.text(max_size=8), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
                 st.just({"dist": "normal"}), st.just({"dist": "gauss", "mean": 1}))


@st.composite
def mutated(draw, base: dict) -> dict:
    """``base`` with a few random keys deleted, replaced by junk or added."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        node, key = _random_slot(draw, doc)
        if node is None:
            continue
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            node[key] = copy.deepcopy(draw(JUNK))  # st.just hands out one shared object
        elif action == "delete" and isinstance(node, dict):
            node.pop(key, None)
        elif isinstance(node, dict):
            node[draw(st.sampled_from(["colour", "weight", "dist", "on", "day"]))] = \
                copy.deepcopy(draw(JUNK))
    return doc


def _random_slot(draw, doc):
    """A random (container, key) inside ``doc``."""
    node, key = None, None
    current = doc
    for _ in range(draw(st.integers(1, 6))):
        if isinstance(current, dict) and current:
            key = draw(st.sampled_from(sorted(current, key=str)))
        elif isinstance(current, list) and current:
            key = draw(st.integers(0, len(current) - 1))
        else:
            break
        node, current = current, current[key]
    return node, key
