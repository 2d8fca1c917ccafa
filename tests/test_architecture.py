"""The tree's rules (docs/architecture.md): layers import downward only, and no two modules
import each other, directly or through others."""

from __future__ import annotations

import grimp
from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

from tests.conftest import REPO


def test_the_layers_contract_is_kept(monkeypatch):
    monkeypatch.chdir(REPO)  # where pyproject.toml holds the contract
    assert lint_imports() == EXIT_STATUS_SUCCESS


def _cycles(graph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                other = stack.pop()
                group.append(other)
                if other == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph("sim", exclude_type_checking_imports=True)
    # a package's __init__ re-exporting its modules is not a cycle of concepts
    for package in ("sim", "sim.scenario", "sim.outputs", "sim.model.protocols"):
        for module in graph.find_children(package):
            if graph.direct_import_exists(importer=package, imported=module):
                graph.remove_import(importer=package, imported=module)
    assert _cycles(graph) == []
