"""Shared test settings: paths, and hypothesis profiles (CI runs more examples)."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"

settings.register_profile("default", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=3000, deadline=None,
                          suppress_health_check=list(HealthCheck))  # for hunting bugs by hand
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
