"""Typed errors, so callers can tell a bad charter from bad counts from an uncovered year."""

from __future__ import annotations

from dataclasses import dataclass


class CharterError(Exception):
    """Base class of every error this library raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a charter, at a dotted path such as ``bodies.council.rules``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class CharterValidationError(CharterError, ValueError):
    """A charter document was refused; ``problems`` lists every reason with its path."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid charter ({len(problems)} problem(s)):\n{lines}")


class InvalidCounts(CharterError, ValueError):
    """Meeting or ballot counts that cannot be true (negative, more votes than voters...)."""


class RuleNotFound(CharterError, LookupError):
    """The charter has no rule for this body and kind of matter (or no such body)."""


class TemplateNotFound(CharterError, LookupError):
    """No template ships under this slug."""


class UnknownCalendar(CharterError, LookupError):
    """A calendar code this library does not provide."""


class CalendarCoverageError(CharterError, ValueError):
    """A date outside the years for which the calendar data is known to be complete."""


class AmendmentError(CharterError, ValueError):
    """An amendment names a path that does not exist in the charter."""


class DeadlineError(CharterError, ValueError):
    """A period that cannot be counted (zero, negative or not whole days)."""
