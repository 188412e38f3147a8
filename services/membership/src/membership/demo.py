"""Demo data for ``make up``: the three seed alliances with made-up member organisations.

Everything goes through the gateway's GraphQL API, as a secretariat clerk would do it, so the
demo also exercises the whole platform (events, notifications, read models). An alliance that
exists already is left as it is, so running ``make up`` twice changes nothing.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Sequence
from typing import Any

import httpx

import charter
from membership.credit_code import complete
from servicekit.auth.devtoken import mint

ALLIANCES = (
    ("aii", "工业互联网产业联盟", "Alliance of Industrial Internet", "aii"),
    (
        "aitisa",
        "新一代人工智能产业技术创新战略联盟",
        "New Generation AI Industry Technology Innovation Strategic Alliance",
        "aitisa",
    ),
    (
        "china-asean",
        "中国—东盟信息港数字经济产业联盟",
        "China-ASEAN Information Harbor Digital Economy Alliance",
        "china-asean",
    ),
)

CITIES = ["北京", "上海", "深圳", "杭州", "南宁", "成都", "武汉", "西安", "苏州", "合肥"]
WORDS = [
    "智联",
    "云图",
    "星河",
    "数织",
    "海川",
    "恒信",
    "启明",
    "华腾",
    "博远",
    "天工",
    "睿达",
    "中科",
    "凌峰",
    "新锐",
    "鼎盛",
]
FIELDS = [
    ("智能制造", "Smart Manufacturing", "enterprise"),
    ("工业软件", "Industrial Software", "enterprise"),
    ("网络科技", "Network Technology", "enterprise"),
    ("信息技术研究院", "Institute of Information Technology", "research_institute"),
    ("大学", "University", "university"),
    ("投资", "Investment", "financial_institution"),
    ("数字经济协会", "Digital Economy Association", "association"),
]
ASEAN = [
    ("SG", "Lion City Digital Pte. Ltd.", "狮城数字有限公司"),
    ("MY", "Petaling Data Sdn. Bhd.", "八打灵数据有限公司"),
    ("TH", "Chao Phraya Cloud Co., Ltd.", "湄南云科技有限公司"),
    ("VN", "Mekong Data JSC", "湄公数据股份公司"),
    ("ID", "Nusantara Teknologi PT", "努山塔拉科技公司"),
    ("PH", "Visayas Systems Inc.", "米沙鄢系统公司"),
    ("KH", "Angkor Networks Co., Ltd.", "吴哥网络有限公司"),
    ("LA", "Vientiane Digital Sole Co., Ltd.", "万象数字有限公司"),
    ("MM", "Irrawaddy Tech Co., Ltd.", "伊洛瓦底科技有限公司"),
    ("BN", "Brunei Smart Solutions Sdn. Bhd.", "文莱智慧方案有限公司"),
]

TIERS = {
    "aii": ["ORDINARY", "ORDINARY", "ORDINARY", "DIRECTOR", "DIRECTOR", "VICE_CHAIR", "CHAIR"],
    "china-asean": ["DIRECTOR", "DIRECTOR", "DIRECTOR", "VICE_CHAIR", "CHAIR"],
}


def credit_code(rng: random.Random) -> str:
    """A made-up but valid unified social credit code."""
    region = rng.choice(["110108", "310115", "440300", "330106", "450103"])
    return complete("91" + region + "".join(rng.choice("0123456789") for _ in range(8)))


class _Client:
    def __init__(self, url: str, secret: str) -> None:
        self.url = url
        self.secret = secret

    def run(
        self, token: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = httpx.post(
            self.url,
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(f"demo data: {body['errors'][0]['message']}")
        data: dict[str, Any] = body["data"]
        return data


def organisations(template: str, rng: random.Random, count: int) -> list[dict[str, str]]:
    orgs = []
    names = itertools.product(CITIES, WORDS, FIELDS)
    for i, (city, word, (field_zh, field_en, kind)) in enumerate(rng.sample(list(names), count)):
        if template == "china-asean" and i % 2 == 1:
            country, name_en, name_zh = ASEAN[(i // 2) % len(ASEAN)]
            orgs.append(
                {
                    "nameZh": name_zh,
                    "nameEn": name_en,
                    "kind": "ENTERPRISE",
                    "country": country,
                    "registrationNumber": f"{country}-{rng.randrange(10**8):08d}",
                }
            )
            continue
        suffix = "有限公司" if kind == "enterprise" else ""
        orgs.append(
            {
                "nameZh": f"{city}{word}{field_zh}{suffix}",
                "nameEn": f"{word} {field_en}",
                "kind": kind.upper(),
                "country": "CN",
                "registrationNumber": credit_code(rng),
            }
        )
    return orgs


# The body that decides admissions in each seed charter (AII Art.11: the standing council).
DECIDING_BODY = {"aii": "STANDING_COUNCIL", "aitisa": "COUNCIL", "china-asean": "COUNCIL"}
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id } }"""
FORWARD = 'mutation($id: ID!) { forwardApplication(id: $id, note: "初审通过") { id } }'
DECIDE = """mutation($id: ID!, $d: DecisionInput!) { recordDecision(id: $id, input: $d) {
  membership { id } } }"""


def seed(
    graphql_url: str,
    jwt_secret: str,
    *,
    per_alliance: int = 30,
    alliances: Sequence[tuple[str, str, str, str]] = ALLIANCES,
) -> list[str]:
    """Create the seed alliances that do not exist yet; returns the slugs created.

    Each gets ``per_alliance`` organisations through its charter's admission path: most are
    admitted, some wait for the secretariat's review or for the deciding body, some were
    returned or rejected; a few members have left or been expelled since.
    """
    client = _Client(graphql_url, jwt_secret)
    operator = mint(jwt_secret, sub="operator", name="平台运营", operator=True)
    existing = {a["slug"] for a in client.run(operator, "{ alliances { slug } }")["alliances"]}
    created = []
    for slug, name_zh, name_en, template in alliances:
        if slug in existing:
            continue
        client.run(
            operator,
            "mutation($i: CreateAllianceInput!) { createAlliance(input: $i) { id } }",
            {"i": {"slug": slug, "nameZh": name_zh, "nameEn": name_en, "template": template}},
        )
        staff = mint(
            jwt_secret, sub=f"{slug}-secretariat", name="秘书处", alliances={slug: ["secretariat"]}
        )
        client.run(
            operator,
            "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
            {
                "i": {
                    "alliance": slug,
                    "userId": f"{slug}-secretariat",
                    "name": "秘书处",
                    "role": "secretariat",
                }
            },
        )
        materials = [
            {"material": m.id, "reference": f"纸质材料已存档：{m.text.zh}"}
            for m in charter.load_template(template).membership.application_materials
        ]
        decision = {
            "approved": True,
            "body": DECIDING_BODY[template],
            "meeting": "2026年第一次会议",
            "decidedOn": "2026-03-18",
            "minutes": "会议纪要〔2026〕1号",
        }
        rng = random.Random(slug)
        tiers = TIERS.get(template, ["ORDINARY", "DIRECTOR"])
        for i, org in enumerate(organisations(template, rng, per_alliance)):
            contact = mint(jwt_secret, sub=f"demo-contact-{slug}-{i}", name=f"联络员{i}")
            app_id = client.run(
                contact,
                SUBMIT,
                {
                    "i": {
                        "alliance": slug,
                        "organization": org,
                        "tier": tiers[i % len(tiers)],
                        "contactName": f"联络员{i}",
                        "contactEmail": f"contact{i}@example.org",
                        "materials": materials,
                    }
                },
            )["submitApplication"]["id"]
            step = i % 10
            if step == 9:
                continue  # waits for the secretariat's preliminary review
            if step == 8:
                client.run(
                    staff,
                    "mutation($id: ID!) { rejectApplication(id: $id, reason: "
                    '"申请材料不全：缺少营业执照复印件") { id } }',
                    {"id": app_id},
                )
                continue
            if step == 7:
                client.run(
                    staff,
                    "mutation($id: ID!) { returnApplication(id: $id, reasons: "
                    '"请补充加盖公章的申请表") { id } }',
                    {"id": app_id},
                )
                continue
            client.run(staff, FORWARD, {"id": app_id})
            if step == 6:
                continue  # forwarded, waits for the deciding body
            member = client.run(staff, DECIDE, {"id": app_id, "d": decision})
            if i in (5, 15):  # members who left since
                membership_id = member["recordDecision"]["membership"]["id"]
                client.run(
                    contact,
                    "mutation($m: ID!) { requestWithdrawal(membershipId: $m, "
                    'reason: "业务调整") { id status } }',
                    {"m": membership_id},
                )
        _draft_budget(client, staff, slug)
        created.append(slug)
    return created


def _draft_budget(client: _Client, staff: str, slug: str, *, within: float = 10.0) -> None:
    """This year's draft budget; finance learns of a new alliance from its event, so wait."""
    query = "mutation($a: String!) { createBudget(alliance: $a, fiscalYear: 2026) { id } }"
    deadline = time.monotonic() + within
    while True:
        try:
            client.run(staff, query, {"a": slug})
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
