"""The chart of accounts every alliance's books start with.

Codes and names follow the accounting system for non-profit organisations (民间非营利组织会计
制度): assets 1xxx, liabilities 2xxx, net assets 3xxx, income 4xxx, expenses 5xxx. Income is
broken down by source as China-ASEAN Art.24 lists them, expenses by use as Art.25 lists them.
The AII charter has no finance chapter and AITISA's seed text only covers working groups: for
them the same chart is a default (``source`` says so).
"""

from __future__ import annotations

from dataclasses import dataclass

from finance.kinds import AccountKind, ExpenseUse, IncomeSource


@dataclass(frozen=True)
class AccountSpec:
    code: str
    kind: AccountKind
    name_zh: str
    name_en: str
    income_source: IncomeSource | None = None
    expense_use: ExpenseUse | None = None
    article: str = "民间非营利组织会计制度"


A, L, N, INC, E = (
    AccountKind.ASSET,
    AccountKind.LIABILITY,
    AccountKind.NET_ASSETS,
    AccountKind.INCOME,
    AccountKind.EXPENSE,
)
S, U = IncomeSource, ExpenseUse
ART24, ART25 = "China-ASEAN Art.24", "China-ASEAN Art.25"

CHART: tuple[AccountSpec, ...] = (
    AccountSpec("1001", A, "库存现金", "Cash on hand"),
    AccountSpec("1002", A, "银行存款", "Bank deposits"),
    AccountSpec("1121", A, "应收会费", "Membership fees receivable"),
    AccountSpec("1141", A, "其他应收款", "Other receivables"),
    AccountSpec("2201", L, "应付账款", "Accounts payable"),
    AccountSpec("2203", L, "预收账款", "Fees received in advance"),
    AccountSpec("3101", N, "非限定性净资产", "Unrestricted net assets"),
    AccountSpec("3102", N, "限定性净资产", "Restricted net assets"),
    AccountSpec("3201", N, "基金间划转", "Transfers between funds"),
    AccountSpec("4101", INC, "会费收入", "Membership fees", S.MEMBERSHIP_FEES, article=ART24),
    AccountSpec(
        "4201", INC, "政府补助收入", "Government grants", S.GOVERNMENT_GRANTS, article=ART24
    ),
    AccountSpec("4301", INC, "捐赠收入", "Donations", S.DONATIONS, article=ART24),
    AccountSpec("440101", INC, "咨询服务收入", "Consulting", S.CONSULTING, article=ART24),
    AccountSpec("440102", INC, "培训收入", "Training", S.TRAINING, article=ART24),
    AccountSpec("440103", INC, "活动组织收入", "Events", S.EVENTS, article=ART24),
    AccountSpec("440104", INC, "联合招投标收入", "Joint bidding", S.JOINT_BIDDING, article=ART24),
    AccountSpec(
        "440105",
        INC,
        "国际合作收入",
        "International cooperation",
        S.INTERNATIONAL_COOPERATION,
        article=ART24,
    ),
    AccountSpec("440199", INC, "其他服务收入", "Other services", S.OTHER_SERVICES, article=ART24),
    AccountSpec(
        "510101", E, "联盟活动支出", "Alliance activities", expense_use=U.ACTIVITIES, article=ART25
    ),
    AccountSpec(
        "510102",
        E,
        "技术攻关支出",
        "Technology research",
        expense_use=U.TECHNOLOGY_RESEARCH,
        article=ART25,
    ),
    AccountSpec(
        "510103", E, "项目研发支出", "Project R&D", expense_use=U.PROJECT_RND, article=ART25
    ),
    AccountSpec(
        "510104",
        E,
        "创新服务支出",
        "Innovation services",
        expense_use=U.INNOVATION_SERVICES,
        article=ART25,
    ),
    AccountSpec("520101", E, "办公费用", "Office", expense_use=U.OFFICE, article=ART25),
    AccountSpec(
        "520102", E, "专项工作支出", "Special work", expense_use=U.SPECIAL_WORK, article=ART25
    ),
    AccountSpec(
        "520103",
        E,
        "日常管理费用",
        "Day-to-day administration",
        expense_use=U.ADMINISTRATION,
        article=ART25,
    ),
)

BANK = "1002"
FEES_RECEIVABLE = "1121"
TRANSFERS = "3201"
INCOME_ACCOUNT: dict[IncomeSource, str] = {
    a.income_source: a.code for a in CHART if a.income_source is not None
}
EXPENSE_ACCOUNT: dict[ExpenseUse, str] = {
    a.expense_use: a.code for a in CHART if a.expense_use is not None
}
GENERAL_FUND = "general"
"""The code of every alliance's unrestricted fund in CNY (more can be opened)."""
