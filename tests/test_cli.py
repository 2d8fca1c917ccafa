"""The command line: exit codes, one line per problem, the shipped JSON Schema."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import sim
from sim.cli import main
from sim.scenario.schema import json_schema
from tests.conftest import REPO, SCENARIOS

GENEVA = str(SCENARIOS / "geneva-2026.yaml")


def test_validate_ok(capsys):
    assert main(["validate", GENEVA]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{GENEVA}: ok (3 issues, 3 actors,")


def test_validate_reports_each_problem_on_stderr(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nissues: {land: {}}\nactors:\n  a: {positions: {land: {ideal: 2}},"
                   " walkout: 7}\n")
    assert main(["validate", GENEVA, str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{bad}:4: actors.a.walkout: must be within [0, 1], got 7",
    ]
    assert GENEVA in captured.out


def test_every_unreadable_set_value_is_named(capsys):
    assert main(["validate", GENEVA, "--set", "actors.ukraine.noise=.nan", "--set",
                 "actors.russia.noise=.inf", "--set", "talks.every_days=7"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "actors.ukraine.noise" in err[0] and \
        "actors.russia.noise" in err[1]


def test_validate_with_set_and_params(capsys):
    assert main(["validate", GENEVA, "--set", "talks.every_days=7", "--params"]) == 0
    assert "  talks.every_days = 7.0" in capsys.readouterr().out
    assert main(["validate", GENEVA, "--set", "talks.every_dys=7"]) == 2
    assert "override: talks.every_dys: 'talks' has no 'every_dys'; did you mean 'every_days'?" \
        in capsys.readouterr().err


def test_usage_errors_exit_2_with_one_line(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "required" in err
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


def test_schema_command_matches_shipped_file(capsys):
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    shipped = json.loads((REPO / "sim" / "scenario.schema.json").read_text())
    assert printed == shipped == json.loads(json.dumps(json_schema()))
    assert printed["properties"]["actors"]["additionalProperties"] is False


def test_shipped_schema_accepts_the_default_scenario():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    with open(GENEVA) as fh:
        doc = yaml.safe_load(fh)
    doc["start"] = str(doc["start"])  # JSON has no dates
    for actor in doc["actors"].values():  # YAML 1.1 reads the key `on` as True
        for lever in actor.get("levers", []):
            if True in lever:
                lever["on"] = lever.pop(True)
    schema = json.loads((REPO / "sim" / "scenario.schema.json").read_text())
    jsonschema.validate(doc, schema)


@pytest.mark.parametrize("argv", [["-m", "sim"], ["-c", "from sim.cli import run; run()"]])
def test_entry_points(argv):
    out = subprocess.run([sys.executable, *argv, "--version"], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == f"peacesim {sim.__version__}"


def test_validate_schema_and_version_start_without_the_engine():
    # a file is refused in a fraction of a second because these commands do not load the
    # engine's heavy dependencies (numba's kernels, pandas, matplotlib) at all
    code = ("import sys; from sim.cli import main\n"
            "for argv in (['--version'], ['schema'], ['validate', sys.argv[1]]):\n"
            "    try: main(argv)\n"
            "    except SystemExit: pass\n"
            "heavy = {'numba', 'pandas', 'matplotlib', 'sim.engine.replication',\n"
            "         'sim.model.round'}\n"
            "print(sorted(heavy & set(sys.modules)), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, GENEVA], capture_output=True, text=True,
                          cwd=REPO)
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_a_full_disk_on_standard_output_is_one_line():
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "sim", "schema"], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert (done.returncode, done.stderr) == (2, "peacesim: No space left on device\n")


def test_bad_file_exits_2_without_traceback():
    out = subprocess.run([sys.executable, "-m", "sim", "validate", "missing.yaml"],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr == "missing.yaml: no such file\n"
