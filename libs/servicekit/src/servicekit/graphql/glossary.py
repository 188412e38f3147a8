"""GraphQL enums of the glossary's identifiers (GLOSSARY.md), shared by every subgraph.

Federation composes an enum from every subgraph that declares it, and an enum used as an input
must be identical everywhere: one definition here keeps them so.
"""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(
    description="A membership tier (GLOSSARY): ordinary < director < vice-chair < chair."
)
class MembershipTier(enum.Enum):
    ORDINARY = "ordinary"
    DIRECTOR = "director"
    VICE_CHAIR = "vice_chair"
    CHAIR = "chair"


@strawberry.enum(description="A kind of body (GLOSSARY).")
class BodyKind(enum.Enum):
    GENERAL_ASSEMBLY = "general_assembly"
    COUNCIL = "council"
    STANDING_COUNCIL = "standing_council"
    STEERING_COMMITTEE = "steering_committee"
    EXPERT_COMMITTEE = "expert_committee"
    SECRETARIAT = "secretariat"
    CHAIRS_OFFICE = "chairs_office"
    WORKING_GROUP = "working_group"
