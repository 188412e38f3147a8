"""The seed charters shipped as package data: ``aii``, ``aitisa`` and ``china-asean``."""

from __future__ import annotations

from functools import cache
from importlib import resources

from charter.errors import TemplateNotFound
from charter.model import Charter

_PACKAGE = "charter.templates"


def list_templates() -> list[str]:
    """The slugs of the shipped templates, sorted."""
    files = resources.files(_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml"))


def template_text(slug: str) -> str:
    """The YAML text of a template, as shipped (comments included)."""
    if slug not in list_templates():
        raise TemplateNotFound(f"no template {slug!r} (templates: {', '.join(list_templates())})")
    return resources.files(_PACKAGE).joinpath(f"{slug}.yaml").read_text(encoding="utf-8")


@cache
def _parsed(slug: str) -> Charter:
    return Charter.from_yaml(template_text(slug))


def load_template(slug: str) -> Charter:
    """The validated charter of a template (parsed once; each caller gets its own copy)."""
    return _parsed(slug).model_copy(deep=True)
