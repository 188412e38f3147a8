"""The committed subgraph SDLs and the composed supergraph match the code."""

import subprocess
from pathlib import Path

import pytest

from servicekit import sdl

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("service", sdl.SERVICES)
def test_committed_sdl_is_current(service: str) -> None:
    assert sdl.stale(service) == [], f"services/{service}/schema.graphql is stale: make schema"


def test_the_gateway_checks_the_claim_model_the_subgraphs_parse() -> None:
    assert not sdl.claims_schema_stale(), "gateway/claims.schema.json is stale: make schema"


def test_committed_supergraph_is_current() -> None:
    result = subprocess.run(
        ["node", "gateway/compose.mjs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
