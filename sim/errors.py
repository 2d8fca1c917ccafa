"""The project's own error types: every bad input ends in one of these, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    source: str  # a file name, or "--set" for command-line overrides
    line: int | None  # 1-based; None when the problem has no single line
    path: str  # dotted key path, "" for the whole document
    message: str  # what was expected, what was found

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class PeacesimError(Exception):
    """Base class of every error peacesim raises on purpose (bad input, damaged folders)."""


class ScenarioError(PeacesimError):
    """A scenario (file, document or override) failed validation; holds one Problem per fault."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class StudyInterruptedError(PeacesimError):
    """The user stopped a study; what finished is saved and the folder can be resumed."""
