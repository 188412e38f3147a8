"""GraphQL machinery shared by the subgraphs: context, errors, pagination, schema factory."""

from servicekit.graphql.context import Context, Info
from servicekit.graphql.errors import DomainError, Forbidden, NotFound
from servicekit.graphql.pagination import Connection, Edge, PageInfo
from servicekit.graphql.schema import make_schema

__all__ = [
    "Connection",
    "Context",
    "DomainError",
    "Edge",
    "Forbidden",
    "Info",
    "NotFound",
    "PageInfo",
    "make_schema",
]
