"""The committed renders of a small and a large install (deploy/helm/examples/) are what the
chart renders today from its ci values (issue 15)."""

from __future__ import annotations

import difflib

import pytest
import yaml

from scripts.chart_examples import EXAMPLES, REGENERATE, SOURCES, render
from servicekit.services import SERVICES


@pytest.mark.parametrize("example", list(SOURCES))
def test_the_committed_example_is_what_the_chart_renders_today(example: str) -> None:
    committed = EXAMPLES / example
    assert committed.exists(), f"deploy/helm/examples/{example} is missing: run `{REGENERATE}`"
    current = render(SOURCES[example])
    if committed.read_text() != current:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.read_text().splitlines(keepends=True),
                    current.splitlines(keepends=True),
                    f"committed {example}",
                    f"rendered {example}",
                )
            )[:60]
        )
        pytest.fail(f"deploy/helm/examples/{example} is stale: run `{REGENERATE}`\n{diff}")


def test_the_small_install_runs_its_workers_in_process_and_the_large_one_apart() -> None:
    def deployments(example: str) -> set[str]:
        docs = yaml.safe_load_all((EXAMPLES / example).read_text())
        return {d["metadata"]["name"] for d in docs if d and d["kind"] == "Deployment"}

    assert deployments("small.yaml") == {f"concord-{s}" for s in (*SERVICES, "gateway")}
    assert deployments("large.yaml") == {
        f"concord-{s}" for s in (*SERVICES, "gateway", *(f"{s}-worker" for s in SERVICES))
    }
