"""China-ASEAN's books through the finance subgraph: bad input is refused with a typed error
and writes nothing; an earmarked government grant pays only for its purpose; an entry is
reversed at most once; retries return the first entry; a closed year takes nothing more; the
budget, the final accounts and the auditor are approved only by a passed motion (here the
``governance.motion.decided`` event is published by the test, standing in for governance);
reports download as spreadsheets with the API's figures."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from charter.ids import BodyId, MatterKind, Outcome
from contracts.governance import MotionDecided, VoteCounts
from contracts.membership import (
    MemberAdmitted,
    MembershipStatus,
)
from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from servicekit.tenancy import alliance_id
from services.finance.tests.support import found

SLUG = "ca-books"
AID = alliance_id(SLUG)
YEAR = date.today().year
CLERK = claims_for("ca-clerk", alliances={SLUG: ["secretariat"]})
STRANGER = claims_for("other", alliances={"aii": ["secretariat"]})
OPERATOR = claims_for("op", operator=True)

INCOME = """mutation($i: IncomeInput!) { recordIncome(input: $i) { id replayed
  lines { account fund side amount { amount currency } } } }"""
EXPENSE = "mutation($i: ExpenseInput!) { recordExpense(input: $i) { id } }"
POST = "mutation($i: PostEntryInput!) { postEntry(input: $i) { id replayed } }"
REVERSE = """mutation($e: ID!, $d: Date!) { reverseEntry(alliance: "ca-books", entryId: $e,
  date: $d, memo: "冲销 correction") { id reverses } }"""
FUNDS = """query { books(alliance: "ca-books") { funds { code restriction
  balance { amount currency } } } }"""
FUND = """mutation($i: CreateFundInput!) { createFund(input: $i) { code restriction purposes
  balance { amount } } }"""


def code(result: dict[str, Any]) -> str:
    return str(result["errors"][0]["extensions"]["code"])


async def _decide(
    nats_url: str, matter: str, kind: MatterKind, body: BodyId, passed: bool, rule: str
) -> None:
    """Stands in for governance: publishes the motion's decision as governance would."""
    decided = MotionDecided(
        motion_id=uuid.uuid4(),
        alliance_id=AID,
        matter=kind,
        matter_id=uuid.UUID(matter),
        title="t",
        body=body,
        outcome=Outcome.PASSED if passed else Outcome.FAILED,
        passed=passed,
        decided_on=date.today(),
        counts=VoteCounts(entitled=9, present=7, yes=6 if passed else 2, no=1, abstain=0),
        rule=rule,
        explanation_zh="",
        explanation_en="",
    )
    await publish(nats_url, event(MotionDecided.TYPE, decided.to_data(), alliance_id=AID))


@pytest.fixture(scope="module")
async def opened(finance: SubgraphClient, nats_url: str) -> SubgraphClient:
    await found(nats_url, SLUG, "china-asean", name_zh="中国—东盟", name_en="CA")
    chair = claims_for("ca-chair", alliances={SLUG: ["chair"]})

    async def ready() -> bool:
        result = await finance.execute(FUNDS, claims=CLERK)
        if result.get("errors"):
            return False
        # the charter has arrived: the chair's refusal cites its article
        refused = await finance.execute(INCOME, income("1"), claims=chair)
        return "China-ASEAN Art.27" in refused["errors"][0]["message"]

    await eventually(ready, within=10)
    return finance


def income(amount: str, **kw: Any) -> dict[str, Any]:
    return {
        "i": {
            "alliance": SLUG,
            "source": "MEMBERSHIP_FEES",
            "amount": amount,
            "date": f"{YEAR}-02-01",
            "payer": "某会员单位",
            "memo": "会费",
            **kw,
        }
    }


async def _balances(client: SubgraphClient) -> dict[str, str]:
    data = await client.data(FUNDS, claims=CLERK)
    return {f["code"]: f["balance"]["amount"] for f in data["books"]["funds"]}


async def test_an_amount_written_as_a_json_number_is_refused_and_nothing_is_written(
    opened: SubgraphClient,
) -> None:
    """Money is exact (SPEC, Finance): a ``Decimal`` travels as a string; a JSON number is a
    float on the way, so it is refused, as a variable and as a literal, and not rounded."""
    before = await _balances(opened)
    for amount in (3000.5, 3000, 0.1):
        result = await opened.execute(INCOME, income(amount), claims=CLERK)  # type: ignore[arg-type]
        assert code(result) == "BAD_USER_INPUT", amount
        assert "string" in result["errors"][0]["message"]
    literal = f"""mutation {{ recordIncome(input: {{ alliance: "ca-books", source: DONATIONS,
      amount: 3000.5, date: "{YEAR}-02-01", payer: "某捐赠人", memo: "捐赠" }}) {{ id }} }}"""
    result = await opened.execute(literal, claims=CLERK)
    assert code(result) == "BAD_USER_INPUT" and "string" in result["errors"][0]["message"]
    assert await _balances(opened) == before
    exact = await opened.data(INCOME, income("3000.50"), claims=CLERK)
    assert exact["recordIncome"]["id"]


async def test_bad_entries_are_refused_with_a_typed_error_and_nothing_is_written(
    opened: SubgraphClient,
) -> None:
    before = await _balances(opened)
    line = {"account": "1002", "fund": "general", "side": "DEBIT", "amount": "100.00"}
    unbalanced = {
        "i": {
            "alliance": SLUG,
            "date": f"{YEAR}-01-05",
            "memo": "x",
            "lines": [line, {**line, "account": "4101", "side": "CREDIT", "amount": "99.99"}],
        }
    }
    assert code(await opened.execute(POST, unbalanced, claims=CLERK)) == "UNBALANCED_ENTRY"
    one_line = {"i": {**unbalanced["i"], "lines": [line]}}
    assert code(await opened.execute(POST, one_line, claims=CLERK)) == "UNBALANCED_ENTRY"
    for amount in ("0", "-5", "1.005", "abc"):
        result = await opened.execute(INCOME, income(amount), claims=CLERK)
        assert code(result) in ("BAD_AMOUNT", "BAD_USER_INPUT"), amount
    assert (
        code(await opened.execute(INCOME, income("5", date=f"{YEAR + 3}-01-01"), claims=CLERK))
        == "YEAR_NOT_OPEN"
    )
    assert code(await opened.execute(INCOME, income("5"), claims=STRANGER)) == "FORBIDDEN"
    await opened.data(
        FUND,
        {
            "i": {
                "alliance": SLUG,
                "code": "thb-general",
                "nameZh": "泰铢",
                "nameEn": "THB",
                "source": "GENERAL",
                "currency": "THB",
            }
        },
        claims=CLERK,
    )
    two = await opened.execute(INCOME, income("5", fund="thb-general"), claims=CLERK)
    assert code(two) == "CURRENCY_MISMATCH"
    assert await _balances(opened) == {**before, "thb-general": "0.00"}


async def test_an_earmarked_government_grant_pays_only_for_its_purpose_and_never_below_zero(
    opened: SubgraphClient,
) -> None:
    no_rules = {
        "i": {
            "alliance": SLUG,
            "code": "gx-grant",
            "nameZh": "自治区科技厅专项",
            "nameEn": "Guangxi S&T grant",
            "source": "GOVERNMENT_GRANT",
            "purposes": ["TECHNOLOGY_RESEARCH"],
        }
    }
    assert code(await opened.execute(FUND, no_rules, claims=CLERK)) == "BAD_USER_INPUT"
    fund = await opened.data(
        FUND, {"i": {**no_rules["i"], "rules": "桂科计字〔2026〕1号"}}, claims=CLERK
    )
    assert fund["createFund"]["restriction"] == "earmarked"
    grant = income("1000.00", source="GOVERNMENT_GRANTS", fund="gx-grant", payer="广西科技厅")
    await opened.data(INCOME, grant, claims=CLERK)
    spend = {
        "alliance": SLUG,
        "fund": "gx-grant",
        "date": f"{YEAR}-03-01",
        "payee": "某研究院",
        "memo": "攻关",
    }
    office = await opened.execute(
        EXPENSE, {"i": {**spend, "use": "OFFICE", "amount": "10"}}, claims=CLERK
    )
    assert code(office) == "FUND_PURPOSE"
    too_much = await opened.execute(
        EXPENSE, {"i": {**spend, "use": "TECHNOLOGY_RESEARCH", "amount": "1000.01"}}, claims=CLERK
    )
    assert code(too_much) == "FUND_OVERDRAWN"
    await opened.data(
        EXPENSE, {"i": {**spend, "use": "TECHNOLOGY_RESEARCH", "amount": "400"}}, claims=CLERK
    )
    assert (await _balances(opened))["gx-grant"] == "600.00"


async def test_an_entry_is_reversed_once_and_a_retry_returns_the_first_entry(
    opened: SubgraphClient,
) -> None:
    first = await opened.data(INCOME, income("88.00", idempotencyKey="fee-2026-001"), claims=CLERK)
    again = await opened.data(INCOME, income("88.00", idempotencyKey="fee-2026-001"), claims=CLERK)
    assert again["recordIncome"]["id"] == first["recordIncome"]["id"]
    assert (first["recordIncome"]["replayed"], again["recordIncome"]["replayed"]) == (False, True)
    other = await opened.execute(
        INCOME, income("89.00", idempotencyKey="fee-2026-001"), claims=CLERK
    )
    assert code(other) == "IDEMPOTENCY_KEY_REUSED"
    entry = first["recordIncome"]["id"]
    reversal = await opened.data(REVERSE, {"e": entry, "d": f"{YEAR}-02-02"}, claims=CLERK)
    assert reversal["reverseEntry"]["reverses"] == entry
    second = await opened.execute(REVERSE, {"e": entry, "d": f"{YEAR}-02-03"}, claims=CLERK)
    assert code(second) == "ALREADY_REVERSED"


BUDGET = (
    """mutation { createBudget(alliance: "ca-books", fiscalYear: @Y) { id status } }""".replace(
        "@Y", str(YEAR)
    )
)
LINE = """mutation($b: ID!, $a: String!, $m: Decimal!, $f: String) {
  setBudgetLine(budgetId: $b, account: $a, amount: $m, fund: $f) { id } }"""
SUBMIT = "mutation($b: ID!) { submitBudget(budgetId: $b) { status matters { id status } } }"
STATUS = "query($b: ID!) { budget(id: $b) { status matters { status rule } } }"
EXECUTION = """query($y: Int!) { books(alliance: "ca-books") { budgetExecution(fiscalYear: $y) {
  lines { code fund budgeted { amount } actual { amount } remaining { amount } }
  spreadsheet { filename mediaType contentBase64 } } } }"""


async def _status(client: SubgraphClient, budget: str) -> str:
    data = await client.data(STATUS, {"b": budget}, claims=CLERK)
    return str(data["budget"]["status"])


async def test_the_council_approves_the_budget_only_by_a_passed_vote(
    opened: SubgraphClient, nats_url: str
) -> None:
    budget = (await opened.data(BUDGET, claims=CLERK))["createBudget"]["id"]
    empty = await opened.execute(SUBMIT, {"b": budget}, claims=CLERK)
    assert code(empty) == "BUDGET_EMPTY"
    await opened.data(
        LINE, {"b": budget, "a": "510102", "m": "800.00", "f": "gx-grant"}, claims=CLERK
    )
    await opened.data(LINE, {"b": budget, "a": "4101", "m": "5000.00"}, claims=CLERK)
    submitted = await opened.data(SUBMIT, {"b": budget}, claims=CLERK)
    matter = submitted["submitBudget"]["matters"][0]["id"]
    assert submitted["submitBudget"]["status"] == "SUBMITTED"

    await _decide(
        nats_url, matter, MatterKind.BUDGET_APPROVAL, BodyId.COUNCIL, False, "China-ASEAN Art.27"
    )

    async def rejected() -> bool:
        return await _status(opened, budget) == "REJECTED"

    assert await eventually(rejected, within=10)
    resubmitted = await opened.data(SUBMIT, {"b": budget}, claims=CLERK)
    second = resubmitted["submitBudget"]["matters"][-1]["id"]
    await _decide(nats_url, matter, MatterKind.BUDGET_APPROVAL, BodyId.COUNCIL, True, "stale")
    await _decide(
        nats_url, second, MatterKind.BUDGET_APPROVAL, BodyId.COUNCIL, True, "China-ASEAN Art.27"
    )

    async def approved() -> bool:
        return await _status(opened, budget) == "APPROVED"

    assert await eventually(approved, within=10)
    final = await opened.data(STATUS, {"b": budget}, claims=CLERK)
    assert [m["status"] for m in final["budget"]["matters"]] == ["failed", "passed"]

    report = (await opened.data(EXECUTION, {"y": YEAR}, claims=CLERK))["books"]["budgetExecution"]
    by_line = {(r["code"], r["fund"]): r for r in report["lines"]}
    assert by_line[("510102", "gx-grant")]["actual"]["amount"] == "400.00"
    assert by_line[("510102", "gx-grant")]["remaining"]["amount"] == "400.00"
    sheet = openpyxl.load_workbook(
        io.BytesIO(base64.b64decode(report["spreadsheet"]["contentBase64"]))
    )
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[1][:3] == ("推进组", "预算状态", "科目代码")
    assert rows[2][:3] == ("Working group", "Status", "Account code")
    sheet_lines = {(r[2], r[4] or None): r for r in rows[3:]}
    for key, line in by_line.items():
        assert Decimal(str(sheet_lines[key][7])) == Decimal(line["actual"]["amount"])
        assert Decimal(str(sheet_lines[key][6])) == Decimal(line["budgeted"]["amount"])


async def test_an_admitted_member_is_invoiced_once_by_its_tiers_fee_and_pays_it(
    opened: SubgraphClient, nats_url: str
) -> None:
    await opened.data(
        (
            'mutation { setMembershipFee(alliance: "ca-books", fiscalYear: @Y, tier: "director", '
            'amount: "20000", decidedBy: "理事会2026年第1次会议决议") { tier } }'
        ).replace("@Y", str(YEAR)),
        claims=CLERK,
    )
    admitted = MemberAdmitted(
        membership_id=uuid.uuid4(),
        alliance_id=AID,
        alliance_slug=SLUG,
        alliance_name_zh="x",
        alliance_name_en="x",
        organization_id=uuid.uuid4(),
        organization_name_zh="某公司",
        tier="director",
        status=MembershipStatus.ACTIVE,
    )
    await publish(nats_url, event(MemberAdmitted.TYPE, admitted.to_data(), alliance_id=AID))
    await publish(nats_url, event(MemberAdmitted.TYPE, admitted.to_data(), alliance_id=AID))
    query = (
        'query { books(alliance: "ca-books") { invoices(fiscalYear: @Y) { id status membershipId '
        "amount { amount currency } outstanding { amount } } } }"
    ).replace("@Y", str(YEAR))

    async def invoiced() -> list[dict[str, Any]]:
        data = await opened.data(query, claims=CLERK)
        return [
            i for i in data["books"]["invoices"] if i["membershipId"] == str(admitted.membership_id)
        ]

    (invoice,) = await eventually(invoiced, within=10)
    assert invoice["amount"] == {"amount": "20000.00", "currency": "CNY"}
    pay = (
        'mutation($i: ID!, $m: Decimal!) { recordPayment(alliance: "ca-books", invoiceId: $i, '
        'amount: $m, paidOn: "@Y-04-01", idempotencyKey: "pay-1") { status outstanding '
        "{ amount } } }"
    ).replace("@Y", str(YEAR))
    over = await opened.execute(pay, {"i": invoice["id"], "m": "20000.01"}, claims=CLERK)
    assert code(over) == "OVERPAYMENT"
    paid = await opened.data(pay, {"i": invoice["id"], "m": "20000"}, claims=CLERK)
    assert paid["recordPayment"] == {"status": "paid", "outstanding": {"amount": "0.00"}}
    again = await opened.data(pay, {"i": invoice["id"], "m": "20000"}, claims=CLERK)
    assert again["recordPayment"]["status"] == "paid"
    assert len(await invoiced()) == 1


CLOSE = """mutation { closeFiscalYear(alliance: "ca-books", fiscalYear: @Y) { status } }"""
FINAL = """mutation { submitFinalAccounts(alliance: "ca-books", fiscalYear: @Y) {
  id status matterId } }"""
AUDITOR = """mutation { proposeAuditor(alliance: "ca-books", fiscalYear: @Y,
  firmName: "广西某会计师事务所") { id status } }"""
AUDIT = """mutation { recordAuditReport(alliance: "ca-books", fiscalYear: @Y, opinion: UNQUALIFIED,
  reference: "桂审字〔2027〕18号", summary: "无保留意见") { opinion } }"""
STATE = """query { books(alliance: "ca-books") { fiscalYears { year status }
  finalAccounts(fiscalYear: @Y) { status matterId } auditors(fiscalYear: @Y) { id status }
  trialBalance(fiscalYear: @Y) { totals { currency difference { amount } }
    spreadsheet { contentBase64 } } } }"""
CLOSE, FINAL, AUDITOR, AUDIT, STATE = (
    q.replace("@Y", str(YEAR)) for q in (CLOSE, FINAL, AUDITOR, AUDIT, STATE)
)


async def test_a_closed_year_gets_final_accounts_and_an_audit_by_the_council(
    opened: SubgraphClient, nats_url: str
) -> None:
    assert code(await opened.execute(FINAL, claims=CLERK)) == "YEAR_NOT_CLOSED"
    await opened.data(CLOSE, claims=CLERK)
    closed = await opened.execute(INCOME, income("1"), claims=CLERK)
    assert code(closed) == "YEAR_CLOSED"
    submitted = (await opened.data(FINAL, claims=CLERK))["submitFinalAccounts"]
    await _decide(
        nats_url,
        submitted["matterId"],
        MatterKind.FINAL_ACCOUNTS_APPROVAL,
        BodyId.COUNCIL,
        True,
        "China-ASEAN Art.27",
    )
    assert code(await opened.execute(AUDIT, claims=CLERK)) == "AUDITOR_NOT_CONFIRMED"
    auditor = (await opened.data(AUDITOR, claims=CLERK))["proposeAuditor"]
    state_q = STATE
    auditor_matter = await _matter_of_auditor(opened, auditor["id"])
    await _decide(
        nats_url,
        auditor_matter,
        MatterKind.AUDITOR_CONFIRMATION,
        BodyId.COUNCIL,
        True,
        "China-ASEAN Art.27",
    )

    async def decided() -> dict[str, Any] | None:
        books = (await opened.data(state_q, claims=CLERK))["books"]
        ok = (
            books["finalAccounts"][0]["status"] == "approved"
            and books["auditors"][0]["status"] == "confirmed"
        )
        return books if ok else None

    await eventually(decided, within=10)
    await opened.data(AUDIT, claims=CLERK)
    books = (await opened.data(state_q, claims=CLERK))["books"]
    assert {y["year"]: y["status"] for y in books["fiscalYears"]}[YEAR] == "AUDITED"
    assert all(t["difference"]["amount"] in ("0.00", "0") for t in books["trialBalance"]["totals"])
    again = await opened.execute(AUDIT, claims=CLERK)
    assert code(again) == "YEAR_AUDITED"


async def _matter_of_auditor(client: SubgraphClient, auditor_id: str) -> str:
    query = """query { books(alliance: "ca-books") {
      auditors(fiscalYear: @Y) { id matterId } } }""".replace("@Y", str(YEAR))
    data = await client.data(query, claims=CLERK)
    (found,) = [a for a in data["books"]["auditors"] if a["id"] == auditor_id]
    return str(found["matterId"])


async def test_the_operator_sees_every_alliances_figures_and_staff_only_their_own(
    opened: SubgraphClient,
) -> None:
    query = "{ financeOverview { alliance fundBalances { funds { code balance { amount } } } } }"
    overview = await opened.data(query, claims=OPERATOR)
    mine = [b for b in overview["financeOverview"] if b["alliance"] == SLUG]
    own = (await opened.data(FUNDS, claims=CLERK))["books"]["funds"]
    assert {f["code"]: f["balance"]["amount"] for f in mine[0]["fundBalances"]["funds"]} == {
        f["code"]: f["balance"]["amount"] for f in own
    }
    assert code(await opened.execute(query, claims=CLERK)) == "FORBIDDEN"
    assert code(await opened.execute(FUNDS, claims=STRANGER)) == "FORBIDDEN"
