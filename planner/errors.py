"""Errors that planner reports to its users.

Owns the one exception hierarchy; every message is written for the person at the
terminal: what was wrong and what to do. Must not print or exit: the CLI does that.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def one_line(name: str) -> str:
    """A file name fit for the first line of a message: a newline in it shown, not obeyed."""
    return name.replace("\r", "\\r").replace("\n", "\\n")


class PlannerError(Exception):
    """Base class: a mistake in the input, reported as one clean message (exit 2)."""


class InputError(PlannerError, ValueError):
    """A bad number, option or combination of options."""


class InfeasibleError(InputError):
    """The question has no answer under the given law and limits."""


class LawNotFoundError(PlannerError, LookupError):
    """No shipped law has the requested id."""

    def __init__(self, law_id: str, known: list[str]) -> None:
        super().__init__(law_id)
        self.law_id = law_id
        self.known = known

    def __str__(self) -> str:
        return (
            f"no law named {self.law_id!r}; choose one of: {', '.join(self.known)} "
            "(or give the path of a law file)"
        )


class LawFileError(PlannerError, ValueError):
    """A law file that cannot be read or does not follow the law format."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        super().__init__(str(path))
        from pathlib import Path  # only a failed law file needs it

        self.path = Path(path)
        self.problems = problems

    def __str__(self) -> str:
        detail = "".join(f"\n  {problem}" for problem in self.problems)
        return f"{one_line(str(self.path))} is not a valid law file; fix these and retry:{detail}"


class DataFileError(PlannerError, ValueError):
    """A data file (the chip table, a check spec) that cannot be read or breaks its format."""

    def __init__(self, name: Path | str, problems: list[str], kind: str) -> None:
        super().__init__(str(name))
        self.name = str(name)
        self.problems = problems
        self.kind = kind

    def __str__(self) -> str:
        detail = "".join(f"\n  {problem}" for problem in self.problems)
        return f"{one_line(self.name)} is not a valid {self.kind}; fix these and retry:{detail}"
