"""Every kind of notice has its texts in Chinese and English, and they name what they must."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from contracts import finance as f
from contracts import governance as g
from contracts import membership as m
from notifications.kinds import KINDS, LANGUAGES
from notifications.rendering import TEMPLATES, render
from services.notifications.tests.working_group_samples import SAMPLES as WORKING_GROUPS

APP: dict[str, Any] = {
    "application_id": uuid.uuid4(),
    "kind": "admission",
    "alliance_id": uuid.uuid4(),
    "alliance_slug": "aii",
    "alliance_name_zh": "工业互联网产业联盟",
    "alliance_name_en": "Alliance of Industrial Internet",
    "organization_id": uuid.uuid4(),
    "organization_name_zh": "星海科技有限公司",
    "organization_name_en": "Xinghai Tech",
    "status": "submitted",
    "contact_user_id": "contact-1",
    "reason": "缺少营业执照复印件",
    "charter_version": 1,
}
MEMBER: dict[str, Any] = {
    **{k: APP[k] for k in APP if k not in ("application_id", "kind", "status")},
    "membership_id": uuid.uuid4(),
    "tier": "ordinary",
    "from_tier": "director",
    "status": "withdrawn",
    "rule": "AII Art.13",
}

INVOICE: dict[str, Any] = {
    "invoice_id": uuid.uuid4(),
    "alliance_id": uuid.uuid4(),
    "membership_id": uuid.uuid4(),
    "organization_id": uuid.uuid4(),
    "fiscal_year": 2027,
    "amount": "5000.00",
    "currency": "CNY",
    "due_on": date(2027, 3, 31),
}


def sample(kind: str) -> dict[str, Any]:
    """A context like the one the filer gives each kind (from the event's contract)."""
    models: dict[str, Any] = {
        "application_received": m.ApplicationSubmitted(**APP),
        "application_to_handle": m.ApplicationResubmitted(**APP),
        "application_forwarded": m.ApplicationForwarded(
            **APP, deciders=["council", "standing_council"], rule="AII Art.11"
        ),
        "application_returned": m.ApplicationReturned(**APP),
        "application_approved": m.ApplicationApproved(**APP, rule="AII Art.11"),
        "application_rejected": m.ApplicationRejected(**APP, rule="AII Art.11"),
        "tier_changed": m.MemberTierChanged(**MEMBER),
        "demoted": m.MemberDemoted(**MEMBER, meetings=["2026年第1次理事会", "2026年第2次理事会"]),
        "membership_ended": m.MemberWithdrawn(**MEMBER),
        "application_decided": g.ApplicationDecided(
            application_id=uuid.uuid4(),
            alliance_id=uuid.uuid4(),
            body="council",
            approved=False,
            meeting="2026年第3次理事会",
            decided_on=date(2026, 11, 20),
            reason="材料不全",
        ),
        "motion_decided": g.MotionDecided(
            motion_id=uuid.uuid4(),
            alliance_id=uuid.uuid4(),
            matter="budget_approval",
            title="2027年度预算",
            body="council",
            outcome="passed",
            passed=True,
            decided_on=date(2026, 12, 1),
            counts=g.VoteCounts(entitled=30, present=21, yes=15, no=4, abstain=2),
            rule="China-ASEAN Art.27",
            explanation_zh="同意过半数。",
            explanation_en="More than half voted yes.",
        ),
        "vote_closed": g.VoteClosed(
            motion_id=uuid.uuid4(),
            stage_id=uuid.uuid4(),
            alliance_id=uuid.uuid4(),
            body="council",
            matter="budget_approval",
            outcome="passed",
            passed=True,
            counts=g.VoteCounts(entitled=30, present=21, yes=15, no=4, abstain=2),
            rule="China-ASEAN Art.27",
            explanation_zh="同意过半数。",
            explanation_en="More than half voted yes.",
            ballot_list_hash="ab" * 32,
        ),
        "absences_recorded": g.AttendanceRecorded(
            alliance_id=uuid.uuid4(),
            meeting_id="m-1",
            body="council",
            held_on=date(2026, 6, 1),
            attendance=[],
        ),
        "budget_drafted": f.BudgetCreated(
            budget_id=uuid.uuid4(),
            alliance_id=uuid.uuid4(),
            alliance_slug="china-asean",
            fiscal_year=2027,
            currency="CNY",
            prepared_by="sec-1",
        ),
        "meeting_convened": g.MeetingConvened(
            meeting_id=uuid.uuid4(),
            alliance_id=uuid.uuid4(),
            body="council",
            title="2026年第4次理事会",
            mode="correspondence",
            starts_at=datetime(2026, 12, 10, 9, 0, tzinfo=UTC),
            place="北京市海淀区",
            voting_deadline=datetime(2026, 12, 17, 17, 0, tzinfo=UTC),
            agenda=[uuid.uuid4(), uuid.uuid4()],
            convened_as="secretariat (AII Art.23)",
            charter_version=1,
        ),
        "meeting_minimum_missed": g.MeetingMinimumMissed(
            alliance_id=uuid.uuid4(),
            body="council",
            year=2026,
            held=0,
            minimum=1,
            rule="AII Art.23",
        ),
        "budget_decided": f.BudgetDecided(
            alliance_id=uuid.uuid4(),
            matter_id=uuid.uuid4(),
            motion_id=uuid.uuid4(),
            fiscal_year=2027,
            approved=True,
            rule="China-ASEAN Art.27",
            budget_id=uuid.uuid4(),
        ),
        "budget_returned": f.BudgetReturned(
            alliance_id=uuid.uuid4(),
            budget_id=uuid.uuid4(),
            fiscal_year=2027,
            working_group_id=uuid.uuid4(),
            working_group_name="智能语音推进组",
            reasons="会务费测算依据不足",
            returned_by="secretariat-1",
            returned_on=date(2026, 12, 4),
            recipients=["leader-1"],
        ),
        "final_accounts_decided": f.FinalAccountsDecided(
            alliance_id=uuid.uuid4(),
            matter_id=uuid.uuid4(),
            motion_id=uuid.uuid4(),
            fiscal_year=2026,
            approved=False,
            rule="AII Art.17",
            final_accounts_id=uuid.uuid4(),
        ),
        "auditor_decided": f.AuditorDecided(
            alliance_id=uuid.uuid4(),
            matter_id=uuid.uuid4(),
            motion_id=uuid.uuid4(),
            fiscal_year=2026,
            approved=True,
            rule="China-ASEAN Art.27",
            auditor_id=uuid.uuid4(),
            firm_name="信永中和会计师事务所",
        ),
        "audit_reported": f.AuditReported(
            audit_report_id=uuid.uuid4(),
            alliance_id=uuid.uuid4(),
            fiscal_year=2026,
            firm_name="信永中和会计师事务所",
            opinion="无保留意见",
            reference="XYZH/2027/001",
            reported_to=["council"],
        ),
        "invoice_issued": f.InvoiceIssued(**INVOICE),
        "invoice_overdue": f.InvoiceOverdue(**INVOICE, outstanding="5000.00"),
        "matter_submitted": f.MatterSubmitted(
            matter="budget_approval",
            matter_id=uuid.uuid4(),
            alliance_id=uuid.uuid4(),
            title_zh="2027年度预算",
            title_en="Budget 2027",
            fiscal_year=2027,
        ),
    }
    models.update(WORKING_GROUPS)
    if kind in models:
        return {"d": models[kind].model_dump()}
    if kind == "proxy_recorded":
        proxy = g.SeatAttendance(
            organization_id=uuid.uuid4(),
            status=g.AttendanceStatus.PROXY,
            organization_name="星海科技有限公司",
            proxy_holder_user_id="director-2",
        )
        recorded = g.AttendanceRecorded(
            alliance_id=uuid.uuid4(),
            meeting_id=str(uuid.uuid4()),
            body="council",
            held_on=date(2026, 12, 18),
            attendance=[proxy],
        )
        return {"d": recorded.model_dump(), "proxy": proxy.model_dump()}
    if kind == "deadline_moved":
        return {
            "d": g.DeadlineMoved(
                deadline_id=uuid.uuid4(),
                alliance_id=uuid.uuid4(),
                alliance_slug="aitisa",
                subject_type="working_group_application",
                subject_id=uuid.uuid4(),
                deadline="creation_answer",
                rule="AITISA Art.4(2)",
                title_zh="工作组设立申请的书面答复",
                title_en="Written answer to the application to set up a group",
                start_on=date(2027, 1, 20),
                n=10,
                unit="working_days",
                calendar="CN",
                due_on=date(2027, 2, 2),
                provisional=False,
                previous_due_on=date(2027, 2, 3),
                schedule="CN 2027 v1 (国办发明电〔2026〕N号)",
            ).model_dump()
        }
    if kind == "announcement":
        return {
            "title_zh": "年会通知",
            "title_en": "Annual meeting",
            "body_zh": "定于……",
            "body_en": "To be held …",
            "internal": True,
            "alliance_name_zh": "工业互联网产业联盟",
            "alliance_name_en": "Alliance of Industrial Internet",
        }
    return {
        "title_zh": "工作组设立申请的书面答复",
        "title_en": "Written answer to the application to set up a group",
        "rule": "AITISA Art.4(2)",
        "start_on": "2025-01-24",
        "due_on": "2025-02-13",
        "n": 10,
        "unit": "working_days",
        "provisional": True,
        "provisional_reason": {
            "zh": "尚未载入中国2025年的官方放假安排。",
            "en": "No official holiday schedule of China for 2025 is loaded.",
        },
    }


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_has_a_template_in_each_language(kind: str, language: str) -> None:
    assert (TEMPLATES / kind / f"{language}.txt").is_file()
    text = render(kind, language, sample(kind))
    assert text.title and text.body
    other = render(kind, "en" if language == "zh" else "zh", sample(kind))
    assert text.title != other.title, "each language has its own text"


def test_no_template_for_a_kind_that_does_not_exist() -> None:
    on_disk = {p.name for p in TEMPLATES.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert on_disk == set(KINDS)


def test_a_rejection_gives_its_reasons_and_article_in_both_languages() -> None:
    context = sample("application_rejected")
    zh, en = (
        render("application_rejected", "zh", context),
        render("application_rejected", "en", context),
    )
    assert (
        zh.body
        == "星海科技有限公司的入会申请未获批准（依据：AII Art.11）。理由：缺少营业执照复印件"
    )
    assert en.body == (
        "The membership application of Xinghai Tech was not approved (AII Art.11). "
        "Reasons: 缺少营业执照复印件"
    )


def test_bodies_and_tiers_are_named_by_the_glossary() -> None:
    context = sample("application_forwarded")
    assert "理事会或常务理事会审议" in render("application_forwarded", "zh", context).body
    demoted = render("demoted", "en", sample("demoted")).body
    assert "is now a" in demoted and "AII Art.13" in demoted


def test_a_deadline_names_its_day_in_each_language_and_says_when_the_calendar_is_provisional() -> (
    None
):
    zh = render("deadline_due", "zh", sample("deadline_due")).body
    en = render("deadline_due", "en", sample("deadline_due")).body
    assert "2025年2月13日" in zh and "暂定" in zh
    assert "13 February 2025" in en and "provisional" in en
    # and why: the year whose official schedule is not loaded yet
    assert "尚未载入中国2025年的官方放假安排" in zh
    assert "No official holiday schedule of China for 2025 is loaded" in en


def test_a_moved_deadline_names_both_days_the_schedule_and_the_article() -> None:
    zh = render("deadline_moved", "zh", sample("deadline_moved")).body
    en = render("deadline_moved", "en", sample("deadline_moved")).body
    assert "由暂定的2027年2月3日调整为2027年2月2日" in zh and "AITISA Art.4(2)" in zh
    assert "now due on 2 February 2027, not on the provisional 3 February 2027" in en
    assert "CN 2027 v1" in zh and "CN 2027 v1" in en


def test_a_written_proxy_notice_names_the_organisation_and_the_holder() -> None:
    zh = render("proxy_recorded", "zh", sample("proxy_recorded")).body
    en = render("proxy_recorded", "en", sample("proxy_recorded")).body
    assert "星海科技有限公司" in zh and "director-2" in zh and "书面委托" in zh
    assert "by written proxy, held by director-2" in en


def test_an_internal_announcement_is_marked_so() -> None:
    assert render("announcement", "zh", sample("announcement")).title.startswith("【内部资料")
    assert render("announcement", "en", sample("announcement")).title.startswith("[Internal")
