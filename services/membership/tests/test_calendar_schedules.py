"""The platform operator loads a year's official holiday schedule; deadlines count on it from
then on, and provisional ones elsewhere are recounted from the event it publishes."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from typing import Any

import nats
import pytest

from devkit.testing.calendars import made_up_schedule, made_up_schedule_text, spring_festival_eve
from devkit.testing.subgraph import SubgraphClient, claims_for
from servicekit.events.envelope import STREAM, Envelope, subject_for

YEAR = 2032
"""This module's made-up schedule year (``devkit.testing.calendars``: a year per module)."""

OPERATOR = claims_for("op-1", operator=True)
CLERK = claims_for("aii-clerk", alliances={"aii": ["secretariat"]})
SOMEONE = claims_for("someone")

LOAD = """mutation($s: String!) { loadCalendarSchedule(schedule: $s) {
  id country year version reference current newlyLoaded loadedBy
  holidays { date name nameEn } workdays { date name } } }"""
DUE = """query($c: String!, $d: Date!, $n: Int!, $u: DeadlineUnit!) {
  dueDate(calendar: $c, startOn: $d, n: $n, unit: $u) {
    dueOn provisional provisionalReason { zh en } bases { year basis reference version } } }"""
LISTED = """query($c: String, $y: Int) { calendarSchedules(country: $c, year: $y) {
  country year version current } }"""


async def due(client: SubgraphClient, start: date, n: int = 10, **kw: Any) -> dict[str, Any]:
    variables = {"c": "CN", "d": start.isoformat(), "n": n, "u": "WORKING_DAYS"} | kw
    data = await client.data(DUE, variables, claims=SOMEONE)
    result: dict[str, Any] = data["dueDate"]
    return result


async def test_a_deadline_into_an_unloaded_year_is_provisional_until_the_operator_loads_it(
    membership: SubgraphClient, nats_url: str
) -> None:
    start = spring_festival_eve(YEAR) - timedelta(days=8)
    before = await due(membership, start)
    assert before["provisional"] is True
    assert (
        f"{YEAR}" in before["provisionalReason"]["zh"]
        and "provisional" in (before["provisionalReason"]["en"])
    )
    assert before["bases"] == [
        {
            "year": YEAR,
            "basis": "PROVISIONAL",
            "reference": before["bases"][0]["reference"],
            "version": None,
        }
    ]

    loaded = (await membership.data(LOAD, {"s": made_up_schedule_text(YEAR)}, claims=OPERATOR))[
        "loadCalendarSchedule"
    ]
    assert (loaded["country"], loaded["year"], loaded["version"]) == ("CN", YEAR, 1)
    assert loaded["current"] is True and loaded["newlyLoaded"] is True
    assert loaded["loadedBy"] == "op-1"
    assert len(loaded["holidays"]) == 6 and loaded["holidays"][0]["name"] == "春节"

    after = await due(membership, start)
    assert after["provisional"] is False and after["provisionalReason"] is None
    assert after["bases"][0]["basis"] == "SCHEDULE" and after["bases"][0]["version"] == 1
    # The weekend day before the eve is worked: the period ends a working day sooner or more.
    assert date.fromisoformat(after["dueOn"]) < date.fromisoformat(before["dueOn"])

    # Everyone else learns of it from the event, with the schedule as data.
    event = await _published(nats_url, loaded["id"])
    assert event.alliance_id is None
    assert (event.data["country"], event.data["year"], event.data["version"]) == ("CN", YEAR, 1)
    assert event.data["schedule"]["workdays"] == made_up_schedule(YEAR)["workdays"]
    assert event.data["loadedBy"] == "op-1"


async def test_loading_the_same_file_again_changes_nothing_and_a_correction_is_the_next_version(
    membership: SubgraphClient,
) -> None:
    year = YEAR + 1
    text = made_up_schedule_text(year)
    first = (await membership.data(LOAD, {"s": text}, claims=OPERATOR))["loadCalendarSchedule"]
    again = (await membership.data(LOAD, {"s": text}, claims=OPERATOR))["loadCalendarSchedule"]
    assert again["id"] == first["id"] and again["newlyLoaded"] is False

    changed = made_up_schedule(year)
    changed["holidays"] = changed["holidays"][:3]
    refused = await membership.execute(LOAD, {"s": json.dumps(changed)}, claims=OPERATOR)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "SCHEDULE_VERSION_EXISTS"

    changed["version"] = 2
    corrected = (await membership.data(LOAD, {"s": json.dumps(changed)}, claims=OPERATOR))[
        "loadCalendarSchedule"
    ]
    assert corrected["current"] is True
    listed = (await membership.data(LISTED, {"c": "cn", "y": year}, claims=SOMEONE))[
        "calendarSchedules"
    ]
    assert [(s["version"], s["current"]) for s in listed] == [(1, False), (2, True)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not: [json", "INVALID_SCHEDULE"),
        ("{}", "INVALID_SCHEDULE"),
        ("\x00", "BAD_USER_INPUT"),  # (refused before any resolver, as every NUL is)
        (json.dumps(made_up_schedule(2040, country="XX")), "INVALID_SCHEDULE"),
        (json.dumps(made_up_schedule(2040) | {"year": 2150}), "INVALID_SCHEDULE"),
        ("x" * (300 * 1024), "SCHEDULE_TOO_LARGE"),
    ],
    ids=["not-yaml", "empty", "nul", "unknown-country", "year-out-of-range", "too-large"],
)
async def test_a_bad_schedule_file_is_a_typed_error_and_nothing_is_loaded(
    membership: SubgraphClient, text: str, code: str
) -> None:
    before = (await membership.data(LISTED, {}, claims=SOMEONE))["calendarSchedules"]
    result = await membership.execute(LOAD, {"s": text}, claims=OPERATOR)
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == code
    assert "Traceback" not in json.dumps(result)
    assert (await membership.data(LISTED, {}, claims=SOMEONE))["calendarSchedules"] == before


async def test_a_schedule_with_problems_lists_every_one_with_its_path(
    membership: SubgraphClient,
) -> None:
    broken = made_up_schedule(2041)
    broken["workdays"].append({"date": "2041-03-04", "name": {"zh": "x", "en": "x"}})  # a Monday
    broken["holidays"].append({"date": "2042-01-01", "name": {"zh": "x", "en": "x"}})
    result = await membership.execute(LOAD, {"s": json.dumps(broken)}, claims=OPERATOR)
    problems = result["errors"][0]["extensions"]["problems"]
    assert {p["code"] for p in problems} == {"workday_not_weekend", "date_outside_year"}
    assert all(p["path"] for p in problems)


async def test_only_the_platform_operator_loads_schedules(membership: SubgraphClient) -> None:
    for claims in (CLERK, SOMEONE):
        result = await membership.execute(LOAD, {"s": made_up_schedule_text(2042)}, claims=claims)
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = (await membership.data(LISTED, {"y": 2042}, claims=SOMEONE))["calendarSchedules"]
    assert listed == []


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"c": "XX"}, "UNKNOWN_CALENDAR"),
        ({"n": 0}, "INVALID_PERIOD"),
        ({"n": -3}, "INVALID_PERIOD"),
        ({"n": 100000}, "INVALID_PERIOD"),
        ({"d": "2099-12-30"}, "DEADLINE_OUT_OF_RANGE"),
    ],
)
async def test_a_deadline_that_cannot_be_counted_is_a_typed_error(
    membership: SubgraphClient, variables: dict[str, Any], code: str
) -> None:
    query = {"c": "CN", "d": "2026-12-20", "n": 10, "u": "WORKING_DAYS"} | variables
    result = await membership.execute(DUE, query, claims=SOMEONE)
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == code


async def test_the_civil_code_counts_from_the_next_day_and_moves_off_holidays(
    membership: SubgraphClient,
) -> None:
    # SPEC: from Friday 24 January 2025, 10 working days end on 13 February 2025.
    assert (await due(membership, date(2025, 1, 24)))["dueOn"] == "2025-02-13"
    # 10 days from 24 September 2026 fall on 4 October, inside the National Day holiday
    # (1–7 October): the period ends on the first working day after it (Civil Code Art.203).
    answer = await due(membership, date(2026, 9, 24), u="DAYS")
    assert answer["dueOn"] == "2026-10-08" and answer["provisional"] is False


async def _published(nats_url: str, schedule_id: str) -> Envelope:
    """The schedule's event, once the relay has published it (it works asynchronously)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            subject_for("membership.calendar.schedule_loaded"),
            durable=f"t-{uuid.uuid4().hex[:8]}",
            stream=STREAM,
        )
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            try:
                messages = await sub.fetch(100, timeout=1)
            except nats.errors.TimeoutError:
                continue
            for msg in messages:
                envelope = Envelope.from_json(msg.data)
                if envelope.data["scheduleId"] == schedule_id:
                    return envelope
    finally:
        await nc.close()
    raise AssertionError(f"no event for schedule {schedule_id}")
