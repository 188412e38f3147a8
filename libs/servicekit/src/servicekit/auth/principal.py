"""The caller as a subgraph sees it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        raw_roles = claims.get("alliances") or {}
        if not isinstance(raw_roles, Mapping):
            raise ValueError("claim 'alliances' must map alliance slugs to role lists")
        locale = claims.get("locale") or "zh"
        return cls(
            user_id=str(claims["sub"]),
            name=str(claims.get("name") or ""),
            locale=locale if locale in ("zh", "en") else "zh",
            operator=bool(claims.get("operator", False)),
            alliance_roles={str(k): frozenset(map(str, v)) for k, v in raw_roles.items()},
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

    def scope(self) -> TenantScope:
        """The alliances this caller's requests may touch by default."""
        if self.operator:
            return TenantScope.everything(user_id=self.user_id)
        return TenantScope(alliance_ids=self.alliance_ids, user_id=self.user_id)
