"""Deadlines past the calendars' coverage, end to end: ``charter deadline`` answers a date marked
provisional until the year's schedule is loaded; the operator loads a schedule on the platform
with ``charter calendar load --platform`` (through the gateway), and every deadline is counted
on it from then on.

The platform part loads a made-up year (``devkit.testing.calendars``), not 2027: the session's
NATS stream is shared, and a real year loaded here would reach every service started later.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from devkit.local.platform import Platform
from devkit.testing.calendars import made_up_schedule_text, spring_festival_eve
from tests.e2e.client import Caller, operator, staff

pytestmark = pytest.mark.e2e

FIXTURE = (
    Path(__file__).parents[2] / "libs/charter/tests/fixtures/TEST-FIXTURE-CN-2027.schedule.json"
)
YEAR = 2035
DUE = """query($d: Date!) { dueDate(calendar: "CN", startOn: $d, n: 10, unit: WORKING_DAYS) {
  dueOn provisional provisionalReason { en } } }"""


def charter(*args: str, store: Path, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHARTER_SCHEDULES": str(store)}
    env.pop("CONCORD_TOKEN", None)
    if token:
        env["CONCORD_TOKEN"] = token
    return subprocess.run(
        [str(Path(sys.executable).with_name("charter")), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def due(caller: Caller, start: date) -> dict[str, Any]:
    result: dict[str, Any] = caller.data(DUE, {"d": start.isoformat()})["dueDate"]
    return result


def test_a_deadline_into_2027_is_provisional_until_the_2027_schedule_is_loaded(
    tmp_path: Path,
) -> None:
    ask = ("deadline", "--template", "aitisa", "--from", "2026-12-20", "--working-days", "10")
    before = charter(*ask, store=tmp_path)
    assert before.returncode == 0, before.stderr
    assert before.stdout.splitlines()[0] == "2027-01-04 (provisional)"
    assert "No official holiday schedule of China for 2027" in before.stdout
    loaded = charter("calendar", "load", str(FIXTURE), store=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    after = charter(*ask, store=tmp_path)
    assert after.returncode == 0 and after.stdout.strip() == "2027-01-04"


def test_the_operator_loads_a_schedule_on_the_platform_and_deadlines_count_on_it(
    platform: Platform, tmp_path: Path
) -> None:
    file = tmp_path / f"CN-{YEAR}.json"
    file.write_text(made_up_schedule_text(YEAR), encoding="utf-8")
    start = spring_festival_eve(YEAR) - timedelta(days=8)
    anyone = staff(platform, "aii")
    before = due(anyone, start)
    assert before["provisional"] is True and str(YEAR) in before["provisionalReason"]["en"]

    # Not the operator: refused by the platform, nothing loaded.
    refused = charter(
        "calendar",
        "load",
        str(file),
        "--platform",
        platform.graphql_url,
        store=tmp_path,
        token=anyone.token,
    )
    assert refused.returncode == 1 and "FORBIDDEN" in refused.stderr
    assert due(anyone, start)["provisional"] is True
    # No token at all: bad input, said so.
    missing = charter(
        "calendar", "load", str(file), "--platform", platform.graphql_url, store=tmp_path
    )
    assert missing.returncode == 2 and "CONCORD_TOKEN" in missing.stderr

    token = operator(platform).token
    done = charter(
        "calendar",
        "load",
        str(file),
        "--platform",
        platform.graphql_url,
        store=tmp_path,
        token=token,
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip() == f"CN {YEAR} v1 (TEST FIXTURE CN {YEAR} v1): loaded on the platform"
    )
    after = due(anyone, start)
    assert after["provisional"] is False and after["provisionalReason"] is None
    assert date.fromisoformat(after["dueOn"]) < date.fromisoformat(before["dueOn"])
    again = charter(
        "calendar",
        "load",
        str(file),
        "--platform",
        platform.graphql_url,
        store=tmp_path,
        token=token,
    )
    assert again.returncode == 0 and "already loaded on the platform" in again.stdout
    # The local store was not touched by the platform loads.
    assert not any(tmp_path.glob("CN-*-v*.json"))

    # A file with problems is refused here, before the platform is asked.
    broken = tmp_path / "broken.json"
    broken.write_text('{"country": "CN"}', encoding="utf-8")
    bad = charter(
        "calendar",
        "load",
        str(broken),
        "--platform",
        platform.graphql_url,
        store=tmp_path,
        token=token,
    )
    assert bad.returncode == 1 and "invalid calendar schedule" in bad.stderr
