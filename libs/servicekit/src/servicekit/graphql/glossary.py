"""GraphQL enums of the glossary's identifiers (GLOSSARY.md), shared by every subgraph.

They are the charter library's own enums, exposed under their GraphQL names, so the ids in
charter data, code, API and events cannot drift apart. Federation composes an enum from every
subgraph that declares it, and an enum used as an input must be identical everywhere: one
definition here keeps them so.
"""

from __future__ import annotations

import strawberry

from charter.ids import BodyId, TierId

strawberry.enum(
    TierId,
    name="MembershipTier",
    description=(
        "A membership tier, from lowest to highest: ordinary, director, vice-chair, chair. "
        "Which tiers an alliance has is set by its charter."
    ),
)
strawberry.enum(
    BodyId,
    name="BodyKind",
    description="A kind of body of an alliance: its assembly, council, standing council, "
    "steering or expert committee, chair's office, secretariat or a working group.",
)

MembershipTier = TierId
BodyKind = BodyId
