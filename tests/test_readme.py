"""The README's examples work as written."""

from __future__ import annotations

import re

import sim
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_yaml_example_is_a_valid_scenario():
    examples = [b for b in blocks("yaml") if b.startswith("name:")]
    assert examples
    for text in examples:
        sim.parse_scenario(text, "README.md")


def test_python_examples_run(monkeypatch):
    monkeypatch.chdir(REPO)
    for code in blocks("python"):
        exec(compile(code, "README.md", "exec"), {})


def test_setup_commands_name_the_default_scenario_and_pytest():
    first, second = blocks("bash")[0].strip().splitlines()
    assert "pip install -e '.[test,dask]'" in first and "peacesim" in first
    assert second == ".venv/bin/python -m pytest"
