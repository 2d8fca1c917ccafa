"""Comparing runs: intervals checked against published values, no difference between seeds
of one scenario, a clear difference when war costs are much higher, and clear refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.errors import PeacesimError
from sim.outputs.comparison import compare, median_difference
from sim.studies import stats
from tests.helpers import textbook

HOT = {"actors.a.war_cost": 0.0012, "actors.b.war_cost": 0.0012}  # 3x the statics war costs


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The statics scenario with two seeds, and with much higher war costs."""
    top = tmp_path_factory.mktemp("cmp")
    made = {}
    for name, sc, seed in [("base", textbook("statics"), 1), ("reseed", textbook("statics"), 3),
                           ("hot", textbook("statics", **HOT), 1)]:
        sim.run(sc, runs=400, seed=seed, workers=1, out=top / name, figures=False)
        made[name] = top / name
    return made


def test_wilson_and_newcombe_match_published_values():
    # Newcombe (1998), Stat. Med. 17:857 and 17:873, worked examples.
    assert stats.wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    d, lo, hi = stats.difference(48, 80, 56, 70)  # 56/70 - 48/80
    assert (d, lo, hi) == pytest.approx((0.2, 0.0524, 0.3339), abs=5e-5)


def test_same_scenario_other_seed_shows_no_significant_difference(runs):
    table = compare([runs["base"], runs["reseed"]]).table
    row = table.iloc[1]
    assert not row["significant"]
    assert row["diff_lo"] < 0 < row["diff_hi"]
    assert row["diff_median_lo.region"] <= 0 <= row["diff_median_hi.region"]


@pytest.mark.slow
def test_seed_pairs_differ_significantly_about_5_percent_of_the_time():
    """20 pairs of runs differing only in seed: each shows a 'significant' difference with
    probability about 0.05, so more than 4 would be odd (binomial tail < 0.3%)."""
    sc = textbook("statics")
    results = [sim.run(sc, runs=150, seed=seed, workers=1) for seed in range(40)]
    flagged = sum(bool(compare(results[i:i + 2]).table.iloc[1]["significant"])
                  for i in range(0, 40, 2))
    assert flagged <= 4


def test_higher_war_costs_give_a_higher_probability_of_agreement(runs):
    table = compare([runs["base"], runs["hot"]], labels=["base", "hot"]).table
    base = sim.Results.load(runs["base"]).outcomes
    hot = sim.Results.load(runs["hot"]).outcomes
    k1, k2 = int((base["outcome"] == "agreement").sum()), int((hot["outcome"] == "agreement").sum())
    row = table.iloc[1]
    assert row["run"] == "hot" and row["significant"] and row["diff_lo"] > 0
    assert (row["diff_p_agreement"], row["diff_lo"], row["diff_hi"]) == pytest.approx(
        stats.difference(k1, 400, k2, 400), abs=1e-15)
    assert row["median_days"] < table.iloc[0]["median_days"]  # costly wars settle sooner


def test_baseline_row_and_bootstrap_are_deterministic(runs):
    first = compare([runs["base"], runs["hot"]]).table
    again = compare([runs["base"], runs["hot"]]).table
    pd.testing.assert_frame_equal(first, again)
    assert first.iloc[0]["diff_p_agreement"] == 0 and not first.iloc[0]["significant"]


def test_median_difference_of_a_shifted_sample():
    values = np.random.default_rng(3).normal(size=501)
    d, lo, hi = median_difference(values, values + 2.0)
    assert d == pytest.approx(2.0, abs=1e-12)
    assert lo < 2.0 < hi and hi - lo < 0.5


def test_out_folder_has_figures_table_and_page(runs, tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", str(runs["base"]), str(runs["hot"]), "--out", str(out),
                 "--labels", "base,hot"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "agreement_curves.png", "comparison.csv", "comparison.md", "outcomes.png", "terms.png"]
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(pd.read_csv(out / "comparison.csv")["run"]) == ["base", "hot"]
    page = (out / "comparison.md").read_text()
    assert "](agreement_curves.png)" in page and "not forecasts" in page
    assert "P(agreement)" in capsys.readouterr().out
    assert main(["compare", str(runs["base"]), str(runs["hot"]), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_runs_on_different_issues_are_refused(runs, tmp_path, capsys):
    other = sim.run(textbook("logroll"), runs=5, workers=1, out=tmp_path / "logroll",
                    figures=False)
    with pytest.raises(PeacesimError, match="issue sets differ"):
        compare([runs["base"], other])
    assert main(["compare", str(runs["base"]), str(tmp_path / "logroll")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "only in statics: region" in err[0]


@pytest.mark.parametrize("bad, message", [
    (lambda r: [r["base"]], "at least two runs"),
    (lambda r: r["base"], "a list of at least two runs"),
    (lambda r: [r["base"], r["hot"], r["base"]], "the same run is given twice"),
])
def test_bad_calls_are_refused(runs, bad, message):
    with pytest.raises(PeacesimError, match=message):
        compare(bad(runs))


def test_in_memory_results_compare_too(runs):
    memory = sim.run(textbook("statics"), runs=400, seed=1, workers=1)
    table = compare([runs["base"], memory], labels=["disk", "memory"]).table
    assert table.iloc[1]["diff_p_agreement"] == 0.0  # same seed, same replications
