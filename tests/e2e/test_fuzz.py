"""Every query and mutation of the supergraph, fuzzed with generated arguments
(hypothesis-graphql) through the real gateway to the real services: zero server errors.

The schema is the gateway's own (introspection, on in the development platform), so a field a
service adds is fuzzed without a line here. Each root field gets a bounded number of examples
(``FUZZ_EXAMPLES``, default 8), so the whole run stays within a minute on two cores. Generated
strings include NUL and any other code point; the bar is that every answer is HTTP 200 (or a
typed 4xx) and no error is ``INTERNAL_SERVER_ERROR``. Queries run as the platform operator
(who reaches most resolvers); mutations run as an alliance's secretariat and as a person with
no role, so the fuzz does not create alliances beside the other tests' data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, build_client_schema, get_introspection_query
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from devkit.local.platform import Platform
from tests.e2e.client import Caller, operator, staff

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
    "JSON": st.text(max_size=20).map(nodes.String),
    # finance's exact amounts: a string on the wire. Plain amounts, and the adversarial ones a
    # decimal parser meets: huge, tiny, negative, zero, too many places, exponent forms past
    # the decimal context's limits, NaN / Infinity spellings, and anything else at all.
    "Decimal": st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(
            [
                "0",
                "-0",
                "-1.00",
                "0.001",
                "1.005",
                "1e2",
                "1E+999999",
                "9E+999999999",
                "1e-999999999",
                "-9E+999999999",
                "99999999999999999999999999999999999999.99",
                "NaN",
                "-NaN",
                "sNaN",
                "Infinity",
                "-Infinity",
                "inf",
                " 1.00 ",
                "1,000.00",
                "0x10",
                "",
                "1.2.3",
            ]
        ),
        st.text(max_size=12),
    ).map(nodes.String),
}


@pytest.fixture(scope="module")
def schema(platform: Platform) -> GraphQLSchema:
    result = operator(platform).data(get_introspection_query())
    return build_client_schema(result)  # type: ignore[arg-type]


def root_fields(kind: str) -> Iterator[str]:
    """Read from the committed supergraph at collection time (the live schema is the same:
    tests/test_schemas_current.py)."""
    from graphql import build_schema

    from tests.support.gateway import GATEWAY_DIR

    sdl = (GATEWAY_DIR / "supergraph.graphql").read_text()
    api = build_schema(sdl, assume_valid=True, assume_valid_sdl=True)
    root = api.query_type if kind == "query" else api.mutation_type
    for name, field in (root.fields if root else {}).items():
        if not name.startswith("_") and "inaccessible" not in str(field.ast_node or ""):
            yield name


def post(client: httpx.Client, caller: Caller, query: str) -> None:
    response = client.post(
        caller.url,
        json={"query": query},
        headers={"authorization": f"Bearer {caller.token}"},
    )
    assert response.status_code < 500, (query, response.status_code, response.text[:500])
    body: dict[str, Any] = response.json()
    codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
    assert None not in codes, (query, body)
    assert "INTERNAL_SERVER_ERROR" not in codes, (query, body)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("field", list(root_fields("query")))
def test_no_query_answers_a_server_error_whatever_its_arguments(
    platform: Platform, schema: GraphQLSchema, field: str
) -> None:
    caller = operator(platform)
    with httpx.Client(timeout=30) as client:

        @FUZZ
        @given(queries(schema, fields=[field], custom_scalars=SCALARS))
        def run(query: str) -> None:
            post(client, caller, query)

        run()


@pytest.mark.parametrize("field", list(root_fields("mutation")))
def test_no_mutation_answers_a_server_error_whatever_its_arguments(
    platform: Platform, schema: GraphQLSchema, field: str
) -> None:
    callers = [staff(platform, "aii"), Caller(platform, "fuzz-nobody")]
    with httpx.Client(timeout=30) as client:

        @FUZZ
        @given(
            mutations(schema, fields=[field], custom_scalars=SCALARS),
            st.sampled_from(callers),
        )
        def run(query: str, caller: Caller) -> None:
            post(client, caller, query)

        run()
