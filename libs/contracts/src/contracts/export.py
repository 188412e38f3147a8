"""Export the JSON Schema of every event type (``libs/contracts/schemas/<type>.json``) and the
event catalogue ``docs/events.md``, both generated from the models.

``concord-contracts export`` writes them; ``concord-contracts check`` fails when a committed
file differs from the models (the test suite runs the check).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from contracts.base import Event, all_contracts

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
CATALOGUE = Path(__file__).resolve().parents[4] / "docs" / "events.md"
PRODUCERS = ("membership", "governance", "finance", "notifications")
PIPE = "\\|"  # a literal | inside a Markdown table cell


def schema_of(model: type[Event]) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": model.dataschema(),
        "x-cloudevents-type": model.TYPE,
        "x-cloudevents-subject": model.SUBJECT,
        **schema,
    }


def rendered() -> dict[str, str]:
    """File name → text, for every declared event type."""
    return {
        f"{event_type}.json": json.dumps(schema_of(model), indent=2, ensure_ascii=False) + "\n"
        for event_type, model in all_contracts().items()
    }


PREAMBLE = """\
# Events

<!-- Generated from libs/contracts by `uv run concord-contracts export`; do not edit by hand
(a test fails when it is stale). -->

Every event is a CloudEvents 1.0 envelope on the JetStream stream `CONCORD`, subject
`concord.<type>`, published through the producing service's outbox (see
[conventions.md](conventions.md#events)). Its `dataschema` is the `$id` of the type's JSON Schema,
committed under `libs/contracts/schemas/<type>.json`. `data` fields are camelCase; ids are UUID
strings; tiers, bodies, matters and statuses use the glossary ids (`director`,
`standing_council`, …). Consumers ignore fields they do not know, so a producer may add optional
fields; a breaking change is a new type. Data outside a type's contract is terminated by the
consumer as poison (retrying cannot make it fit). Who consumes what: [services.md](services.md).
"""


def _type_of(prop: dict[str, Any]) -> str:
    """A short human form of a JSON Schema property's type."""
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in prop:
        kinds = [_type_of(p) for p in prop["anyOf"] if p.get("type") != "null"]
        return " \\| ".join(kinds) or "null"
    if prop.get("type") == "array":
        return f"list of {_type_of(prop.get('items', {}))}"
    if "format" in prop:
        return str(prop["format"])
    return str(prop.get("type", "any"))


def _fields(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| field | type | required | meaning |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        meaning = " ".join(str(prop.get("description", "")).split()).replace("|", PIPE)
        rows.append(
            f"| `{name}` | {_type_of(prop)} | {'yes' if name in required else ''} | {meaning} |"
        )
    return rows


def _enums_and_parts(schemas: list[dict[str, Any]]) -> list[str]:
    defs: dict[str, dict[str, Any]] = {}
    for schema in schemas:
        defs.update(schema.get("$defs", {}))
    lines: list[str] = []
    for name in sorted(defs):
        definition = defs[name]
        lines += ["", f"### {name}", ""]
        if definition.get("description"):
            lines += [" ".join(str(definition["description"]).split()), ""]
        if "enum" in definition:
            lines.append(", ".join(f"`{v}`" for v in definition["enum"]))
        else:
            lines += _fields(definition)
    return lines


def catalogue() -> str:
    """``docs/events.md``: every event type by producing service, with its fields."""
    by_producer: dict[str, list[type[Event]]] = {}
    for event_type, model in all_contracts().items():
        by_producer.setdefault(event_type.split(".")[0], []).append(model)
    lines = [PREAMBLE.rstrip("\n")]
    for producer in PRODUCERS:
        models = by_producer.get(producer, [])
        lines += ["", f"## Published by {producer}", ""]
        if not models:
            lines.append("None yet.")
            continue
        lines += ["| type | subject | when |", "|---|---|---|"]
        for model in models:
            when = " ".join((model.__doc__ or "").split("\n\n")[0].split()).replace("|", PIPE)
            anchor = model.TYPE.replace(".", "")
            lines.append(f"| [`{model.TYPE}`](#{anchor}) | {model.SUBJECT} | {when} |")
        for model in models:
            schema = schema_of(model)
            lines += ["", f"### `{model.TYPE}`", ""]
            doc = " ".join((model.__doc__ or "").split())
            if doc:
                lines += [doc, ""]
            lines += [f"Subject: {model.SUBJECT}. Schema: `{model.dataschema()}`.", ""]
            lines += _fields(schema)
    lines += ["", "## Shared shapes and enumerations"]
    lines += _enums_and_parts([schema_of(m) for m in all_contracts().values()])
    return "\n".join(lines) + "\n"


def stale(directory: Path = SCHEMA_DIR, catalogue_path: Path = CATALOGUE) -> list[str]:
    """The schema files (and the catalogue) that are missing, different or left over."""
    wanted = rendered()
    present = {p.name for p in directory.glob("*.json")} if directory.exists() else set()
    problems = [name for name, text in wanted.items() if name not in present]
    problems += [
        name
        for name in sorted(present & wanted.keys())
        if (directory / name).read_text(encoding="utf-8") != wanted[name]
    ]
    problems += sorted(present - wanted.keys())
    if directory == SCHEMA_DIR and (
        not catalogue_path.exists() or catalogue_path.read_text(encoding="utf-8") != catalogue()
    ):
        problems.append(str(catalogue_path.name))
    return problems


def export(directory: Path = SCHEMA_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    wanted = rendered()
    for path in directory.glob("*.json"):
        if path.name not in wanted:
            path.unlink()
    for name, text in wanted.items():
        (directory / name).write_text(text, encoding="utf-8")
    if directory == SCHEMA_DIR:
        CATALOGUE.write_text(catalogue(), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="concord-contracts")
    parser.add_argument("command", choices=["export", "check"])
    args = parser.parse_args(argv)
    if args.command == "export":
        export()
        return 0
    problems = stale()
    for name in problems:
        print(f"stale: {name} (run: uv run concord-contracts export)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
