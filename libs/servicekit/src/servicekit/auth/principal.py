"""The caller as a subgraph sees it (from claims parsed by :mod:`servicekit.auth.claims`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from servicekit.auth.claims import Claims
from servicekit.tenancy import TenantScope, alliance_id

SECRETARIAT = "secretariat"
CONTACT_PERSON = "contact_person"
OFFICER_ROLES = frozenset({"chair", "vice_chair", "secretary_general", "deputy_secretary_general"})


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str = ""
    locale: str = "zh"
    operator: bool = False
    alliance_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_claims(cls, payload: Mapping[str, Any]) -> Principal:
        """The principal of a verified token payload, parsed strictly (:class:`Claims`); raises
        :class:`InvalidClaims` for a payload that does not fit. Nothing is granted by default:
        an operator is one whose ``operator`` claim is the JSON value ``true``."""
        claims = Claims.parse(payload)
        return cls(
            user_id=claims.sub,
            name=claims.name,
            locale=claims.locale,
            operator=claims.operator is True,
            alliance_roles={slug: frozenset(roles) for slug, roles in claims.alliances.items()},
        )

    def roles_in(self, slug: str) -> frozenset[str]:
        return self.alliance_roles.get(slug, frozenset())

    def has_role(self, slug: str, *roles: str) -> bool:
        held = self.roles_in(slug)
        return any(r in held for r in roles)

    def is_staff(self, slug: str) -> bool:
        """Secretariat staff or an officer of the alliance, or the platform operator."""
        return self.operator or self.has_role(slug, SECRETARIAT, *OFFICER_ROLES)

    @property
    def alliance_ids(self) -> frozenset[uuid.UUID]:
        """The alliances whose records this caller may read: those where it holds a role in the
        alliance's bodies or staff. A contact person's role gives none: it reaches only its own
        organisation's records, through the policies' contact rules."""
        return frozenset(
            alliance_id(slug)
            for slug, roles in self.alliance_roles.items()
            if roles - {CONTACT_PERSON}
        )

    @property
    def staff_alliance_ids(self) -> frozenset[uuid.UUID]:
        """The alliances whose secretariat or officer the caller is (their figures it reads)."""
        return frozenset(
            alliance_id(slug)
            for slug, roles in self.alliance_roles.items()
            if roles & ({SECRETARIAT} | OFFICER_ROLES)
        )

    def figures_scope(self) -> TenantScope:
        """The scope a dashboard's figures are read in: every alliance for the operator, the
        alliances it is staff of for anyone else, and no user id (no contact rules apply)."""
        if self.operator:
            return TenantScope.everything()
        return TenantScope(alliance_ids=self.staff_alliance_ids)

    def scope(self) -> TenantScope:
        """The alliances this caller's requests may touch by default."""
        if self.operator:
            return TenantScope.everything(user_id=self.user_id)
        return TenantScope(
            alliance_ids=self.alliance_ids,
            user_id=self.user_id,
            secretariat_ids=frozenset(
                alliance_id(slug)
                for slug, roles in self.alliance_roles.items()
                if SECRETARIAT in roles
            ),
        )
