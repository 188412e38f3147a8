"""Governance's GraphQL enums: the glossary's ids (charter and contract enums), upper case."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from charter.ids import MatterKind, MeetingMode, Outcome
from contracts.governance import AttendanceStatus

strawberry.enum(MatterKind, name="MatterKind", description="A kind of matter a body decides.")
strawberry.enum(
    MeetingMode, name="MeetingMode", description="in person (现场) or correspondence (通讯)."
)
strawberry.enum(Outcome, name="Outcome", description="passed, failed, or not quorate.")
strawberry.enum(
    AttendanceStatus,
    name="AttendanceStatus",
    description="present (出席), written proxy (书面委托), absent (缺席).",
)


@strawberry.enum(description="A ballot's choice.")
class BallotChoice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


@strawberry.enum(description="Where a motion stands.")
class MotionStatus(StrEnum):
    PENDING = "pending"
    """Waiting for its (next) stage to be opened at a meeting."""
    OPEN = "open"
    PASSED = "passed"
    FAILED = "failed"
    DECLINED = "declined"
    """Not sent on to its next stage: the secretariat's review declined it, with the reasons
    (a working group's renaming, AITISA Art.5, or its members' dissolution, Art.6)."""


@strawberry.enum(description="Where one vote of a motion stands.")
class StageStatus(StrEnum):
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"
    SKIPPED = "skipped"
    """Never held: the motion ended before it (declined at the secretariat's review)."""


__all__ = [
    "AttendanceStatus",
    "BallotChoice",
    "MatterKind",
    "MeetingMode",
    "MotionStatus",
    "Outcome",
    "StageStatus",
]
