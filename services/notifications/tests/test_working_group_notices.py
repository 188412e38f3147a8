"""AITISA working-group notices: what the people concerned are told, in both languages."""

from __future__ import annotations

import uuid
from typing import Any

from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from notifications.rendering import render
from notifications.working_group_notices import KIND
from servicekit.tenancy import alliance_id
from services.notifications.tests.working_group_samples import SAMPLES


def context(kind: str) -> dict[str, object]:
    return {"d": SAMPLES[kind].model_dump()}


def test_every_working_group_event_has_its_kind_of_notice() -> None:
    assert sorted(KIND.values()) == sorted(SAMPLES)


def test_a_member_gone_after_three_absences_is_announced_to_all_members_with_the_article() -> None:
    zh = render("working_group_member_left", "zh", context("working_group_member_left")).body
    en = render("working_group_member_left", "en", context("working_group_member_left")).body
    assert "连续 3 次" in zh and "通告全体推进组成员" in zh and "AITISA Art.7(6)" in zh
    assert "少于规定的 5 家" in zh
    assert "missed 3" in en and "announced to all members" in en and "fewer than the 5" in en


def test_the_leader_is_told_to_remind_a_member_after_two_absences() -> None:
    zh = render(
        "working_group_absence_reminder", "zh", context("working_group_absence_reminder")
    ).body
    assert "连续 2 次" in zh and "提醒义务" in zh


def test_the_dissolution_notice_gives_the_last_day_to_object() -> None:
    kind = "working_group_dissolution_notified"
    assert "2026年12月13日" in render(kind, "zh", context(kind)).body
    assert "13 December 2026" in render(kind, "en", context(kind)).body


def test_a_warning_is_published_with_its_corrective_actions() -> None:
    kind = "working_group_evaluated"
    zh = render(kind, "zh", context(kind)).body
    assert "警告" in zh and "整改意见：每年至少召开两次工作会议" in zh
    assert "Corrective actions: 每年至少召开两次工作会议" in render(kind, "en", context(kind)).body


def test_a_declined_application_gives_its_reasons() -> None:
    kind = "working_group_answered"
    assert "与现有推进组业务重叠" in render(kind, "zh", context(kind)).body
    assert "Reasons: 与现有推进组业务重叠" in render(kind, "en", context(kind)).body


async def test_a_departure_after_three_absences_reaches_every_member_of_the_group(
    notifications: SubgraphClient, nats_url: str
) -> None:
    slug = f"wg-{uuid.uuid4().hex[:6]}"
    alliance = alliance_id(slug)
    members = [f"{slug}-member-{i}" for i in range(5)]
    left = SAMPLES["working_group_member_left"].model_copy(
        update={"alliance_id": alliance, "recipients": members}
    )
    await publish(
        nats_url, event(left.TYPE, left.to_data(), alliance_id=alliance, subject=str(left.seat_id))
    )

    async def told(user: str) -> list[dict[str, Any]] | None:
        data = await notifications.data(
            "{ myNotifications(first: 10) { edges { node { title body eventType } } } }",
            claims=claims_for(user),
        )
        edges = data["myNotifications"]["edges"]
        return [e["node"] for e in edges] or None

    for user in members:
        found = await eventually(lambda user=user: told(user), within=20)
        assert found is not None
        assert [n["eventType"] for n in found] == ["governance.working_group.member_left"]
        assert "AITISA Art.7(6)" in found[0]["body"]
