"""Robustness (issue 7): kills at random moments, disks that fill up, folders damaged by
hand, workers that die, hostile scenario files and numeric edge cases. Each ends in a
complete result or one clear line, and never loses what was already saved."""

from __future__ import annotations

import contextlib
import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.errors import PeacesimError, ScenarioError, StudyInterruptedError
from sim.scenario import parse_scenario
from sim.studies import folders, runner, study
from tests.conftest import REPO, SCENARIOS
from tests.helpers import ctrl_c_at_chunk, textbook

pytestmark = pytest.mark.slow  # signals, damaged folders and full disks: many subprocess studies

STATICS = SCENARIOS / "textbook" / "statics.yaml"
RUNS, SEED = 3000, 21


def data(folder: Path) -> tuple[bytes, bytes]:
    return (folder / "outcomes.csv").read_bytes(), (folder / "rounds.csv").read_bytes()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[bytes, bytes]:
    folder = tmp_path_factory.mktemp("robust") / "whole"
    sim.run(textbook("statics"), runs=RUNS, seed=SEED, workers=1, out=folder, figures=False)
    return data(folder)


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


# --- kills -----------------------------------------------------------------------------------

def _saved(folder: Path) -> int:
    """Outcome chunks saved in a study folder, or -1 before the folder appears; 99 once
    the chunks have been assembled."""
    if (folder / "outcomes.csv").exists():
        return 99
    chunks = folder / "chunks"
    return len(list(chunks.glob("outcomes-*.csv"))) if chunks.is_dir() else -1


@pytest.mark.parametrize("trial, chunks", [(0, -1), (1, 0), (2, 1), (3, 3), (4, 6), (5, 99)])
def test_sigkill_at_a_random_moment_then_resume(trial, chunks, reference, tmp_path):
    """The whole process group is killed (as a crash would) at a random moment after a
    given stage (before the folder appears, once it holds 0, 1, 3 or 6 saved chunks, once
    they are assembled): the folder is absent, complete, or marked incomplete, and resume
    gives the same bytes."""
    folder = tmp_path / "run"
    command = [sys.executable, "-m", "sim", "run", str(STATICS), "--runs", str(RUNS),
               "--seed", str(SEED), "--workers", "2", "--out", str(folder), "--quiet"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    reached = False
    while process.poll() is None and not (reached := _saved(folder) >= chunks):
        time.sleep(0.001)
    time.sleep(random.Random(trial).uniform(0, 0.02 if chunks >= 0 else 1.0))
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert reached, "the study ended before the stage at which it was to be killed"
    visible = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert visible in ([], ["run"])  # a half-made folder is never visible under its name
    if not folder.exists():
        return  # killed before the folder appeared: nothing was written
    status = folders.read_manifest(folder)["status"]
    assert status in ("running", "complete")
    if status != "complete":
        assert main(["run", "--resume", str(folder), "--quiet"]) == 0
    assert data(folder) == reference


def _children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_when_the_main_process_is_killed(tmp_path):
    """Only the main process is killed: its pool workers notice and end, never orphaned."""
    folder = tmp_path / "run"
    command = [sys.executable, "-m", "sim", "run", str(STATICS), "--runs", "200000",
               "--seed", str(SEED), "--workers", "2", "--out", str(folder), "--quiet"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while process.poll() is None and _saved(folder) < 1:
            time.sleep(0.01)
        workers = _children(process.pid)
        assert len(workers) == 2
        process.kill()
        process.wait()
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(_alive, workers))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


# --- disks and folders -----------------------------------------------------------------------

def test_an_output_folder_that_cannot_be_created(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = main(["run", str(STATICS), "--runs", "10", "--workers", "1",
                 "--out", str(blocker / "run")])
    assert code == 2 and "cannot create the results folder" in one_line(capsys)
    assert blocker.read_text() == "not a folder"


def test_a_full_disk_stops_cleanly_and_resume_finishes(reference, tmp_path, monkeypatch,
                                                        capsys):
    """Writes start failing with ENOSPC after a few chunks: one clear line, the chunks
    already saved are intact, and once there is room again resume gives the same bytes."""
    real = os.fsync
    calls = []

    def filling(fd):
        calls.append(fd)
        if len(calls) > 6:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(study, "pilot", lambda *a: 300)
    monkeypatch.setattr(folders.os, "fsync", filling)
    folder = tmp_path / "run"
    code = main(["run", str(STATICS), "--runs", str(RUNS), "--seed", str(SEED), "--workers",
                 "1", "--out", str(folder), "--quiet"])
    assert code == 2 and "No space left on device" in one_line(capsys)
    saved = sorted((folder / "chunks").glob("outcomes-*.csv"))
    assert saved  # what was written before the disk filled is still there, and whole
    model = sim.engine.compile.compile_model(textbook("statics"))
    assert folders.done_chunks(folder, sim.engine.records.outcome_columns(model),
                               sim.engine.records.round_columns(model), 1000)
    # marking the failure needs the full disk too: the manifest says so, or still "running"
    manifest = folders.read_manifest(folder)
    assert manifest["status"] == "running" or "No space left" in manifest["error"]
    monkeypatch.setattr(folders.os, "fsync", real)
    assert main(["run", "--resume", str(folder), "--quiet", "--workers", "1"]) == 0
    assert data(folder) == reference
    manifest = folders.read_manifest(folder)
    assert manifest["status"] == "complete" and "error" not in manifest


@pytest.fixture
def interrupted(tmp_path, monkeypatch) -> Path:
    """A study stopped by Ctrl-C after three chunks of 300."""
    ctrl_c_at_chunk(monkeypatch, 4, 300)
    folder = tmp_path / "run"
    with pytest.raises(StudyInterruptedError):
        sim.run(textbook("statics"), runs=RUNS, seed=SEED, workers=1, out=folder,
                figures=False)
    monkeypatch.undo()
    return folder


def test_a_missing_chunk_is_run_again(interrupted, reference):
    next(iter(sorted((interrupted / "chunks").glob("outcomes-*.csv")))).unlink()
    sim.resume(interrupted, workers=1, figures=False)
    assert data(interrupted) == reference


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],  # truncated
    lambda b: b.replace(b"\n", b"\n\n", 3),  # blank lines
    lambda b: b[:200] + b"\xff\xfe" + b[200:],  # not UTF-8
    lambda b: b"",  # empty
])
def test_a_damaged_chunk_is_named_and_kept(damage, interrupted, reference, capsys):
    chunk = sorted((interrupted / "chunks").glob("outcomes-*.csv"))[1]
    damaged = damage(chunk.read_bytes())
    chunk.write_bytes(damaged)
    assert main(["run", "--resume", str(interrupted), "--quiet"]) == 2
    line = one_line(capsys)
    assert chunk.name in line and "damaged or missing chunk" in line and "move it" in line
    assert chunk.read_bytes() == damaged  # nothing deleted behind the user's back
    chunk.rename(interrupted / "damaged.csv")
    assert main(["run", "--resume", str(interrupted), "--quiet", "--workers", "1"]) == 0
    assert data(interrupted) == reference


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),  # truncated
    lambda path: path.write_bytes(path.read_bytes()[:-9]),  # the last row cut short
    lambda path: path.unlink(),  # missing
])
def test_a_damaged_chunk_of_rounds_is_named_and_kept(damage, interrupted, reference, capsys):
    chunk = sorted((interrupted / "chunks").glob("rounds-*.csv"))[1]
    outcomes = chunk.with_name(chunk.name.replace("rounds", "outcomes"))
    damage(chunk)
    assert main(["run", "--resume", str(interrupted), "--quiet"]) == 2
    line = one_line(capsys)
    assert chunk.name in line and f"move it and {outcomes.name} away" in line
    assert outcomes.exists()  # nothing deleted behind the user's back
    outcomes.rename(interrupted / "moved.csv")
    assert main(["run", "--resume", str(interrupted), "--quiet", "--workers", "1"]) == 0
    assert data(interrupted) == reference


@pytest.mark.parametrize("edit", [
    lambda f: (f / "scenario.yaml").write_text(
        (f / "scenario.yaml").read_text().replace("war_cost: 0.0004", "war_cost: 0.01")),
    lambda f: (f / "manifest.json").write_text(
        (f / "manifest.json").read_text().replace('"seed": 21', '"seed": 22')),
])
def test_a_study_whose_scenario_or_seed_was_edited_is_not_resumed(edit, interrupted, capsys):
    edit(interrupted)
    assert main(["run", "--resume", str(interrupted), "--quiet"]) == 2
    assert "was edited since the study started" in one_line(capsys)


@pytest.mark.parametrize("edit, message", [
    (lambda m: m.replace('"seed": 21', '"seed": "x"'), "'seed' should be int"),
    (lambda m: m.replace('"format": 1', '"format": 9'), "folder format 9"),
    (lambda m: m[: len(m) // 2], "unreadable manifest"),
    (lambda m: "[1, 2]", "should be a JSON object"),
])
def test_an_edited_manifest_is_refused(interrupted, edit, message, capsys):
    path = interrupted / "manifest.json"
    path.write_text(edit(path.read_text()))
    chunks = sorted(p.name for p in (interrupted / "chunks").iterdir())
    assert main(["run", "--resume", str(interrupted), "--quiet"]) == 2
    assert message in one_line(capsys)
    assert sorted(p.name for p in (interrupted / "chunks").iterdir()) == chunks


@pytest.mark.parametrize("damage, message", [
    (lambda f: (f / "outcomes.csv").write_text((f / "outcomes.csv").read_text()[:5000]),
     "damaged"),
    (lambda f: (f / "outcomes.csv").unlink(), "missing"),
    (lambda f: (f / "summary.json").write_text("{"), "summary.json"),
    (lambda f: (f / "rounds.csv").write_text((f / "rounds.csv").read_text()[:5000]),
     "rounds.csv: missing or changed since the study finished"),
    (lambda f: (f / "rounds.csv").write_text((f / "rounds.csv").read_text()[:-9]),
     "rounds.csv: missing or changed"),
    (lambda f: (f / "scenario.yaml").write_text(
        (f / "scenario.yaml").read_text().replace("war_cost: 0.0004", "war_cost: 0.01")),
     "scenario.yaml or the manifest's seed was edited"),
])
def test_a_damaged_complete_folder_is_refused(damage, message, tmp_path, capsys):
    folder = tmp_path / "run"
    sim.run(textbook("statics"), runs=200, seed=1, workers=1, out=folder, figures=False)
    damage(folder)
    assert main(["plot", str(folder)]) == 2
    assert message in one_line(capsys)


# --- workers ---------------------------------------------------------------------------------

def dying_chunk(doc, key, seed, start, stop, keep):
    """A worker that is killed while it runs replication 1500 onwards."""
    if start >= 1500:
        os.kill(os.getpid(), signal.SIGKILL)
    return REAL_RUN_CHUNK(doc, key, seed, start, stop, keep)


REAL_RUN_CHUNK = runner.run_chunk


def test_a_worker_killed_mid_chunk_is_reported_and_the_study_resumes(reference, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr(study, "pilot", lambda *a: 300)
    monkeypatch.setattr(runner, "run_chunk", dying_chunk)
    folder = tmp_path / "run"
    started = time.monotonic()
    with pytest.raises(runner.WorkerError) as info:
        sim.run(textbook("statics"), runs=RUNS, seed=SEED, workers=2, out=folder,
                figures=False)
    assert time.monotonic() - started < 60  # stopped, did not hang
    message = str(info.value)
    assert "1500 to 1799" in message and f"seed {SEED}" in message
    manifest = folders.read_manifest(folder)
    assert manifest["status"] == "failed" and "worker" in manifest["error"]
    monkeypatch.setattr(runner, "run_chunk", REAL_RUN_CHUNK)
    sim.resume(folder, workers=2, figures=False)
    assert data(folder) == reference


# --- hostile scenario files ------------------------------------------------------------------

def mutations(text: str, rng: random.Random):
    """Ways a file gets broken: characters, lines, values and indentation."""
    lines = text.splitlines()
    kind = rng.randrange(7)
    if kind == 0:  # a random byte somewhere
        i = rng.randrange(len(text))
        return text[:i] + rng.choice("{}[]:,-&*!|>'\"#%@`\t\\ 0x\u00e9\x00") + text[i + 1:]
    if kind == 1:  # a line deleted
        del lines[rng.randrange(len(lines))]
    elif kind == 2:  # a line duplicated (often a duplicate key)
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == 3:  # a number replaced by something else
        i = rng.randrange(len(lines))
        lines[i] = _replace_number(lines[i], rng)
    elif kind == 4:  # indentation shifted
        i = rng.randrange(len(lines))
        lines[i] = " " * rng.randrange(1, 5) + lines[i]
    elif kind == 5:  # two lines swapped
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:  # truncated
        return text[: rng.randrange(len(text))]
    return "\n".join(lines)


def _replace_number(line: str, rng: random.Random) -> str:
    for i, char in enumerate(line):
        if char.isdigit():
            j = i
            while j < len(line) and (line[j].isdigit() or line[j] in ".e-"):
                j += 1
            new = rng.choice(["-1", "1e400", "10" * 200, "nan", ".inf", "'text'", "[]", "{}",
                              "null", "true", "0", "1e-320", "-0"])
            return line[:i] + new + line[j:]
    return line


def test_ten_thousand_mutated_documents_are_loaded_or_refused():
    sources = sorted(SCENARIOS.glob("**/*.yaml"))
    texts = [p.read_text() for p in sources]
    rng = random.Random(2026)
    refused = 0
    for n in range(10_000):
        text = mutations(texts[n % len(texts)], rng)
        started = time.perf_counter()
        try:
            parse_scenario(text, "mutant.yaml")
        except ScenarioError as exc:
            refused += 1
            assert str(exc).startswith("mutant.yaml"), str(exc)
        assert time.perf_counter() - started < 1.0, text
    assert 1000 < refused < 10_000  # the mutations are neither all harmless nor all fatal


@pytest.mark.parametrize("text, message", [
    ("a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)), "alias"),
    ("name: x\nissues: " + "[" * 10_000 + "]" * 10_000, "deep"),
    ("name: x\nhorizon_days: 1e400\n", "horizon_days"),
    ("name: x\nhorizon_days: " + "9" * 5000 + "\n", "horizon_days"),
    ("name: x\nhorizon_days: 'a year'\n", "horizon_days"),
    ("name: ../../etc\n", "name"),
    ("name: a/b\n", "name"),
    ("name: !!python/object/apply:os.system ['true']\n", "name"),
])
def test_hostile_documents_are_refused_quickly(text, message):
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "hostile.yaml")
    assert time.perf_counter() - started < 1.0
    assert str(info.value).startswith("hostile.yaml") and message in str(info.value).lower()


def test_a_scenario_name_cannot_lead_out_of_the_results_folder():
    sc = textbook("nash-two")
    with pytest.raises(PeacesimError, match="name"):
        sc.with_overrides({"name": "../outside"})
    out = study.default_out(sc, 1, 10)
    assert out.parts[:2] == ("results", sc.name) and ".." not in out.parts


# --- numeric edge cases ----------------------------------------------------------------------

def test_numeric_edge_cases_run_or_are_refused_clearly():
    ran = {
        "zero-width distribution": {"actors.a.optimism": {"dist": "uniform", "low": 3,
                                                         "high": 3}},
        "zero-width issue": {"issues.region.range": [0.5, 0.5],
                             "actors.a.positions.region.ideal": 0.5,
                             "actors.b.positions.region.ideal": 0.5,
                             "actors.m.positions.region.ideal": 0.5},
        "all weights zero": {"actors.a.positions.region.weight": 0,
                             "actors.b.positions.region.weight": 0},
        "horizon of zero days": {"horizon_days": 0},
        "no round before the horizon": {"talks.rounds": [{"day": 400}],
                                        "talks.every_days": None},
        "front line starts at zero": {"battlefield.held_km2": 0},
    }
    results = {name: sim.run(textbook("statics", **ov), runs=40, workers=1).summary
               for name, ov in ran.items()}
    assert results["zero-width issue"]["deal"]["region"]["median"] == 0.5
    assert results["zero-width issue"]["p_agreement"] == 1.0  # the only deal suits everyone
    assert results["horizon of zero days"]["outcomes"]["no_deal"] == 1.0
    assert results["no round before the horizon"]["p_agreement"] == 0.0
    assert results["front line starts at zero"]["outcomes"]["military"] == 1.0
    for summary in results.values():
        assert summary["runs"] == 40 and sum(summary["outcomes"].values()) == pytest.approx(1)
    for ov, path in [({"battlefield.reference_km2": 0}, "battlefield.reference_km2"),
                     ({"issues": {}}, "issues")]:
        with pytest.raises(ScenarioError, match=path):
            textbook("statics", **ov)


def test_nothing_is_written_into_the_repository_by_these_tests():
    assert not (REPO / "results" / "statics").exists()


def test_a_folder_in_use_by_another_process_is_refused(tmp_path, capsys):
    folder = tmp_path / "run"
    sim.run(textbook("statics"), runs=20, workers=1, out=folder, figures=False)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from sim.studies.folders import Lock\n"
        f"with Lock(Path({str(folder)!r})):\n    print('held', flush=True); time.sleep(30)")],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(folders.FolderError, match="another peacesim process"), \
                folders.Lock(folder):
            pass
    finally:
        holder.kill()
        holder.wait()
    with folders.Lock(folder):  # free again once the holder is gone
        pass
