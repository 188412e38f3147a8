"""The ``charter`` command: called in-process through main(), and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from charter import load_template
from charter.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_templates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "templates")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == ["aii", "aitisa", "china-asean"]


def test_show_prints_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "china-asean")
    assert code == 0
    assert yaml.safe_load(out)["slug"] == "china-asean"
    code, out, _ = run(capsys, "show", "aii", "--json")
    assert json.loads(out)["citation"] == "AII"
    code, _, err = run(capsys, "show", "nope")
    assert code == 2 and "no template" in err


def test_evaluate_prints_the_decision_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "evaluate", "--template", "aii", "--body", "council", "--matter", "admission",
        "--seats", "9", "--present", "6", "--yes", "4", "--no", "2",
    )  # fmt: skip
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"quorate", "passed", "rule", "explanation"}
    assert result["quorate"] is True and result["passed"] is True
    assert result["rule"]["source"] == "AII Art.23"
    assert result["rule"]["pass"]["fraction"] == "2/3"
    assert "6 of 9 present ≥ 2/3 of 9" in result["explanation"]["en"]
    assert set(result["explanation"]) == {"zh", "en"}


def test_evaluate_not_quorate_is_not_passed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "evaluate", "--template", "aitisa", "--body", "working_group",
        "--matter", "ordinary_resolution", "--seats", "10", "--present", "3",
        "--proxies", "1", "--yes", "4", "--no", "0",
    )  # fmt: skip
    result = json.loads(out)
    assert code == 0 and result["quorate"] is False and result["passed"] is False


def test_evaluate_refuses_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["evaluate", "--template", "aii", "--body", "council", "--matter", "admission"]
    code, _, err = run(capsys, *base, "--seats", "9", "--present", "5", "--yes", "4", "--no", "2")
    assert code == 2 and "exceeds present + proxies" in err
    code, _, err = run(capsys, *base, "--seats", "9", "--present", "-1", "--yes", "0", "--no", "0")
    assert code == 2 and "cannot be negative" in err
    code, _, err = run(
        capsys, "evaluate", "--template", "aii", "--body", "chairs_office", "--matter",
        "admission", "--seats", "3", "--present", "3", "--yes", "3", "--no", "0",
    )  # fmt: skip
    assert code == 2 and "no body 'chairs_office'" in err


def test_deadline(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "deadline", "--template", "aii", "--from", "2025-01-24", "--working-days", "10"
    )
    assert (code, out.strip()) == (0, "2025-02-13")
    code, out, _ = run(
        capsys, "deadline", "--template", "aitisa", "--from", "2025-09-25", "--days", "10"
    )
    assert (code, out.strip()) == (0, "2025-10-09")
    code, out, _ = run(
        capsys, "deadline", "--template", "china-asean", "--from", "2025-04-11",
        "--working-days", "1", "--calendar", "TH",
    )  # fmt: skip
    assert out.strip() == "2025-04-17"  # Songkran 14-16 April 2025 (13 April is a Sunday)
    code, _, err = run(
        capsys, "deadline", "--template", "aii", "--from", "2100-01-01", "--days", "3"
    )
    assert code == 2 and "2099" in err


def test_validate_reports_every_problem_with_its_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(load_template("aii").to_yaml(), encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(good))
    assert code == 0 and out.strip().endswith(": ok")

    data = load_template("aii").to_data()
    data["bodies"]["council"]["rules"]["ordinary_resolution"]["pass"]["fraction"] = "4/3"
    data["membership"]["tiers"].append(data["membership"]["tiers"][0])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(good), str(bad))
    assert code == 1
    assert "bad.json: 2 problem(s)" in out
    assert "bodies.council.rules.ordinary_resolution.pass.fraction: fraction 4/3 is above 1" in out
    assert "membership.tiers: tier 'ordinary' is listed twice" in out

    broken = tmp_path / "broken.yaml"
    broken.write_text("slug: [", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(broken))
    assert code == 1 and "not valid YAML" in out
    code, out, _ = run(capsys, "validate", str(tmp_path / "missing.yaml"))
    assert code == 1 and "cannot read" in out


def test_schema_calendars_and_diff(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schema", "--check")
    assert code == 0, out
    code, out, _ = run(capsys, "schema")
    assert json.loads(out)["title"] == "Charter"
    code, out, _ = run(capsys, "calendars")
    assert out.splitlines()[0].startswith("CN\t2001-")
    data = load_template("aii").to_data()
    data["bodies"]["council"]["meetings"]["min_per_year"] = 2
    changed = tmp_path / "aii-v2.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "diff", "aii", str(changed), "--json")
    assert json.loads(out) == [
        {"path": "bodies.council.meetings.min_per_year", "kind": "changed", "old": 1, "new": 2}
    ]


def test_console_script_runs_as_a_process() -> None:
    script = Path(sys.executable).with_name("charter")
    assert script.exists(), "the console script is installed with the package"
    result = subprocess.run(
        [
            str(script),
            "deadline",
            "--template",
            "aii",
            "--from",
            "2025-01-24",
            "--working-days",
            "10",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "2025-02-13")
    module = subprocess.run(
        [sys.executable, "-m", "charter.cli", "templates"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert module.returncode == 0 and "china-asean" in module.stdout
