"""Errors a user sees: each names where the problem is (file, row, column) and the rule broken."""

from __future__ import annotations

from dataclasses import dataclass

from uniontrends.messages import message


class UniontrendsError(Exception):
    """Base class: anything the CLI reports as a clear message and a non-zero exit code."""


@dataclass(frozen=True)
class Problem:
    """One broken rule in one place. row is the 1-based line in the file (header = line 1)."""

    file: str
    rule: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: [{self.rule}] {self.message}"


class DataError(UniontrendsError):
    """Input data broke one or more rules; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = len(self.problems) - 50
        if more > 0:
            shown += f"\n  ... and {more} more"
        super().__init__(f"{len(self.problems)} problem(s) in the input data:\n{shown}")


class ParameterError(UniontrendsError):
    """A notebook or command parameter has a bad value.

    ``rule`` says what is wrong and how to fix it; ``lang="zh"`` words the prefix in Chinese
    (the rule is then already Chinese: see uniontrends.messages).
    """

    def __init__(self, name: str, value: object, rule: str, lang: str = "en"):
        self.name, self.value, self.rule = name, value, rule
        super().__init__(message("parameter", lang, name=name, value=repr(value), rule=rule))


class QuantityError(UniontrendsError, ValueError):
    """A Chinese quantity phrase could not be parsed."""
