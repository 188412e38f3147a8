"""checkov over the chart's rendered small and large installs (issue 15): every failed check is
either waived in deploy/helm/checkov-waivers.yaml, with its reason, or fails this test.

checkov runs offline (``--skip-download``, and a proxy that refuses every connection) from its
own environment, .venv-checkov (`make deps`): its pin of packaging<24 would downgrade a runtime
dependency of the services were it in the dev group (pyproject.toml, the `checkov` group).
"""

from __future__ import annotations

import copy
import fnmatch
import json
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.chart_examples import SOURCES, render

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
WAIVERS_FILE = ROOT / "deploy" / "helm" / "checkov-waivers.yaml"
CANARY = "canary.yaml"
"""A manifest that breaks rules nobody waives: proves failures are seen and not waived."""

Check = dict[str, Any]


@cache
def _waivers() -> list[dict[str, Any]]:
    waivers: list[dict[str, Any]] = yaml.safe_load(WAIVERS_FILE.read_text())["waivers"]
    return waivers


def _canary() -> str:
    large = [d for d in yaml.safe_load_all(render(SOURCES["large.yaml"])) if d]
    deployment = copy.deepcopy(
        next(d for d in large if d["kind"] == "Deployment" and "gateway" not in str(d))
    )
    deployment["metadata"]["name"] = "canary"
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    container["securityContext"]["privileged"] = True  # CKV_K8S_16
    container["securityContext"]["allowPrivilegeEscalation"] = True  # CKV_K8S_20
    return yaml.safe_dump(deployment)


@cache
def _run(directory: str) -> dict[str, Any]:
    workdir = Path(directory)
    files = [*SOURCES, CANARY]
    for name, values_file in SOURCES.items():
        (workdir / name).write_text(render(values_file))
    (workdir / CANARY).write_text(_canary())
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV.relative_to(ROOT)} is missing: run `make deps`")
    dead = "http://127.0.0.1:9"  # nothing listens: any attempt to go online fails
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "NO_PROXY": ""}
    result = subprocess.run(
        [str(CHECKOV), "--framework", "kubernetes", "--skip-download", "--compact"]
        + [arg for name in files for arg in ("-f", name)]
        + ["-o", "json"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    # exit code 1 = some check failed (the canary always does); anything else is an error
    assert result.returncode in (0, 1), result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run(str(tmp_path_factory.mktemp("checkov")))


def _file(check: Check) -> str:
    return Path(check["file_path"]).name


def _waiver_of(check: Check) -> dict[str, Any] | None:
    for waiver in _waivers():
        if waiver["check"] == check["check_id"] and any(
            fnmatch.fnmatchcase(check["resource"], pattern) for pattern in waiver["resources"]
        ):
            return waiver
    return None


def test_the_small_and_large_installs_fail_no_check_of_checkov_but_the_reasoned_waivers(
    report: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert report["summary"]["parsing_errors"] == 0
    results = report["results"]
    passed = [c for c in results["passed_checks"] if _file(c) in SOURCES]
    failed = [c for c in results["failed_checks"] if _file(c) in SOURCES]
    waived = [c for c in failed if _waiver_of(c)]
    unwaived = [
        f"{_file(c)}: {c['check_id']} {c['resource']}: {c['check_name']}"
        for c in failed
        if not _waiver_of(c)
    ]
    by_check: dict[str, int] = {}
    for check in waived:
        by_check[check["check_id"]] = by_check.get(check["check_id"], 0) + 1
    with capsys.disabled():
        print(
            f"\ncheckov {report['summary']['checkov_version']} over "
            f"{', '.join(f'examples/{n}' for n in SOURCES)}: {len(passed)} passed, "
            f"{len(failed)} failed, of which {len(waived)} waived {by_check} and "
            f"{len(unwaived)} not"
        )
    assert passed
    # every example's workloads were looked at
    for name in SOURCES:
        kinds = {c["resource"].split(".")[0] for c in passed if _file(c) == name}
        assert {"Deployment", "Job", "Service"} <= kinds, name
    assert unwaived == []


def test_checkov_reports_what_the_waivers_do_not_cover(report: dict[str, Any]) -> None:
    """Guard: a broken manifest fails checks that no waiver covers (the test above can fail)."""
    canary = {c["check_id"] for c in report["results"]["failed_checks"] if _file(c) == CANARY}
    assert {"CKV_K8S_16", "CKV_K8S_20"} <= canary
    assert not any(
        _waiver_of(c)
        for c in report["results"]["failed_checks"]
        if _file(c) == CANARY and c["check_id"] in ("CKV_K8S_16", "CKV_K8S_20")
    )


def test_every_waiver_gives_its_reason_and_still_waives_something(
    report: dict[str, Any],
) -> None:
    failed = [c for c in report["results"]["failed_checks"] if _file(c) in SOURCES]
    for waiver in _waivers():
        assert set(waiver) == {"check", "name", "resources", "reason"}, waiver
        assert len(waiver["reason"].split()) >= 15, f"{waiver['check']}: say why"
        used = [c for c in failed if _waiver_of(c) is waiver]
        assert used, f"{waiver['check']} waives nothing any more: remove it"
        assert {c["check_name"] for c in used} == {waiver["name"]}
