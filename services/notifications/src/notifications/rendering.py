"""Notices from templates: ``templates/<kind>/<language>.txt``, Jinja2 with Babel.

Each template defines two blocks, ``title`` and ``body`` (the shared names of a language are
the macros of ``templates/_labels/<language>.txt``, given to every template as ``L``); both
languages of a kind receive the same context (the event's data and the names the filer adds).
Dates go through Babel filters (``date``, ``datetime``), so each language writes them its own
way; the glossary's ids through its labels (``body``, ``tier``, ``matter``, ``outcome``). A
template that is missing, or that names something the context lacks (``StrictUndefined``), fails in
its test (``test_every_kind_has_a_template_in_each_language``), never in a delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from charter.ids import BODY_LABELS, MATTER_LABELS, OUTCOME_LABELS, TIER_LABELS
from notifications.kinds import LANGUAGES

TEMPLATES = Path(__file__).parent / "templates"
BABEL_LOCALE = {"zh": "zh_Hans_CN", "en": "en_GB"}


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


def _date(value: date | str, language: str) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, format="long", locale=BABEL_LOCALE[language])


def _datetime(value: datetime | str, language: str) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, format="medium", locale=BABEL_LOCALE[language])


@cache
def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,  # plain text: the inbox, email text parts, webhook JSON
        keep_trailing_newline=False,
        auto_reload=False,  # the templates ship with the code: no stat() per notice
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = lambda v: _date(v, language)
    env.filters["datetime"] = lambda v: _datetime(v, language)
    side = LANGUAGES.index(language)
    for name, labels in (
        ("body", BODY_LABELS),
        ("tier", TIER_LABELS),
        ("matter", MATTER_LABELS),
        ("outcome", OUTCOME_LABELS),
    ):
        # The glossary's labels (libs/charter): one name for each id, in both languages.
        by_value = {str(k): v[side] for k, v in labels.items()}
        env.filters[name] = lambda v, by_value=by_value: by_value.get(str(v), str(v))
    return env


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    env = _environment(language)
    template = env.get_template(f"{kind}/{language}.txt")
    labels = env.get_template(f"_labels/{language}.txt").module
    ctx = template.new_context({**context, "lang": language, "L": labels})
    title = "".join(template.blocks["title"](ctx)).strip()
    body = "".join(template.blocks["body"](ctx)).strip()
    return Rendered(title=" ".join(title.split()), body=body)


def render_all(kind: str, context: dict[str, Any]) -> dict[str, Rendered]:
    return {language: render(kind, language, context) for language in LANGUAGES}
