"""Email over a real SMTP server, webhooks to a real receiver, preferences and their refusals,
the delivery log; each notice once per recipient and channel."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from devkit.testing.channels import MailBox, Receiver, webhook_receiver
from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from notifications.channels import WebhookNotHttps, check_webhook_url
from servicekit.tenancy import alliance_id

SLUG = "aitisa"
ALLIANCE = alliance_id(SLUG)
SECRETARIAT = claims_for("sec-aitisa", alliances={SLUG: ["secretariat"]})

SETTINGS = """mutation($a: String!, $email: String, $lang: String!) {
  setMyNotificationSettings(alliance: $a, email: $email, language: $lang) { email language } }"""
PREFERENCE = """mutation($a: String!, $kind: String!, $ch: [NotificationChannel!]!, $lang: String) {
  setNotificationPreference(alliance: $a, kind: $kind, channels: $ch, language: $lang) {
    kind channels language } }"""
REGISTER = """mutation($a: String!, $url: String!) {
  registerWebhookEndpoint(alliance: $a, url: $url)
  { secret endpoint { id url } } }"""
LOG = """query($a: String!, $ch: String, $st: String) {
  deliveryLog(alliance: $a, channel: $ch, status: $st, first: 100) { totalCount edges { node {
    id channel kind recipient target status webhookId lastError
    attempts { number ok detail } } } } }"""


def application(kind: str, contact: str, **extra: Any) -> Any:
    data = {
        "applicationId": str(uuid.uuid4()),
        "kind": "admission",
        "allianceId": str(ALLIANCE),
        "allianceSlug": SLUG,
        "allianceNameZh": "新一代人工智能产业技术创新战略联盟",
        "allianceNameEn": "AITISA",
        "organizationId": str(uuid.uuid4()),
        "organizationNameZh": "星海科技有限公司",
        "organizationNameEn": "Xinghai Tech",
        "tier": "ordinary",
        "status": kind,
        "contactUserId": contact,
        "reason": "缺少营业执照复印件",
        "charterVersion": 1,
    } | extra
    return event(
        f"membership.application.{kind}", data, alliance_id=ALLIANCE, subject=data["applicationId"]
    )


async def settings_for(
    client: SubgraphClient, user: str, email: str | None, language: str
) -> dict[str, Any]:
    return await client.execute(
        SETTINGS, {"a": SLUG, "email": email, "lang": language}, claims=claims_for(user)
    )


DEADLINE = 60.0
"""How long a test waits for what it expects (a condition, checked every 50 ms): long enough
for a loaded machine, and a passing test never waits for it."""


async def settled(
    client: SubgraphClient, backlog_handled: Callable[[float], Awaitable[None]]
) -> None:
    """Every event on the stream handled and no delivery waiting to be sent or being sent:
    a second send, were there one, has happened by now."""
    await backlog_handled(DEADLINE)

    async def idle() -> bool:
        for status in ("pending", "sending"):
            if await log(client, status=status):
                return False
        return True

    await eventually(idle, within=DEADLINE)


async def log(client: SubgraphClient, **filters: str) -> list[dict[str, Any]]:
    data = await client.data(
        LOG,
        {"a": SLUG, "ch": filters.get("channel"), "st": filters.get("status")},
        claims=SECRETARIAT,
    )
    return [e["node"] for e in data["deliveryLog"]["edges"]]


async def test_an_email_reaches_the_contact_person_once_in_the_language_they_chose(
    service: SubgraphClient,
    smtp: tuple[MailBox, int],
    nats_url: str,
    backlog_handled: Callable[[float], Awaitable[None]],
) -> None:
    box, _ = smtp
    user, address = "contact-mail-1", "li.na@xinghai.example"
    assert not (await settings_for(service, user, address, "en")).get("errors")
    returned = application("returned", user)
    await publish(nats_url, returned)
    await publish(nats_url, returned, msg_id=str(uuid.uuid4()))  # redelivered past the dedupe
    mails = await eventually(lambda: _async(box.to(address)), within=DEADLINE)
    message = mails[0]
    assert message["Subject"] == "Membership application returned for correction: AITISA"
    assert message["Content-Language"] == "en"
    assert "Reasons: 缺少营业执照复印件" in message.get_content()
    # The same person chooses Chinese for this kind only: the next one comes in Chinese.
    await service.data(
        PREFERENCE,
        {"a": SLUG, "kind": "application_approved", "ch": ["INBOX", "EMAIL"], "lang": "zh"},
        claims=claims_for(user),
    )
    await publish(nats_url, application("approved", user, rule="AITISA Art.8"))
    mails = await eventually(
        lambda: _async(len(box.to(address)) >= 2 and box.to(address)), within=DEADLINE
    )
    assert mails[1]["Subject"] == "入会申请已获批准：新一代人工智能产业技术创新战略联盟"
    await settled(service, backlog_handled)
    assert len(box.to(address)) == 2
    sent = [d for d in await log(service, channel="email") if d["recipient"] == user]
    assert sorted(d["kind"] for d in sent) == ["application_approved", "application_returned"]
    assert all(d["status"] == "sent" and len(d["attempts"]) == 1 for d in sent)


async def test_a_person_who_turns_email_off_for_a_kind_gets_only_the_inbox_notice(
    service: SubgraphClient,
    smtp: tuple[MailBox, int],
    nats_url: str,
    backlog_handled: Callable[[float], Awaitable[None]],
) -> None:
    box, _ = smtp
    user, address = "contact-mail-2", "wang@example.cn"
    await settings_for(service, user, address, "zh")
    await service.data(
        PREFERENCE,
        {"a": SLUG, "kind": "application_received", "ch": ["INBOX"], "lang": None},
        claims=claims_for(user),
    )
    await publish(nats_url, application("submitted", user))
    inbox = """{ myNotifications { totalCount edges { node { kind title } } } }"""
    page = await eventually(
        lambda: _total(service.data(inbox, claims=claims_for(user)), "myNotifications"),
        within=DEADLINE,
    )
    assert page["edges"][0]["node"]["kind"] == "application_received"
    await settled(service, backlog_handled)
    assert box.to(address) == []


async def test_bad_preferences_are_refused_with_a_typed_error_and_change_nothing(
    service: SubgraphClient,
) -> None:
    user = claims_for("contact-prefs")
    unknown_language = await service.execute(
        SETTINGS, {"a": SLUG, "email": "a@b.cn", "lang": "fr"}, claims=user
    )
    assert unknown_language["errors"][0]["extensions"]["code"] == "UNKNOWN_LANGUAGE"
    bad_email = await service.execute(
        SETTINGS, {"a": SLUG, "email": "not-an-address", "lang": "zh"}, claims=user
    )
    assert bad_email["errors"][0]["extensions"]["code"] == "INVALID_EMAIL"
    mandatory = await service.execute(
        PREFERENCE, {"a": SLUG, "kind": "deadline_due", "ch": ["EMAIL"], "lang": None}, claims=user
    )
    assert mandatory["errors"][0]["extensions"]["code"] == "NOTICE_MANDATORY"
    unknown_kind = await service.execute(
        PREFERENCE, {"a": SLUG, "kind": "gossip", "ch": ["INBOX"], "lang": None}, claims=user
    )
    assert unknown_kind["errors"][0]["extensions"]["code"] == "UNKNOWN_NOTICE_KIND"
    language = await service.execute(
        PREFERENCE, {"a": SLUG, "kind": "tier_changed", "ch": ["INBOX"], "lang": "de"}, claims=user
    )
    assert language["errors"][0]["extensions"]["code"] == "UNKNOWN_LANGUAGE"
    mine = await service.data(
        """query($a: String!) { myNotificationSettings(alliance: $a) {
          email language preferences { kind } } }""",
        {"a": SLUG},
        claims=user,
    )
    assert mine["myNotificationSettings"] == {"email": None, "language": "zh", "preferences": []}
    kinds = await service.data("{ notificationKinds { name mandatory } }", claims=user)
    mandatory_kinds = {k["name"] for k in kinds["notificationKinds"] if k["mandatory"]}
    assert {"deadline_due", "deadline_overdue", "demoted", "membership_ended"} <= mandatory_kinds


def test_a_webhook_endpoint_must_be_https_in_production() -> None:
    with pytest.raises(WebhookNotHttps):
        check_webhook_url("http://hooks.example.cn/concord", production=True)
    assert check_webhook_url("https://hooks.example.cn/concord", production=True)
    assert check_webhook_url("http://127.0.0.1:9/x", production=False)


async def test_only_the_secretariat_registers_webhooks_and_reads_the_delivery_log(
    service: SubgraphClient,
) -> None:
    someone = claims_for("contact-x")
    refused = await service.execute(REGISTER, {"a": SLUG, "url": "https://x.cn/h"}, claims=someone)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    log_refused = await service.execute(LOG, {"a": SLUG}, claims=someone)
    assert log_refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    not_a_url = await service.execute(REGISTER, {"a": SLUG, "url": "ftp://x"}, claims=SECRETARIAT)
    assert not_a_url["errors"][0]["extensions"]["code"] == "INVALID_WEBHOOK_URL"


async def test_webhooks_are_signed_and_a_failing_endpoint_is_retried_then_dead_lettered(
    service: SubgraphClient, nats_url: str, backlog_handled: Callable[[float], Awaitable[None]]
) -> None:
    async with webhook_receiver() as receiver:
        good = await _register(service, receiver, "/ok/hooks")
        bad = await _register(service, receiver, "/fail/hooks")
        try:
            submitted = application("submitted", "contact-hook-1")
            await publish(nats_url, submitted)
            await publish(nats_url, submitted, msg_id=str(uuid.uuid4()))
            received = await eventually(lambda: _async(receiver.on("/ok/hooks")), within=DEADLINE)
            hook = received[0]
            payload = Webhook(good).verify(hook.body, hook.headers)
            assert payload["type"] == "concord.notice.application_received"
            assert payload["data"]["eventId"] == str(submitted.id)
            assert payload["data"]["titleZh"].startswith("入会申请已收到")
            with pytest.raises(Exception, match="signature"):
                Webhook(bad).verify(hook.body, hook.headers)
            # The failing endpoint gets every attempt of the schedule, with one id, then the
            # delivery is dead-lettered with each attempt in the log.
            dead = await eventually(
                lambda: _dead(service, "/fail/hooks"), within=DEADLINE, interval=0.1
            )
            failed = receiver.on("/fail/hooks")
            assert len(failed) == 4 == len(dead["attempts"])
            assert {r.headers["webhook-id"] for r in failed} == {dead["webhookId"]}
            assert all(Webhook(bad).verify(r.body, r.headers) for r in failed)
            assert [a["detail"] for a in dead["attempts"]] == ["HTTP 500"] * 4
            assert dead["lastError"] == "HTTP 500"
            await settled(service, backlog_handled)
            assert len(receiver.on("/ok/hooks")) == 1
        finally:
            await _remove_all(service)


async def _register(client: SubgraphClient, receiver: Receiver, path: str) -> str:
    data = await client.data(REGISTER, {"a": SLUG, "url": receiver.url(path)}, claims=SECRETARIAT)
    secret: str = data["registerWebhookEndpoint"]["secret"]
    assert secret.startswith("whsec_")
    return secret


async def _remove_all(client: SubgraphClient) -> None:
    data = await client.data(
        """query($a: String!) { webhookEndpoints(alliance: $a) { id active } }""",
        {"a": SLUG},
        claims=SECRETARIAT,
    )
    for endpoint in data["webhookEndpoints"]:
        if endpoint["active"]:
            await client.data(
                """mutation($a: String!, $id: ID!) { removeWebhookEndpoint(alliance: $a, id: $id)
                { active } }""",
                {"a": SLUG, "id": endpoint["id"]},
                claims=SECRETARIAT,
            )


async def _dead(client: SubgraphClient, path: str) -> dict[str, Any] | None:
    for node in await log(client, channel="webhook", status="dead"):
        if node["target"].endswith(path):
            return node
    return None


async def _async(value: Any) -> Any:
    return value


async def _total(query: Any, field: str) -> Any:
    data = await query
    return data[field] if data[field]["totalCount"] else None


async def test_a_convened_meeting_reaches_the_officers_by_email_with_its_ics_invitation(
    service: SubgraphClient, smtp: tuple[MailBox, int], nats_url: str
) -> None:
    box, _ = smtp
    chair, address = f"chair-{uuid.uuid4().hex[:6]}", f"{uuid.uuid4().hex[:8]}@example.cn"
    await publish(
        nats_url,
        event(
            "membership.role.assigned",
            {
                "assignmentId": str(uuid.uuid4()),
                "allianceId": str(ALLIANCE),
                "allianceSlug": SLUG,
                "userId": chair,
                "name": "理事长",
                "role": "chair",
            },
            alliance_id=ALLIANCE,
        ),
    )
    await settings_for(service, chair, address, "zh")
    meeting = str(uuid.uuid4())
    convened = event(
        "governance.meeting.convened",
        {
            "meetingId": meeting,
            "allianceId": str(ALLIANCE),
            "body": "council",
            "title": "2026年第4次理事会",
            "mode": "correspondence",
            "startsAt": "2026-12-10T09:00:00+08:00",
            "place": "北京市海淀区",
            "votingDeadline": "2026-12-17T17:00:00+08:00",
            "agenda": [str(uuid.uuid4())],
            "convenedAs": "secretariat (AITISA Art.17)",
            "charterVersion": 1,
        },
        alliance_id=ALLIANCE,
        subject=meeting,
    )
    await publish(nats_url, convened)
    mails = await eventually(lambda: _async(box.to(address)), within=DEADLINE)
    assert mails[0]["Subject"] == "会议通知：2026年第4次理事会"
    assert "通讯表决截止时间" in mails[0].get_body(preferencelist=("plain",)).get_content()
    (ics,) = [p for p in mails[0].iter_attachments() if p.get_content_type() == "text/calendar"]
    assert f"UID:{meeting}" in ics.get_content()
    # Nobody may turn it off.
    refused = await service.execute(
        PREFERENCE,
        {"a": SLUG, "kind": "meeting_convened", "ch": ["EMAIL"], "lang": None},
        claims=claims_for(chair),
    )
    assert refused["errors"][0]["extensions"]["code"] == "NOTICE_MANDATORY"
