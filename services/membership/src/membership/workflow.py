"""How a membership matter moves, read from the alliance's charter.

The charter's procedure for a matter (``admission``, ``tier_change``, ``withdrawal``,
``expulsion``) lists ordered steps. Membership needs four facts from them: who may start it,
whether the secretariat reviews it first (and so must forward it before anyone decides),
which bodies decide it, and whether the secretariat finishes it (records the notice, issues a
document) when no body decides. Every transition cites the article of the step it performs.
"""

from __future__ import annotations

from dataclasses import dataclass

import charter
from charter import Charter
from charter.ids import MatterKind
from servicekit.graphql import DomainError

DECIDING_STEPS = ("vote", "decide", "approve", "consent")
SECRETARIAT = "secretariat"


@dataclass(frozen=True)
class Workflow:
    matter: str
    starters: tuple[str, ...]  # 'applicant', 'member', 'secretariat', …
    review: str | None  # article of the secretariat's preliminary review, if the charter has one
    deciders: tuple[str, ...]  # bodies any of which decides
    decision_source: str | None
    finisher_source: str | None  # the secretariat completes it (records the notice, …)
    issues: str | None  # a document issued at the end, e.g. 'membership_certificate'
    source: str  # the procedure's article
    default: bool  # a platform default, not a charter rule

    @property
    def needs_decision(self) -> bool:
        return bool(self.deciders)


# Where a charter has no procedure for a matter, the platform's documented default applies.
DEFAULT_TIER_CHANGE = Workflow(
    matter=MatterKind.TIER_CHANGE,
    starters=("member",),
    review="default",
    deciders=("council",),
    decision_source="default",
    finisher_source=None,
    issues=None,
    source="default",
    default=True,
)


def _issued(step: charter.Step) -> str | None:
    return step.issues if step.issues and step.issues != "membership" else None


def workflow(document: Charter, matter: str) -> Workflow:
    procedure = next(
        (
            p
            for p in document.procedures.values()
            if p.matter.value == matter and _is_alliance_level(p)
        ),
        None,
    )
    if procedure is None:
        if matter == MatterKind.TIER_CHANGE:
            return DEFAULT_TIER_CHANGE
        raise DomainError(
            f"the charter of {document.slug} has no procedure for {matter}", code="NO_PROCEDURE"
        )
    steps = procedure.steps
    starters = (
        tuple(str(a) for a in steps[0].by)
        if steps[0].kind in ("submit", "propose")
        else (SECRETARIAT,)
    )
    review = next(
        (s.source for s in steps if s.kind == "review" and SECRETARIAT in map(str, s.by)), None
    )
    decision = next((s for s in steps if s.kind in DECIDING_STEPS), None)
    after_start = steps[1:] if steps[0].kind in ("submit", "propose") else steps
    finisher = next(
        (s for s in after_start if s.kind in ("notify", "issue") and SECRETARIAT in map(str, s.by)),
        None,
    )
    issues = next((_issued(s) for s in steps if _issued(s)), None)
    return Workflow(
        matter=matter,
        starters=starters,
        review=review,
        deciders=tuple(str(b) for b in decision.by) if decision else (),
        decision_source=decision.source if decision else None,
        finisher_source=finisher.source if finisher and not decision else None,
        issues=issues,
        source=procedure.source,
        default=procedure.default,
    )


def _is_alliance_level(procedure: charter.Procedure) -> bool:
    """Working-group membership also has matter ``admission``; it is governance's."""
    first = procedure.steps[0]
    return (
        not any(str(b).startswith("group_") for s in procedure.steps for b in s.by)
        and str(first.by[0]) != "working_group"
    )
