"""Invalid charters are refused, each problem named by its path; valid ones round-trip."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from charter import (
    Charter,
    CharterValidationError,
    charter_json_schema,
    load_template,
    validate_charter_data,
)
from charter.schema import published_schema_path


@pytest.fixture
def aii_data() -> dict[str, Any]:
    return copy.deepcopy(load_template("aii").to_data())


def messages(data: dict[str, Any]) -> list[str]:
    return [str(p) for p in validate_charter_data(data)]


def test_templates_are_valid() -> None:
    for slug in ("aii", "aitisa", "china-asean"):
        assert validate_charter_data(load_template(slug).to_data()) == []


def test_fraction_above_one_names_the_path(aii_data: dict[str, Any]) -> None:
    aii_data["bodies"]["council"]["rules"]["admission"] = copy.deepcopy(
        aii_data["bodies"]["council"]["rules"]["ordinary_resolution"]
    )
    aii_data["bodies"]["council"]["rules"]["admission"]["pass"]["fraction"] = "4/3"
    assert messages(aii_data) == [
        "bodies.council.rules.admission.pass.fraction: fraction 4/3 is above 1"
    ]


def test_float_fraction_is_refused(aii_data: dict[str, Any]) -> None:
    aii_data["bodies"]["council"]["rules"]["ordinary_resolution"]["quorum"]["fraction"] = 0.6667
    [problem] = messages(aii_data)
    assert problem.startswith("bodies.council.rules.ordinary_resolution.quorum.fraction:")
    assert "float" in problem


def test_rule_naming_a_body_that_does_not_exist(aii_data: dict[str, Any]) -> None:
    del aii_data["bodies"]["standing_council"]
    found = messages(aii_data)
    assert (
        "procedures.admission.steps[3].by[0]: body 'standing_council' does not exist "
        "in this charter" in found
    )
    assert (
        "procedures.dissolution.steps[0].by[1]: body 'standing_council' does not exist "
        "in this charter" in found
    )
    assert (
        "membership.expulsion.decided_by[1]: body 'standing_council' does not exist in this charter"
        in found
    )


def test_decision_by_a_body_without_a_rule(aii_data: dict[str, Any]) -> None:
    del aii_data["bodies"]["steering_committee"]["rules"]
    assert messages(aii_data) == [
        "procedures.dissolution.steps[2].by[0]: the steering_committee has no rule for "
        "'dissolution' (add bodies.steering_committee.rules.dissolution or a rule on this step)"
    ]


def test_tier_listed_twice(aii_data: dict[str, Any]) -> None:
    aii_data["membership"]["tiers"].append(copy.deepcopy(aii_data["membership"]["tiers"][1]))
    assert messages(aii_data) == [
        "membership.tiers: tier 'director' is listed twice (at [1] and [4])"
    ]


def test_workflow_step_with_no_decider(aii_data: dict[str, Any]) -> None:
    del aii_data["procedures"]["admission"]["steps"][3]["by"]
    assert messages(aii_data) == [
        "procedures.admission.steps[3].by: no decider: every step must say who acts or decides"
    ]


def test_decision_step_decided_by_a_party(aii_data: dict[str, Any]) -> None:
    aii_data["procedures"]["admission"]["steps"][3]["by"] = ["applicant"]
    [problem] = messages(aii_data)
    assert problem.startswith("procedures.admission.steps[3]: a 'vote' step needs a decider")


def test_every_problem_is_reported_at_once(aii_data: dict[str, Any]) -> None:
    aii_data["bodies"]["council"]["rules"]["ordinary_resolution"]["pass"]["fraction"] = "3/2"
    aii_data["membership"]["tiers"].append(copy.deepcopy(aii_data["membership"]["tiers"][0]))
    aii_data["procedures"]["withdrawal"]["steps"][0]["by"] = []
    aii_data["bodies"]["council"]["colour"] = "blue"
    found = messages(aii_data)
    assert len(found) == 4
    paths = [m.split(": ")[0] for m in found]
    assert paths == sorted(
        [
            "bodies.council.rules.ordinary_resolution.pass.fraction",
            "membership.tiers",
            "procedures.withdrawal.steps[0].by",
            "bodies.council.colour",
        ]
    )


def test_a_default_must_be_marked_and_explained(aii_data: dict[str, Any]) -> None:
    quorum = aii_data["bodies"]["standing_council"]["rules"]["ordinary_resolution"]["quorum"]
    del quorum["note"]
    assert messages(aii_data) == [
        "bodies.standing_council.rules.ordinary_resolution.quorum: "
        "a default needs a note saying why it was chosen"
    ]
    quorum["note"] = "why"
    quorum["default"] = False
    assert messages(aii_data) == [
        "bodies.standing_council.rules.ordinary_resolution.quorum: "
        "source 'default' must also set default: true"
    ]


def test_sources_cite_this_charter(aii_data: dict[str, Any]) -> None:
    aii_data["bodies"]["council"]["rules"]["ordinary_resolution"]["pass"]["source"] = (
        "AITISA Art.10"
    )
    assert messages(aii_data) == [
        "bodies.council.rules.ordinary_resolution.pass.source: "
        "source 'AITISA Art.10' does not cite this charter ('AII')"
    ]
    aii_data["bodies"]["council"]["rules"]["ordinary_resolution"]["pass"]["source"] = "Art.23"
    [problem] = messages(aii_data)
    assert problem.startswith("bodies.council.rules.ordinary_resolution.pass.source:")


def test_cross_references(aii_data: dict[str, Any]) -> None:
    aii_data["procedures"]["admission"]["steps"][0]["deadline"] = "nowhere"
    aii_data["calendar"]["default_calendar"] = "XX"
    aii_data["bodies"]["standing_council"]["acts_for"]["items"].append(12)
    aii_data["membership"]["tiers"][1]["inherits_rights_from"] = "chair"
    aii_data["membership"]["admission"]["procedure"] = "withdrawal"
    found = messages(aii_data)
    assert "procedures.admission.steps[0].deadline: deadline 'nowhere' does not exist" in found
    assert any(m.startswith("calendar.default_calendar: unknown calendar 'XX'") for m in found)
    assert "bodies.standing_council.acts_for.items[5]: the council has no power item (12)" in found
    assert (
        "membership.tiers[1].inherits_rights_from: tier 'chair' is not a lower tier of this charter"
        in found
    )
    assert "membership.admission.procedure: procedure 'withdrawal' is for 'withdrawal'" in found


def test_unknown_ids_are_refused(aii_data: dict[str, Any]) -> None:
    aii_data["bodies"]["board"] = aii_data["bodies"].pop("council")
    found = messages(aii_data)
    assert any(m.startswith("bodies.board: unknown id 'board': input should be") for m in found)
    aii_data = copy.deepcopy(load_template("aii").to_data())
    aii_data["membership"]["tiers"][0]["id"] = "platinum"
    assert any(m.startswith("membership.tiers[0].id:") for m in messages(aii_data))


def test_withdrawal_consistency(aii_data: dict[str, Any]) -> None:
    aii_data["membership"]["withdrawal"]["free"] = False
    assert messages(aii_data) == [
        "membership.withdrawal: a withdrawal that is not free must name who approves it"
    ]


def test_from_data_raises_with_every_problem(aii_data: dict[str, Any]) -> None:
    aii_data["bodies"]["council"]["rules"]["ordinary_resolution"]["pass"]["fraction"] = "5/4"
    with pytest.raises(CharterValidationError) as caught:
        Charter.from_data(aii_data)
    assert [p.path for p in caught.value.problems] == [
        "bodies.council.rules.ordinary_resolution.pass.fraction"
    ]
    assert "fraction 5/4 is above 1" in str(caught.value)


def test_not_a_mapping_and_bad_syntax() -> None:
    assert [str(p) for p in validate_charter_data(["x"])] == [
        "a charter must be a mapping, got list"
    ]
    with pytest.raises(CharterValidationError, match="not valid YAML"):
        Charter.from_yaml("a: [")
    with pytest.raises(CharterValidationError, match="not valid JSON"):
        Charter.from_json("{")


@pytest.mark.parametrize("slug", ["aii", "aitisa", "china-asean"])
def test_yaml_and_json_round_trip(slug: str) -> None:
    charter = load_template(slug)
    assert Charter.from_yaml(charter.to_yaml()) == charter
    assert Charter.from_json(charter.to_json()) == charter
    data = yaml.safe_load(charter.to_yaml())
    assert data["slug"] == slug
    # fractions are written as exact strings, never as numbers
    text = charter.to_json()
    assert '"fraction": "' in text
    assert '"fraction": 0' not in text


def test_published_json_schema_is_current() -> None:
    committed = json.loads(published_schema_path().read_text(encoding="utf-8"))
    assert committed == charter_json_schema(), "run `uv run charter schema --write`"


def test_json_schema_describes_fractions_and_ids() -> None:
    schema = charter_json_schema()
    text = json.dumps(schema)
    assert "2/3" in text
    assert "general_assembly" in text and "chairs_office" in text
    assert schema["title"] == "Charter"
