"""Membership's subgraph schema."""

from membership.graphql.membership import Membership
from membership.graphql.mutation import Mutation
from membership.graphql.organization import Organization
from membership.graphql.query import Query
from servicekit.graphql import make_schema

schema = make_schema(query=Query, mutation=Mutation, types=[Organization, Membership])
