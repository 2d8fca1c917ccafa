"""The scripts in examples/ run as a user would run them (on small sizes here)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # the example scripts, run

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("script, args, figure, said", [
    ("grid_sweep.py", ["--runs", "20"], "grid_sweep.png", "p_agreement"),
    ("lhs_study.py", ["--samples", "6", "--runs", "20"], "lhs_study.png", "across its range"),
    ("threshold_question.py", ["--runs", "30", "--steps", "2"], None, "P(agreement)"),
])
def test_example_runs(script, args, figure, said, tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "examples" / script), *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert said in done.stdout
    if figure:
        assert (tmp_path / figure).read_bytes()[:8] == PNG
    assert not (tmp_path / "results").exists()  # in-memory studies leave nothing behind


def test_threshold_questions_get_their_answers(tmp_path):
    # at the example's own sizes: the June threat alone is not enough; a red-line shift
    # near 0.4 is; and where Kyiv trades Donbas for a guarantee whose required strength is
    # uniform on [0.5, 1], deals with a withdrawal become likely where Moscow's tolerance
    # reaches the median requirement, 0.75 (P is close to (g - 0.5) / 0.5)
    done = subprocess.run([sys.executable, str(REPO / "examples" / "threshold_question.py")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    first, second, third = done.stdout.strip().split("\n\n")
    assert "not crossed" in first and "stays below 0.5" in first
    shift = float(second.split("≈ ")[1].split(" ")[0])
    assert 0.3 < shift < 0.5
    assert third.startswith("P(agreement with deal.donbas >= 0.5) crosses 0.5")
    low, high = (float(v) for v in third.split("crossing lies in [")[1].split("]")[0]
                 .split(", "))
    assert low <= 0.75 <= high
