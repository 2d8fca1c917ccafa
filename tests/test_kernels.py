"""The kernels: their declared state, the protocol registry, the rounding to the grid, a
cache keyed by their source, and the first run on a machine (Python twins meanwhile).

That the compiled kernels and their Python source give the same bytes is
``test_records``'s job.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
import typing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.engine import warm
from sim.engine.compile import compile_model
from sim.engine.replication import State, packed
from sim.model import grid, jit, kernels
from sim.model.protocols import PROTOCOLS
from sim.model.state import DIMS, LAYOUT, TRACE, WORKSPACE
from sim.scenario import load_scenario
from sim.scenario.format import Talks
from tests.conftest import REPO

SCENARIOS = ["scenarios/geneva-2026.yaml", "scenarios/geneva-2026-alternating.yaml",
             "scenarios/textbook/fearon-indivisible.yaml"]


@pytest.mark.parametrize("path", SCENARIOS)
def test_the_layout_holds_the_model(path):
    """Packed from the model by field name, the layout's views give back the model's own
    slots and issues."""
    m = compile_model(load_scenario(REPO / path))
    ints, floats, reads, _ = packed(m)
    lay = LAYOUT.views(ints, floats)
    split = [k for k, s in enumerate(m.indivisible) if s]
    assert [getattr(lay, d) for d in DIMS] == [len(m.parties), len(m.ideal), len(m.issues),
                                             len(split), len(m.levers)]
    for name in ("batna", "war_cost", "weariness", "planning", "exponent", "noise", "power",
                 "walkout", "status_quo", "lo", "hi", "step", "indivisible"):
        assert getattr(lay, name).tolist() == list(getattr(m, name)), name
    for name in ("ideal", "weight", "red_line"):
        assert getattr(lay, name).tolist() == [list(row) for row in getattr(m, name)]
        assert reads >= {slot for row in getattr(m, name) for slot in row}
    assert lay.lever_target.tolist() == [lv.target for lv in m.levers]
    assert lay.lever_probability.tolist() == [lv.probability for lv in m.levers]
    assert lay.split.tolist() == split and lay.stepped == any(m.step)
    assert (lay.bias, lay.information, lay.field_issue) == (m.bias, m.information, m.field_issue)
    assert (lay.max_held, lay.reference, lay.start_day) == (m.max_held, m.reference, m.start_day)


@pytest.mark.parametrize("struct", [WORKSPACE, TRACE], ids=lambda s: s.name)
@given(sizes=st.lists(st.integers(1, 5), min_size=4, max_size=4))
def test_a_writable_struct_tiles_its_buffer(struct, sizes):
    """Every field is a view of its own part of the one buffer: no gap, no overlap; each
    field starts at its declared initial value."""
    dims = dict(zip(struct.dims, sizes, strict=False))
    buffer = struct.allocate(dims)
    views = struct.views(buffer, *dims.values())
    for field, view in zip(struct.fields, views, strict=True):
        assert (view == field.init).all()
        assert view.shape == tuple(d if isinstance(d, int) else dims[d] for d in field.shape)
    for k, view in enumerate(views):
        view[...] = k + 1
    assert all((view == k + 1).all() for k, view in enumerate(views))  # no overlap
    assert (buffer > 0).all()  # no gap
    # the kernels' views (borrowed: returned to Python only here, while the buffer lives)
    compiled = struct.compiled(buffer, *dims.values())
    assert all(np.shares_memory(a, b) and (a == b).all()
               for a, b in zip(views, compiled, strict=True))


def test_the_engine_reads_the_workspace_by_name():
    m = compile_model(load_scenario(REPO / SCENARIOS[0]))
    rep = State(m, 0, 7)
    assert rep.ws._fields == tuple(f.name for f in WORKSPACE.fields)
    assert rep.ws.author.tolist() == [-1.0]  # nobody's offer on the table yet
    assert rep.ws.belief_var.tolist() == [v ** 2 for v in (rep.v[s] for s in m.belief_sd)]


def test_every_protocol_of_the_format_is_registered():
    protocol = typing.get_type_hints(Talks)["protocol"]
    assert set(typing.get_args(protocol)) == set(PROTOCOLS)


@given(st.floats(allow_nan=False) | st.integers(-10**6, 10**6).map(lambda n: n / 8192) |
       st.tuples(st.sampled_from([0.0, -1.0, 0.3, 10.0]),
                 st.sampled_from([0.05, 0.01, 0.1, 1 / 3, 0.25, 100 / 7, 1e-4]),
                 st.integers(0, 10**4)).map(lambda t: t[0] + t[2] * t[1]))
def test_grid_rounding_is_pythons_round(x):
    assert repr(float(grid.round12(x))) == repr(round(x, 12))  # the sign of 0 too


@pytest.mark.parametrize("x", [0.1 + 0.2, 0.35000000000000003, 3 / 8192, 1e300, -0.0, 8191.9])
def test_grid_rounding_examples(x):
    assert grid.round12(x) == round(x, 12)


# --- the cache and the first run -----------------------------------------------------------

def test_the_cache_folder_is_named_by_the_kernels_source(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(jit.SOURCES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert jit.source_key(copy) == jit.source_key()
    helper = copy / "preferences.py"
    helper.write_text(helper.read_text() + "\n# an edit\n")
    assert jit.source_key(copy) != jit.source_key()
    assert jit.CACHE is not None and jit.CACHE.name == f"numba-{jit.source_key()}"


_UTILITY = ("import numpy as np; from sim.model.round import utilities; "
            "print(utilities(np.array([[0.5]]), np.array([[1.0]]), np.array([0.0]))[0])")


def _python(code: str, pythonpath: Path, cache: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(pythonpath), NUMBA_CACHE_DIR=str(cache),
               PEACESIM_JIT="compile")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=600, cwd=pythonpath)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow
def test_an_edited_helper_runs_with_a_warm_cache(tmp_path):
    """Edit a copy of a helper that a cached kernel inlines from another file: the kernel
    runs the new source (numba alone would load the old machine code)."""
    shutil.copytree(REPO / "sim", tmp_path / "sim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    assert _python(_UTILITY, tmp_path, cache) == "0.5"  # compiles
    assert _python(_UTILITY, tmp_path, cache) == "0.5"  # from the cache
    folders = {p.name for p in (cache / "peacesim").iterdir()}
    helper = tmp_path / "sim" / "model" / "preferences.py"
    source = helper.read_text()
    helper.write_text(source.replace("u -= g[k] * abs(x[k] - p[k])",
                                     "u -= 2.0 * g[k] * abs(x[k] - p[k])"))
    assert _python(_UTILITY, tmp_path, cache) == "0.0"  # the new helper
    assert len({p.name for p in (cache / "peacesim").iterdir()} - folders) == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_first_run_is_announced_on_a_terminal_and_in_a_notebook(monkeypatch, tmp_path):
    monkeypatch.setattr(jit, "CACHE", tmp_path)  # a cold cache
    monkeypatch.setenv("PEACESIM_JIT", "auto")
    said = _Terminal()
    monkeypatch.setattr(sys, "stderr", said)
    assert "compile in the background" in warm.announce("mediated", quiet=False)
    assert warm.announce("mediated", quiet=True) is None  # --quiet
    monkeypatch.setitem(sys.modules, "ipykernel", sys)  # in a notebook: even when quiet
    assert warm.announce("mediated", quiet=True) is not None
    assert said.getvalue().count("peacesim: first run") == 2
    kernels.marker("mediated").touch()  # compiled: nothing to say
    assert warm.announce("mediated", quiet=False) is None
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal, not a notebook
    monkeypatch.delitem(sys.modules, "ipykernel")
    assert warm.announce("alternating", quiet=False) is None


def test_the_kernels_are_the_twins_until_the_cache_holds_them(monkeypatch, tmp_path):
    monkeypatch.setattr(jit, "CACHE", tmp_path)
    monkeypatch.setattr(kernels, "_ready", set())
    monkeypatch.setattr(warm, "_started", True)  # no background compile from a test
    monkeypatch.setenv("PEACESIM_JIT", "auto")
    assert warm.kernels_now("mediated") is kernels.interpreted("mediated")
    kernels.marker("mediated").touch()
    assert warm.kernels_now("mediated") is kernels.compiled("mediated")
    monkeypatch.setattr(kernels, "_ready", set())  # a new process, told never to compile
    monkeypatch.setenv("PEACESIM_JIT", "python")
    assert warm.kernels_now("mediated") is kernels.interpreted("mediated")


@pytest.mark.slow
def test_a_first_run_compiles_in_the_background_with_the_same_bytes(tmp_path):
    """On an empty cache ``peacesim run`` plays the twins (same bytes as compiled) and
    starts one background compile, after which runs use the compiled kernels."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), PEACESIM_JIT="auto")
    scenario = str(REPO / "scenarios/textbook/fearon-indivisible.yaml")
    for name in ("first", "compiled"):
        if name == "compiled":
            env["PEACESIM_JIT"] = "compile"
        subprocess.run([sys.executable, "-m", "sim", "run", scenario, "--runs", "200",
                        "--out", str(tmp_path / name), "--quiet"], env=env, check=True,
                       capture_output=True, timeout=600)
    for name in ("outcomes.csv", "rounds.csv"):
        assert (tmp_path / "first" / name).read_bytes() == \
            (tmp_path / "compiled" / name).read_bytes()
    folder = next((tmp_path / "cache" / "peacesim").iterdir())
    deadline = time.monotonic() + 900
    while (folder / "warming.lock").exists() and time.monotonic() < deadline:
        time.sleep(1)
    assert {p.name for p in folder.glob("ready-*")} == {f"ready-{p}" for p in PROTOCOLS}


def test_the_lock_of_the_background_compile(monkeypatch, tmp_path):
    """A lock held by a live process is respected, one left by a dead process is taken
    over, and a compile that failed is not retried: the kernels then compile in the process
    that needs them."""
    monkeypatch.setattr(jit, "CACHE", tmp_path)
    lock = warm.lock_file()
    lock.write_text(str(os.getpid()))  # alive
    assert warm.busy(lock)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    lock.write_text(dead)
    assert not warm.busy(lock)
    lock.write_text("")  # just made, its pid not written yet
    assert warm.busy(lock)
    monkeypatch.setattr(kernels, "_ready", set())
    monkeypatch.setattr(warm, "_started", False)
    monkeypatch.setenv("PEACESIM_JIT", "auto")
    kernels.failure().write_text("Traceback ...")
    assert warm.start() is False and kernels.ready("mediated")


def test_an_unknown_jit_mode_is_said_once_and_taken_as_auto(monkeypatch, capsys):
    monkeypatch.setattr(jit, "_misspelt", set())
    monkeypatch.setenv("PEACESIM_JIT", "fast")
    assert jit.mode() == "auto" and jit.mode() == "auto"
    assert capsys.readouterr().err == ("peacesim: PEACESIM_JIT='fast': expected one of auto, "
                                       "compile, python; using auto\n")
