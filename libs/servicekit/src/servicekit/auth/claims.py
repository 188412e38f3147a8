"""The claim model: what a Concord token may say, parsed strictly (docs/conventions.md).

An identity provider can send anything in a token. Nothing in it is read by truthiness or
coerced: ``operator`` is the JSON value ``true`` or it is not an operator (``"false"``, ``"0"``,
``1`` are refused, not read), roles are a JSON list of the glossary's role ids, and a claim
Concord does not know, or one of the wrong type, refuses the whole token with
``UNAUTHENTICATED``. A token that says nothing grants nothing.

The same model is checked at the gateway (``gateway/claims.schema.json`` is this model's JSON
Schema, exported by ``make schema`` and checked to be current) and in every subgraph
(:meth:`Claims.parse`), so the two cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

# GLOSSARY.md "Officer and seat roles", plus the secretariat's staff.
Role = Literal[
    "secretariat",
    "chair",
    "vice_chair",
    "secretary_general",
    "deputy_secretary_general",
    "director",
    "group_leader",
    "group_co_leader",
    "contact_person",
]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]

# An alliance slug (membership's rule: 2-40 lower-case letters, digits, hyphens).
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")]
# A printable identifier: no control characters (NUL above all), bounded.
Text = Annotated[
    str, StringConstraints(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f\x7f]+$")
]
# RFC 7519 NumericDate: seconds since the epoch (a JSON number; never a string or a boolean).
NumericDate = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Claims(BaseModel):
    """The verified JWT payload: RFC 7519's registered claims, those of an identity provider's
    access tokens (RFC 9068, OpenID Connect), and Concord's own; nothing else."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    sub: Text
    name: Annotated[str, StringConstraints(max_length=256, pattern=r"^[^\x00]*$")] = ""
    locale: Literal["zh", "en"] = "zh"
    operator: bool = False
    alliances: dict[Slug, Annotated[list[Role], Field(max_length=len(ROLES))]] = Field(
        default_factory=dict, max_length=1000
    )
    iss: Text | None = None
    aud: Text | Annotated[list[Text], Field(min_length=1, max_length=16)] | None = None
    exp: NumericDate
    iat: NumericDate | None = None
    nbf: NumericDate | None = None
    jti: Text | None = None
    # What an identity provider's JWT access tokens carry besides (RFC 9068 §2.2, OpenID
    # Connect Core §2): known, typed, and granting nothing; Concord reads none of them.
    client_id: Text | None = None
    scope: (
        Annotated[str, StringConstraints(max_length=2048, pattern=r"^[\x21\x23-\x5b\x5d-\x7e ]*$")]
        | None
    ) = None
    auth_time: NumericDate | None = None
    acr: Text | None = None
    amr: Annotated[list[Text], Field(max_length=16)] | None = None
    azp: Text | None = None
    sid: Text | None = None

    @classmethod
    def parse(cls, payload: Any) -> Claims:
        """The claims of a verified payload, or :class:`InvalidClaims` naming what is wrong."""
        if not isinstance(payload, Mapping):
            raise InvalidClaims("the token's claims are not a JSON object")
        try:
            return cls.model_validate(dict(payload))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "claims"
            raise InvalidClaims(
                f"the token's claim {where!r} is not accepted: {first['msg']}"
            ) from exc


class InvalidClaims(ValueError):
    """A token whose claims do not fit :class:`Claims`."""


def json_schema() -> str:
    """The JSON Schema the gateway checks claims with (exported as gateway/claims.schema.json)."""
    schema = Claims.model_json_schema()
    # Pydantic checks the slug pattern of every key; JSON Schema needs to be told.
    schema["properties"]["alliances"]["additionalProperties"] = False
    schema["$comment"] = "generated from servicekit.auth.claims.Claims by `make schema`"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
