"""The compiled proposal kernels (numba) do exactly what their Python source says.

Running the source itself (``NUMBA_DISABLE_JIT=1``, in a subprocess) must give the
same records to the bit; and the records of fixed seeds are pinned exactly: they
were the same before the kernels were compiled (see benchmarks/README.md).
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.engine import rounds
from sim.engine.compile import compile_model
from sim.engine.replication import run_replication
from sim.model import jit
from sim.model import proposals as protocols
from sim.scenario import load_scenario
from tests.conftest import REPO

# default (mediated, stepped), alternating offers, an indivisible issue, three parties
CASES = {"scenarios/geneva-2026.yaml": 6, "scenarios/geneva-2026-alternating.yaml": 3,
         "scenarios/textbook/fearon-indivisible.yaml": 3, "scenarios/textbook/nash-three.yaml": 3}
PINNED = "ddf9188dd2882db5"  # the same before compilation (commit 95c9d1c)


def digest(cases: dict[str, int], seed: int = 7) -> str:
    """sha256 of the exact ``repr`` of every record of the given replications."""
    h = hashlib.sha256()
    for path, runs in cases.items():
        model = compile_model(load_scenario(REPO / path))
        for i in range(runs):
            record = run_replication(model, i, seed)
            h.update(repr((record.outcome, record.rounds)).encode())
    return h.hexdigest()[:16]


def test_exact_records_are_pinned():
    assert digest(CASES) == PINNED


def test_the_python_source_gives_the_same_bytes():
    code = f"from tests.test_compiled import digest; print(digest({CASES!r}))"
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=600, check=True)
    assert out.stdout.strip() == digest(CASES)


@pytest.mark.parametrize("path", ["scenarios/geneva-2026.yaml",
                                  "scenarios/geneva-2026-alternating.yaml",
                                  "scenarios/textbook/fearon-indivisible.yaml"])
def test_the_kernels_flat_arrays_hold_the_model(path):
    """The layout unpacks to the model's own slots and issues; the workspace's named views
    tile their one array exactly (no gap, no overlap)."""
    m = compile_model(load_scenario(REPO / path))
    ints, floats, reads = rounds.layout(m)
    lay = rounds._layout(ints, floats)
    assert lay.party.tolist() == [list(row) for row in (
        m.batna, m.war_cost, m.weariness, m.planning, m.exponent, m.noise, m.power, m.walkout)]
    assert lay.levers.tolist() == [[lv.target for lv in m.levers],
                                   [lv.probability for lv in m.levers],
                                   [lv.max_fires for lv in m.levers]]
    for name in ("ideal", "weight", "red_line"):
        assert getattr(lay, name).tolist() == [list(row) for row in getattr(m, name)]
        assert reads >= {slot for row in getattr(m, name) for slot in row}
    assert lay.status_quo.tolist() == list(m.status_quo)
    assert (lay.i_lo.tolist(), lay.i_hi.tolist(), lay.step.tolist()) == (
        list(m.lo), list(m.hi), list(m.step))
    assert lay.indivisible.tolist() == list(m.indivisible)
    assert lay.split.tolist() == [k for k, s in enumerate(m.indivisible) if s]
    assert (lay.bias, lay.information, lay.field_issue) == (m.bias, m.information,
                                                             m.field_issue)
    assert (lay.max_held, lay.reference, lay.start_day) == (m.max_held, m.reference,
                                                             m.start_day)
    work = np.zeros(rounds.workspace_size(m))
    views = rounds.workspace(work, ints)
    assert views.out.shape == (len(m.parties), rounds.COLUMNS)
    assert views.S.shape == (4, len(m.ideal), len(m.issues))
    for k, view in enumerate(views):
        view[...] = k + 1
    assert all((view == k + 1).all() for k, view in enumerate(views))  # no overlap
    assert (work > 0).all()  # no gap


@given(st.floats(allow_nan=False) | st.integers(-10**6, 10**6).map(lambda n: n / 8192) |
       st.tuples(st.sampled_from([0.0, -1.0, 0.3, 10.0]),
                 st.sampled_from([0.05, 0.01, 0.1, 1 / 3, 0.25, 100 / 7, 1e-4]),
                 st.integers(0, 10**4)).map(lambda t: t[0] + t[2] * t[1]))
def test_grid_rounding_is_pythons_round(x):
    assert repr(float(protocols._round12(x))) == repr(round(x, 12))  # the sign of 0 too


@pytest.mark.parametrize("x", [0.1 + 0.2, 0.35000000000000003, 3 / 8192, 1e300, -0.0, 8191.9])
def test_grid_rounding_examples(x):
    assert protocols._round12(x) == round(x, 12)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_slow_first_compile_is_announced_on_a_terminal_only(monkeypatch):
    said = _Terminal()
    monkeypatch.setattr(sys, "stderr", said)
    with jit.announce_if_slow(False, after=0.01):
        time.sleep(0.3)
    assert "compiling the model's kernels" in said.getvalue()
    silent = _Terminal()
    monkeypatch.setattr(sys, "stderr", silent)
    with jit.announce_if_slow(True, after=0.01):  # --quiet
        time.sleep(0.3)
    with jit.announce_if_slow(False, after=5.0):  # loaded from the cache: quick
        pass
    time.sleep(0.1)
    assert silent.getvalue() == ""
