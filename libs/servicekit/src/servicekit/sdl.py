"""``python -m servicekit.sdl export|check``: each service's subgraph SDL, committed as
``services/<name>/schema.graphql`` so composition and review work from files (the gateway's
composition cannot fetch SDL from subgraphs that demand its signature)."""

from __future__ import annotations

import argparse
import difflib
import sys
from importlib import import_module
from pathlib import Path

from servicekit.services import SERVICES

__all__ = ["SERVICES", "main", "sdl_of", "stale"]
ROOT = Path(__file__).resolve().parents[4]


def sdl_of(service: str) -> str:
    schema = import_module(f"{service}.graphql.schema").schema
    return str(schema.as_str()).rstrip("\n") + "\n"


def path_of(service: str) -> Path:
    return ROOT / "services" / service / "schema.graphql"


def stale(service: str) -> list[str]:
    """The diff between the committed SDL and the code's (empty when current)."""
    current = path_of(service).read_text() if path_of(service).exists() else ""
    return list(
        difflib.unified_diff(
            current.splitlines(),
            sdl_of(service).splitlines(),
            f"{path_of(service)} (committed)",
            "(from the code)",
            lineterm="",
        )
    )


def claims_schema_stale() -> bool:
    """Whether gateway/claims.schema.json differs from :mod:`servicekit.auth.claims`."""
    from servicekit.auth import claims

    path = ROOT / "gateway" / "claims.schema.json"
    return not path.exists() or path.read_text() != claims.json_schema()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=("export", "check"))
    args = parser.parse_args(argv)
    failed = False
    for service in SERVICES:
        if args.command == "export":
            path_of(service).write_text(sdl_of(service))
            print(f"wrote {path_of(service).relative_to(ROOT)}")
        elif diff := stale(service):
            failed = True
            print("\n".join(diff), file=sys.stderr)
    from servicekit.auth import claims

    claims_path = ROOT / "gateway" / "claims.schema.json"
    if args.command == "export":
        claims_path.write_text(claims.json_schema())
        print(f"wrote {claims_path.relative_to(ROOT)}")
    elif claims_schema_stale():
        failed = True
        print(f"{claims_path} is stale", file=sys.stderr)
    if failed:
        print("subgraph SDL or claim schema is stale: run `make schema`", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
