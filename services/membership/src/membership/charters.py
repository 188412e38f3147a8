"""Membership's view of the charter library: the templates, and the tiers of a charter."""

from __future__ import annotations

from typing import Any

import charter
from servicekit.graphql import DomainError


def template_names() -> list[str]:
    return list(charter.list_templates())


def template_document(slug: str) -> dict[str, Any]:
    """The charter of a template as JSON data, for a new alliance's first version."""
    if slug not in template_names():
        raise DomainError(
            f"there is no charter template {slug!r}; templates: {', '.join(template_names())}",
            code="UNKNOWN_TEMPLATE",
        )
    return charter.load_template(slug).model_dump(mode="json")


def tier_ids(document: dict[str, Any]) -> list[str]:
    """The charter's tiers, lowest first."""
    return [str(t.value) for t in charter.Charter.model_validate(document).tier_ids]
