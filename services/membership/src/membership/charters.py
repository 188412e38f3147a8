"""Membership's view of the charter library: the templates, and the tiers of a charter."""

from __future__ import annotations

import uuid
from typing import Any

import charter
from membership.models import CharterVersion
from servicekit.graphql import DomainError


def template_names() -> list[str]:
    return list(charter.list_templates())


def charter_document(text: str) -> dict[str, Any]:
    """A charter file (YAML or JSON) checked rule by rule, as JSON data."""
    try:
        model = charter.Charter.from_yaml(text)
    except charter.CharterValidationError as exc:
        raise DomainError(
            "the charter file has problems: "
            + "; ".join(f"{p.path}: {p.message}" for p in exc.problems),
            code="INVALID_CHARTER",
            problems=[f"{p.path}: {p.message}" for p in exc.problems],
        ) from exc
    except (charter.CharterError, ValueError) as exc:
        raise DomainError(
            f"the charter file cannot be read: {exc}", code="INVALID_CHARTER"
        ) from exc
    return model.to_data()


def template_document(slug: str) -> dict[str, Any]:
    """The charter of a template as JSON data, for a new alliance's first version."""
    if slug not in template_names():
        raise DomainError(
            f"there is no charter template {slug!r}; templates: {', '.join(template_names())}",
            code="UNKNOWN_TEMPLATE",
        )
    return charter.load_template(slug).to_data()


_parsed: dict[tuple[uuid.UUID, int], charter.Charter] = {}


def parsed(version: CharterVersion) -> charter.Charter:
    """The charter model of a stored version (versions never change, so parse each once)."""
    key = (version.alliance_id, version.version)
    if key not in _parsed:
        _parsed[key] = charter.Charter.from_data(version.document)
    return _parsed[key]
