"""Amending a charter into its next version, and the rule-by-rule difference."""

from __future__ import annotations

from datetime import date

import pytest

from charter import AmendmentError, CharterValidationError, amend, diff, load_template


def test_amend_bumps_the_version_and_diff_lists_each_rule() -> None:
    v1 = load_template("aii")
    v2 = amend(
        v1,
        {
            "bodies.council.rules.ordinary_resolution.pass.fraction": "3/4",
            "bodies.council.meetings.min_per_year": 2,
        },
        note="Council motion 2026-03: raise the majority",
        effective_from=date(2026, 4, 1),
    )
    assert (v1.version, v2.version, v2.amended_from) == (1, 2, 1)
    assert v2.amendment_note == "Council motion 2026-03: raise the majority"
    assert v2.effective_from == date(2026, 4, 1)
    changes = diff(v1, v2)
    assert [(c.path, c.old, c.new, c.kind) for c in changes] == [
        ("bodies.council.meetings.min_per_year", 1, 2, "changed"),
        ("bodies.council.rules.ordinary_resolution.pass.fraction", "2/3", "3/4", "changed"),
    ]
    assert not v2.evaluate(
        "council", "admission", {"seats": 9, "present": 9, "yes": 6, "no": 3}
    ).passed
    v3 = amend(v2, {"bodies.council.meetings.min_per_year": 3})
    assert v3.version == 3 and v3.amendment_note is None
    assert v1.version == 1  # the original is untouched


def test_list_items_are_named_by_id_and_additions_show_whole_rules() -> None:
    v1 = load_template("aii")
    rule = {
        "quorum": {"fraction": "2/3", "comparison": "at_least", "source": "AII Art.23"},
        "pass": {
            "base": "all_seats",
            "fraction": "1/2",
            "comparison": "more_than",
            "source": "AII Art.16",
        },
    }
    v2 = amend(
        v1,
        {
            "membership.tiers[director].rights[nominate_director].text.en": "Nominate a director",
            "bodies.council.rules.expulsion": rule,
        },
    )
    changes = {c.path: c for c in diff(v1, v2)}
    assert changes["membership.tiers[director].rights[nominate_director].text.en"].kind == "changed"
    added = changes["bodies.council.rules.expulsion"]
    assert added.kind == "added" and added.old is None
    assert added.new["pass"]["fraction"] == "1/2"
    v3 = amend(v2, {"bodies.council.rules.expulsion": None})
    [removed] = diff(v2, v3)
    assert (removed.path, removed.kind, removed.new) == (
        "bodies.council.rules.expulsion",
        "removed",
        None,
    )


def test_invalid_amendments_are_refused() -> None:
    v1 = load_template("aii")
    with pytest.raises(CharterValidationError, match="fraction 3/2 is above 1"):
        amend(v1, {"bodies.council.rules.ordinary_resolution.pass.fraction": "3/2"})
    with pytest.raises(AmendmentError, match="no 'board'"):
        amend(v1, {"bodies.board.name.en": "Board"})
    with pytest.raises(AmendmentError, match="no item with id"):
        amend(v1, {"membership.tiers[platinum].name.en": "x"})
    with pytest.raises(AmendmentError, match="out of range"):
        amend(v1, {"membership.tiers[9].name.en": "x"})
    with pytest.raises(AmendmentError, match="not amended by hand"):
        amend(v1, {"version": 7})
    with pytest.raises(AmendmentError, match="must change something"):
        amend(v1, {})


def test_diff_between_templates_and_itself() -> None:
    aii = load_template("aii")
    assert diff(aii, aii) == []
    changes = diff(aii, load_template("china-asean"))
    paths = {c.path for c in changes}
    assert "slug" in paths
    assert "bodies.standing_council" in paths  # removed wholesale
    assert all(c.path for c in changes)
