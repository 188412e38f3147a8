"""The rule engine: a property test against a plain reference, counts validation, wording."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter import (
    Base,
    Comparison,
    Counts,
    InvalidCounts,
    MatterRule,
    Outcome,
    PassRule,
    QuorumRule,
    evaluate,
)


def reference(
    *,
    quorum: tuple[Fraction, str, int | None, bool] | None,
    pass_: tuple[str, Fraction, str, int | None, bool, bool],
    seats: int,
    present: int,
    proxies: int,
    yes: int,
    no: int,
    abstain: int,
) -> tuple[bool, bool]:
    """The charter words, read literally, with Fraction comparisons and nothing clever."""

    def meets(count: int, base: int, fraction: Fraction, comparison: str) -> bool:
        if base == 0:
            return False
        share = Fraction(count, base)
        return share >= fraction if comparison == "at_least" else share > fraction

    quorate = True
    if quorum is not None:
        fraction, comparison, minimum, with_proxies = quorum
        attending = present + (proxies if with_proxies else 0)
        quorate = meets(attending, seats, fraction, comparison) and attending >= (minimum or 0)
    base_kind, fraction, comparison, minimum, with_proxies, abstain_cast = pass_
    if base_kind == "all_seats":
        base = seats
    elif base_kind == "present":
        base = present + (proxies if with_proxies else 0)
    else:
        base = yes + no + (abstain if abstain_cast else 0)
    carried = meets(yes, base, fraction, comparison) and yes >= (minimum or 0) and yes >= 1
    return quorate, quorate and carried


fractions = st.tuples(st.integers(1, 12), st.integers(1, 12)).map(
    lambda t: Fraction(min(t), max(t))
)
comparisons = st.sampled_from(["at_least", "more_than"])
minimums = st.one_of(st.none(), st.integers(1, 6))


def _comparison(fraction: Fraction, comparison: str) -> Comparison:
    # "more than all" can never be met and is refused by the model
    return Comparison("at_least" if fraction == 1 else comparison)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[MatterRule, Counts]:
    """A random rule and random (possible) counts for it."""
    seats = draw(st.integers(1, 40))
    present = draw(st.integers(0, seats))
    proxies = draw(st.integers(0, seats - present))
    admitted = draw(st.booleans())
    voters = present + (proxies if admitted else 0)
    yes = draw(st.integers(0, voters))
    no = draw(st.integers(0, voters - yes))
    abstain = draw(st.integers(0, voters - yes - no))
    counts = Counts(seats=seats, present=present, proxies=proxies, yes=yes, no=no, abstain=abstain)

    quorum: QuorumRule | None = None
    if draw(st.booleans()):
        q_fraction = draw(fractions)
        quorum = QuorumRule(
            source="default",
            default=True,
            note="generated",
            fraction=q_fraction,
            comparison=_comparison(q_fraction, draw(comparisons)),
            minimum=draw(minimums),
            proxies_count_as_present=admitted,
        )
    base = Base(draw(st.sampled_from(["all_seats", "present", "votes_cast"])))
    fraction = draw(fractions)
    pass_rule = PassRule(
        source="default",
        default=True,
        note="generated",
        base=base,
        fraction=fraction,
        comparison=_comparison(fraction, draw(comparisons)),
        minimum=draw(minimums),
        # the rule admits proxies when drawn so, through the pass rule if there is no quorum
        proxies_count_as_present=admitted and (base is Base.PRESENT or quorum is None),
        abstentions_count_as_cast=base is Base.VOTES_CAST and draw(st.booleans()),
    )
    return MatterRule.model_validate({"quorum": quorum, "pass": pass_rule}), counts


@settings(max_examples=600, deadline=None)
@given(scenarios())
def test_engine_agrees_with_the_reference(scenario: tuple[MatterRule, Counts]) -> None:
    rule, counts = scenario
    if not rule.admits_proxies and counts.ballots > counts.present:
        with pytest.raises(InvalidCounts):
            evaluate(rule, counts)
        return
    decision = evaluate(rule, counts)
    quorum = None
    if rule.quorum is not None:
        quorum = (
            rule.quorum.fraction,
            rule.quorum.comparison.value,
            rule.quorum.minimum,
            rule.quorum.proxies_count_as_present,
        )
    expected = reference(
        quorum=quorum,
        pass_=(
            rule.pass_.base.value,
            rule.pass_.fraction,
            rule.pass_.comparison.value,
            rule.pass_.minimum,
            rule.pass_.proxies_count_as_present,
            rule.pass_.abstentions_count_as_cast,
        ),
        seats=counts.seats,
        present=counts.present,
        proxies=counts.proxies,
        yes=counts.yes,
        no=counts.no,
        abstain=counts.abstain,
    )
    assert (decision.quorate, decision.passed) == expected
    if decision.passed:
        assert decision.outcome is Outcome.PASSED
    elif decision.quorate:
        assert decision.outcome is Outcome.FAILED
    else:
        assert decision.outcome is Outcome.NOT_QUORATE


def rule(
    base: str = "present",
    fraction: str = "1/2",
    comparison: str = "more_than",
    quorum: str | None = "2/3",
    **extra: object,
) -> MatterRule:
    data: dict[str, object] = {
        "pass": {
            "base": base,
            "fraction": fraction,
            "comparison": comparison,
            "source": "X Art.1",
            **extra,
        }
    }
    if quorum is not None:
        data["quorum"] = {"fraction": quorum, "comparison": "at_least", "source": "X Art.1"}
    return MatterRule.model_validate(data)


def test_more_than_half_excludes_exactly_half_and_at_least_half_includes_it() -> None:
    counts = Counts(seats=10, present=10, yes=5, no=5)
    assert not evaluate(rule(comparison="more_than"), counts).passed  # 过半数
    assert evaluate(rule(comparison="at_least"), counts).passed  # 半数以上


def test_votes_cast_base_and_abstentions() -> None:
    counts = Counts(seats=10, present=10, yes=4, no=3, abstain=3)
    plain = rule(base="votes_cast", quorum=None)
    assert evaluate(plain, counts).passed  # 4 of 7 cast > 1/2
    with_abstentions = rule(base="votes_cast", quorum=None, abstentions_count_as_cast=True)
    assert not evaluate(with_abstentions, counts).passed  # 4 of 10 is not > 1/2
    assert not evaluate(rule(base="present", quorum=None), counts).passed
    assert "abstentions not counted" in evaluate(plain, counts).explanation.en


def test_nothing_passes_without_a_yes_vote() -> None:
    counts = Counts(seats=5, present=5, yes=0, no=0, abstain=5)
    decision = evaluate(rule(base="votes_cast", comparison="at_least", quorum=None), counts)
    assert not decision.passed
    assert decision.pass_.base_value == 0


def test_absolute_minimum() -> None:
    strict = rule(quorum=None, minimum=3)
    assert not evaluate(strict, Counts(seats=4, present=4, yes=2, no=0)).passed
    assert evaluate(strict, Counts(seats=4, present=4, yes=3, no=0)).passed
    assert "at least 3" in evaluate(strict, Counts(seats=4, present=4, yes=3, no=0)).explanation.en


def test_not_quorate_never_passes_and_says_why() -> None:
    decision = evaluate(rule(), Counts(seats=9, present=5, yes=5, no=0))
    assert decision.outcome is Outcome.NOT_QUORATE
    assert not decision.passed
    assert "5 of 9 present < 2/3 of 9" in decision.explanation.en
    assert "未达到法定人数" in decision.explanation.zh


def test_explanation_names_article_base_numbers_and_threshold() -> None:
    decision = evaluate(rule(quorum="2/3"), Counts(seats=10, present=7, yes=3, no=4))
    en, zh = decision.explanation.en, decision.explanation.zh
    assert "X Art.1" in en and "X Art.1" in zh
    assert "(= 20/3, at least 7 needed)" in en
    assert "3 yes of 7 present ≤ 1/2 of 7 (= 7/2, at least 4 needed): not carried" in en
    assert "赞成 3 / 到会 7 人" in zh
    summary = decision.summary()
    assert set(summary) == {"quorate", "passed", "rule", "explanation"}
    assert summary["rule"]["source"] == "X Art.1"
    assert summary["rule"]["pass"]["fraction"] == "1/2"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"seats": 5, "present": -1, "yes": 0, "no": 0}, "present cannot be negative"),
        ({"seats": 0, "present": 0, "yes": 0, "no": 0}, "seats must be at least 1"),
        ({"seats": 5, "present": 4, "proxies": 2, "yes": 0, "no": 0}, "exceeds seats"),
        ({"seats": 9, "present": 5, "yes": 4, "no": 2}, "exceeds present + proxies"),
        ({"seats": 9, "present": 5, "yes": 1.0, "no": 2}, "whole number"),
        ({"seats": 9, "present": 5, "yes": True, "no": 2}, "whole number"),
        ({"seats": 9, "present": 5, "yes": 1, "noo": 2}, "unknown count"),
        ({"seats": 9, "present": 5, "yes": 1}, "missing count"),
    ],
)
def test_impossible_counts_are_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidCounts, match=re.escape(message)):
        evaluate(rule(), data)


def test_proxies_cannot_vote_where_the_rule_admits_none() -> None:
    with pytest.raises(InvalidCounts, match="does not admit written proxies"):
        evaluate(rule(), Counts(seats=9, present=5, proxies=2, yes=6, no=1))
    # proxies recorded but not voting are fine: they simply do not count
    decision = evaluate(rule(), Counts(seats=9, present=5, proxies=2, yes=5, no=0))
    assert not decision.quorate  # 5 < 6: the proxies do not make up the quorum


@pytest.mark.parametrize(
    ("fraction", "message"),
    [
        ("4/3", "fraction 4/3 is above 1"),
        ("0", "must be above 0"),
        (0.5, "is a float"),
        ("0.5", "expected a fraction"),
        ("1/0", "zero denominator"),
    ],
)
def test_fractions_are_exact_and_proportions(fraction: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rule(fraction=fraction)  # type: ignore[arg-type]


def test_more_than_one_is_unreachable_and_refused() -> None:
    with pytest.raises(ValueError, match="can never be reached"):
        rule(fraction="1", comparison="more_than")


def test_quorum_is_always_of_all_seats() -> None:
    with pytest.raises(ValueError, match="all_seats"):
        MatterRule.model_validate(
            {
                "quorum": {
                    "fraction": "1/2",
                    "comparison": "at_least",
                    "base": "present",
                    "source": "X Art.1",
                },
                "pass": {
                    "base": "present",
                    "fraction": "1/2",
                    "comparison": "at_least",
                    "source": "X Art.1",
                },
            }
        )


def test_enums_round_trip() -> None:
    assert Base("all_seats") is Base.ALL_SEATS
    assert Comparison("more_than") is Comparison.MORE_THAN
