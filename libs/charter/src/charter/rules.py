"""The rule engine: quorum and pass rules, and the exact evaluation of a vote against them.

Everything is integer or ``Fraction`` arithmetic. "2/3 以上" (at least two thirds) and "过半数"
(more than half) differ exactly at the boundary, which is where votes are decided, so the
comparison is done on exact numbers and the explanation shows the boundary it used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def _cite_zh(source: str) -> str:
    return "默认规则，章程未作规定" if source == "default" else source


def _cite_en(source: str) -> str:
    return "default rule, charter silent" if source == "default" else source


def _cite_all(rule: MatterRule, cite: Callable[[str], str]) -> str:
    return "; ".join(dict.fromkeys(cite(s) for s in rule.source.split("; ")))


_BASE_EN = {
    Base.ALL_SEATS: "of all {n} seats",
    Base.PRESENT: "of {n} present",
    Base.VOTES_CAST: "of {n} votes cast",
}
_BASE_ZH = {
    Base.ALL_SEATS: "全体 {n} 席",
    Base.PRESENT: "到会 {n} 人",
    Base.VOTES_CAST: "有效票 {n} 票",
}


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
    """Say in both languages which rule applied, to which numbers, and where the line was."""
    head_zh = [alliance or "", BODY_LABELS[body][0] if body else "", _label(matter, 0)]
    head_en = [alliance or "", BODY_LABELS[body][1] if body else "", _label(matter, 1)]
    head_zh = [h for h in head_zh if h]
    head_en = [h for h in head_en if h]
    zh = [f"{' '.join(head_zh) + '，' if head_zh else ''}依据 {_cite_all(rule, _cite_zh)}。"]
    en = [f"{', '.join(head_en) + ' ' if head_en else ''}under {_cite_all(rule, _cite_en)}."]

    if quorum is None or rule.quorum is None:
        zh.append("法定人数：本事项无出席人数要求。")
        en.append("Quorum: none required for this matter.")
    else:
        zh.append(_quorum_zh(quorum, counts, rule.quorum.proxies_count_as_present))
        en.append(_quorum_en(quorum, counts, rule.quorum.proxies_count_as_present))
    zh.append(_vote_zh(vote, counts, rule.pass_))
    en.append(_vote_en(vote, counts, rule.pass_))

    if outcome is Outcome.NOT_QUORATE:
        zh.append("结果：未达到法定人数，决议不成立。")
        en.append("Outcome: not quorate, so the motion cannot pass.")
    else:
        zh.append(f"结果：{OUTCOME_LABELS[outcome][0]}。")
        en.append(f"Outcome: {OUTCOME_LABELS[outcome][1]}.")
    return Text(zh="".join(zh), en=" ".join(en))


def _label(matter: MatterKind | None, index: int) -> str:
    return MATTER_LABELS[matter][index] if matter is not None else ""


def _quorum_zh(check: Check, counts: Counts, proxies: bool) -> str:
    frac = format_fraction(check.fraction)
    rule = f"须全体 {frac} {_ZH_WORD[check.comparison]}"
    if proxies:
        rule += "，书面委托计入出席"
    if check.minimum:
        rule += f"，且不少于 {check.minimum} 人"
    sign = _SIGN[(check.comparison, check.met)]
    verdict = "达到法定人数" if check.met else "未达到法定人数"
    return (
        f"法定人数（{_cite_zh(check.source)}，{rule}）："
        f"出席 {check.count} / 全体 {counts.seats}{_attendance_zh(counts, proxies)} "
        f"{sign} {counts.seats} 的 {frac}（= {check.threshold}，至少 {check.needed}）：{verdict}。"
    )


def _quorum_en(check: Check, counts: Counts, proxies: bool) -> str:
    frac = format_fraction(check.fraction)
    rule = f"{check.comparison.value.replace('_', ' ')} {frac} of all seats"
    if proxies:
        rule += ", written proxies count as present"
    if check.minimum:
        rule += f", and at least {check.minimum}"
    sign = _SIGN[(check.comparison, check.met)]
    verdict = "quorate" if check.met else "not quorate"
    return (
        f"Quorum ({_cite_en(check.source)}, {rule}): {check.count} of {counts.seats} present"
        f"{_attendance_en(counts, proxies)} {sign} {frac} of {counts.seats} "
        f"(= {check.threshold}, at least {check.needed} needed): {verdict}."
    )


def _base_note(rule: PassRule, zh: bool) -> str:
    if rule.base is Base.VOTES_CAST:
        if rule.abstentions_count_as_cast:
            return "（弃权计入）" if zh else " (abstentions count as cast)"
        return "（弃权不计入）" if zh else " (abstentions not counted)"
    if rule.base is Base.PRESENT and rule.proxies_count_as_present:
        return "（书面委托计入到会）" if zh else " (written proxies count as present)"
    return ""


def _vote_zh(check: Check, counts: Counts, rule: PassRule) -> str:
    frac = format_fraction(check.fraction)
    minimum = f"，且不少于 {check.minimum} 票" if check.minimum else ""
    sign = _SIGN[(check.comparison, check.met)]
    base = _BASE_ZH[check.base].format(n=check.base_value)
    verdict = "表决通过" if check.met else "赞成票不足"
    return (
        f"表决（{_cite_zh(check.source)}，须{BASE_LABELS[check.base][0]} {frac} "
        f"{_ZH_WORD[check.comparison]}{minimum}）："
        f"赞成 {counts.yes}，反对 {counts.no}，弃权 {counts.abstain}；"
        f"赞成 {check.count} / {base}{_base_note(rule, zh=True)} "
        f"{sign} {check.base_value} 的 {frac}（= {check.threshold}，至少 {check.needed}）："
        f"{verdict}。"
    )


def _vote_en(check: Check, counts: Counts, rule: PassRule) -> str:
    frac = format_fraction(check.fraction)
    minimum = f", and at least {check.minimum}" if check.minimum else ""
    sign = _SIGN[(check.comparison, check.met)]
    base = _BASE_EN[check.base].format(n=check.base_value)
    verdict = "carried" if check.met else "not carried"
    return (
        f"Vote ({_cite_en(check.source)}, {check.comparison.value.replace('_', ' ')} {frac} "
        f"of {BASE_LABELS[check.base][1]}{minimum}): "
        f"yes {counts.yes}, no {counts.no}, abstain {counts.abstain}; "
        f"{check.count} yes {base}{_base_note(rule, zh=False)} {sign} {frac} of "
        f"{check.base_value} (= {check.threshold}, at least {check.needed} needed): {verdict}."
    )
