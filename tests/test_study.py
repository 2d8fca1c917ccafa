"""Monte Carlo studies: the same bytes whatever the executor, interruption and resumption,
precision, and folders that are never overwritten."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

import sim
from sim.errors import PeacesimError, StudyInterruptedError
from sim.studies import folders, runner, study
from sim.studies.runner import ReplicationError
from sim.studies.stats import half_width
from tests.conftest import SCENARIOS
from tests.helpers import ctrl_c_at_chunk, textbook

GENEVA = SCENARIOS / "geneva-2026.yaml"


def run_quietly(sc, out, **kw):
    return sim.run(sc, out=out, figures=False, **kw)


def data(folder) -> tuple[bytes, bytes]:
    return (folder / "outcomes.csv").read_bytes(), (folder / "rounds.csv").read_bytes()


@pytest.fixture(scope="module")
def statics():
    return textbook("statics")


@pytest.fixture(scope="module")
def reference(statics, tmp_path_factory):
    """600 replications in this process: the bytes every other way must reproduce."""
    folder = tmp_path_factory.mktemp("ref") / "run"
    run_quietly(statics, folder, runs=600, seed=11, workers=1)
    return data(folder)


def test_two_workers_write_the_same_bytes(statics, reference, tmp_path):
    results = run_quietly(statics, tmp_path / "w2", runs=600, seed=11, workers=2)
    assert data(tmp_path / "w2") == reference
    assert results.manifest["executor"] == {"kind": "processes", "workers": 2}


@pytest.mark.slow
def test_dask_cluster_writes_the_same_bytes(statics, reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        results = run_quietly(statics, tmp_path / "dask", runs=600, seed=11,
                              scheduler=cluster.scheduler_address)
    assert data(tmp_path / "dask") == reference
    assert results.manifest["executor"]["kind"] == "dask"
    assert results.manifest["executor"]["workers"] == 2  # sizes the chunks and the queue


def test_chunk_size_does_not_change_the_bytes(statics, reference, tmp_path, monkeypatch):
    monkeypatch.setattr(study, "pilot", lambda *a: 7)
    run_quietly(statics, tmp_path / "c7", runs=600, seed=11, workers=1)
    assert data(tmp_path / "c7") == reference


def test_in_memory_run_writes_nothing(statics, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = sim.run(statics, runs=50, seed=1, workers=1)
    assert results.folder is None and list(tmp_path.iterdir()) == []
    assert len(results.outcomes) == 50 and results.summary["runs"] == 50
    assert set(results.outcomes["outcome"]) <= {"agreement", "military", "breakdown",
                                                "no_deal"}


def test_saved_results_match_the_run_folder(statics, reference, tmp_path):
    results = sim.run(statics, runs=600, seed=11, workers=1)
    results.save(tmp_path / "saved", figures=False)
    assert data(tmp_path / "saved") == reference
    again = sim.Results.load(tmp_path / "saved")
    assert again.summary == results.summary


def test_summary_matches_the_rows(statics, tmp_path):
    results = run_quietly(statics, tmp_path / "s", runs=300, seed=2, workers=1)
    rows = results.outcomes
    agreed = rows[rows["outcome"] == "agreement"]
    s = results.summary
    assert s["runs"] == 300 and s["p_agreement"] == len(agreed) / 300
    lo, hi = s["p_agreement_ci95"]
    assert lo < s["p_agreement"] < hi
    assert s["days_to_agreement"]["median"] == pytest.approx(agreed["day"].median())
    assert s["deal"]["region"]["p10"] == pytest.approx(agreed["deal.region"].quantile(0.1))
    assert sum(s["outcomes"].values()) == pytest.approx(1.0)


def test_interrupted_study_resumes_to_the_same_bytes(statics, reference, tmp_path,
                                                     monkeypatch):
    ctrl_c_at_chunk(monkeypatch, 4, 50)
    folder = tmp_path / "int"
    with pytest.raises(StudyInterruptedError, match="peacesim run --resume"):
        run_quietly(statics, folder, runs=600, seed=11, workers=1)
    manifest = folders.read_manifest(folder)
    assert manifest["status"] == "interrupted" and manifest["completed_runs"] == 150
    assert not (folder / "outcomes.csv").exists()
    monkeypatch.undo()
    sim.resume(folder, figures=False)
    assert data(folder) == reference
    assert folders.read_manifest(folder)["status"] == "complete"


@pytest.mark.slow
def test_ctrl_c_on_the_command_line_then_resume(tmp_path):
    folder = tmp_path / "cli"
    command = [sys.executable, "-m", "sim", "run", str(GENEVA), "--runs", "3000", "--seed", "5",
               "--workers", "2", "--out", str(folder), "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    while (time.monotonic() < deadline and not (folder / "chunks").is_dir()) \
            or len(list((folder / "chunks").glob("outcomes-*"))) < 2:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert f"finish it with: peacesim run --resume {folder}" in err
    assert "Traceback" not in err
    manifest = folders.read_manifest(folder)
    assert manifest["status"] == "interrupted" and 0 < manifest["completed_runs"] < 3000
    done = subprocess.run([sys.executable, "-m", "sim", "run", "--resume", str(folder),
                           "--quiet"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    whole = tmp_path / "whole"
    run_quietly(sim.load_scenario(GENEVA), whole, runs=3000, seed=5, workers=2)
    assert data(folder) == data(whole)


@pytest.mark.slow
def test_precision_adds_replications_until_the_interval_is_narrow(statics):
    h = 0.02
    results = sim.run(statics, runs=200, seed=3, workers=1, precision=h)
    n = results.summary["runs"]
    agreed = (results.outcomes["outcome"] == "agreement").to_numpy()
    assert half_width(int(agreed.sum()), n) <= h < half_width(int(agreed[:200].sum()), 200)
    assert results.manifest["stop_reason"].startswith("precision reached")
    # every check before the last was too wide, and each width is that of the data so far
    checks = results.manifest["precision_checks"]
    assert checks[-1][0] == n and all(width > h for _, width in checks[:-1])
    for m, width in checks:
        assert width == pytest.approx(half_width(int(agreed[:m].sum()), m))
    # the rule is deterministic: the same call stops at the same number
    assert sim.run(statics, runs=200, seed=3, workers=1, precision=h).summary["runs"] == n


def test_precision_studies_give_the_same_bytes_whatever_the_chunks(statics, tmp_path,
                                                                   monkeypatch):
    """The chunk size depends on the machine and the workers; where a precision study stops
    must not."""
    made = []
    for chunk, workers in [(13, 1), (7, 2)]:
        monkeypatch.setattr(study, "pilot", lambda *a, size=chunk: size)
        folder = tmp_path / f"p{chunk}"
        run_quietly(statics, folder, runs=50, seed=3, workers=workers, precision=0.04)
        made.append((folder / "outcomes.csv").read_bytes())
    assert made[0] == made[1]


def test_interrupting_an_in_memory_study_says_nothing_was_kept(statics, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_chunk", interrupted)
    with pytest.raises(StudyInterruptedError, match="nothing was kept") as info:
        sim.run(statics, runs=20, workers=1)
    assert "--resume" not in str(info.value)


def test_ctrl_c_while_finishing_marks_the_folder_interrupted(statics, reference, tmp_path,
                                                             monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(folders, "assemble", interrupted)
    folder = tmp_path / "fin"
    with pytest.raises(StudyInterruptedError, match="peacesim run --resume"):
        run_quietly(statics, folder, runs=600, seed=11, workers=1)
    assert folders.read_manifest(folder)["status"] == "interrupted"
    monkeypatch.undo()
    sim.resume(folder, workers=1, figures=False)
    assert data(folder) == reference


def test_precision_stops_at_its_cap(statics):
    results = sim.run(statics, runs=100, seed=3, workers=1, precision=0.001, max_runs=300)
    assert results.summary["runs"] == 300
    assert results.manifest["stop_reason"].startswith("cap of 300 runs reached")


def test_existing_folders_are_never_overwritten(statics, tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    with pytest.raises(folders.FolderError, match="already exists"):
        run_quietly(statics, folder, runs=10, seed=1, workers=1)
    assert [p.name for p in folder.iterdir()] == ["precious.txt"]


@pytest.mark.parametrize("options,message", [
    ({"runs": 0}, "--runs"), ({"seed": -1}, "--seed"), ({"workers": 0}, "--workers"),
    ({"precision": 0.7}, "--precision"),
])
def test_bad_options_fail_before_anything_is_written(statics, tmp_path, options, message):
    kw = {"runs": 10, "seed": 1, "workers": 1, **options}
    with pytest.raises(PeacesimError, match=message):
        run_quietly(statics, tmp_path / "never", **kw)
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("workers", [1, 2])  # in this process, and in a forked worker
def test_a_failing_replication_is_named_with_its_seed(statics, tmp_path, monkeypatch,
                                                      workers):
    real = runner.run_replication

    def broken(model, index, seed, keep_rounds=True):
        if index == 7:
            raise ZeroDivisionError("boom")
        return real(model, index, seed, keep_rounds)

    monkeypatch.setattr(runner, "run_replication", broken)
    with pytest.raises(ReplicationError) as info:
        run_quietly(statics, tmp_path / "bad", runs=20, seed=4, workers=workers)
    assert (info.value.index, info.value.seed) == (7, 4)
    assert "replication 7 (seed 4) failed: ZeroDivisionError: boom" in str(info.value)
    manifest = folders.read_manifest(tmp_path / "bad")
    assert manifest["status"] == "failed" and "replication 7" in manifest["error"]


def test_resume_refuses_a_complete_folder(statics, tmp_path):
    run_quietly(statics, tmp_path / "done", runs=10, seed=1, workers=1)
    with pytest.raises(folders.FolderError, match="already complete"):
        sim.resume(tmp_path / "done")


def test_command_line_run_writes_a_complete_folder(tmp_path):
    out = tmp_path / "cli"
    done = subprocess.run([sys.executable, "-m", "sim", "run",
                           str(SCENARIOS / "textbook" / "statics.yaml"), "--runs", "40",
                           "--seed", "9", "--workers", "1", "--out", str(out),
                           "--set", "actors.a.war_cost=0.001"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{out}: 40 runs, P(agreement)")
    assert "it/s" not in done.stderr and "run/s" not in done.stderr  # no bar without a TTY
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["seed"] == 9
    assert "--set actors.a.war_cost=0.001" in manifest["command"]
    assert sim.load_scenario(out / "scenario.yaml").actors["a"].war_cost == 0.001
    assert {"outcomes.csv", "rounds.csv", "summary.json", "scenario.yaml"} <= \
        {p.name for p in out.iterdir()}


@pytest.mark.slow
def test_command_line_errors_are_one_line(tmp_path):
    cases = [
        (["run", "--resume", str(tmp_path)], "not a peacesim run folder"),
        (["run", str(GENEVA), "--set", "talks.every_dayz=3"], "did you mean 'every_days'"),
        (["run", str(GENEVA), "--runs", "0"], "expected a whole number >= 1"),
        (["run", "--resume", str(tmp_path), "--runs", "5"], "--resume takes only"),
    ]
    for args, message in cases:
        done = subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True,
                              text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_default_scenario_and_folder_name(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sim", "run", "--runs", "4", "--workers", "1",
                           "--quiet"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (folder,) = (tmp_path / "results" / "geneva-2026").iterdir()
    assert len(folder.name) == len("20261125T081500Z-1a2b3c4d")
    assert (folder / "report.html").is_file() and "figures not drawn" not in done.stderr


def test_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    bar = runner.Progress(10, 0, quiet=False)  # pytest's stderr is not a terminal
    assert bar.bar is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert runner.Progress(10, 0, quiet=True).bar is None
    bar = runner.Progress(10, 4, quiet=False)
    bar.update(6)
    bar.close()
    shown = capsys.readouterr().err
    assert "10/10" in shown and "run/s" in shown
