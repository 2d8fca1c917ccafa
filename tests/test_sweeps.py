"""Sweeps and thresholds: common random numbers, designs, checkpoints that survive SIGKILL,
bad input refused before any work, and a threshold with a closed form."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.errors import PeacesimError
from sim.outputs.sweep_figures import parameter_label
from sim.studies import study, sweeps, thresholds
from tests.helpers import textbook

PNG = b"\x89PNG\r\n\x1a\n"
# Fearon's range with A's war value uncertain, U(0.5, 0.9): a deal exists iff
# batna_a <= 1 - batna_b, so P(agreement) = (0.5 - batna_b) / 0.4 on [0.1, 0.5], which
# crosses 0.5 at batna_b = 0.3.
FEARON = {"actors.a.batna": {"dist": "uniform", "low": 0.5, "high": 0.9}}


def fearon():
    return textbook("fearon", **FEARON)


def test_a_parameter_that_cannot_matter_gives_identical_points(tmp_path):
    """An event after the horizon changes nothing: with the same replication seeds at every
    point, every replication's row is the same at every point."""
    sc = textbook("statics", events=[{"day": 400, "effects": [
        {"path": "actors.a.war_cost", "add": 0.001}]}])
    table = sim.sweep(sc, {"events.0.day": [366, 500, 1000]}, runs=150, workers=1,
                      out=tmp_path / "sweep")
    rest = table.drop(columns="events.0.day")
    for k in (1, 2):
        pd.testing.assert_series_equal(rest.iloc[k], rest.iloc[0], check_names=False)
    assert 0 < table["p_agreement"].iloc[0] < 1
    points = sorted((tmp_path / "sweep" / "points").iterdir())
    for name in ("outcomes.csv", "rounds.csv"):  # every replication, every round: the bytes
        assert len({(point / name).read_bytes() for point in points}) == 1, name


def test_common_random_numbers_make_the_closed_form_monotone(tmp_path):
    """The same draws of A's war value at every point: the share of agreements is the
    empirical CDF of those draws, so it can only fall as B's war value rises, and matches
    the closed form (0.5 - b) / 0.4 within sampling error."""
    values = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]
    table = sim.sweep(fearon(), {"actors.b.batna": values}, runs=1000, workers=1,
                      out=tmp_path / "sweep")
    p = table["p_agreement"].to_numpy()
    assert np.all(np.diff(p) <= 0)
    assert p == pytest.approx([(0.5 - b) / 0.4 for b in values], abs=0.05)
    assert (table["p_agreement_lo"] <= p).all() and (p <= table["p_agreement_hi"]).all()
    drawn = pd.read_csv(tmp_path / "sweep" / "outcomes.csv")
    per_point = drawn.pivot(index="run", columns="point", values="param.actors.a.batna")
    assert (per_point.nunique(axis=1) == 1).all()  # replication i drew the same at every point
    assert (tmp_path / "sweep" / "figures" / "sweep.png").read_bytes()[:8] == PNG


def test_grid_order_columns_and_folder(tmp_path):
    table = sim.sweep(textbook("statics"), {"actors.a.war_cost": [0.0002, 0.0008],
                                            "actors.m.mediation.bias": [0, 2]},
                      runs=40, workers=2, out=tmp_path / "g")
    assert table[["actors.a.war_cost", "actors.m.mediation.bias"]].values.tolist() == [
        [0.0002, 0], [0.0002, 2], [0.0008, 0], [0.0008, 2]]
    assert list(table.columns) == sweeps.table_columns(textbook("statics"), [
        "actors.a.war_cost", "actors.m.mediation.bias"])
    folder = tmp_path / "g"
    assert sorted(p.name for p in folder.iterdir()) == [
        ".lock", "design.csv", "figures", "manifest.json", "outcomes.csv", "points", "points.csv",
        "scenario.yaml"]
    assert len(pd.read_csv(folder / "outcomes.csv")) == 4 * 40
    pd.testing.assert_frame_equal(sim.load_sweep(folder), table)
    for k in range(4):  # every point is a complete run folder a user can open
        assert sim.Results.load(folder / "points" / f"{k:04d}").summary["runs"] == 40


@given(st.integers(1, 60), st.integers(0, 2**32), st.lists(
    st.tuples(st.floats(-1e3, 1e3), st.one_of(st.just(0.0), st.floats(1e-3, 1e3))),
    min_size=1, max_size=4))
def test_latin_hypercube_has_one_point_per_stratum(samples, seed, spans):
    ranges = {f"p{i}": (lo, lo + width) for i, (lo, width) in enumerate(spans)}
    paths, points = sweeps.lhs_design(ranges, samples, seed)
    assert len(points) == samples and paths == list(ranges)
    for j, (lo, hi) in enumerate(ranges.values()):
        column = np.array([p[j] for p in points])
        assert np.all((column >= lo) & (column <= hi))
        if hi > lo:
            strata = np.minimum(((column - lo) / (hi - lo) * samples).astype(int), samples - 1)
            assert sorted(strata) == list(range(samples))
    assert sweeps.lhs_design(ranges, samples, seed) == (paths, points)


def test_lhs_study_and_main_effects_figure(tmp_path):
    table = sim.sweep(textbook("statics"), {"actors.a.war_cost": (0.0002, 0.0012),
                                            "actors.b.war_cost": (0.0002, 0.0012),
                                            "actors.a.optimism": (0, 20)},
                      design="lhs", samples=12, design_seed=3, runs=30, workers=1,
                      out=tmp_path / "lhs")
    assert len(table) == 12
    figure = tmp_path / "lhs" / "figures" / "sweep.png"
    drawn = figure.read_bytes()
    assert drawn[:8] == PNG
    figure.unlink()
    assert main(["plot", str(tmp_path / "lhs")]) == 0  # redrawn from the saved files
    assert figure.read_bytes() == drawn


def test_an_existing_folder_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    def no_work(*args):
        raise AssertionError("work started before the folder was refused")

    monkeypatch.setattr(study, "make_executor", no_work)  # no cluster, no pool
    monkeypatch.setattr(sweeps, "make_executor", no_work)
    (tmp_path / "taken").mkdir()
    statics = str(study.DEFAULT_SCENARIO.parent / "textbook" / "statics.yaml")
    for command in (["run", statics],
                    ["sweep", statics, "--grid", "actors.a.war_cost=0.001,0.002"]):
        assert main([*command, "--out", str(tmp_path / "taken")]) == 2
        assert "already exists" in capsys.readouterr().err


def test_in_memory_sweep_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    sim.sweep(textbook("nash-two"), {"actors.a.power": [1, 2]}, runs=3, workers=1)
    assert list(tmp_path.iterdir()) == []
    def unreachable(workers, scheduler):  # as make_executor fails (without its 10 s wait)
        raise PeacesimError(f"cannot reach the Dask scheduler at {scheduler}: timed out")

    monkeypatch.setattr(sweeps, "make_executor", unreachable)
    with pytest.raises(PeacesimError, match="Dask scheduler"):  # fails after staging began
        sim.sweep(textbook("nash-two"), {"actors.a.power": [1, 2]}, runs=3,
                  scheduler="tcp://127.0.0.1:1")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("parameters, design, samples, message", [
    ({"actors.a.war_cst": [1]}, "grid", None, "did you mean 'war_cost'"),
    ({"actors.a.war_cost": [0.001, -1]}, "grid", None, "actors.a.war_cost"),
    ({"actors.a.war_cost": []}, "grid", None, "empty list"),
    ({"actors.a.war_cost": [0.001, 0.002, 0.001]}, "grid", None, "value 0.001 given twice"),
    ({"actors.a.war_cost": (0.002, 0.001)}, "lhs", 5, "LO > HI"),
    ({"actors.a.war_cost": (0, 1)}, "lhs", None, "needs the number of points: --samples M"),
    ({}, "grid", None, "at least one parameter"),
    ({"actors.a.war_cost": (0, "x")}, "lhs", 5, "two numbers"),
])
def test_bad_designs_fail_before_any_work(parameters, design, samples, message, tmp_path):
    with pytest.raises(PeacesimError, match=message):
        sim.sweep(textbook("statics"), parameters, design=design, samples=samples, runs=5,
                  workers=1, out=tmp_path / "never")
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("argv, message", [
    (["--grid", "actors.a.war_cst=0.1,0.2"], "actors.a.war_cst"),
    (["--grid", "actors.a.war_cost=0.1,,0.2"], "empty value"),
    (["--lhs", "actors.a.war_cost=0.2:0.1", "--samples", "3"], "LO > HI"),
    (["--lhs", "actors.a.war_cost=a:b", "--samples", "3"], "LO:HI"),
    (["--lhs", "actors.a.walkout=-1:0.5", "--samples", "3"],
     "--lhs actors.a.walkout range end: actors.a.walkout: must be within [0, 1], got -1"),
    (["--lhs", "actors.a.war_cost=0:1"], "needs the number of points: --samples M"),
    ([], "--grid PATH=V1,V2"),
    (["--grid", "actors.a.war_cost=0.1", "--grid", "actors.a.war_cost=0.2"], "given twice"),
])
def test_command_line_sweep_errors_are_one_line(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(study.DEFAULT_SCENARIO.parents[1])
    out = tmp_path / "never"
    code = main(["sweep", "scenarios/textbook/statics.yaml", *argv, "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0]
    assert not out.exists()


def test_distribution_values_are_written_as_json(tmp_path):
    value = {"dist": "uniform", "low": 0, "high": 14}
    sim.sweep(textbook("statics"), {"actors.a.optimism": [3, value]}, runs=5, workers=1,
              out=tmp_path / "d")
    design = pd.read_csv(tmp_path / "d" / "design.csv")
    points = pd.read_csv(tmp_path / "d" / "points.csv")
    assert list(design["actors.a.optimism"]) == list(points["actors.a.optimism"]) == [
        "3", '{"dist": "uniform", "high": 14, "low": 0}']


def test_grid_values_are_read_as_yaml():
    assert sweeps.parse_grid("battlefield.drift=-5,{dist: uniform, low: -9, high: 0}") == (
        "battlefield.drift", [-5, {"dist": "uniform", "low": -9, "high": 0}])
    assert sweeps.parse_grid("talks.protocol=mediated,alternating")[1] == [
        "mediated", "alternating"]


def _sweep_command(folder) -> list[str]:
    return [sys.executable, "-m", "sim", "sweep", "scenarios/textbook/statics.yaml",
            "--grid", "actors.a.war_cost=0.0002,0.0004,0.0006,0.0008,0.001,0.0012",
            "--runs", "1500", "--workers", "1", "--quiet", "--out", str(folder)]


def _data(folder) -> dict[str, bytes]:
    files = ["points.csv", "outcomes.csv", "design.csv", "scenario.yaml",
             *(f"points/{k:04d}/outcomes.csv" for k in range(6))]
    return {name: (folder / name).read_bytes() for name in files}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep") / "whole"
    subprocess.run(_sweep_command(folder), check=True, cwd=study.DEFAULT_SCENARIO.parents[1],
                   capture_output=True)
    return _data(folder)


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["after point 1", "early", "late"])
def test_sigkill_then_resume_gives_the_same_bytes(moment, uninterrupted, tmp_path):
    repo = study.DEFAULT_SCENARIO.parents[1]
    folder = tmp_path / "killed"
    process = subprocess.Popen(_sweep_command(folder), cwd=repo, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    if moment == "after point 1":
        marker = folder / "points" / "0001" / "summary.json"
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    else:
        while not (folder / "manifest.json").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3 if moment == "early" else 1.5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    manifest = sim.studies.folders.read_json(folder / "manifest.json")
    if manifest["status"] != "complete":
        assert main(["sweep", "--resume", str(folder), "--workers", "2", "--quiet"]) == 0
    assert _data(folder) == uninterrupted


def test_resume_refuses_a_complete_sweep_and_a_run_folder(tmp_path, capsys):
    sim.sweep(textbook("nash-two"), {"actors.a.power": [1, 2]}, runs=3, workers=1,
              out=tmp_path / "s")
    assert main(["sweep", "--resume", str(tmp_path / "s")]) == 2
    assert "already complete" in capsys.readouterr().err
    sim.run(textbook("nash-two"), runs=3, workers=1, out=tmp_path / "r", figures=False)
    assert main(["sweep", "--resume", str(tmp_path / "r")]) == 2
    assert "a run folder, not a sweep folder" in capsys.readouterr().err
    assert main(["run", "--resume", str(tmp_path / "s" / "points" / "0000")]) == 2


@pytest.mark.parametrize("path, unit", [
    ("battlefield.drift", "[km² per day]"),
    ("battlefield.drift.low", "[km² per day]"),  # inside a distribution: the parameter's
    ("actors.us.levers.0.effects.0.add", "[km² per day]"),  # an effect: its target's
    ("actors.russia.war_cost", "[utility per day]"),
    ("talks.protocol", "talks.protocol"),  # text: no unit
])
def test_parameter_labels_carry_their_unit(path, unit):
    sc = sim.load_scenario(study.DEFAULT_SCENARIO)
    assert parameter_label(sc, path).endswith(unit)


def test_main_effects_of_a_latin_hypercube_are_means_in_bins():
    from sim.outputs.sweep_figures import mean_curve

    x = np.arange(10.0)  # every point a value of its own, as in a Latin hypercube
    centres, means = mean_curve(x, x / 10, binned=True)
    assert list(centres) == [2.25, 6.75] and list(means) == pytest.approx([0.2, 0.7])
    assert len(mean_curve(x[:5], x[:5], binned=True)[0]) == 0  # too few for bins
    grid = np.array([0.0, 0.0, 1.0, 1.0])
    assert list(mean_curve(grid, np.array([0.1, 0.3, 0.5, 0.9]), binned=False)[1]) == \
        pytest.approx([0.2, 0.7])


def test_parameter_labels_name_the_actor_and_issue():
    sc = sim.load_scenario(study.DEFAULT_SCENARIO)
    actor = next(iter(sc.actors))
    issue = next(iter(sc.actors[actor].positions))
    label = parameter_label(sc, f"actors.{actor}.positions.{issue}.red_line")
    assert (sc.actors[actor].label or actor) in label
    assert (sc.issues[issue].label or issue) in label


# --- thresholds ----------------------------------------------------------------------------

@pytest.mark.slow
def test_threshold_finds_the_closed_form_crossing():
    answer = sim.threshold(fearon(), "actors.b.batna", 0.1, 0.5, target=0.5, runs=2000,
                           workers=1)
    assert answer.crossed
    assert answer.value == pytest.approx(0.3, abs=0.015)
    lo, hi = answer.uncertainty
    assert lo <= 0.3 <= hi and hi - lo < 0.06
    a, b = answer.bracket
    assert b - a == pytest.approx(0.4 / 2**8)
    assert "crosses 0.5" in str(answer)
    table = answer.evaluations
    ends = table.set_index("value").loc[[a, b], "p_agreement"]
    assert ends.iloc[0] >= 0.5 > ends.iloc[1]  # P falls as B's war value rises


def test_threshold_agrees_with_a_sweep_at_the_same_values():
    answer = sim.threshold(fearon(), "actors.b.batna", 0.1, 0.5, runs=300, workers=1, steps=2)
    values = list(answer.evaluations["value"])
    table = sim.sweep(fearon(), {"actors.b.batna": values}, runs=300, workers=1)
    assert list(table["p_agreement"]) == list(answer.evaluations["p_agreement"])


@pytest.mark.slow
def test_threshold_of_agreements_on_given_terms_finds_its_closed_form():
    # the Nash deal is (1 + a - b) / 2 where a deal exists (a <= 1 - b), a ~ U(0.5, 0.9):
    # P(agreement with x >= 0.7) = P(0.4 + b <= a <= 1 - b) = (0.6 - 2b) / 0.4, 0.5 at b = 0.2
    answer = sim.threshold(fearon(), "actors.b.batna", 0.1, 0.5, target=0.5, runs=2000,
                           workers=1, where="deal.x >= 0.7")
    assert answer.crossed and answer.value == pytest.approx(0.2, abs=0.015)
    assert answer.uncertainty[0] <= 0.2 <= answer.uncertainty[1]
    assert str(answer).startswith("P(agreement with deal.x >= 0.7) crosses 0.5")


class Fixed:
    """A stand-in for the evaluator: P(agreement) from a function of the value."""

    runs = 100
    label = "P(agreement)"

    def __init__(self, p):
        self.p, self.seen = p, []

    def __call__(self, value):
        self.seen.append(value)
        return self.p(value)

    def table(self):
        return pd.DataFrame({"value": self.seen, "p_agreement": [self.p(v) for v in self.seen],
                             "p_lo": 0.0, "p_hi": 1.0})


@pytest.mark.parametrize("p, answer", [
    (lambda v: 0.5 + 0.4 * v, 0.0),  # exactly at the target at LO
    (lambda v: 0.1 + 0.4 * v, 1.0),  # exactly at the target at HI
    (lambda v: 0.9 - 0.4 * v, 1.0),  # falling to exactly the target at HI
])
def test_an_end_exactly_at_the_target_is_the_answer_at_either_end(p, answer):
    from sim.studies.thresholds import bisect

    result = bisect(Fixed(p), "x", 0.0, 1.0, 0.5, 4)
    assert result.crossed and result.value == answer and result.bracket == (answer, answer)


def test_threshold_of_a_whole_number_bisects_whole_numbers():
    from sim.studies.thresholds import bisect

    evaluate = Fixed(lambda v: v / 10)
    result = bisect(evaluate, "x", 0, 10, 0.45, 8, whole=True)
    assert result.bracket == (4, 5) and result.value == pytest.approx(4.5)
    assert evaluate.seen[:6] == [0, 10, 5, 2, 3, 4]  # then probes beyond the bracket
    seen = evaluate.seen
    assert all(isinstance(v, int) for v in seen) and len(set(seen)) == len(seen)


def test_whole_number_parameters_in_a_threshold_and_a_hypercube(capsys, monkeypatch):
    _, points = sweeps.lhs_design({"n": (0, 3), "x": (0, 1)}, 8, whole=["n"])
    assert sorted(n for n, _ in points) == [0, 0, 1, 1, 2, 2, 3, 3]  # each as likely
    table = sim.sweep(study.DEFAULT_SCENARIO, {"actors.us.levers.0.max_fires": (1, 3)},
                      design="lhs", samples=3, runs=5, workers=1)
    assert sorted(table["actors.us.levers.0.max_fires"]) == [1, 2, 3]
    monkeypatch.chdir(study.DEFAULT_SCENARIO.parents[1])
    code = main(["threshold", "--param", "actors.us.levers.0.max_fires=1:6", "--runs", "20",
                 "--workers", "1", "--target", "0.9"])
    out = capsys.readouterr().out
    assert code == 0 and "actors.us.levers.0.max_fires" in out
    assert main(["threshold", "--param", "actors.us.levers.0.max_fires=1:6.5"]) == 2
    assert "takes whole numbers" in capsys.readouterr().err


def test_ctrl_c_during_a_threshold_search_is_one_line(capsys, monkeypatch):
    from tests.helpers import ctrl_c_at_chunk

    ctrl_c_at_chunk(monkeypatch, 3, 50)  # the first chunk of the second study
    monkeypatch.setattr(thresholds, "pilot", lambda *a: 50)
    monkeypatch.chdir(study.DEFAULT_SCENARIO.parents[1])
    code = main(["threshold", "scenarios/textbook/fearon.yaml", "--param",
                 "actors.b.batna=0.1:0.5", "--runs", "100", "--workers", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 130 and len(err) == 1
    assert err[0].startswith("threshold search interrupted after 1 study; a search keeps")


def test_threshold_says_so_when_the_target_is_not_crossed(capsys, monkeypatch):
    monkeypatch.chdir(study.DEFAULT_SCENARIO.parents[1])
    code = main(["threshold", "scenarios/textbook/fearon.yaml", "--set",
                 "actors.a.batna={dist: uniform, low: 0.5, high: 0.9}", "--param",
                 "actors.b.batna=0.35:0.5", "--target", "0.9", "--runs", "200",
                 "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 0 and "not crossed" in out and "stays below 0.9" in out


@pytest.mark.parametrize("argv, message", [
    (["--param", "actors.b.batna=0.5:0.1"], "LO < HI"),
    (["--param", "actors.b.batnaa=0.1:0.5"], "actors.b.batnaa"),
    (["--param", "actors.a.positions.x.weight=-1:1"], "actors.a.positions.x.weight"),
    (["--param", "actors.b.batna=0.1:0.5", "--target", "1.5"], "probability"),
    (["--param", "actors.b.batna=a:b"], "--param actors.b.batna: expected LO:HI"),
    (["--param", "actors.a.walkout=-1:0.5"], "got -1"),
    (["--param", "actors.b.batna=0.1:0.5", "--where", "deal.y >= 1"],
     "no numeric column 'deal.y'"),
    (["--param", "actors.b.batna=0.1:0.5", "--where", "deal.x about 1"],
     "expected COLUMN OP NUMBER"),
])
def test_bad_threshold_input_is_one_line(argv, message, capsys, monkeypatch):
    monkeypatch.chdir(study.DEFAULT_SCENARIO.parents[1])
    try:
        code = main(["threshold", "scenarios/textbook/fearon.yaml", *argv, "--runs", "5"])
    except SystemExit as exc:  # argparse's own checks exit at once
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0]
