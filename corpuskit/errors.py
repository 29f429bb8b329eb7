"""Errors that carry one clear, user-facing line per problem.

Every error names the file, row, field or value at fault and says what to do, so
the CLI can print it as one line and exit non-zero instead of a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


class CorpuskitError(ValueError):
    """Base class of every error corpuskit raises on bad input or parameters."""


class ParameterError(CorpuskitError):
    """A parameter has a value the method cannot use (names parameter and value)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a corpus: where it is and what to do about it."""

    where: str  # file, "file line N", or "file byte N"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class CorpusError(CorpuskitError):
    """One or more problems in a corpus on disk.

    ``problems`` lists them all (with ``all_errors=True`` every problem found,
    otherwise the first); ``str(err)`` is one line per problem.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
