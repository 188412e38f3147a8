"""The schema check of ``make lint`` (gateway/schema-check.mjs): a breaking change of the
supergraph against the released one fails unless declared; additions pass.

Each case edits a copy of the committed supergraph (the fields it edits are found in it, not
assumed) and runs the real checker with node.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.gateway import GATEWAY_DIR, REPO_ROOT, hive_gateway_bin

SUPERGRAPH = GATEWAY_DIR / "supergraph.graphql"
CHECKER = GATEWAY_DIR / "schema-check.mjs"
# A field of the Query type that takes no arguments, and one that takes some.
FIELD = re.compile(r"^  (?P<name>\w+)(?P<args>\([^)]*\))?: (?P<type>[\w!\[\]]+) @join__field")


def query_fields(sdl: str) -> list[re.Match[str]]:
    start = sdl.index("\ntype Query ")
    end = sdl.index("\n}", start)
    lines = sdl[start:end].splitlines()
    return [m for m in map(FIELD.match, lines) if m]


def remove_field(sdl: str, line: str) -> str:
    """``sdl`` without the field on ``line`` and the description block above it, if any."""
    pattern = re.compile(r'\n(  """\n(?:(?!  """\n).*\n)*?  """\n)?' + re.escape(line) + r"\n")
    assert len(pattern.findall(sdl)) == 1, line
    return pattern.sub("\n", sdl)


def run_check(tmp_path: Path, current: str, declared: list[dict[str, str]] | None = None):
    current_file = tmp_path / "supergraph.graphql"
    current_file.write_text(current)
    declared_file = tmp_path / "breaking-changes.json"
    declared_file.write_text(json.dumps({"breaking": declared or []}))
    hive_gateway_bin()  # the checker needs gateway/node_modules
    return subprocess.run(
        ["node", str(CHECKER), "--baseline", str(SUPERGRAPH), "--current", str(current_file),
         "--declared", str(declared_file)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def edit(sdl: str, old_line: str, new_line: str) -> str:
    assert sdl.count(f"\n{old_line}\n") == 1, old_line
    return sdl.replace(f"\n{old_line}\n", f"\n{new_line}\n")


@pytest.fixture(scope="module")
def sdl() -> str:
    return SUPERGRAPH.read_text()


@pytest.fixture(scope="module")
def plain(sdl: str) -> re.Match[str]:
    """A Query field without arguments."""
    return next(m for m in query_fields(sdl) if not m["args"])


@pytest.fixture(scope="module")
def with_args(sdl: str) -> re.Match[str]:
    """A Query field with arguments."""
    return next(m for m in query_fields(sdl) if m["args"])


def breaking_cases(sdl: str, plain: re.Match[str], with_args: re.Match[str]):
    line, name = plain.group(0), plain["name"]
    rest = plain.string[plain.end() :]
    new_type = "Int" if plain["type"] != "Int" else "String"
    args_line, args_name = with_args.group(0), with_args["name"]
    return {
        "removed field": (
            remove_field(sdl, line + rest),
            {"type": "FIELD_REMOVED", "path": f"Query.{name}"},
        ),
        "changed type": (
            edit(sdl, line + rest, f"  {name}: {new_type} @join__field{rest}"),
            {"type": "FIELD_TYPE_CHANGED", "path": f"Query.{name}"},
        ),
        "new required argument": (
            edit(
                sdl,
                args_line + with_args.string[with_args.end() :],
                args_line.replace("(", "(mustSay: Int!, ", 1) + with_args.string[with_args.end() :],
            ),
            {"type": "FIELD_ARGUMENT_ADDED", "path": f"Query.{args_name}.mustSay"},
        ),
    }


CASES = ("removed field", "changed type", "new required argument")


@pytest.mark.parametrize("case", CASES)
def test_a_breaking_change_that_is_not_declared_fails_the_check(
    tmp_path: Path, sdl: str, plain: re.Match[str], with_args: re.Match[str], case: str
) -> None:
    current, change = breaking_cases(sdl, plain, with_args)[case]
    result = run_check(tmp_path, current)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 breaking change(s)" in result.stderr
    # The message hands over the declaration to paste.
    assert f'"type": "{change["type"]}"' in result.stderr
    assert f'"path": "{change["path"]}"' in result.stderr


@pytest.mark.parametrize("case", CASES)
def test_a_declared_breaking_change_passes_the_check(
    tmp_path: Path, sdl: str, plain: re.Match[str], with_args: re.Match[str], case: str
) -> None:
    current, change = breaking_cases(sdl, plain, with_args)[case]
    result = run_check(tmp_path, current, [{**change, "reason": "clients were told in 0.2"}])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "declared breaking change" in result.stdout and "clients were told" in result.stdout


def test_a_declaration_of_a_change_that_did_not_happen_fails_the_check(
    tmp_path: Path, sdl: str, plain: re.Match[str]
) -> None:
    declared = [{"type": "FIELD_REMOVED", "path": f"Query.{plain['name']}", "reason": "planned"}]
    result = run_check(tmp_path, sdl, declared)
    assert result.returncode == 1
    assert f"FIELD_REMOVED Query.{plain['name']}" in result.stderr


def test_additions_pass_the_check(
    tmp_path: Path, sdl: str, plain: re.Match[str], with_args: re.Match[str]
) -> None:
    rest = plain.string[plain.end() :]
    added_field = f"{plain.group(0)}{rest}\n  brandNewField: String @join__field{rest}"
    added_optional_arg = with_args.group(0).replace("(", "(maybe: Int, ", 1)
    current = edit(sdl, plain.group(0) + rest, added_field)
    current = edit(
        current,
        with_args.group(0) + with_args.string[with_args.end() :],
        added_optional_arg + with_args.string[with_args.end() :],
    )
    current += '\n"""An added type."""\ntype BrandNewType @join__type(graph: MEMBERSHIP) {\n'
    current += "  id: ID!\n}\n"
    result = run_check(tmp_path, current)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no undeclared breaking change" in result.stdout


def test_the_committed_supergraph_passes_against_the_release() -> None:
    result = subprocess.run(
        ["node", str(CHECKER)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
