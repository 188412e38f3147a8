"""The published JSON Schema of a charter document (committed as ``charter.schema.json``).

Other tools (editors, the services' admin UI) validate charter files against it without
Python; a test keeps the committed file equal to what the model generates.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from charter.model import Charter

SCHEMA_ID = "https://concord.example/schemas/charter.schema.json"


def charter_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a charter document, as the model defines it."""
    schema = Charter.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def schema_text() -> str:
    return json.dumps(charter_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def published_schema_path() -> Path:
    """Where the committed schema lives inside the package source."""
    return Path(str(resources.files("charter").joinpath("charter.schema.json")))


def write_published_schema() -> Path:
    """Regenerate the committed schema file (run after changing the model)."""
    path = published_schema_path()
    path.write_text(schema_text(), encoding="utf-8")
    return path
