"""What the three templates encode, checked against the original charters."""

from __future__ import annotations

from typing import Any

import pytest

from charter import (
    BodyId,
    MatterKind,
    RuleNotFound,
    TemplateNotFound,
    TierId,
    list_templates,
    load_template,
    template_text,
)

SLUGS = ["aii", "aitisa", "china-asean"]


def test_list_templates() -> None:
    assert list_templates() == SLUGS


def test_unknown_template() -> None:
    with pytest.raises(TemplateNotFound, match="aii, aitisa, china-asean"):
        load_template("nope")


def test_shipped_text_keeps_comments() -> None:
    assert template_text("aii").startswith("# Alliance of Industrial Internet")


def test_each_caller_gets_its_own_copy() -> None:
    first = load_template("aii")
    first.bodies.pop(BodyId.COUNCIL)
    assert BodyId.COUNCIL in load_template("aii").bodies


def _walk(data: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(data, dict):
        if "source" in data and "default" in data:
            found.append((path, data))
        for key, value in data.items():
            found.extend(_walk(value, f"{path}.{key}"))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_walk(value, f"{path}[{index}]"))
    return found


@pytest.mark.parametrize("slug", SLUGS)
def test_every_rule_cites_an_article_or_is_an_explained_default(slug: str) -> None:
    charter = load_template(slug)
    sourced = _walk(charter.to_data())
    assert len(sourced) > 40
    for path, item in sourced:
        if item["default"]:
            assert item["source"] == "default" and item.get("note"), path
        else:
            assert item["source"].startswith(f"{charter.citation} "), path


@pytest.mark.parametrize("slug", SLUGS)
def test_every_body_rule_has_a_pass_rule_with_a_source(slug: str) -> None:
    charter = load_template(slug)
    for body in charter.bodies.values():
        for rule in body.rules.values():
            assert rule.pass_.source


# --------------------------------------------------------------------------- AII


def test_aii_tiers_and_accumulating_rights() -> None:
    aii = load_template("aii")
    assert aii.tier_ids == [TierId.ORDINARY, TierId.DIRECTOR, TierId.VICE_CHAIR, TierId.CHAIR]
    assert [aii.tier_rank(t) for t in aii.tier_ids] == [0, 1, 2, 3]
    assert aii.tier_below("director") is TierId.ORDINARY
    assert aii.tier_below("chair") is TierId.VICE_CHAIR
    assert aii.tier_below("ordinary") is None
    assert aii.tier_above("chair") is None
    ordinary = {r.id for r in aii.rights_of("ordinary")}
    director = {r.id for r in aii.rights_of("director")}
    vice = {r.id for r in aii.rights_of("vice_chair")}
    chair = {r.id for r in aii.rights_of("chair")}
    assert ordinary < director < vice
    assert chair == vice  # Art.12: 理事长、副理事长单位 share the same rights
    assert "nominate_director" in director - ordinary
    assert "nominate_officers" in vice - director
    assert len(ordinary) == 4 and len(director) == 8 and len(vice) == 12
    with pytest.raises(LookupError):
        aii.tier_rank("platinum")


def test_aii_admission_withdrawal_expulsion() -> None:
    aii = load_template("aii")
    steps = aii.procedures["admission"].steps
    assert [(s.kind, s.by[0]) for s in steps] == [
        ("submit", "applicant"),
        ("review", "secretariat"),
        ("report", "secretariat"),
        ("vote", "standing_council"),
        ("issue", "secretariat"),
    ]
    assert steps[2].to == ["standing_council"]
    assert [m.id for m in aii.membership.application_materials] == ["application_form"]
    withdrawal = aii.membership.withdrawal
    assert withdrawal.free and withdrawal.written and withdrawal.notice_to == ["secretariat"]
    assert withdrawal.approved_by == []
    assert withdrawal.source == "AII Art.15(1)"
    assert aii.membership.expulsion.decided_by == [BodyId.COUNCIL, BodyId.STANDING_COUNCIL]
    assert aii.membership.expulsion.source == "AII Art.16"


def test_aii_automatic_rules() -> None:
    aii = load_template("aii")
    demotion, licence = aii.automatic_rules
    assert (demotion.trigger, demotion.count, demotion.body, demotion.effect) == (
        "consecutive_absences",
        3,
        BodyId.COUNCIL,
        "demote_one_tier",
    )
    assert demotion.applies_to == [TierId.DIRECTOR, TierId.VICE_CHAIR, TierId.CHAIR]
    assert demotion.source == "AII Art.13"
    assert (licence.trigger, licence.effect, licence.source) == (
        "licence_revoked",
        "membership_ends",
        "AII Art.15(2)",
    )


def test_aii_council_powers_and_standing_council_between_sessions() -> None:
    aii = load_template("aii")
    council = aii.body("council")
    assert [p.item for p in council.powers if p.item] == list(range(1, 12))
    assert council.meetings is not None and council.meetings.min_per_year == 1
    assert council.meetings.source == "AII Art.23"
    standing = aii.body("standing_council")
    assert standing.acts_for is not None
    assert standing.acts_for.items == [1, 5, 8, 9, 10]
    delegated = {p.item for p in aii.powers_of("standing_council") if p.item}
    assert delegated == {1, 5, 8, 9, 10}
    assert aii.may_decide("standing_council", "admission")
    assert aii.may_decide("standing_council", "working_group_creation")
    assert not aii.may_decide("standing_council", "charter_amendment")
    assert aii.rule_for("standing_council", "expulsion").pass_.default
    assert set(standing.officer_roles) == {
        "chair",
        "vice_chair",
        "secretary_general",
        "deputy_secretary_general",
    }


def test_rule_for_refuses_what_a_body_cannot_decide() -> None:
    aii = load_template("aii")
    with pytest.raises(RuleNotFound, match="no rule for 'charter_amendment'"):
        aii.rule_for("standing_council", "charter_amendment")
    with pytest.raises(RuleNotFound, match="no body 'chairs_office'"):
        aii.rule_for("chairs_office", "ordinary_resolution")
    with pytest.raises(RuleNotFound, match="unknown kind of matter"):
        aii.rule_for("council", "picnic")
    with pytest.raises(RuleNotFound):
        aii.rule_for("secretariat", "admission")


def test_aii_finance_is_all_defaults() -> None:
    finance = load_template("aii").finance
    assert finance.budget.default and finance.final_accounts.default
    assert finance.budget.approved_by == ["council"]
    assert finance.audit is None


def test_the_aii_council_approves_budgets_and_final_accounts_by_its_ordinary_rule() -> None:
    """The charter has no finance chapter: the defaults name the council, which then decides
    them as it decides any resolution (AII Art.23), and no other body does."""
    aii = load_template("aii")
    for matter in (MatterKind.BUDGET_APPROVAL, MatterKind.FINAL_ACCOUNTS_APPROVAL):
        assert aii.may_decide("council", matter)
        assert aii.rule_for("council", matter) == aii.rule_for(
            "council", MatterKind.ORDINARY_RESOLUTION
        )
        assert aii.rule_for("council", matter).source.startswith("AII Art.23")
        assert not aii.may_decide("general_assembly", matter)
        assert not aii.may_decide("standing_council", matter)
    # no auditor in the charter or its defaults: nobody confirms one
    assert not any(aii.may_decide(b, MatterKind.AUDITOR_CONFIRMATION) for b in aii.bodies)


# --------------------------------------------------------------------------- China-ASEAN


def test_china_asean_membership() -> None:
    ca = load_template("china-asean")
    assert ca.tier_ids == [TierId.DIRECTOR, TierId.VICE_CHAIR, TierId.CHAIR]
    assert ca.tier_below("director") is None
    assert len(ca.rights_of("director")) == 7 + 7  # Art.18 common + Art.20.1
    assert len(ca.rights_of("chair")) == 7 + 7 + 4
    assert [m.id for m in ca.membership.application_materials] == [
        "written_application",
        "introduction_and_licence",
        "field_work_report",
    ]
    assert ca.membership.eligible_countries is not None
    assert ca.membership.eligible_countries.codes[0] == "CN"
    assert len(ca.membership.eligible_countries.codes) == 12  # China and the eleven ASEAN members
    assert ca.membership.admission.issues is not None
    assert ca.membership.admission.issues.zh == "成员证"
    steps = ca.procedures["admission"].steps
    assert [(s.kind, s.by[0]) for s in steps] == [
        ("submit", "applicant"),
        ("review", "secretariat"),
        ("vote", "council"),
        ("issue", "council"),
    ]
    assert steps[-1].issues == "membership_certificate"
    assert steps[1].source == "China-ASEAN Art.23.1(3)"


def test_china_asean_withdrawal_needs_council_approval() -> None:
    ca = load_template("china-asean")
    withdrawal = ca.membership.withdrawal
    assert not withdrawal.free
    assert withdrawal.approved_by == [BodyId.COUNCIL]
    assert withdrawal.source == "China-ASEAN Art.21.3"
    assert ca.may_decide("council", MatterKind.WITHDRAWAL)
    expulsion = ca.membership.expulsion
    assert expulsion.decided_by == [BodyId.COUNCIL] and expulsion.proposed_by == ["secretariat"]


def test_china_asean_bodies_and_finance() -> None:
    ca = load_template("china-asean")
    assert set(ca.bodies) == {"general_assembly", "council", "secretariat"}
    assembly = ca.body("general_assembly")
    assert assembly.meetings is not None and assembly.meetings.min_per_year == 1
    finance = ca.finance
    assert finance.budget.prepared_by == ["secretariat"]
    assert finance.budget.approved_by == ["council"]
    assert finance.final_accounts.approved_by == ["council"]
    assert finance.earmarked.value and finance.separate_ledgers.value
    assert finance.audit is not None
    assert finance.audit.by == "accounting_firm"
    assert finance.audit.confirmed_by == ["council"] and finance.audit.reported_to == ["council"]
    assert [c.id for c in finance.income_sources] == [
        "membership_fees",
        "government_grants",
        "donations",
        "service_income",
    ]
    assert ca.calendar.default_calendar == "CN"
    assert len(ca.calendar.member_calendars) == 11  # ASEAN since Timor-Leste (Oct 2025)


# --------------------------------------------------------------------------- AITISA


def test_aitisa_working_group_rules() -> None:
    wg = load_template("aitisa").working_groups
    assert wg is not None
    assert wg.min_founding_members.value == 5
    assert wg.min_members.value == 5
    assert wg.leaders_per_group.value == 1
    assert wg.co_leaders_max is None  # 若干: any number
    assert wg.max_groups_led_per_person.value == 1
    assert wg.max_leader_posts_per_organisation.value == 1
    assert wg.members_admitted_by == ["group_leader"]
    assert [c.id for c in wg.dissolution_grounds] == [
        "no_demand",
        "inactive",
        "too_few_members",
        "serious_breach",
    ]


def test_aitisa_absences_and_meetings() -> None:
    aitisa = load_template("aitisa")
    reminder, leaving = aitisa.automatic_rules
    assert (reminder.count, reminder.effect, reminder.notified_by) == (
        2,
        "reminder",
        "group_leader",
    )
    assert (leaving.count, leaving.effect, leaving.notify) == (3, "leaves_body", ["group_members"])
    group = aitisa.body("working_group")
    assert group.meetings is not None and group.meetings.min_per_year == 2
    assert aitisa.rule_for("working_group", "ordinary_resolution").admits_proxies


def test_aitisa_creation_deadlines_and_budget_path() -> None:
    aitisa = load_template("aitisa")
    creation = aitisa.procedures["working_group_creation"].steps
    assert [s.by[0] for s in creation] == [
        "initiators",
        "secretariat",
        "chairs_office",
        "secretariat",
    ]
    answer = aitisa.deadlines[creation[1].deadline or ""]
    assert (answer.n, answer.unit.value) == (10, "working_days")
    rejection = aitisa.deadlines[creation[3].deadline or ""]
    assert (rejection.n, rejection.unit.value) == (10, "days")
    budget = aitisa.finance.working_group_budget
    assert budget is not None
    assert (budget.prepared_by, budget.reviewed_by, budget.approved_by) == (
        ["working_group"],
        ["secretariat"],
        ["chairs_office"],
    )
    motion = aitisa.procedures["working_group_dissolution_motion"].steps
    assert [s.kind for s in motion] == ["propose", "notify", "object", "approve"]
    assert motion[0].by == ["secretary_general"]


def test_aitisa_everything_outside_the_working_group_rules_is_default() -> None:
    aitisa = load_template("aitisa")
    assert aitisa.membership.admission.default
    assert aitisa.membership.withdrawal.default
    council = aitisa.rule_for("council", "admission")
    assert council.pass_.default and council.quorum is not None and council.quorum.default
    assert not aitisa.rule_for("working_group", "ordinary_resolution").pass_.default
