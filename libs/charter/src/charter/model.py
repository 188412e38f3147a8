"""The charter model: tiers, bodies and their rules, procedures, deadlines and finance.

A charter is data the services read. It is validated in two passes: the shape of every field
(pydantic, all problems at once) and then the cross-references (a step naming a body the charter
does not have, a deadline that does not exist...). Both report dotted paths so a secretariat
can find the line to fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Self

import yaml
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from charter.base import (
    BODY_VALUES,
    ROLE_VALUES,
    Actor,
    Actors,
    Clause,
    Count,
    Flag,
    Sourced,
    Strict,
    Text,
)
from charter.errors import CharterValidationError, Problem, RuleNotFound
from charter.ids import (
    BodyId,
    DeadlineUnit,
    MatterKind,
    MeetingMode,
    RoleId,
    TierId,
)
from charter.rules import Counts, Decision, MatterRule, evaluate

if TYPE_CHECKING:
    from charter.calendars import Due, ScheduleBook

SCHEMA_VERSION = 1

DECISION_STEP_KINDS = frozenset({"decide", "approve", "consent", "vote"})


# --------------------------------------------------------------------------- membership


class Right(Sourced):
    """One right of a tier (or of every member), as the charter lists it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: Text


class Tier(Sourced):
    """A membership tier. Its rights add to those of ``inherits_rights_from`` (accumulation)."""

    id: TierId
    name: Text
    rights: list[Right] = Field(default_factory=list)
    inherits_rights_from: TierId | None = Field(
        default=None,
        description="The lower tier whose rights this tier also has (the charter's '除享有…外').",
    )
    how_obtained: Clause | None = None
    obligations: list[Clause] = Field(default_factory=list)


class Material(Sourced):
    """A document an applicant must submit."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: Text


class Countries(Sourced):
    """Where members may come from (ISO 3166-1 alpha-2 codes)."""

    codes: list[str] = Field(min_length=1)

    @field_validator("codes")
    @classmethod
    def _iso_codes(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if len(code) != 2 or not code.isupper():
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
        return codes


class Admission(Sourced):
    """How an organisation becomes a member; the steps are in ``procedures[procedure]``."""

    procedure: str
    issues: Text | None = Field(
        default=None, description="What the member receives at the end (e.g. 成员证)."
    )


class Withdrawal(Sourced):
    """How a member leaves: free with written notice, or only with a body's approval."""

    free: bool = Field(description="True when leaving needs no approval (退会自由).")
    written: bool = True
    notice_to: Actors
    approved_by: list[BodyId] = Field(default_factory=list)
    procedure: str

    @model_validator(mode="after")
    def _approval_matches(self) -> Self:
        if self.free and self.approved_by:
            raise ValueError("a free withdrawal cannot also need approval (approved_by)")
        if not self.free and not self.approved_by:
            raise ValueError("a withdrawal that is not free must name who approves it")
        return self


class Expulsion(Sourced):
    """Which bodies expel a member, and who proposes it."""

    decided_by: list[BodyId] = Field(min_length=1)
    proposed_by: list[Actor] = Field(default_factory=list)
    grounds: Text
    procedure: str


class Membership(Strict):
    """Everything about member organisations: tiers, joining, leaving."""

    tiers: list[Tier] = Field(min_length=1, description="Lowest tier first.")
    common_rights: list[Right] = Field(
        default_factory=list, description="Rights of every member whatever its tier."
    )
    common_obligations: list[Clause] = Field(default_factory=list)
    eligibility: list[Clause] = Field(default_factory=list)
    eligible_countries: Countries | None = None
    application_materials: list[Material] = Field(default_factory=list)
    contact_person: Clause | None = None
    admission: Admission
    withdrawal: Withdrawal
    expulsion: Expulsion

    @field_validator("tiers")
    @classmethod
    def _tiers_once(cls, tiers: list[Tier]) -> list[Tier]:
        seen: dict[TierId, int] = {}
        for index, tier in enumerate(tiers):
            if tier.id in seen:
                raise ValueError(
                    f"tier {tier.id.value!r} is listed twice (at [{seen[tier.id]}] and [{index}])"
                )
            seen[tier.id] = index
        return tiers


class AutomaticRule(Sourced):
    """Something that happens without a vote: demotion, leaving, a reminder."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    trigger: str = Field(
        pattern=r"^(consecutive_absences|licence_revoked|task_not_completed)$",
        description="consecutive_absences | licence_revoked | task_not_completed",
    )
    count: int | None = Field(default=None, ge=1, description="e.g. 3 consecutive absences")
    body: BodyId | None = Field(default=None, description="The body whose meetings count.")
    applies_to: list[TierId] = Field(
        default_factory=list, description="Tiers it applies to; empty means every member."
    )
    effect: str = Field(
        pattern=r"^(demote_one_tier|membership_ends|reminder|leaves_body|leaves_project)$",
        description="demote_one_tier | membership_ends | reminder | leaves_body | leaves_project",
    )
    notified_by: Actor | None = None
    notify: list[Actor] = Field(default_factory=list)
    text: Text

    @model_validator(mode="after")
    def _absences_need_count(self) -> Self:
        if self.trigger == "consecutive_absences" and (self.count is None or self.body is None):
            raise ValueError("a consecutive_absences rule needs a count and a body")
        return self


# --------------------------------------------------------------------------- bodies


class Power(Sourced):
    """One listed power of a body (e.g. AII Art.22 item (5)), with the matters it covers."""

    item: int | None = Field(default=None, ge=1, description="The item number in the article.")
    matters: list[MatterKind] = Field(default_factory=list)
    text: Text


class Delegation(Sourced):
    """Powers a body exercises on behalf of another, e.g. between the other's sessions."""

    body: BodyId
    items: list[int] = Field(min_length=1)
    when: Text


class MeetingRules(Sourced):
    """How often a body must meet, in which modes, and who convenes it."""

    min_per_year: int | None = Field(default=None, ge=0)
    modes: list[MeetingMode] = Field(default_factory=lambda: [MeetingMode.IN_PERSON])
    correspondence_when: Text | None = None
    convened_by: list[Actor] = Field(default_factory=list)


class Body(Sourced):
    """A body of the alliance with its seats, officers, powers, meetings and voting rules."""

    name: Text
    composition: Text
    seat_role: RoleId | None = Field(default=None, description="The role of a seat holder.")
    officer_roles: list[RoleId] = Field(default_factory=list)
    accountable_to: BodyId | None = None
    powers: list[Power] = Field(default_factory=list)
    acts_for: Delegation | None = None
    meetings: MeetingRules | None = None
    rules: dict[MatterKind, MatterRule] = Field(
        default_factory=dict,
        description=(
            "Quorum and pass rule per kind of matter; ordinary_resolution applies to every "
            "other matter within the body's powers."
        ),
    )

    @field_validator("powers")
    @classmethod
    def _items_once(cls, powers: list[Power]) -> list[Power]:
        items = [p.item for p in powers if p.item is not None]
        repeated = sorted({i for i in items if items.count(i) > 1})
        if repeated:
            raise ValueError(f"power item(s) {repeated} listed more than once")
        return powers


# --------------------------------------------------------------------------- procedures


class Step(Sourced):
    """One step of a procedure: who acts (or decides), what they do, what follows."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str = Field(
        pattern=r"^(submit|review|report|propose|vote|decide|approve|consent|issue|notify|object)$",
        description="submit | review | report | propose | vote | decide | approve | consent | "
        "issue | notify | object",
    )
    by: Actors = Field(
        description="Who acts at this step; for a decision, the decider. Several = alternatives."
    )
    to: list[Actor] = Field(default_factory=list)
    matter: MatterKind | None = Field(
        default=None, description="For a vote: the kind of matter whose rule applies."
    )
    rule: MatterRule | None = Field(
        default=None, description="A rule for this step only, instead of the body's rule."
    )
    issues: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    deadline: str | None = None
    text: Text

    @model_validator(mode="after")
    def _decider_decides(self) -> Self:
        if self.kind in DECISION_STEP_KINDS:
            for actor in self.by:
                if actor not in BODY_VALUES and actor not in ROLE_VALUES:
                    raise ValueError(
                        f"a {self.kind!r} step needs a decider (a body or an officer), "
                        f"not {actor!r}"
                    )
        return self

    @property
    def is_decision(self) -> bool:
        return self.kind in DECISION_STEP_KINDS


class Procedure(Sourced):
    """A multi-step matter, in order (e.g. council vote, then assembly, then consent)."""

    matter: MatterKind
    name: Text
    steps: list[Step] = Field(min_length=1)

    @field_validator("steps")
    @classmethod
    def _step_ids_once(cls, steps: list[Step]) -> list[Step]:
        ids = [s.id for s in steps]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"step id(s) {repeated} used more than once")
        return steps


class Deadline(Sourced):
    """A period such as "10 个工作日内" counted on the alliance's calendar."""

    n: int = Field(ge=1)
    unit: DeadlineUnit
    calendar: str | None = Field(default=None, description="A calendar code; None = default.")
    text: Text


class CalendarChoice(Sourced):
    """Which public-holiday calendar deadlines use, and which members' calendars exist."""

    default_calendar: str = Field(description="Calendar code, e.g. 'CN'.")
    member_calendars: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- working groups


class WorkingGroupRules(Sourced):
    """The AITISA working-group (推进组) rules: founding, membership, leaders, absences."""

    kinds: list[Clause] = Field(default_factory=list)
    min_founding_members: Count
    min_members: Count
    members_admitted_by: list[Actor] = Field(min_length=1)
    leaders_per_group: Count
    co_leaders_max: Count | None = Field(default=None, description="None: any number (若干).")
    leaders_nominated_by: list[Actor] = Field(default_factory=list)
    max_groups_led_per_person: Count
    max_leader_posts_per_organisation: Count
    application_materials: list[Material] = Field(default_factory=list)
    dissolution_grounds: list[Clause] = Field(default_factory=list)
    leader_duties: list[Clause] = Field(default_factory=list)
    member_rights: list[Right] = Field(default_factory=list)
    duties: list[Clause] = Field(default_factory=list)


# --------------------------------------------------------------------------- finance


class FinanceDuty(Sourced):
    """Who prepares, reviews and approves a budget or final accounts."""

    prepared_by: list[Actor] = Field(min_length=1)
    reviewed_by: list[Actor] = Field(default_factory=list)
    approved_by: list[Actor] = Field(min_length=1)
    procedure: str | None = None


class Audit(Sourced):
    """Who audits, who confirms the auditor, to whom the audit is reported."""

    by: Actor
    confirmed_by: list[Actor] = Field(default_factory=list)
    reported_to: list[Actor] = Field(default_factory=list)


class Finance(Strict):
    """Money rules: sources, uses, budget and final accounts, earmarking, audit."""

    managed_by: Clause | None = None
    managers: list[Actor] = Field(default_factory=list)
    income_sources: list[Clause] = Field(default_factory=list)
    uses: list[Clause] = Field(default_factory=list)
    special_rules: list[Clause] = Field(default_factory=list)
    budget: FinanceDuty
    final_accounts: FinanceDuty
    earmarked: Flag
    separate_ledgers: Flag
    audit: Audit | None = None
    working_group_budget: FinanceDuty | None = None


# --------------------------------------------------------------------------- the charter


class SourceDocument(Strict):
    """Which original document the template was read from."""

    title: Text
    revision: str | None = None
    file: str | None = None


class Charter(Strict):
    """One version of an alliance's charter, as data."""

    schema_version: int = Field(default=SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(default=1, ge=1)
    amended_from: int | None = Field(default=None, ge=1)
    amendment_note: str | None = None
    effective_from: date | None = None
    name: Text
    short_name: str
    citation: str = Field(
        pattern=r"^[A-Za-z][A-Za-z-]*$", description="Prefix of sources, e.g. 'AII'."
    )
    document: SourceDocument
    calendar: CalendarChoice
    membership: Membership
    bodies: dict[BodyId, Body] = Field(min_length=1)
    procedures: dict[str, Procedure] = Field(default_factory=dict)
    automatic_rules: list[AutomaticRule] = Field(default_factory=list)
    working_groups: WorkingGroupRules | None = None
    deadlines: dict[str, Deadline] = Field(default_factory=dict)
    finance: Finance

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Self:
        if info.context and info.context.get("skip_references"):
            return self
        problems = reference_problems(self)
        if problems:
            # Not a ValueError on purpose: it carries several paths and must reach the caller.
            raise CharterValidationError(problems)
        return self

    # ------------------------------------------------------------------ tiers

    @property
    def tier_ids(self) -> list[TierId]:
        """The tiers, lowest first."""
        return [t.id for t in self.membership.tiers]

    def tier(self, tier: TierId | str) -> Tier:
        for item in self.membership.tiers:
            if item.id == tier:
                return item
        raise LookupError(f"{self.slug} has no tier {tier!r} (tiers: {self._tier_list()})")

    def _tier_list(self) -> str:
        return ", ".join(t.value for t in self.tier_ids)

    def tier_rank(self, tier: TierId | str) -> int:
        """0 for the lowest tier, increasing upward."""
        return self.tier_ids.index(self.tier(tier).id)

    def tier_below(self, tier: TierId | str) -> TierId | None:
        """The tier one step down (for demotion), or None at the bottom."""
        rank = self.tier_rank(tier)
        return self.tier_ids[rank - 1] if rank > 0 else None

    def tier_above(self, tier: TierId | str) -> TierId | None:
        rank = self.tier_rank(tier)
        return self.tier_ids[rank + 1] if rank + 1 < len(self.tier_ids) else None

    def rights_of(self, tier: TierId | str) -> list[Right]:
        """Every right of ``tier``: common rights, then inherited ones from the bottom up."""
        chain: list[Tier] = []
        current: Tier | None = self.tier(tier)
        while current is not None:
            chain.append(current)
            below = current.inherits_rights_from
            current = self.tier(below) if below is not None else None
        rights = list(self.membership.common_rights)
        for item in reversed(chain):
            rights.extend(item.rights)
        return rights

    # ------------------------------------------------------------------ bodies and rules

    def body(self, body: BodyId | str) -> Body:
        try:
            return self.bodies[BodyId(body)]
        except (KeyError, ValueError):
            raise RuleNotFound(
                f"{self.slug} has no body {body!r} (bodies: "
                f"{', '.join(b.value for b in self.bodies)})"
            ) from None

    def powers_of(self, body: BodyId | str) -> list[Power]:
        """The body's own powers plus those it exercises for another body (acts_for)."""
        own = self.body(body)
        powers = list(own.powers)
        if own.acts_for is not None:
            principal = self.body(own.acts_for.body)
            powers.extend(p for p in principal.powers if p.item in own.acts_for.items)
        return powers

    def may_decide(self, body: BodyId | str, matter: MatterKind | str) -> bool:
        """Whether the matter is within the body's (own or delegated) powers or rules, or the
        finance rules name the body as the one that approves it (a charter without a finance
        chapter, whose defaults say who approves budgets and final accounts: AII)."""
        kind = MatterKind(matter)
        if kind in self.body(body).rules:
            return True
        if any(kind in p.matters for p in self.powers_of(body)):
            return True
        return BodyId(body).value in self.finance_approvers(kind)

    def finance_approvers(self, matter: MatterKind) -> list[str]:
        """The bodies the finance rules name to approve ``matter`` (budget, final accounts, the
        auditor); empty for any other matter."""
        duty = {
            MatterKind.BUDGET_APPROVAL: self.finance.budget,
            MatterKind.FINAL_ACCOUNTS_APPROVAL: self.finance.final_accounts,
        }.get(matter)
        if duty is not None:
            return [str(a) for a in duty.approved_by]
        if matter is MatterKind.AUDITOR_CONFIRMATION and self.finance.audit is not None:
            return [str(a) for a in self.finance.audit.confirmed_by]
        return []

    def rule_for(self, body: BodyId | str, matter: MatterKind | str) -> MatterRule:
        """The quorum and pass rule ``body`` applies to ``matter``.

        A rule written for the matter wins; otherwise the body's ordinary_resolution rule
        applies to matters within its powers. Anything else raises ``RuleNotFound``.
        """
        found = self.body(body)
        try:
            kind = MatterKind(matter)
        except ValueError:
            raise RuleNotFound(f"unknown kind of matter {matter!r}") from None
        if kind in found.rules:
            return found.rules[kind]
        if self.may_decide(body, kind) and MatterKind.ORDINARY_RESOLUTION in found.rules:
            return found.rules[MatterKind.ORDINARY_RESOLUTION]
        raise RuleNotFound(
            f"{self.slug}: the {BodyId(body).value} has no rule for {kind.value!r} "
            f"(rules: {', '.join(m.value for m in found.rules) or 'none'}; "
            f"powers: {self._matters_list(body)})"
        )

    def _matters_list(self, body: BodyId | str) -> str:
        matters = sorted({m.value for p in self.powers_of(body) for m in p.matters})
        return ", ".join(matters) or "none"

    def evaluate(
        self, body: BodyId | str, matter: MatterKind | str, counts: Counts | Mapping[str, Any]
    ) -> Decision:
        """Evaluate a vote of ``body`` on ``matter`` under this charter's rule."""
        return evaluate(
            self.rule_for(body, matter),
            counts,
            body=body,
            matter=matter,
            alliance=self.short_name,
        )

    def voting_steps(self, procedure: str) -> list[tuple[Step, MatterRule]]:
        """The steps of a procedure decided by a vote, each with the rule it applies."""
        found = self.procedures.get(procedure)
        if found is None:
            raise RuleNotFound(f"{self.slug} has no procedure {procedure!r}")
        stages: list[tuple[Step, MatterRule]] = []
        for step in found.steps:
            rule = self._step_rule(step, found.matter, step.by[0])
            if rule is not None:
                stages.append((step, rule))
        return stages

    def _step_rule(self, step: Step, matter: MatterKind, actor: str) -> MatterRule | None:
        if not step.is_decision or actor not in BODY_VALUES:
            return None
        if step.rule is not None:
            return step.rule
        return self.rule_for(actor, step.matter or matter)

    def evaluate_procedure(
        self,
        procedure: str,
        counts: Sequence[Counts | Mapping[str, Any]],
        *,
        bodies: Sequence[BodyId | str | None] | None = None,
    ) -> ProcedureDecision:
        """Evaluate the voting stages of a multi-stage matter in order.

        ``counts`` gives one set of counts per voting stage; ``bodies`` picks the alternative
        body of a stage (e.g. the standing council instead of the council). The matter passes
        only if every stage passes; evaluation stops at the first stage that does not.
        """
        found = self.procedures.get(procedure)
        if found is None:
            raise RuleNotFound(f"{self.slug} has no procedure {procedure!r}")
        stages = [s for s in found.steps if self._step_rule(s, found.matter, s.by[0]) is not None]
        if len(counts) != len(stages):
            raise ValueError(
                f"procedure {procedure!r} has {len(stages)} voting stage(s) "
                f"({', '.join(s.id for s in stages)}), got {len(counts)} set(s) of counts"
            )
        decisions: list[Decision] = []
        for index, (step, stage_counts) in enumerate(zip(stages, counts, strict=True)):
            chosen = bodies[index] if bodies is not None and index < len(bodies) else None
            actor = str(BodyId(chosen).value) if chosen is not None else step.by[0]
            if actor not in step.by:
                raise RuleNotFound(
                    f"step {step.id!r} is decided by {', '.join(step.by)}, not {actor!r}"
                )
            rule = self._step_rule(step, found.matter, actor)
            if rule is None:
                raise RuleNotFound(f"step {step.id!r}: {actor} has no rule for this matter")
            decision = evaluate(
                rule,
                stage_counts,
                body=actor,
                matter=step.matter or found.matter,
                alliance=self.short_name,
            )
            decisions.append(decision)
            if not decision.passed:
                break
        passed = len(decisions) == len(stages) and all(d.passed for d in decisions)
        return ProcedureDecision(
            procedure=procedure,
            passed=passed,
            stages=[s.id for s in stages],
            decisions=decisions,
        )

    # ------------------------------------------------------------------ deadlines

    def due_date(self, deadline: str, start: date, *, calendar: str | None = None) -> date:
        """When a deadline of this charter falls, counted from ``start`` on its calendar."""
        return self.due(deadline, start, calendar=calendar).on

    def due(
        self,
        deadline: str,
        start: date,
        *,
        calendar: str | None = None,
        schedules: ScheduleBook | None = None,
    ) -> Due:
        """A deadline of this charter with its provenance: ``Due.on``, ``.provisional``,
        ``.reason`` (a year with no official schedule loaded is counted provisionally)."""
        from charter.calendars import get_calendar

        found = self.deadlines.get(deadline)
        if found is None:
            raise LookupError(
                f"{self.slug} has no deadline {deadline!r} "
                f"(deadlines: {', '.join(self.deadlines) or 'none'})"
            )
        code = calendar or found.calendar or self.calendar.default_calendar
        return get_calendar(code, schedules).due(start, found.n, found.unit)

    # ------------------------------------------------------------------ serialisation

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-compatible data (fractions as "2/3" strings)."""
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, indent=indent)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_data(), allow_unicode=True, sort_keys=False, width=100)

    @classmethod
    def from_data(cls, data: Any) -> Charter:
        """Validate data; raise ``CharterValidationError`` listing every problem with its path."""
        problems = validate_charter_data(data)
        if problems:
            raise CharterValidationError(problems)
        return cls.model_validate(data)

    @classmethod
    def from_json(cls, text: str | bytes) -> Charter:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CharterValidationError([Problem("", f"not valid JSON: {exc}")]) from None
        return cls.from_data(data)

    @classmethod
    def from_yaml(cls, text: str | bytes) -> Charter:
        return cls.from_data(load_yaml(text))


class ProcedureDecision(Strict):
    """The result of a multi-stage matter: one Decision per stage reached."""

    procedure: str
    passed: bool
    stages: list[str]
    decisions: list[Decision]


def load_yaml(text: str | bytes) -> Any:
    """Parse YAML (or JSON, which YAML includes), turning syntax errors into a Problem."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CharterValidationError([Problem("", f"not valid YAML: {exc}")]) from None


# --------------------------------------------------------------------------- validation


def format_path(loc: Sequence[int | str]) -> str:
    """('bodies', 'council', 'rules', 0) -> 'bodies.council.rules[0]'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


_MESSAGE_PREFIXES = ("Value error, ", "Assertion failed, ")


def _problems_from(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = [p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        message = item["msg"]
        if loc and loc[-1] == "[key]":
            loc = loc[:-1]
            message = f"unknown id {loc[-1]!r}: {message[0].lower()}{message[1:]}"
        for prefix in _MESSAGE_PREFIXES:
            if message.startswith(prefix):
                message = message[len(prefix) :]
        if item["type"] == "missing":
            message = (
                "no decider: every step must say who acts or decides"
                if loc and loc[-1] == "by"
                else "required field is missing"
            )
        elif item["type"] == "extra_forbidden":
            message = "unknown field (not part of the charter schema)"
        problems.append(Problem(format_path(loc), message))
    return problems


def validate_charter_data(data: Any) -> list[Problem]:
    """Every problem in a charter document, each with its dotted path; [] when it is valid."""
    if not isinstance(data, Mapping):
        return [Problem("", f"a charter must be a mapping, got {type(data).__name__}")]
    try:
        charter = Charter.model_validate(data, context={"skip_references": True})
    except ValidationError as exc:
        return sorted(set(_problems_from(exc)), key=lambda p: (p.path, p.message))
    return reference_problems(charter)


def _iter_steps(charter: Charter) -> Iterator[tuple[str, Step, Procedure]]:
    for pid, procedure in charter.procedures.items():
        for index, step in enumerate(procedure.steps):
            yield f"procedures.{pid}.steps[{index}]", step, procedure


def reference_problems(charter: Charter) -> list[Problem]:
    """Cross-reference checks: every body, tier, procedure, deadline and calendar named exists."""
    from charter.calendars import CALENDAR_CODES

    problems: list[Problem] = []
    bodies = set(charter.bodies)

    def body_exists(path: str, actor: str) -> None:
        actor = str(getattr(actor, "value", actor))
        if actor in BODY_VALUES and BodyId(actor) not in bodies:
            problems.append(Problem(path, f"body {actor!r} does not exist in this charter"))

    def actors_exist(path: str, actors: Sequence[str]) -> None:
        for index, actor in enumerate(actors):
            body_exists(f"{path}[{index}]", actor)

    def procedure_exists(path: str, pid: str | None, matter: MatterKind | None = None) -> None:
        if pid is None:
            return
        if pid not in charter.procedures:
            problems.append(Problem(path, f"procedure {pid!r} does not exist in this charter"))
        elif matter is not None and charter.procedures[pid].matter is not matter:
            problems.append(
                Problem(path, f"procedure {pid!r} is for {charter.procedures[pid].matter.value!r}")
            )

    # tiers
    tier_ids = charter.tier_ids
    for index, tier in enumerate(charter.membership.tiers):
        below = tier.inherits_rights_from
        if below is not None and (below not in tier_ids or tier_ids.index(below) >= index):
            problems.append(
                Problem(
                    f"membership.tiers[{index}].inherits_rights_from",
                    f"tier {below.value!r} is not a lower tier of this charter",
                )
            )

    # membership workflows
    m = charter.membership
    procedure_exists("membership.admission.procedure", m.admission.procedure, MatterKind.ADMISSION)
    procedure_exists(
        "membership.withdrawal.procedure", m.withdrawal.procedure, MatterKind.WITHDRAWAL
    )
    procedure_exists("membership.expulsion.procedure", m.expulsion.procedure, MatterKind.EXPULSION)
    actors_exist("membership.withdrawal.notice_to", m.withdrawal.notice_to)
    actors_exist("membership.withdrawal.approved_by", m.withdrawal.approved_by)
    actors_exist("membership.expulsion.decided_by", m.expulsion.decided_by)
    actors_exist("membership.expulsion.proposed_by", m.expulsion.proposed_by)

    # bodies
    for bid, body in charter.bodies.items():
        path = f"bodies.{bid.value}"
        if body.accountable_to is not None:
            body_exists(f"{path}.accountable_to", body.accountable_to)
        if body.meetings is not None:
            actors_exist(f"{path}.meetings.convened_by", body.meetings.convened_by)
        if body.acts_for is not None:
            principal = charter.bodies.get(body.acts_for.body)
            if principal is None:
                body_exists(f"{path}.acts_for.body", body.acts_for.body)
            else:
                known = {p.item for p in principal.powers}
                for index, item in enumerate(body.acts_for.items):
                    if item not in known:
                        problems.append(
                            Problem(
                                f"{path}.acts_for.items[{index}]",
                                f"the {body.acts_for.body.value} has no power item ({item})",
                            )
                        )

    # procedures
    for path, step, procedure in _iter_steps(charter):
        actors_exist(f"{path}.by", step.by)
        actors_exist(f"{path}.to", step.to)
        if step.deadline is not None and step.deadline not in charter.deadlines:
            problems.append(
                Problem(f"{path}.deadline", f"deadline {step.deadline!r} does not exist")
            )
        if step.is_decision and step.rule is None:
            for index, actor in enumerate(step.by):
                if actor not in BODY_VALUES or BodyId(actor) not in bodies:
                    continue
                try:
                    charter.rule_for(actor, step.matter or procedure.matter)
                except RuleNotFound:
                    matter = (step.matter or procedure.matter).value
                    problems.append(
                        Problem(
                            f"{path}.by[{index}]",
                            f"the {actor} has no rule for {matter!r} (add bodies.{actor}."
                            f"rules.{matter} or a rule on this step)",
                        )
                    )

    # automatic rules
    for index, auto in enumerate(charter.automatic_rules):
        path = f"automatic_rules[{index}]"
        if auto.body is not None:
            body_exists(f"{path}.body", auto.body)
        for t_index, tier_id in enumerate(auto.applies_to):
            if tier_id not in tier_ids:
                problems.append(
                    Problem(
                        f"{path}.applies_to[{t_index}]", f"tier {tier_id.value!r} does not exist"
                    )
                )
        if auto.notified_by is not None:
            body_exists(f"{path}.notified_by", auto.notified_by)
        actors_exist(f"{path}.notify", auto.notify)

    # working groups
    if charter.working_groups is not None:
        wg = charter.working_groups
        actors_exist("working_groups.members_admitted_by", wg.members_admitted_by)
        actors_exist("working_groups.leaders_nominated_by", wg.leaders_nominated_by)

    # finance
    f = charter.finance
    actors_exist("finance.managers", f.managers)
    duties = [("budget", f.budget), ("final_accounts", f.final_accounts)]
    if f.working_group_budget is not None:
        duties.append(("working_group_budget", f.working_group_budget))
    for name, duty in duties:
        for part in ("prepared_by", "reviewed_by", "approved_by"):
            actors_exist(f"finance.{name}.{part}", getattr(duty, part))
        procedure_exists(f"finance.{name}.procedure", duty.procedure)
    if f.audit is not None:
        body_exists("finance.audit.by", f.audit.by)
        actors_exist("finance.audit.confirmed_by", f.audit.confirmed_by)
        actors_exist("finance.audit.reported_to", f.audit.reported_to)

    # calendars and deadlines
    if charter.calendar.default_calendar not in CALENDAR_CODES:
        problems.append(
            Problem(
                "calendar.default_calendar", _unknown_calendar(charter.calendar.default_calendar)
            )
        )
    for index, code in enumerate(charter.calendar.member_calendars):
        if code not in CALENDAR_CODES:
            problems.append(Problem(f"calendar.member_calendars[{index}]", _unknown_calendar(code)))
    for did, deadline in charter.deadlines.items():
        if deadline.calendar is not None and deadline.calendar not in CALENDAR_CODES:
            problems.append(
                Problem(f"deadlines.{did}.calendar", _unknown_calendar(deadline.calendar))
            )

    # sources cite this charter
    for path, sourced in _iter_sourced(charter.to_data()):
        if sourced != "default" and not sourced.startswith(charter.citation + " "):
            problems.append(
                Problem(
                    f"{path}.source",
                    f"source {sourced!r} does not cite this charter ({charter.citation!r})",
                )
            )
    return problems


def _unknown_calendar(code: str) -> str:
    from charter.calendars import CALENDAR_CODES

    return f"unknown calendar {code!r} (known: {', '.join(CALENDAR_CODES)})"


def _iter_sourced(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        source = data.get("source")
        if isinstance(source, str) and "default" in data:
            yield path, source
        for key, value in data.items():
            if key != "source":
                yield from _iter_sourced(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _iter_sourced(value, f"{path}[{index}]")


Tier.model_rebuild()
Charter.model_rebuild()
ProcedureDecision.model_rebuild()
