"""A soak run (issue 7): 50,000 replications of the default scenario on 2 workers, in a
fresh process, against 5,000 in another: nothing lost, and memory stays flat."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # fifty thousand replications

PROBE = """
import json, resource, sys
import sim
from sim.studies.study import DEFAULT_SCENARIO
res = sim.run(DEFAULT_SCENARIO, runs=int(sys.argv[1]), seed=3, workers=2,
              out=sys.argv[2], figures=False)
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"main_kb": self_kb, "worker_kb": workers_kb, "runs": res.summary["runs"]}))
"""


def peak(runs: int, folder) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, str(runs), str(folder)], cwd=REPO,
                          capture_output=True, text=True, timeout=900, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_fifty_thousand_replications_lose_nothing_in_flat_memory(tmp_path):
    small = peak(5_000, tmp_path / "small")
    large = peak(50_000, tmp_path / "large")
    assert large["runs"] == 50_000
    rows = pd.read_csv(tmp_path / "large" / "outcomes.csv", usecols=["run"])["run"]
    assert len(rows) == 50_000 and rows.is_unique and list(rows) == list(range(50_000))
    # peak resident memory of the main process and of the largest worker: ten times the
    # replications may cost at most 20% more (plus 8 MB of allocator noise)
    for key in ("main_kb", "worker_kb"):
        assert large[key] <= 1.2 * small[key] + 8 * 1024, (key, small, large)
