"""Finance's subgraph: the books of each alliance, budgets (and ``Alliance.budgets``), final
accounts and the audit, fees and invoices, and the reports with their spreadsheets."""

from __future__ import annotations

from strawberry.tools import merge_types

from finance.graphql.audits import AuditMutation
from finance.graphql.books import BooksMutation
from finance.graphql.budgets import Alliance, Budget, BudgetMutation, BudgetQuery
from finance.graphql.figures import FiguresQuery
from finance.graphql.income import IncomeMutation
from finance.graphql.root import BooksQuery
from servicekit.graphql import make_schema

Query = merge_types("Query", (BudgetQuery, BooksQuery, FiguresQuery))
Mutation = merge_types("Mutation", (BudgetMutation, BooksMutation, AuditMutation, IncomeMutation))

schema = make_schema(query=Query, mutation=Mutation, types=[Alliance, Budget])
