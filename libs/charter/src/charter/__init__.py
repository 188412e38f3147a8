"""Alliance charters as data (pure: no database, no network).

The services ask this library what the charter says instead of hard-coding rules, and every
answer cites the article it comes from (or says it is a documented default).

Public API (see docs/charter.md for examples):

Templates and documents
    ``list_templates() -> list[str]``                  slugs: aii, aitisa, china-asean
    ``load_template(slug) -> Charter``                 a validated, immutable charter
    ``Charter.from_yaml(text)`` / ``Charter.to_yaml()``
    ``Charter.from_json(text)`` / ``Charter.to_json()``
    ``Charter.from_data(dict)`` / ``Charter.to_data()``  (raise ``CharterValidationError``)
    ``validate_charter_data(dict) -> list[Problem]``   every problem with its dotted path
    ``charter_json_schema() -> dict``                  the published JSON Schema

Rules and votes
    ``charter.rule_for(body, matter) -> MatterRule``
    ``charter.may_decide(body, matter) -> bool``, ``charter.powers_of(body)``
    ``evaluate(rule, counts) -> Decision``             quorate, passed, outcome, explanation
    ``charter.evaluate(body, matter, counts) -> Decision``
    ``charter.evaluate_procedure(procedure_id, [counts, ...]) -> ProcedureDecision``
    ``Counts(seats, present, yes, no, abstain=0, proxies=0)``

Tiers
    ``charter.tier_ids``, ``charter.tier_rank(tier)``, ``charter.tier_below(tier)``,
    ``charter.tier_above(tier)``, ``charter.rights_of(tier)``

Calendars and deadlines
    ``add_working_days(calendar, start, n) -> date``   e.g. ``add_working_days("CN", d, 10)``
    ``add_days(calendar, start, n) -> date``
    ``get_calendar(code) -> Calendar``, ``calendar_coverage() -> {code: (first, last)}``
    ``charter.due_date(deadline_id, start) -> date``

Versions
    ``amend(charter, {dotted.path: value}, note=...) -> Charter``   version + 1
    ``diff(old, new) -> list[Change]``                 rule by rule: path, old, new

Errors (all subclass ``CharterError``): ``CharterValidationError`` (``.problems``),
``InvalidCounts``, ``RuleNotFound``, ``TemplateNotFound``, ``UnknownCalendar``,
``CalendarCoverageError``, ``DeadlineError``, ``AmendmentError``.
"""

from charter.calendars import (
    ASEAN_CODES,
    CALENDAR_CODES,
    Calendar,
    add_days,
    add_working_days,
    get_calendar,
)
from charter.calendars import coverage as calendar_coverage
from charter.errors import (
    AmendmentError,
    CalendarCoverageError,
    CharterError,
    CharterValidationError,
    DeadlineError,
    InvalidCounts,
    Problem,
    RuleNotFound,
    TemplateNotFound,
    UnknownCalendar,
)
from charter.exact import format_fraction, parse_fraction
from charter.ids import (
    Base,
    BodyId,
    Comparison,
    DeadlineUnit,
    MatterKind,
    MeetingMode,
    Outcome,
    PartyId,
    RoleId,
    TierId,
)
from charter.model import (
    Body,
    Charter,
    Procedure,
    ProcedureDecision,
    Right,
    Step,
    Tier,
    validate_charter_data,
)
from charter.rules import Check, Counts, Decision, MatterRule, PassRule, QuorumRule, evaluate
from charter.schema import charter_json_schema
from charter.templates import list_templates, load_template, template_text
from charter.versions import Change, amend, diff

__all__ = [
    "ASEAN_CODES",
    "CALENDAR_CODES",
    "AmendmentError",
    "Base",
    "Body",
    "BodyId",
    "Calendar",
    "CalendarCoverageError",
    "Change",
    "Charter",
    "CharterError",
    "CharterValidationError",
    "Check",
    "Comparison",
    "Counts",
    "DeadlineError",
    "DeadlineUnit",
    "Decision",
    "InvalidCounts",
    "MatterKind",
    "MatterRule",
    "MeetingMode",
    "Outcome",
    "PartyId",
    "PassRule",
    "Problem",
    "Procedure",
    "ProcedureDecision",
    "QuorumRule",
    "Right",
    "RoleId",
    "RuleNotFound",
    "Step",
    "TemplateNotFound",
    "Tier",
    "TierId",
    "UnknownCalendar",
    "add_days",
    "add_working_days",
    "amend",
    "calendar_coverage",
    "charter_json_schema",
    "diff",
    "evaluate",
    "format_fraction",
    "get_calendar",
    "list_templates",
    "load_template",
    "parse_fraction",
    "template_text",
    "validate_charter_data",
]
