"""Notices from their triggering actions, through the gateway, in both languages: the inbox of
the person concerned and an email at the local mail catcher, in the language they chose."""

from __future__ import annotations

import email
import email.policy
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from devkit.local.platform import Platform
from tests.e2e.client import (
    CREATE,
    DECIDE,
    FORWARD,
    SUBMIT,
    Caller,
    application,
    operator,
    staff,
    until,
)

SETTINGS = """mutation($a: String!, $e: String, $l: String!) {
  setMyNotificationSettings(alliance: $a, email: $e, language: $l) { email language } }"""
INBOX = """{ myNotifications(first: 20) { totalCount edges { node { kind title body } } } }"""
RETURN = (
    """mutation($id: ID!, $r: String!) { returnApplication(id: $id, reasons: $r) { status } }"""
)
TITLES = {
    "zh": [
        "入会申请被退回补正：工业互联网产业联盟",
        "入会申请已收到：工业互联网产业联盟",
    ],
    "en": [
        "Membership application returned for correction: Alliance of Industrial Internet",
        "Membership application received: Alliance of Industrial Internet",
    ],
}


@pytest.fixture(scope="module")
def aii(platform: Platform) -> str:
    """An alliance on the AII charter, with its names in both languages."""
    slug = f"aii-n{uuid.uuid4().hex[:5]}"
    operator(platform).data(
        CREATE,
        {
            "i": {
                "slug": slug,
                "nameZh": "工业互联网产业联盟",
                "nameEn": "Alliance of Industrial Internet",
                "template": "aii",
            }
        },
    )
    return slug


def applying(slug: str, name: str) -> dict[str, Any]:
    form = application("aii", name)
    form["i"]["alliance"] = slug
    return form


def mail_to(platform: Platform, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted(Path(platform.config.run_dir, "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if message["To"] == address:
            found.append(message)
    return found


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_application_received_and_returned_reaches_the_contact_in_their_language(
    platform: Platform, aii: str, language: str
) -> None:
    contact = Caller(platform, f"aii-notice-{uuid.uuid4().hex[:6]}", locale=language)
    address = f"{uuid.uuid4().hex[:8]}@example.cn"
    contact.data(SETTINGS, {"a": aii, "e": address, "l": language})
    submitted = contact.data(SUBMIT, applying(aii, f"通知测试{uuid.uuid4().hex[:5]}"))
    app_id = submitted["submitApplication"]["id"]
    staff(platform, aii).data(RETURN, {"id": app_id, "r": "缺少营业执照复印件"})

    page = until(lambda: (p := contact.data(INBOX)["myNotifications"])["totalCount"] >= 2 and p)
    # Both, in the contact's language (in either order: two workers may file them side by side).
    titles = [e["node"]["title"] for e in page["edges"]]
    assert sorted(titles) == sorted(TITLES[language])
    returned = page["edges"][titles.index(TITLES[language][0])]["node"]
    assert "缺少营业执照复印件" in returned["body"]

    mails = until(lambda: len(mail_to(platform, address)) >= 2 and mail_to(platform, address))
    assert mails, "no email reached the mail catcher"
    assert sorted(m["Subject"] for m in mails) == sorted(TITLES[language])
    assert {m["Content-Language"] for m in mails} == {"zh-CN" if language == "zh" else "en"}
    time.sleep(0.5)
    assert len(mail_to(platform, address)) == 2, "each notice is emailed once"


def test_a_decision_and_an_announcement_reach_the_people_concerned(
    platform: Platform, aii: str
) -> None:
    contact = Caller(platform, f"aii-notice-{uuid.uuid4().hex[:6]}", locale="en")
    app_id = contact.data(SUBMIT, applying(aii, f"公告测试{uuid.uuid4().hex[:5]}"))[
        "submitApplication"
    ]["id"]
    clerk = staff(platform, aii)
    clerk.data(FORWARD, {"id": app_id})
    clerk.data(
        DECIDE,
        {
            "id": app_id,
            "d": {
                "approved": True,
                "body": "STANDING_COUNCIL",
                "meeting": "2026年第3次常务理事会",
                "decidedOn": "2026-11-20",
            },
        },
    )
    kinds = until(
        lambda: (
            {e["node"]["kind"] for e in contact.data(INBOX)["myNotifications"]["edges"]}
            >= {"application_received", "application_forwarded", "application_approved"}
        )
    )
    assert kinds
    # The new member is in the register: an announcement reaches its contact person.
    announce = """mutation($i: AnnouncementInput!) { announce(input: $i) { recipients } }"""
    body = {
        "alliance": aii,
        "titleZh": "年会通知",
        "titleEn": "Annual meeting",
        "bodyZh": "定于12月举行",
        "bodyEn": "To be held in December",
    }
    until(
        lambda: (
            clerk.data(announce, {"i": body})
            and any(
                e["node"]["kind"] == "announcement"
                for e in contact.data(INBOX)["myNotifications"]["edges"]
            )
        )
    )
    titles = [e["node"]["title"] for e in contact.data(INBOX)["myNotifications"]["edges"]]
    assert "Annual meeting" in titles
    refused = Caller(platform, "someone").execute(announce, {"i": body})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
