"""Shared test settings: paths, compiled kernels, and hypothesis profiles (CI runs more
examples)."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

# The suite runs the compiled kernels (compiling them in the first process that needs them)
# rather than their Python twins; subprocesses inherit it. Tests of the other modes set
# their own.
os.environ.setdefault("PEACESIM_JIT", "compile")

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"

settings.register_profile("default", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=3000, deadline=None,
                          suppress_health_check=list(HealthCheck))  # for hunting bugs by hand
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
