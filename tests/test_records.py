"""Exact records of fixed replications (tests/records.py): compiled, and as plain Python.

A failure lists what moved, cell by cell. If the change is intended (a model
change), say why in the commit and regenerate the fixtures with
``python -m tests.records``, which prints the same list.
"""

from __future__ import annotations

import pytest

from sim.model import kernels
from tests import records


@pytest.mark.parametrize("case", records.CASES, ids=lambda c: c.name)
def test_records_are_the_pinned_ones(case):
    lines = records.moved(records.pinned(case), records.fresh(case))
    assert not lines, (
        f"the records of {case.name} moved ({len(lines)} values):\n  "
        + "\n  ".join(lines[:records.SHOWN])
        + f"\nIf that is intended, explain it in the commit and run {records.REGENERATE}.")


@pytest.mark.parametrize("case", records.CASES, ids=lambda c: c.name)
def test_the_python_source_gives_the_same_records(case, monkeypatch):
    """The compiled kernels do the same floating-point operations in the same order as their
    Python source: run as Python (``PEACESIM_JIT=python``: the kernels' twins), every
    record is the same to the bit."""
    monkeypatch.setenv("PEACESIM_JIT", "python")
    monkeypatch.setattr(kernels, "_ready", set())  # as a new process: nothing compiled yet
    lines = records.moved(records.pinned(case), records.fresh(case))
    assert not lines, "\n  ".join(lines[:records.SHOWN])
