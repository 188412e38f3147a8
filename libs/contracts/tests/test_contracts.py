"""Event contracts: one model per type, camelCase on the wire, schemas committed and current."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest

from contracts import Event, UnknownEventType, all_contracts, contract_for
from contracts.export import CATALOGUE, SCHEMA_DIR, catalogue, schema_of, stale
from contracts.governance import AttendanceRecorded, AttendanceStatus, SeatAttendance
from contracts.membership import ApplicationForwarded


def test_the_committed_event_schemas_are_current() -> None:
    assert stale() == [], "run: uv run concord-contracts export"


def test_every_schema_names_its_type_and_is_the_envelopes_dataschema() -> None:
    for event_type, model in all_contracts().items():
        committed = json.loads((SCHEMA_DIR / f"{event_type}.json").read_text(encoding="utf-8"))
        assert committed["x-cloudevents-type"] == event_type
        assert committed["$id"] == model.dataschema()
        assert committed == schema_of(model)


def test_data_travels_in_camel_case_and_parses_back() -> None:
    alliance, org = uuid.uuid4(), uuid.uuid4()
    event = AttendanceRecorded(
        alliance_id=alliance,
        meeting_id="C-2026-3",
        body="council",
        held_on=date(2026, 7, 10),
        attendance=[SeatAttendance(organization_id=org, status=AttendanceStatus.PROXY)],
    )
    data = event.to_data()
    assert data == {
        "allianceId": str(alliance),
        "meetingId": "C-2026-3",
        "body": "council",
        "heldOn": "2026-07-10",
        "attendance": [
            {
                "organizationId": str(org),
                "status": "proxy",
                "organizationName": None,
                "proxyHolderUserId": None,
            }
        ],
    }
    assert AttendanceRecorded.from_data(data) == event


def test_a_consumer_ignores_fields_a_producer_added_later() -> None:
    data = AttendanceRecorded(
        alliance_id=uuid.uuid4(),
        meeting_id="m",
        body="council",
        held_on=date(2026, 1, 5),
        attendance=[],
    ).to_data()
    assert AttendanceRecorded.from_data({**data, "addedLater": 1}).meeting_id == "m"


def test_data_outside_the_contract_is_refused() -> None:
    with pytest.raises(ValueError):
        AttendanceRecorded.from_data({"allianceId": "x", "meetingId": "m"})
    with pytest.raises(ValueError):  # a status that is not a glossary attendance state
        SeatAttendance.from_data({"organizationId": str(uuid.uuid4()), "status": "late"})


def test_each_type_is_declared_once_and_found_by_name() -> None:
    assert contract_for("membership.application.forwarded") is ApplicationForwarded
    with pytest.raises(UnknownEventType):
        contract_for("membership.application.vanished")
    with pytest.raises(TypeError):

        class Again(Event, type="membership.application.forwarded"):
            pass


def test_every_type_is_named_by_its_producing_module() -> None:
    for event_type, model in all_contracts().items():
        producer = event_type.split(".")[0]
        assert model.__module__ == f"contracts.{producer}", (event_type, model.__module__)


def test_the_event_catalogue_is_generated_from_the_models() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    assert text == catalogue(), "docs/events.md is stale: run uv run concord-contracts export"
    for event_type in all_contracts():
        assert f"### `{event_type}`" in text
