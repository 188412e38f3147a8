"""Every event a service consumes or publishes has a contract in ``libs/contracts``."""

from __future__ import annotations

import ast
from importlib import import_module
from pathlib import Path

import pytest

from contracts import all_contracts
from servicekit import sdl

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("service", sdl.SERVICES)
def test_every_event_a_service_consumes_has_a_contract(service: str) -> None:
    consumers = import_module(f"{service}.consumers").CONSUMERS
    declared = all_contracts()
    for spec in consumers:
        for model in spec.handlers:
            assert declared.get(model.TYPE) is model, (spec.name, model)


@pytest.mark.parametrize("service", sdl.SERVICES)
def test_a_service_publishes_only_from_contract_models(service: str) -> None:
    """No service records raw event data: the kit's ``record`` (type + dict) is not called from
    service code, only ``record_event`` (a contract model)."""
    for path in (ROOT / "services" / service / "src").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in (
                "servicekit.events",
                "servicekit.events.outbox",
            ):
                names = {a.name for a in node.names}
                assert "record" not in names, f"{path}: publish through record_event"
