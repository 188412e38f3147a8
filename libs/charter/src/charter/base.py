"""Building blocks shared by every part of the charter model: bilingual text and sources."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from charter.ids import BodyId, PartyId, RoleId

SOURCE_PATTERN = r"^(default|[A-Za-z][A-Za-z-]* (Art\.|Annex )[0-9].*)$"

ACTOR_VALUES: tuple[str, ...] = (
    *(b.value for b in BodyId),
    *(r.value for r in RoleId),
    *(p.value for p in PartyId),
)
BODY_VALUES = frozenset(b.value for b in BodyId)
ROLE_VALUES = frozenset(r.value for r in RoleId)


def _check_actor(value: str) -> str:
    if value not in ACTOR_VALUES:
        raise ValueError(
            f"unknown actor {value!r}: expected a body, an officer role or a party "
            f"({', '.join(ACTOR_VALUES)})"
        )
    return value


Actor = Annotated[
    str,
    AfterValidator(_check_actor),
    WithJsonSchema({"type": "string", "enum": list(ACTOR_VALUES)}),
]
"""Who acts at a step: a body id, an officer role id, or a party such as ``applicant``."""


class Strict(BaseModel):
    """Refuses unknown keys so that a misspelt field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Strict):
    """The same words in Chinese (as in the charter) and in English."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Sourced(Strict):
    """Anything the charter says carries the article it comes from, or is marked a default.

    Where a charter is silent the template still has to say something; it must then say so
    (``source: default``, ``default: true``) and why (``note``), so nobody mistakes a platform
    default for a charter rule.
    """

    source: str = Field(
        pattern=SOURCE_PATTERN,
        description="The article this comes from, e.g. 'AII Art.23', or 'default'.",
    )
    default: bool = Field(
        default=False, description="True when the charter is silent and this is a default."
    )
    note: str | None = Field(default=None, description="Why, or how the text was read.")

    @model_validator(mode="after")
    def _defaults_are_marked(self) -> Self:
        if self.source == "default" and not self.default:
            raise ValueError("source 'default' must also set default: true")
        if self.default and self.source != "default":
            raise ValueError(f"default: true but source is {self.source!r}; use source 'default'")
        if self.default and not self.note:
            raise ValueError("a default needs a note saying why it was chosen")
        return self


class Clause(Sourced):
    """A sentence of the charter worth showing to people (eligibility, duties, uses of funds)."""

    id: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    text: Text


class Flag(Sourced):
    """A yes/no fact with its source (e.g. funds are earmarked)."""

    value: bool


class Count(Sourced):
    """A whole number with its source (e.g. at least 5 founding organisations)."""

    value: int = Field(ge=0)


Actors = Annotated[list[Actor], Field(min_length=1)]
"""One actor, or several alternatives ("the council or the standing council")."""
