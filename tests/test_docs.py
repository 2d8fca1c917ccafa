"""The documentation in docs/ works as written, and the reference matches the format.

Every code block of docs/*.md and docs/howto/*.md is run. Each page runs in a
temporary folder of its own holding a copy of the repository's scenarios/, its
blocks in page order, so a block may use what an earlier one wrote, as a reader
following the page would; nothing is written into the repository.

* ```python blocks are executed, all the blocks of a page in one namespace.
* ```bash blocks run line by line (a trailing backslash continues a line):
  - ``peacesim ...`` and ``python -m sim ...`` go through ``sim.cli.main`` in this
    process and must exit with status 0, or N when the line ends with the comment
    ``# exits N`` (a block that shows an error on purpose);
  - setup lines (``python3.11 -m venv``, ``pip install``, ``source .venv/bin/activate``,
    ``.venv/bin/python -m pytest``) are skipped: the tests already run in an
    installed environment, and the suite does not run itself;
  - a line ending in ``&`` starts a background process, stopped at the end of the
    block; a block that starts ``dask scheduler`` gets a free port in place of 8786
    (another may be in use) and is skipped when distributed is not installed;
  - any other line (``cp``, ``ls``, ``cmp``) runs with bash, the virtual
    environment's bin/ first on PATH, and must exit with status 0.
* ```yaml blocks that are whole scenarios (first key ``name:``) are validated with
  ``sim.parse_scenario``; with the first line ``# file: NAME.yaml`` they are also
  saved under that name for later blocks. Any other yaml block is a fragment and
  must start with ``# in FILE.yaml``: it is merged into that file (mappings merge,
  other values replace), the result validated and saved back, as a reader adds
  the fragment to the file.
* ```text blocks (output, synopses) and blocks without a language (equations) are
  not run. A text block right after a bash block (only a blank line between) is
  that block's output: each of its lines must be a line of what the commands
  printed, in order (``...`` stands for anything; a line of just ``...`` is skipped).
  Any other language is an error, so no block escapes by accident.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import sim
from sim.cli import main
from sim.scenario import reference
from sim.scenario.paths import parameters
from sim.scenario.reference import key_path, key_paths, reference_markdown
from sim.scenario.schema import json_schema
from sim.scenario.yamlsafe import read_yaml_text
from tests.conftest import REPO, SCENARIOS

pytestmark = pytest.mark.slow  # every command of the docs, run

DOCS = REPO / "docs"
PAGES = sorted([*DOCS.glob("*.md"), *DOCS.glob("howto/*.md")])
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
LANGUAGES = {"python", "bash", "yaml", "text", ""}
SETUP = re.compile(r"^(python3[.\d]* -m venv|(\S*/)?pip3? install|source |\. \S*activate|"
                   r"(\S*/)?python3?[.\d]* -m (pip|pytest))")
EXITS = re.compile(r"#\s*exits (\d+)\s*$")
REGENERATE = "python -m sim.scenario.reference > docs/reference.md"


@dataclass
class Block:
    page: Path
    line: int
    language: str
    text: str
    after: int = 0  # the line just after its closing fence

    def follows(self, other: Block | None) -> bool:
        """Whether this block comes right after ``other``: nothing but a blank line between."""
        return other is not None and self.line - other.after <= 1

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [Block(page, text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2),
                  text.count("\n", 0, m.end()) + 2) for m in FENCE.finditer(text)]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A fresh folder with a copy of scenarios/, as the current directory."""
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return tmp_path


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_every_block_runs(page, workdir, monkeypatch):
    fences = re.findall(r"^[ \t]*```", page.read_text(encoding="utf-8"), flags=re.M)
    assert len(fences) == 2 * len(blocks(page)), \
        f"{page.relative_to(REPO)}: a code fence is indented or unclosed; such blocks would " \
        "not be run (start fences at the beginning of the line)"
    namespace: dict = {"__name__": "__main__"}
    shell: tuple[Block, str] | None = None  # the last bash block and what it printed
    for block in blocks(page):
        assert block.language in LANGUAGES, \
            f"{block.where}: ```{block.language} blocks are not run; use python, bash, yaml " \
            "or text"
        if block.language == "python":
            exec(compile(block.text, block.where, "exec"), namespace)
        elif block.language == "bash":
            shell = block, run_bash(block, workdir, monkeypatch)
        elif block.language == "yaml":
            check_yaml(block, workdir)
        elif block.language == "text" and shell and block.follows(shell[0]):
            check_output(block, shell[1])


def check_output(block: Block, printed: str) -> None:
    """Each line of ``block`` (output shown in the docs) is a line of ``printed``, in order."""
    lines = [" ".join(line.split()) for line in printed.splitlines()]
    at = 0
    for shown in block.text.splitlines():
        shown = " ".join(shown.split())
        if shown in ("", "..."):
            continue
        pattern = re.compile(".*".join(map(re.escape, shown.split("..."))))
        found = next((i for i in range(at, len(lines)) if pattern.fullmatch(lines[i])), None)
        assert found is not None, \
            f"{block.where}: the docs show {shown!r}, which the commands above did not " \
            f"print (after what was matched before it):\n{printed}"
        at = found + 1


# --- bash ----------------------------------------------------------------------------------

def command_lines(text: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line.strip() for line in joined.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def run_bash(block: Block, workdir: Path, monkeypatch) -> str:
    """Run the block's lines; return what they printed (standard output, then error)."""
    text = block.text
    printed = []
    if re.search(r"^dask scheduler", text, flags=re.M):
        pytest.importorskip("distributed")
        text = text.replace("8786", str(free_port()))
    background: list[subprocess.Popen] = []
    try:
        for line in command_lines(text):
            if SETUP.match(line):
                continue
            match = EXITS.search(line)
            expected = int(match.group(1)) if match else 0
            words = shlex.split(line, comments=True)
            if words[-1] == "&":
                log = workdir / f"background-{len(background)}.log"
                background.append(start_background(shlex.join(words[:-1]), workdir, log))
            elif words[0] == "peacesim" or words[:3] == ["python", "-m", "sim"]:
                args = words[1:] if words[0] == "peacesim" else words[3:]
                code, out, err = run_cli(args, monkeypatch)
                assert code == expected, \
                    f"{block.where}: `{line}` exited {code}, expected {expected}\n{out}\n{err}"
                printed += [out, err]
            else:
                done = subprocess.run(["bash", "-c", line], cwd=workdir, capture_output=True,
                                      text=True, timeout=120)
                assert done.returncode == expected, \
                    f"{block.where}: `{line}` exited {done.returncode}, expected " \
                    f"{expected}\n{done.stdout}\n{done.stderr}"
                printed += [done.stdout, done.stderr]
    finally:
        for process in background:
            stop(process)
    return "".join(printed)


def run_cli(args: list[str], monkeypatch) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "argv", ["peacesim", *args])
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_background(line: str, workdir: Path, log: Path) -> subprocess.Popen:
    """Start ``line`` in a session of its own (so it can be stopped with its children)."""
    with open(log, "w") as out:
        return subprocess.Popen(["bash", "-c", f"exec {line}"], cwd=workdir, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    """Stop a background process and the processes it started (its own session)."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue


# --- yaml ----------------------------------------------------------------------------------

def check_yaml(block: Block, workdir: Path) -> None:
    first = block.text.splitlines()[0] if block.text.strip() else ""
    content = [line for line in block.text.splitlines()
               if line.strip() and not line.lstrip().startswith("#")]
    if content and content[0].startswith("name:"):
        sim.parse_scenario(block.text, block.where)
        saved = re.match(r"#\s*file:\s*(\S+)", first)
        if saved:
            (workdir / saved.group(1)).write_text(block.text, encoding="utf-8")
        return
    base = re.match(r"#\s*in\s+(\S+\.ya?ml)", first)
    assert base, f"{block.where}: a YAML fragment must start with '# in FILE.yaml' (the " \
                 "scenario it belongs to), or be a whole scenario starting with 'name:'"
    path = workdir / base.group(1)
    assert path.exists(), f"{block.where}: {base.group(1)} does not exist at this point"
    base_document, _ = read_yaml_text(path.read_text(encoding="utf-8"), str(path))
    fragment, _ = read_yaml_text(block.text, block.where)
    merged = yaml.safe_dump(merge(base_document, fragment), sort_keys=False)
    sim.parse_scenario(merged, block.where)
    path.write_text(merged, encoding="utf-8")  # as the reader edits the file


def merge(base, update):
    if isinstance(base, dict) and isinstance(update, dict):
        return {**base, **{k: merge(base.get(k), v) for k, v in update.items()}}
    return update


# --- the reference and the index -----------------------------------------------------------

def test_reference_is_generated_from_the_schema():
    shipped = (DOCS / "reference.md").read_text(encoding="utf-8")
    assert shipped == reference_markdown(), \
        f"docs/reference.md is out of date with the scenario format; regenerate it with " \
        f"`{REGENERATE}` (from the repository root)"


def test_reference_documents_every_parameter_of_every_shipped_scenario():
    documented, schema = set(key_paths()), json_schema()
    scenarios = sorted(SCENARIOS.rglob("*.yaml"))
    checked = 0
    for file in scenarios:
        try:
            sc = sim.load_scenario(file)
        except sim.ScenarioError:
            continue  # another test reports a broken scenario
        for path, _, _ in parameters(sc):
            assert key_path(path, schema) in documented, \
                f"{file.name}: {'.'.join(map(str, path))} is not in docs/reference.md"
            checked += 1
    assert checked > 100


def test_a_key_without_unit_or_meaning_stops_the_generator(monkeypatch):
    monkeypatch.delitem(reference.UNITS, "Party.war_cost")
    monkeypatch.delitem(reference.MEANINGS, "Normal.sd")
    with pytest.raises(reference.UndocumentedKeyError, match=r"Party\.war_cost: no unit"):
        reference_markdown()
    monkeypatch.setitem(reference.UNITS, "Party.war_cost", "utility per day")
    with pytest.raises(reference.UndocumentedKeyError, match=r"Normal\.sd: no description"):
        reference_markdown()


def test_key_paths_use_placeholders():
    assert key_path(("actors", "us", "levers", 0, "effects", 1, "add")) == \
        "actors.<actor>.levers.<i>.effects.<j>.add"
    assert key_path(("actors", "ukraine", "positions", "donbas", "red_line")) == \
        "actors.<actor>.positions.<issue>.red_line"
    assert key_path(("events", 2, "day")) == "events.<i>.day"


def test_index_links_every_page():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    linked = {(DOCS / target).resolve()
              for target in re.findall(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)", index)}
    for page in PAGES:
        if page.name != "README.md":
            assert page.resolve() in linked, f"docs/README.md does not link {page.name}"


def test_relative_links_and_anchors_exist():
    for page in PAGES:
        text = page.read_text("utf-8")
        for target, anchor in re.findall(r"\]\(([^)#:]*)(?:#([^)]*))?\)", text):
            linked = (page.parent / target) if target else page
            assert linked.exists(), f"{page.relative_to(REPO)}: no file {target}"
            if anchor and linked.suffix == ".md":
                assert anchor in anchors(linked), \
                    f"{page.relative_to(REPO)}: no heading or anchor #{anchor} in {target}"


def anchors(page: Path) -> set[str]:
    """Explicit <a id> anchors and the names GitHub gives headings."""
    text = page.read_text("utf-8")
    found = set(re.findall(r'<a id="([^"]+)"', text))
    for heading in re.findall(r"^#+ (.*)$", text, flags=re.M):
        found.add(re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-"))
    return found
