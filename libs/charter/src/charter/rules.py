"""The rule engine: quorum and pass rules, and the exact evaluation of a vote against them.

Everything is integer or ``Fraction`` arithmetic. "2/3 以上" (at least two thirds) and "过半数"
(more than half) differ exactly at the boundary, which is where votes are decided, so the
comparison is done on exact numbers and the explanation shows the boundary it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from charter.base import Sourced, Strict, Text
from charter.errors import InvalidCounts
from charter.exact import Proportion, ceil_fraction, format_fraction
from charter.ids import (
    BASE_LABELS,
    BODY_LABELS,
    MATTER_LABELS,
    OUTCOME_LABELS,
    Base,
    BodyId,
    Comparison,
    MatterKind,
    Outcome,
)


class _Threshold(Sourced):
    """Common part of a quorum and a pass rule: a fraction of a base, compared one way."""

    fraction: Proportion
    comparison: Comparison = Field(
        description="at_least for '以上' (≥, inclusive); more_than for '超过'/'过半数' (>)."
    )
    minimum: int | None = Field(
        default=None,
        ge=1,
        description="An absolute minimum count on top of the fraction (attendees or yes votes).",
    )
    proxies_count_as_present: bool = Field(
        default=False,
        description="Whether members represented by a written proxy (书面委托) count as present.",
    )
    wording: str | None = Field(default=None, description="The charter's words, quoted.")

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.comparison is Comparison.MORE_THAN and self.fraction == 1:
            raise ValueError("'more_than' a fraction of 1 can never be reached")
        return self


class QuorumRule(_Threshold):
    """How many must attend for the meeting to decide: always a fraction of all seats."""

    base: Literal[Base.ALL_SEATS] = Base.ALL_SEATS


class PassRule(_Threshold):
    """How many yes votes carry the motion, as a fraction of a stated base."""

    base: Base
    abstentions_count_as_cast: bool = Field(
        default=False,
        description=(
            "Only for base votes_cast: whether abstentions count as votes cast. With base "
            "present or all_seats an abstention is simply not a yes vote."
        ),
    )

    @model_validator(mode="after")
    def _abstentions_need_votes_cast(self) -> Self:
        if self.abstentions_count_as_cast and self.base is not Base.VOTES_CAST:
            raise ValueError("abstentions_count_as_cast only applies to base 'votes_cast'")
        return self


class MatterRule(Strict):
    """The quorum and pass rule a body applies to one kind of matter."""

    quorum: QuorumRule | None = Field(
        default=None, description="None when the charter requires no quorum for this matter."
    )
    pass_: PassRule = Field(alias="pass")

    @property
    def source(self) -> str:
        """The articles this rule cites, quorum first, without repeats."""
        sources = [t.source for t in (self.quorum, self.pass_) if t is not None]
        return "; ".join(dict.fromkeys(sources))

    @property
    def admits_proxies(self) -> bool:
        return any(t is not None and t.proxies_count_as_present for t in (self.quorum, self.pass_))


@dataclass(frozen=True)
class Counts:
    """What happened at one meeting on one motion.

    ``present`` are members attending in person or by correspondence; ``proxies`` are members
    represented by a written proxy. Ballots cast by proxies are included in yes/no/abstain.
    Impossible counts raise ``InvalidCounts`` at construction, so a Decision never rests on them.
    """

    seats: int
    present: int
    yes: int
    no: int
    abstain: int = 0
    proxies: int = 0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidCounts(f"{item.name} must be a whole number, got {value!r}")
            if value < 0:
                raise InvalidCounts(f"{item.name} cannot be negative, got {value}")
        if self.seats < 1:
            raise InvalidCounts(f"seats must be at least 1, got {self.seats}")
        attending = self.present + self.proxies
        if attending > self.seats:
            raise InvalidCounts(
                f"present + proxies ({self.present} + {self.proxies} = {attending}) "
                f"exceeds seats ({self.seats})"
            )
        if self.ballots > attending:
            raise InvalidCounts(
                f"yes + no + abstain ({self.yes} + {self.no} + {self.abstain} = {self.ballots}) "
                f"exceeds present + proxies ({attending})"
            )

    @property
    def ballots(self) -> int:
        return self.yes + self.no + self.abstain

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Counts:
        """Build from a mapping, refusing unknown names (a typo must not become a zero)."""
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidCounts(f"unknown count(s): {', '.join(unknown)}")
        missing = sorted(n for n in ("seats", "present", "yes", "no") if n not in data)
        if missing:
            raise InvalidCounts(f"missing count(s): {', '.join(missing)}")
        return cls(**data)


class Check(Strict):
    """One comparison made (quorum or pass), with every number needed to redo it by hand."""

    kind: Literal["quorum", "pass"]
    source: str
    base: Base
    base_value: int
    count: int
    fraction: Proportion
    comparison: Comparison
    threshold: str = Field(description="fraction × base, exact (e.g. '20/3').")
    needed: int = Field(description="The smallest whole count that meets the rule.")
    minimum: int | None = None
    met: bool


class Decision(Strict):
    """The result of one vote, with the rule it applied and a bilingual explanation."""

    quorate: bool
    passed: bool
    outcome: Outcome
    body: BodyId | None = None
    matter: MatterKind | None = None
    source: str
    rule: MatterRule
    counts: Counts
    quorum: Check | None
    pass_: Check = Field(alias="pass")
    explanation: Text

    def summary(self) -> dict[str, Any]:
        """The JSON shape the CLI and services print: quorate, passed, rule, explanation."""
        rule: dict[str, Any] = {"source": self.source}
        if self.body is not None:
            rule["body"] = self.body.value
        if self.matter is not None:
            rule["matter"] = self.matter.value
        rule.update(self.rule.model_dump(mode="json", by_alias=True, exclude_none=True))
        return {
            "quorate": self.quorate,
            "passed": self.passed,
            "rule": rule,
            "explanation": self.explanation.model_dump(mode="json"),
        }


def needed_count(fraction: Fraction, comparison: Comparison, base: int) -> int:
    """The smallest whole count c with c ≥ fraction×base (at_least) or c > fraction×base."""
    threshold = fraction * base
    if comparison is Comparison.AT_LEAST:
        return ceil_fraction(threshold)
    return threshold.numerator // threshold.denominator + 1


def _check(
    kind: Literal["quorum", "pass"],
    rule: QuorumRule | PassRule,
    base_value: int,
    count: int,
) -> Check:
    needed = needed_count(rule.fraction, rule.comparison, base_value)
    if rule.minimum is not None:
        needed = max(needed, rule.minimum)
    if kind == "pass":
        # Nothing passes on zero yes votes, even when the base is empty (no votes cast).
        needed = max(needed, 1)
    return Check(
        kind=kind,
        source=rule.source,
        base=rule.base,
        base_value=base_value,
        count=count,
        fraction=rule.fraction,
        comparison=rule.comparison,
        threshold=format_fraction(rule.fraction * base_value),
        needed=needed,
        minimum=rule.minimum,
        met=count >= needed,
    )


def _pass_base(rule: PassRule, counts: Counts) -> int:
    if rule.base is Base.ALL_SEATS:
        return counts.seats
    if rule.base is Base.PRESENT:
        return counts.present + (counts.proxies if rule.proxies_count_as_present else 0)
    return counts.yes + counts.no + (counts.abstain if rule.abstentions_count_as_cast else 0)


def evaluate(
    rule: MatterRule,
    counts: Counts | Mapping[str, Any],
    *,
    body: BodyId | str | None = None,
    matter: MatterKind | str | None = None,
    alliance: str | None = None,
) -> Decision:
    """Decide quorate / passed / failed for ``counts`` under ``rule``, and explain why.

    ``passed`` is never true when the meeting is not quorate. Raises ``InvalidCounts`` for
    counts that cannot be true, including votes by proxies under a rule that admits none.
    """
    if not isinstance(counts, Counts):
        counts = Counts.from_mapping(counts)
    body_id = BodyId(body) if body is not None else None
    matter_id = MatterKind(matter) if matter is not None else None
    if not rule.admits_proxies and counts.ballots > counts.present:
        raise InvalidCounts(
            f"rule {rule.source} does not admit written proxies: yes + no + abstain "
            f"({counts.ballots}) exceeds those present ({counts.present})"
        )

    quorum: Check | None = None
    if rule.quorum is not None:
        attending = counts.present + (counts.proxies if rule.quorum.proxies_count_as_present else 0)
        quorum = _check("quorum", rule.quorum, counts.seats, attending)
    quorate = quorum is None or quorum.met
    vote = _check("pass", rule.pass_, _pass_base(rule.pass_, counts), counts.yes)
    passed = quorate and vote.met
    outcome = Outcome.PASSED if passed else (Outcome.FAILED if quorate else Outcome.NOT_QUORATE)
    explanation = _explain(rule, counts, quorum, vote, outcome, body_id, matter_id, alliance)
    return Decision(
        quorate=quorate,
        passed=passed,
        outcome=outcome,
        body=body_id,
        matter=matter_id,
        source=rule.source,
        rule=rule,
        counts=counts,
        quorum=quorum,
        pass_=vote,
        explanation=explanation,
    )


_SIGN = {
    (Comparison.AT_LEAST, True): "≥",
    (Comparison.AT_LEAST, False): "<",
    (Comparison.MORE_THAN, True): ">",
    (Comparison.MORE_THAN, False): "≤",
}
_ZH_WORD = {Comparison.AT_LEAST: "以上", Comparison.MORE_THAN: "超过"}


def _attendance_en(counts: Counts, with_proxies: bool) -> str:
    if with_proxies and counts.proxies:
        return f" ({counts.present} in person + {counts.proxies} by written proxy)"
    return ""


def _attendance_zh(counts: Counts, with_proxies: bool) -> str:
    if with_proxies and counts.proxies:
        return f"（亲自出席 {counts.present}，书面委托 {counts.proxies}）"
    return ""


def _explain(
    rule: MatterRule,
    counts: Counts,
    quorum: Check | None,
    vote: Check,
    outcome: Outcome,
    body: BodyId | None,
    matter: MatterKind | None,
    alliance: str | None,
) -> Text:
    head_zh: list[str] = []
    head_en: list[str] = []
    if alliance:
        head_zh.append(alliance)
        head_en.append(alliance)
    if body is not None:
        head_zh.append(BODY_LABELS[body][0])
        head_en.append(BODY_LABELS[body][1])
    if matter is not None:
        head_zh.append(MATTER_LABELS[matter][0])
        head_en.append(MATTER_LABELS[matter][1])
    zh_parts = [f"{' '.join(head_zh) + '，' if head_zh else ''}依据 {rule.source}。"]
    en_parts = [f"{', '.join(head_en) + ' ' if head_en else ''}under {rule.source}."]

    if quorum is None or rule.quorum is None:
        zh_parts.append("法定人数：本事项无出席人数要求。")
        en_parts.append("Quorum: none required for this matter.")
    else:
        proxies = rule.quorum.proxies_count_as_present
        sign = _SIGN[(quorum.comparison, quorum.met)]
        frac = format_fraction(quorum.fraction)
        minimum_zh = f"，且不少于 {quorum.minimum} 人" if quorum.minimum else ""
        minimum_en = f" and at least {quorum.minimum}" if quorum.minimum else ""
        verdict_zh = "达到法定人数" if quorum.met else "未达到法定人数"
        verdict_en = "quorate" if quorum.met else "not quorate"
        zh_parts.append(
            f"法定人数（{quorum.source}，须全体 {frac} {_ZH_WORD[quorum.comparison]}"
            f"{'，书面委托计入出席' if proxies else ''}{minimum_zh}）："
            f"出席 {quorum.count} / 全体 {counts.seats}{_attendance_zh(counts, proxies)} "
            f"{sign} {counts.seats} 的 {frac}（= {quorum.threshold}，至少 {quorum.needed}）："
            f"{verdict_zh}。"
        )
        en_parts.append(
            f"Quorum ({quorum.source}, {quorum.comparison.value.replace('_', ' ')} {frac} "
            f"of all seats{', written proxies count as present' if proxies else ''}"
            f"{minimum_en}): {quorum.count} of {counts.seats} present"
            f"{_attendance_en(counts, proxies)} {sign} {frac} of {counts.seats} "
            f"(= {quorum.threshold}, at least {quorum.needed} needed): {verdict_en}."
        )

    pass_rule = rule.pass_
    frac = format_fraction(vote.fraction)
    sign = _SIGN[(vote.comparison, vote.met)]
    base_zh, base_en = BASE_LABELS[vote.base]
    if vote.base is Base.VOTES_CAST:
        cast_zh = "（弃权计入）" if pass_rule.abstentions_count_as_cast else "（弃权不计入）"
        cast_en = (
            " (abstentions count as cast)"
            if pass_rule.abstentions_count_as_cast
            else " (abstentions not counted)"
        )
    elif vote.base is Base.PRESENT:
        cast_zh = "（书面委托计入到会）" if pass_rule.proxies_count_as_present else ""
        cast_en = (
            " (written proxies count as present)" if pass_rule.proxies_count_as_present else ""
        )
    else:
        cast_zh = cast_en = ""
    tally_zh = f"赞成 {counts.yes}，反对 {counts.no}，弃权 {counts.abstain}"
    tally_en = f"yes {counts.yes}, no {counts.no}, abstain {counts.abstain}"
    minimum_zh = f"，且不少于 {vote.minimum} 票" if vote.minimum else ""
    minimum_en = f" and at least {vote.minimum}" if vote.minimum else ""
    vote_zh = "表决通过" if vote.met else "赞成票不足"
    vote_en = "carried" if vote.met else "not carried"
    zh_parts.append(
        f"表决（{vote.source}，须{base_zh} {frac} {_ZH_WORD[vote.comparison]}{minimum_zh}）："
        f"{tally_zh}；赞成 {vote.count} / {base_zh}{cast_zh} {vote.base_value} "
        f"{sign} {vote.base_value} 的 {frac}（= {vote.threshold}，至少 {vote.needed}）："
        f"{vote_zh}。"
    )
    en_parts.append(
        f"Vote ({vote.source}, {vote.comparison.value.replace('_', ' ')} {frac} of "
        f"{base_en}{minimum_en}): {tally_en}; {vote.count} yes of {vote.base_value} "
        f"{base_en}{cast_en} {sign} {frac} of {vote.base_value} (= {vote.threshold}, "
        f"at least {vote.needed} needed): {vote_en}."
    )
    if outcome is Outcome.NOT_QUORATE:
        zh_parts.append("结果：未达到法定人数，决议不成立。")
        en_parts.append("Outcome: not quorate, so the motion cannot pass.")
    else:
        zh_parts.append(f"结果：{OUTCOME_LABELS[outcome][0]}。")
        en_parts.append(f"Outcome: {OUTCOME_LABELS[outcome][1]}.")
    return Text(zh="".join(zh_parts), en=" ".join(en_parts))
