"""Every row of the SPEC quorum/pass table, at the boundary, for several body sizes.

The boundaries are worked out here with plain integer arithmetic (not the engine's helpers):
for "at least a/b of n" the smallest count is ceil(a*n/b); for "more than a/b of n" it is
floor(a*n/b) + 1.
"""

from __future__ import annotations

import pytest

from charter import Counts, load_template

SIZES = [3, 5, 7, 9, 10, 12, 25, 31, 100]


def at_least(a: int, b: int, n: int) -> int:
    return -(-a * n // b)


def test_hand_checked_boundaries() -> None:
    # 2/3 of 9 is exactly 6; of 10 it is 20/3, so 7 are needed; half of 9 is 4.5, so 5.
    assert at_least(2, 3, 9) == 6
    assert at_least(2, 3, 10) == 7
    assert at_least(1, 2, 9) == 5
    assert at_least(1, 2, 10) == 5


def counts(seats: int, present: int, yes: int, proxies: int = 0) -> Counts:
    attending = present + proxies
    return Counts(seats=seats, present=present, proxies=proxies, yes=yes, no=attending - yes)


# --------------------------------------------------------------------------- AII Art.19


@pytest.mark.parametrize("seats", SIZES)
def test_aii_general_assembly_quorum_two_thirds_inclusive(seats: int) -> None:
    aii = load_template("aii")
    need = at_least(2, 3, seats)
    for present, quorate in ((need - 1, False), (need, True), (need + 1, True)):
        if not 0 <= present <= seats:
            continue
        decision = aii.evaluate(
            "general_assembly", "ordinary_resolution", counts(seats, present, 0)
        )
        assert decision.quorate is quorate, (seats, present)
        assert decision.source == "AII Art.19"


@pytest.mark.parametrize("present", [4, 5, 6, 7, 9, 10, 20, 21])
def test_aii_general_assembly_passes_with_half_of_those_present(present: int) -> None:
    aii = load_template("aii")
    seats = present  # everyone attends, so the meeting is quorate
    need = at_least(1, 2, present)  # 半数以上: at least half
    for yes, passed in ((need - 1, False), (need, True), (need + 1, True)):
        if not 0 <= yes <= present:
            continue
        decision = aii.evaluate(
            "general_assembly", "ordinary_resolution", counts(seats, present, yes)
        )
        assert decision.quorate
        assert decision.passed is passed, (present, yes)


def test_aii_general_assembly_exactly_half_passes() -> None:
    aii = load_template("aii")
    decision = aii.evaluate("general_assembly", "ordinary_resolution", counts(12, 10, 5))
    assert decision.passed  # 5 of 10 is 半数, and 以上 includes it


# --------------------------------------------------------------------------- AII Art.23


@pytest.mark.parametrize("seats", SIZES)
def test_aii_council_quorum_boundary(seats: int) -> None:
    aii = load_template("aii")
    need = at_least(2, 3, seats)
    for present, quorate in ((need - 1, False), (need, True), (need + 1, True)):
        if not 0 <= present <= seats:
            continue
        decision = aii.evaluate("council", "ordinary_resolution", counts(seats, present, present))
        assert decision.quorate is quorate, (seats, present)
        assert decision.passed is quorate  # all yes: passes exactly when quorate


@pytest.mark.parametrize("seats", SIZES)
def test_aii_council_pass_two_thirds_of_present(seats: int) -> None:
    aii = load_template("aii")
    for present in {at_least(2, 3, seats), seats}:
        need = at_least(2, 3, present)
        for yes, passed in ((need - 1, False), (need, True), (need + 1, True)):
            if not 0 <= yes <= present:
                continue
            decision = aii.evaluate("council", "admission", counts(seats, present, yes))
            assert decision.quorate
            assert decision.passed is passed, (seats, present, yes)
            assert decision.source == "AII Art.23"


def test_aii_council_example_from_the_brief() -> None:
    decision = load_template("aii").evaluate("council", "admission", counts(9, 6, 4))
    assert decision.quorate and decision.passed
    assert "6 of 9 present ≥ 2/3 of 9" in decision.explanation.en
    assert "AII Art.23" in decision.explanation.zh


# --------------------------------------------------------------------------- AII Art.27


@pytest.mark.parametrize("seats", SIZES)
def test_aii_charter_amendment_needs_two_thirds_of_all_council_members(seats: int) -> None:
    aii = load_template("aii")
    need = at_least(2, 3, seats)
    present = seats
    for yes, passed in ((need - 1, False), (need, True), (need + 1, True)):
        if not 0 <= yes <= present:
            continue
        decision = aii.evaluate("council", "charter_amendment", counts(seats, present, yes))
        assert decision.passed is passed, (seats, yes)
        assert decision.pass_.base.value == "all_seats"
        assert decision.pass_.source == "AII Art.27"


def test_aii_charter_amendment_base_is_all_members_not_those_present() -> None:
    aii = load_template("aii")
    # 7 of 9 present, 5 yes: 5/7 ≥ 2/3 of those present, but 5 < 6 = 2/3 of all 9.
    assert aii.evaluate("council", "ordinary_resolution", counts(9, 7, 5)).passed
    assert not aii.evaluate("council", "charter_amendment", counts(9, 7, 5)).passed
    assert aii.evaluate("council", "charter_amendment", counts(9, 7, 6)).passed


def test_aii_charter_amendment_is_council_then_assembly() -> None:
    aii = load_template("aii")
    stages = [step.by[0] for step, _ in aii.voting_steps("charter_amendment")]
    assert stages == ["council", "general_assembly"]
    result = aii.evaluate_procedure("charter_amendment", [counts(9, 9, 6), counts(30, 20, 10)])
    assert result.passed
    assert [d.source for d in result.decisions] == [
        "AII Art.23; AII Art.27",
        "AII Art.19; AII Art.30",
    ]
    failed = aii.evaluate_procedure("charter_amendment", [counts(9, 9, 5), counts(30, 20, 10)])
    assert not failed.passed
    assert len(failed.decisions) == 1  # the assembly never votes on a failed council motion


# --------------------------------------------------------------------------- AII Art.30


@pytest.mark.parametrize("present", [20, 21, 30])
def test_aii_charter_takes_effect_with_half_of_the_assembly(present: int) -> None:
    aii = load_template("aii")
    need = at_least(1, 2, present)
    rule = aii.rule_for("general_assembly", "charter_amendment")
    assert rule.pass_.source == "AII Art.30"
    for yes, passed in ((need - 1, False), (need, True), (need + 1, True)):
        decision = aii.evaluate("general_assembly", "charter_amendment", counts(30, present, yes))
        assert decision.passed is passed


# --------------------------------------------------------------------------- AII Art.28-29


def test_aii_dissolution_council_or_standing_council_then_assembly_then_steering() -> None:
    aii = load_template("aii")
    steps = aii.procedures["dissolution"].steps
    assert [s.by for s in steps] == [
        ["council", "standing_council"],
        ["general_assembly"],
        ["steering_committee"],
    ]
    assert steps[-1].kind == "consent"
    good = [counts(9, 9, 6), counts(30, 20, 10), counts(5, 5, 3)]
    assert aii.evaluate_procedure("dissolution", good).passed
    via_standing = aii.evaluate_procedure(
        "dissolution", good, bodies=["standing_council", None, None]
    )
    assert via_standing.passed
    assert via_standing.decisions[0].body is not None
    assert via_standing.decisions[0].body.value == "standing_council"
    no_consent = aii.evaluate_procedure(
        "dissolution", [counts(9, 9, 6), counts(30, 20, 10), counts(5, 5, 2)]
    )
    assert not no_consent.passed
    assert len(no_consent.decisions) == 3
    steering = aii.rule_for("steering_committee", "dissolution")
    assert steering.pass_.default and steering.pass_.source == "default"


# --------------------------------------------------------------------------- AITISA Art.10


@pytest.mark.parametrize("seats", [5, 6, 7, 8, 9, 12, 20])
def test_aitisa_working_group_quorum_counts_written_proxies(seats: int) -> None:
    aitisa = load_template("aitisa")
    need = at_least(1, 2, seats)
    for attending, quorate in ((need - 1, False), (need, True), (need + 1, True)):
        if not 0 <= attending <= seats:
            continue
        # the same attendance, all in person or one of them by written proxy
        for proxies in (0, 1) if attending >= 1 else (0,):
            decision = aitisa.evaluate(
                "working_group",
                "ordinary_resolution",
                counts(seats, attending - proxies, attending, proxies),
            )
            assert decision.quorate is quorate, (seats, attending, proxies)
            assert decision.source == "AITISA Art.10(1)"


@pytest.mark.parametrize("attending", [3, 4, 5, 6, 7, 9, 10])
def test_aitisa_working_group_passes_with_two_thirds_of_those_present(attending: int) -> None:
    aitisa = load_template("aitisa")
    need = at_least(2, 3, attending)
    for yes, passed in ((need - 1, False), (need, True), (need + 1, True)):
        if not 0 <= yes <= attending:
            continue
        decision = aitisa.evaluate(
            "working_group", "ordinary_resolution", counts(attending, attending - 1, yes, 1)
        )
        assert decision.passed is passed, (attending, yes)


# --------------------------------------------------------------------------- AITISA Art.6


@pytest.mark.parametrize("seats", [5, 6, 7, 9, 10, 15])
def test_aitisa_dissolution_by_members_needs_half_of_all_members(seats: int) -> None:
    aitisa = load_template("aitisa")
    need = at_least(1, 2, seats)
    for yes, passed in ((need - 1, False), (need, True), (need + 1, True)):
        if not 0 <= yes <= seats:
            continue
        # only `yes` members attend: there is no quorum, the base is all members
        decision = aitisa.evaluate(
            "working_group", "working_group_dissolution", counts(seats, yes, yes)
        )
        assert decision.quorate
        assert decision.passed is passed, (seats, yes)
        assert decision.source == "AITISA Art.6"


def test_aitisa_dissolution_path_members_then_secretariat_then_chairs_office() -> None:
    procedure = load_template("aitisa").procedures["working_group_dissolution"]
    assert [(s.kind, s.by) for s in procedure.steps] == [
        ("vote", ["working_group"]),
        ("review", ["secretariat"]),
        ("approve", ["chairs_office"]),
    ]


# --------------------------------------------------------------------------- China-ASEAN Art.28


def test_china_asean_charter_amendment_council_then_assembly_with_marked_defaults() -> None:
    ca = load_template("china-asean")
    stages = ca.voting_steps("charter_amendment")
    assert [step.by for step, _ in stages] == [["council"], ["general_assembly"]]
    for step, rule in stages:
        assert step.source == "China-ASEAN Art.28"
        assert rule.quorum is not None
        for threshold in (rule.quorum, rule.pass_):
            assert threshold.default and threshold.source == "default" and threshold.note


@pytest.mark.parametrize("seats", SIZES)
def test_china_asean_charter_amendment_default_boundaries(seats: int) -> None:
    ca = load_template("china-asean")
    need = at_least(2, 3, seats)
    for yes, passed in ((need - 1, False), (need, True), (need + 1, True)):
        if not 0 <= yes <= seats:
            continue
        council = ca.evaluate("council", "charter_amendment", counts(seats, seats, yes))
        assert council.passed is passed
        assembly = ca.evaluate("general_assembly", "charter_amendment", counts(seats, seats, yes))
        assert assembly.passed is passed
    explanation = ca.evaluate("council", "charter_amendment", counts(seats, seats, seats))
    assert "default" in explanation.explanation.en
    assert "默认" in explanation.explanation.zh
