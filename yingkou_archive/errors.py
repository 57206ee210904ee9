"""Errors that carry a message fit to show an editor."""

from __future__ import annotations

from dataclasses import dataclass


class ArchiveError(Exception):
    """Base class: the message names the file and says what is wrong."""


class VocabularyError(ArchiveError):
    pass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one content file."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ContentError(ArchiveError):
    """One or more content files cannot be published."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"内容有 {len(self.problems)} 处错误，未发布："]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)
