"""The scripts in examples/ run as a user would run them (on small sizes here)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

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
