"""The money side of the charters end to end, through the gateway, with every service real:

* China–ASEAN Art.27: the secretariat draws up the final accounts (决算) of a closed year and
  the council approves them by its own vote in governance; only then are they approved in
  finance. The accounting firm is confirmed by the council's vote (a firm it rejects is not),
  the audit report is recorded against the books and reported (the year is locked), and the
  notices reach the officers.
* AITISA Art.12(1): a working group founded through governance prepares its budget in advance,
  the secretariat makes the preliminary review (returned with reasons, then forwarded), the
  chair's office meeting approves it by vote on the motion governance made of it, and its
  spending shows in the budget execution of that group.
* Bad input along the chain: a typed error, and nothing changed."""

from __future__ import annotations

import base64
import functools
import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from devkit.local.platform import Platform
from tests.e2e.alliances import Alliance, ChinaAsean, codes, notices
from tests.e2e.client import Caller, until

pytestmark = pytest.mark.e2e

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLOSED_YEAR = datetime.now(UTC).year - 1
"""The year whose final accounts are drawn up and audited (closed during the test)."""
THIS_YEAR = datetime.now(UTC).year
"""A working group's budget year (submitted in advance: not a year that is over)."""

BOOKS = """query($a: String!, $y: Int!) { books(alliance: $a) {
  fiscalYears { year status }
  finalAccounts(fiscalYear: $y) { id status approvedAt matterId }
  auditors(fiscalYear: $y) { id firmName status confirmedAt }
  auditReport(fiscalYear: $y) { opinion reference }
  trialBalance(fiscalYear: $y) { lines { code debit { amount } credit { amount } } } } }"""
INCOME = "mutation($i: IncomeInput!) { recordIncome(input: $i) { id } }"
EXPENSE = "mutation($i: ExpenseInput!) { recordExpense(input: $i) { id } }"
SUBMIT_FINAL = """mutation($a: String!, $y: Int!) { submitFinalAccounts(alliance: $a,
  fiscalYear: $y) { id status matterId } }"""
PROPOSE_AUDITOR = """mutation($a: String!, $y: Int!, $f: String!) { proposeAuditor(alliance: $a,
  fiscalYear: $y, firmName: $f) { id status } }"""
RECORD_AUDIT = """mutation($a: String!, $y: Int!) { recordAuditReport(alliance: $a,
  fiscalYear: $y, opinion: UNQUALIFIED, reference: "桂华审字〔2026〕第018号",
  summary: "财务报表在所有重大方面公允反映了联盟的财务状况") { fiscalYear opinion reference } }"""

BUDGET = """query($id: ID!) { budget(id: $id) { id status approvedAt workingGroupId
  workingGroupName lines { account amount { amount } } matters { status body rule } } }"""
CREATE_GROUP_BUDGET = """mutation($a: String!, $y: Int!, $g: ID!) { createBudget(alliance: $a,
  fiscalYear: $y, workingGroupId: $g, workingGroupName: "智能语音推进组") { id status } }"""
LINE = """mutation($b: ID!, $m: Decimal!) { setBudgetLine(budgetId: $b, account: "510101",
  amount: $m) { id } }"""
SUBMIT_BUDGET = "mutation($b: ID!) { submitBudget(budgetId: $b) { status matters { id } } }"
REVIEW = """mutation($b: ID!, $f: Boolean!, $r: String) { reviewWorkingGroupBudget(budgetId: $b,
  forward: $f, reason: $r) { status returnedReasons matters { id status } } }"""
EXECUTION = """query($a: String!, $y: Int!, $g: ID) { books(alliance: $a) {
  budgetExecution(fiscalYear: $y, workingGroupId: $g) { lines { workingGroupId
    workingGroupName code budgeted { amount } actual { amount } } } } }"""


def books(ca: ChinaAsean, year: int = CLOSED_YEAR) -> dict[str, Any]:
    found: dict[str, Any] = ca.clerk.data(BOOKS, {"a": ca.slug, "y": year})["books"]
    return found


def year_status(ca: ChinaAsean, year: int = CLOSED_YEAR) -> str:
    return next(y["status"] for y in books(ca, year)["fiscalYears"] if y["year"] == year)


@pytest.fixture(scope="module")
def china_asean(platform: Platform) -> ChinaAsean:
    """A China–ASEAN alliance with three directors on its council, its secretary-general on
    record, and a year of books: income, spending, then closed."""
    ca = ChinaAsean(platform, directors=3)
    ca.officers()
    ca.clerk.data(
        "mutation($a: String!, $y: Int!) { openFiscalYear(alliance: $a, fiscalYear: $y) "
        "{ status } }",
        {"a": ca.slug, "y": CLOSED_YEAR},
    )
    ca.clerk.data(
        INCOME,
        {
            "i": {
                "alliance": ca.slug,
                "source": "CONSULTING",
                "amount": "80000.00",
                "date": f"{CLOSED_YEAR}-03-15",
                "payer": "广西某信息技术公司",
                "memo": "咨询服务收入",
            }
        },
    )
    ca.clerk.data(
        EXPENSE,
        {
            "i": {
                "alliance": ca.slug,
                "use": "ACTIVITIES",
                "amount": "12000.50",
                "date": f"{CLOSED_YEAR}-09-10",
                "payee": "南宁会展中心",
                "memo": "中国—东盟论坛会务",
            }
        },
    )
    return ca


def test_the_final_accounts_of_a_closed_year_are_approved_by_the_councils_vote_and_only_then(
    china_asean: ChinaAsean,
) -> None:
    ca = china_asean
    # 决算 are drawn up for a closed year: not while it is open, and nothing is written.
    assert codes(ca.clerk.execute(SUBMIT_FINAL, {"a": ca.slug, "y": CLOSED_YEAR})) == [
        "YEAR_NOT_CLOSED"
    ]
    assert books(ca)["finalAccounts"] == []
    ca.clerk.data(
        "mutation($a: String!, $y: Int!) { closeFiscalYear(alliance: $a, fiscalYear: $y) "
        "{ status } }",
        {"a": ca.slug, "y": CLOSED_YEAR},
    )
    before = books(ca)["trialBalance"]
    late = {
        "i": {
            "alliance": ca.slug,
            "use": "OFFICE",
            "amount": "10.00",
            "date": f"{CLOSED_YEAR}-12-31",
            "payee": "文具店",
            "memo": "结账后补记",
        }
    }
    assert codes(ca.clerk.execute(EXPENSE, late)) == ["YEAR_CLOSED"]
    assert books(ca)["trialBalance"] == before

    # Only the secretariat draws them up (China–ASEAN Art.27 秘书处负责编制经费预决算).
    director = Caller(ca.platform, f"{ca.slug}-d0", alliances={ca.slug: ["contact_person"]})
    assert codes(director.execute(SUBMIT_FINAL, {"a": ca.slug, "y": CLOSED_YEAR})) == ["FORBIDDEN"]
    drawn = ca.clerk.data(SUBMIT_FINAL, {"a": ca.slug, "y": CLOSED_YEAR})["submitFinalAccounts"]
    assert drawn["status"] == "submitted" and drawn["matterId"]
    assert codes(ca.clerk.execute(SUBMIT_FINAL, {"a": ca.slug, "y": CLOSED_YEAR})) == [
        "FINAL_ACCOUNTS_EXIST"
    ]

    # Governance made it a pending motion of the council; until it votes, nothing is approved.
    motion = ca.pending_motion(set(), "FINAL_ACCOUNTS_APPROVAL")
    [pending] = books(ca)["finalAccounts"]
    assert (pending["status"], pending["approvedAt"]) == ("submitted", None)

    result = ca.council_vote(motion, yes=3, title=f"{CLOSED_YEAR}年度决算审议")
    assert result["passed"] and result["rule"]
    assert (result["present"], result["entitled"], result["yes"]) == (3, 3, 3)

    def approved() -> dict[str, Any] | None:
        [found] = books(ca)["finalAccounts"]
        return found if found["status"] == "approved" else None

    assert until(approved, within=90)["approvedAt"]
    told = until(lambda: notices(ca.platform, ca.sg.sub, "finance.final_accounts.decided"))
    assert str(CLOSED_YEAR) in told[0]["title"] and result["rule"] in told[0]["body"]


def test_the_audit_is_by_the_firm_the_council_confirms_and_locks_the_year(
    china_asean: ChinaAsean,
) -> None:
    ca = china_asean
    if year_status(ca) == "OPEN":  # (run alone: the year is closed by the test before)
        ca.clerk.data(
            "mutation($a: String!, $y: Int!) { closeFiscalYear(alliance: $a, fiscalYear: $y) "
            "{ status } }",
            {"a": ca.slug, "y": CLOSED_YEAR},
        )
    seen: set[str] = set()

    # A firm the council rejects is not the auditor: no audit can be recorded by it.
    first = ca.clerk.data(PROPOSE_AUDITOR, {"a": ca.slug, "y": CLOSED_YEAR, "f": "甲会计师事务所"})
    assert first["proposeAuditor"]["status"] == "submitted"
    assert codes(
        ca.clerk.execute(PROPOSE_AUDITOR, {"a": ca.slug, "y": CLOSED_YEAR, "f": "乙会计师事务所"})
    ) == ["AUDITOR_EXISTS"]
    assert codes(ca.clerk.execute(RECORD_AUDIT, {"a": ca.slug, "y": CLOSED_YEAR})) == [
        "AUDITOR_NOT_CONFIRMED"
    ]
    rejected = ca.pending_motion(seen, "AUDITOR_CONFIRMATION")
    seen.add(rejected)
    assert not ca.council_vote(rejected, yes=0, title="确认审计机构")["passed"]

    def auditor_status(firm: str) -> str | None:
        found = [a for a in books(ca)["auditors"] if a["firmName"] == firm]
        return found[0]["status"] if found and found[0]["status"] != "submitted" else None

    assert until(lambda: auditor_status("甲会计师事务所"), within=90) == "rejected"
    assert codes(ca.clerk.execute(RECORD_AUDIT, {"a": ca.slug, "y": CLOSED_YEAR})) == [
        "AUDITOR_NOT_CONFIRMED"
    ]
    assert books(ca)["auditReport"] is None and year_status(ca) == "CLOSED"

    # The council confirms the next firm by vote; its report is recorded and the year locked.
    firm = "广西华信会计师事务所"
    ca.clerk.data(PROPOSE_AUDITOR, {"a": ca.slug, "y": CLOSED_YEAR, "f": firm})
    confirmed = ca.pending_motion(seen, "AUDITOR_CONFIRMATION")
    assert ca.council_vote(confirmed, yes=2, title="确认审计机构")["passed"]
    assert until(lambda: auditor_status(firm), within=90) == "confirmed"
    [auditor] = [a for a in books(ca)["auditors"] if a["firmName"] == firm]
    assert auditor["confirmedAt"]

    recorded = ca.clerk.data(RECORD_AUDIT, {"a": ca.slug, "y": CLOSED_YEAR})["recordAuditReport"]
    assert recorded == {
        "fiscalYear": CLOSED_YEAR,
        "opinion": "UNQUALIFIED",
        "reference": "桂华审字〔2026〕第018号",
    }
    assert year_status(ca) == "AUDITED"
    assert books(ca)["auditReport"]["reference"] == recorded["reference"]
    assert codes(ca.clerk.execute(RECORD_AUDIT, {"a": ca.slug, "y": CLOSED_YEAR})) == [
        "YEAR_AUDITED"
    ]

    # Reported: the officers are told of the confirmation and of the report (Art.27 报理事会审查).
    decided = until(lambda: notices(ca.platform, ca.sg.sub, "finance.auditor.decided"))
    assert any(firm in n["title"] + n["body"] for n in decided)
    [reported] = until(lambda: notices(ca.platform, ca.sg.sub, "finance.audit.reported"))
    assert firm in reported["title"] and "China-ASEAN Art.27" in reported["body"]
    # ... and each council member, whom the report is for (the charter's reported_to: council)
    for seat in ca.seats:
        told_of = functools.partial(
            notices, ca.platform, seat["holderUserId"], "finance.audit.reported"
        )
        [told] = until(told_of)
        assert firm in told["title"]


# --------------------------------------------------------------------------- AITISA Art.12


@pytest.fixture(scope="module")
def aitisa(platform: Platform) -> Alliance:
    alliance = Alliance(platform)
    alliance.admit(6)
    alliance.officers()
    alliance.chair_seats()
    return alliance


def group_leader(aitisa: Alliance, group_id: str, member: dict[str, str]) -> Caller:
    """The lead organisation's contact fills the leader post (AITISA Art.7(3)); the person
    acts with the token any member's contact has: the post is governance's record."""
    leader = aitisa.contact(member)
    leader.data(
        "mutation($g: ID!, $o: ID!, $u: String!) { fillWorkingGroupPost(group: $g, "
        'organization: $o, userId: $u, name: "组长", post: GROUP_LEADER) { id } }',
        {"g": group_id, "o": member["org"], "u": member["contact"]},
    )
    return leader


def test_a_groups_budget_is_reviewed_by_the_secretariat_and_approved_by_the_chairs_office_vote(
    aitisa: Alliance,
) -> None:
    five = aitisa.members[:5]
    group_id = aitisa.found(five)
    leader = group_leader(aitisa, group_id, five[0])
    slug = aitisa.slug

    # Another member of the group does not prepare its budget.
    other = aitisa.contact(five[1])
    refused = other.execute(CREATE_GROUP_BUDGET, {"a": slug, "y": THIS_YEAR, "g": group_id})
    assert codes(refused) == ["FORBIDDEN"]

    def created() -> str | None:
        made = leader.execute(CREATE_GROUP_BUDGET, {"a": slug, "y": THIS_YEAR, "g": group_id})
        if codes(made) in (["NOT_FOUND"], ["FORBIDDEN"]):
            return None  # finance has not heard of the group or its leader yet
        assert not codes(made), made
        return str(made["data"]["createBudget"]["id"])

    budget: str = until(created)
    assert codes(leader.execute(LINE, {"b": budget, "m": 3000.5})) == ["BAD_USER_INPUT"]
    leader.data(LINE, {"b": budget, "m": "30000"})
    submitted = leader.data(SUBMIT_BUDGET, {"b": budget})["submitBudget"]
    # Submitted to the secretariat: nothing goes to a vote before the preliminary review.
    assert submitted == {"status": "SUBMITTED", "matters": []}

    # The preliminary review is the secretariat's: not the leader's, not the chair's.
    chair = Caller(aitisa.platform, aitisa.chair, alliances={slug: ["chair"]})
    for not_secretariat in (leader, chair):
        attempt = not_secretariat.execute(REVIEW, {"b": budget, "f": True, "r": None})
        assert codes(attempt) == ["FORBIDDEN"]
    assert codes(aitisa.clerk.execute(REVIEW, {"b": budget, "f": False, "r": " "})) == [
        "BAD_USER_INPUT"
    ]
    assert aitisa.clerk.data(BUDGET, {"id": budget})["budget"]["status"] == "SUBMITTED"

    # Returned with its reasons; the group corrects it and submits again.
    returned = aitisa.clerk.data(REVIEW, {"b": budget, "f": False, "r": "会务费测算依据不足"})
    assert returned["reviewWorkingGroupBudget"] == {
        "status": "DRAFT",
        "returnedReasons": "会务费测算依据不足",
        "matters": [],
    }
    [told] = until(lambda: notices(aitisa.platform, five[0]["contact"], "finance.budget.returned"))
    assert "会务费测算依据不足" in told["body"] and "AITISA Art.12(1)" in told["body"]
    leader.data(LINE, {"b": budget, "m": "28000.00"})
    leader.data(SUBMIT_BUDGET, {"b": budget})
    forwarded = aitisa.clerk.data(REVIEW, {"b": budget, "f": True, "r": None})
    assert forwarded["reviewWorkingGroupBudget"]["status"] == "REVIEWED"

    # Governance made it a motion of the chair's office meeting, which approves it by vote.
    def motion() -> str | None:
        found = aitisa.clerk.data(
            "query($s: String!) { alliance(slug: $s) { motions(first: 20, "
            "matter: BUDGET_APPROVAL, status: PENDING) { edges { node { id } } } } }",
            {"s": slug},
        )["alliance"]["motions"]["edges"]
        return found[0]["node"]["id"] if found else None

    motion_id: str = until(motion)
    assert aitisa.clerk.data(BUDGET, {"id": budget})["budget"]["status"] == "REVIEWED"
    aitisa.chairs_office(motion_id)

    def approved() -> dict[str, Any] | None:
        found: dict[str, Any] = aitisa.clerk.data(BUDGET, {"id": budget})["budget"]
        return found if found["status"] == "APPROVED" else None

    final = until(approved, within=90)
    assert final["approvedAt"] and final["workingGroupId"] == group_id
    [decision] = final["matters"]
    assert (decision["status"], decision["body"]) == ("passed", "chairs_office")
    assert decision["rule"]
    # The leader is told, and so are the officers (the chair among them).
    for person in (five[0]["contact"], aitisa.chair):
        [approval] = until(lambda p=person: notices(aitisa.platform, p, "finance.budget.decided"))
        assert decision["rule"] in approval["body"]
    # Approved: the lines are fixed.
    assert codes(leader.execute(LINE, {"b": budget, "m": "1.00"})) == ["BUDGET_NOT_DRAFT"]

    # Spending by the group shows against its budget; the alliance's other spending does not.
    spend = {
        "alliance": slug,
        "use": "ACTIVITIES",
        "date": f"{THIS_YEAR}-{datetime.now(UTC).month:02d}-01",
        "payee": "会务公司",
        "memo": "推进组研讨会",
    }
    aitisa.clerk.data(EXPENSE, {"i": {**spend, "amount": "1200.00", "workingGroupId": group_id}})
    aitisa.clerk.data(EXPENSE, {"i": {**spend, "amount": "999.00"}})
    lines = aitisa.clerk.data(EXECUTION, {"a": slug, "y": THIS_YEAR, "g": group_id})["books"][
        "budgetExecution"
    ]["lines"]
    assert [
        (ln["workingGroupId"], ln["code"], ln["budgeted"]["amount"], ln["actual"]["amount"])
        for ln in lines
    ] == [(group_id, "510101", "28000.00", "1200.00")]


def test_a_groups_budget_is_not_approved_in_finance_without_the_chairs_office(
    aitisa: Alliance,
) -> None:
    """Bad input along the chain: a budget of a group that does not exist, a second budget of
    a year, and one the chair's office rejects: typed errors, and nothing approved."""
    others = aitisa.members[1:6]  # (a person leads one group of the alliance, Art.7(4))
    group_id = aitisa.found(others)
    leader = group_leader(aitisa, group_id, others[0])
    nowhere = str(uuid.uuid4())
    assert codes(
        aitisa.clerk.execute(CREATE_GROUP_BUDGET, {"a": aitisa.slug, "y": THIS_YEAR, "g": nowhere})
    ) == ["NOT_FOUND"]

    def created() -> str | None:
        made = leader.execute(
            CREATE_GROUP_BUDGET, {"a": aitisa.slug, "y": THIS_YEAR + 1, "g": group_id}
        )
        if codes(made) in (["NOT_FOUND"], ["FORBIDDEN"]):
            return None
        assert not codes(made), made
        return str(made["data"]["createBudget"]["id"])

    budget: str = until(created)
    assert codes(
        leader.execute(CREATE_GROUP_BUDGET, {"a": aitisa.slug, "y": THIS_YEAR + 1, "g": group_id})
    ) == ["BUDGET_EXISTS"]
    assert codes(leader.execute(SUBMIT_BUDGET, {"b": budget})) == ["BUDGET_EMPTY"]
    leader.data(LINE, {"b": budget, "m": "5000"})
    leader.data(SUBMIT_BUDGET, {"b": budget})
    aitisa.clerk.data(REVIEW, {"b": budget, "f": True, "r": None})
    assert codes(aitisa.clerk.execute(REVIEW, {"b": budget, "f": True, "r": None})) == [
        "BUDGET_NOT_SUBMITTED"
    ]

    def motion() -> str | None:
        found = aitisa.clerk.data(
            "query($s: String!) { alliance(slug: $s) { motions(first: 20, "
            "matter: BUDGET_APPROVAL, status: PENDING) { edges { node { id } } } } }",
            {"s": aitisa.slug},
        )["alliance"]["motions"]["edges"]
        return found[0]["node"]["id"] if found else None

    aitisa.chairs_office(until(motion), yes=False)

    def decided() -> str | None:
        status: str = aitisa.clerk.data(BUDGET, {"id": budget})["budget"]["status"]
        return status if status != "REVIEWED" else None

    assert until(decided, within=90) == "REJECTED"
    assert aitisa.clerk.data(BUDGET, {"id": budget})["budget"]["approvedAt"] is None


FUNDS = """query($a: String!) { books(alliance: $a) { funds { code balance { amount } } } }"""
REPORTS = """query($a: String!, $y: Int!) { books(alliance: $a) {
  trialBalance(fiscalYear: $y) { lines { code debit { amount } credit { amount }
    balance { amount } } spreadsheet { filename mediaType contentBase64 } }
  fundBalances { funds { code balance { amount } income { amount } expense { amount } }
    spreadsheet { filename mediaType contentBase64 } }
  incomeBySource(fiscalYear: $y) { lines { code amount { amount } }
    spreadsheet { filename mediaType contentBase64 } }
  budgetExecution(fiscalYear: $y) { lines { code fund budgeted { amount } actual { amount }
    remaining { amount } } spreadsheet { filename mediaType contentBase64 } } } }"""


def _balances(ca: ChinaAsean) -> dict[str, str]:
    found = ca.clerk.data(FUNDS, {"a": ca.slug})["books"]["funds"]
    return {f["code"]: f["balance"]["amount"] for f in found}


def _sheet_rows(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows under the two heading rows of a report's XLSX, as a clerk's Excel shows them."""
    sheet = report["spreadsheet"]
    assert sheet["mediaType"] == XLSX and sheet["filename"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sheet["contentBase64"])))
    assert book.active is not None
    return [tuple(r) for r in book.active.iter_rows(min_row=4, values_only=True)]


def _same_figures(lines: list[dict[str, Any]], rows: list[tuple[Any, ...]], key: str) -> None:
    """Each line of the API is a row of the sheet (found by its code) with the same amounts."""
    assert len(rows) >= len(lines)
    for line in lines:
        matching = [r for r in rows if line[key] in r]
        assert matching, (line, rows)
        amounts = {Decimal(str(v)) for r in matching for v in r if isinstance(v, int | float)}
        for field, value in line.items():
            if isinstance(value, dict) and "amount" in value:
                assert Decimal(value["amount"]) in amounts, (line[key], field, value, matching)


def test_a_budget_the_council_passes_is_spent_from_its_funds_and_every_report_downloads(
    china_asean: ChinaAsean,
) -> None:
    """China–ASEAN Art.24–27: a government grant kept in its own fund (专款专用, 专账管理) pays
    only for its purpose and never below zero; the council's budget is executed against the
    books; the trial balance, fund balances, income by source and budget execution each
    download as a spreadsheet showing the API's figures."""
    ca, year = china_asean, THIS_YEAR
    ca.clerk.data(
        "mutation($i: CreateFundInput!) { createFund(input: $i) { code restriction } }",
        {
            "i": {
                "alliance": ca.slug,
                "code": "gx-grant",
                "nameZh": "自治区数字经济专项资金",
                "nameEn": "Guangxi digital economy grant",
                "source": "GOVERNMENT_GRANT",
                "purposes": ["TECHNOLOGY_RESEARCH"],
                "rules": "桂工信数字〔2026〕12号",
            }
        },
    )
    for source, amount, fund in (("GOVERNMENT_GRANTS", "100000.00", "gx-grant"),
                                 ("MEMBERSHIP_FEES", "20000.00", None)):  # fmt: skip
        ca.clerk.data(
            INCOME,
            {
                "i": {
                    "alliance": ca.slug,
                    "source": source,
                    "amount": amount,
                    "date": f"{year}-02-01",
                    "payer": "广西壮族自治区工业和信息化厅" if fund else "东盟理事单位",
                    "memo": "专项资金拨付" if fund else "会费",
                    **({"fund": fund} if fund else {}),
                }
            },
        )
    budget = ca.clerk.data(
        "mutation($a: String!, $y: Int!) { createBudget(alliance: $a, fiscalYear: $y) { id } }",
        {"a": ca.slug, "y": year},
    )["createBudget"]["id"]
    for account, amount, fund in (("510102", "80000", "gx-grant"), ("510101", "15000", None)):
        ca.clerk.data(
            "mutation($b: ID!, $a: String!, $m: Decimal!, $f: String) { setBudgetLine("
            "budgetId: $b, account: $a, amount: $m, fund: $f) { id } }",
            {"b": budget, "a": account, "m": amount, "f": fund},
        )
    ca.clerk.data("mutation($b: ID!) { submitBudget(budgetId: $b) { status } }", {"b": budget})
    motion = ca.pending_motion(set())
    assert ca.council_vote(motion, yes=3, title=f"{year}年度预算审议")["passed"]
    until(lambda: ca.clerk.data(BUDGET, {"id": budget})["budget"]["status"] == "APPROVED" or None)

    spend = {"alliance": ca.slug, "fund": "gx-grant", "date": f"{year}-03-01",
             "payee": "某数字经济研究院", "memo": "关键技术攻关"}  # fmt: skip
    before = _balances(ca)
    wrong_use = ca.clerk.execute(EXPENSE, {"i": {**spend, "use": "OFFICE", "amount": "10.00"}})
    assert codes(wrong_use) == ["FUND_PURPOSE"]
    too_much = {**spend, "use": "TECHNOLOGY_RESEARCH", "amount": "100000.01"}
    assert codes(ca.clerk.execute(EXPENSE, {"i": too_much})) == ["FUND_OVERDRAWN"]
    assert _balances(ca) == before  # refused, nothing written
    ca.clerk.data(EXPENSE, {"i": {**spend, "use": "TECHNOLOGY_RESEARCH", "amount": "40000.00"}})
    ca.clerk.data(
        EXPENSE,
        {
            "i": {
                "alliance": ca.slug,
                "use": "ACTIVITIES",
                "amount": "5000.00",
                "date": f"{year}-04-01",
                "payee": "南宁会展中心",
                "memo": "中国—东盟数字经济论坛",
            }
        },
    )
    assert _balances(ca)["gx-grant"] == "60000.00"

    reports = ca.clerk.data(REPORTS, {"a": ca.slug, "y": year})["books"]
    execution = {(r["code"], r["fund"]): r for r in reports["budgetExecution"]["lines"]}
    grant_line = execution[("510102", "gx-grant")]
    assert (grant_line["actual"]["amount"], grant_line["remaining"]["amount"]) == (
        "40000.00",
        "40000.00",
    )
    _same_figures(reports["trialBalance"]["lines"], _sheet_rows(reports["trialBalance"]), "code")
    _same_figures(reports["fundBalances"]["funds"], _sheet_rows(reports["fundBalances"]), "code")
    _same_figures(
        reports["incomeBySource"]["lines"], _sheet_rows(reports["incomeBySource"]), "code"
    )
    _same_figures(
        reports["budgetExecution"]["lines"], _sheet_rows(reports["budgetExecution"]), "code"
    )
