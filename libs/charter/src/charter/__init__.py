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
    ``due(calendar, start, n, unit) -> Due``           ``.on``, ``.provisional``, ``.reason``
    ``get_calendar(code, schedules=None) -> Calendar``, ``calendar_coverage()`` (package years)
    ``charter.due_date(deadline_id, start) -> date``, ``charter.due(deadline_id, start) -> Due``

Official schedules (a country's holidays and make-up working days for one year, as data)
    ``parse_schedule(data) -> Schedule`` / ``parse_schedule_text(text)``
        (raise ``ScheduleValidationError``, ``.problems`` with ``ScheduleProblemCode``s)
    ``ScheduleBook`` (loaded versions; the highest counts), ``SCHEDULES`` (process default)

Versions
    ``amend(charter, {dotted.path: value}, note=...) -> Charter``   version + 1
    ``diff(old, new) -> list[Change]``                 rule by rule: path, old, new

Errors (all subclass ``CharterError``): ``CharterValidationError`` (``.problems``),
``InvalidCounts``, ``RuleNotFound``, ``TemplateNotFound``, ``UnknownCalendar``,
``CalendarCoverageError``, ``DeadlineError``, ``AmendmentError``.
"""

from charter.calendars import (
    ASEAN_CODES,
    ASEAN_MEMBERS,
    CALENDAR_CODES,
    CALENDAR_NAMES,
    SCHEDULES,
    Basis,
    Calendar,
    Due,
    ScheduleBook,
    YearBasis,
    add_days,
    add_working_days,
    calendar_years,
    due,
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
from charter.schedules import (
    Schedule,
    ScheduleProblem,
    ScheduleProblemCode,
    ScheduleValidationError,
    parse_schedule,
    parse_schedule_text,
    schedule_json_schema,
)
from charter.schema import charter_json_schema
from charter.templates import list_templates, load_template, template_text
from charter.versions import Change, amend, diff

__all__ = [
    "ASEAN_CODES",
    "ASEAN_MEMBERS",
    "CALENDAR_CODES",
    "CALENDAR_NAMES",
    "SCHEDULES",
    "AmendmentError",
    "Base",
    "Basis",
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
    "Due",
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
    "Schedule",
    "ScheduleBook",
    "ScheduleProblem",
    "ScheduleProblemCode",
    "ScheduleValidationError",
    "Step",
    "TemplateNotFound",
    "Tier",
    "TierId",
    "UnknownCalendar",
    "YearBasis",
    "add_days",
    "add_working_days",
    "amend",
    "calendar_coverage",
    "calendar_years",
    "charter_json_schema",
    "diff",
    "due",
    "evaluate",
    "format_fraction",
    "get_calendar",
    "list_templates",
    "load_template",
    "parse_fraction",
    "parse_schedule",
    "parse_schedule_text",
    "schedule_json_schema",
    "template_text",
    "validate_charter_data",
]
