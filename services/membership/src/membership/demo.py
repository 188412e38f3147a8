"""Demo data for ``make up``: the three seed alliances with made-up member organisations.

Everything goes through the gateway's GraphQL API, as a secretariat clerk would do it, so the
demo also exercises the whole platform (events, notifications, read models). An alliance that
exists already is left as it is, so running ``make up`` twice changes nothing.

With ``history`` (``make up``), each alliance gets a year of it, recorded after the fact the
way a secretariat catching up on its paper files would: admissions, withdrawals and an
expulsion taking effect in different months (``effectiveOn``), meetings of its bodies held in
past months (``startsAt``) with their attendance and the votes taken there (``votedOn``), some
passed, some failed, one not quorate; under AII Art.13 a director absent from three council
meetings in a row is demoted by the charter itself; this year's fees invoiced in January, paid
over the months, the rest overdue. The dashboards' figures are the services' own aggregates of
these records.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import httpx

import charter
from charter.ids import BodyId
from membership.credit_code import complete
from membership.workflow import workflow
from servicekit.auth.devtoken import mint

T = TypeVar("T")

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
        self.http = httpx.Client(timeout=30)  # (kept-alive connections, shared by threads)

    def run(
        self, token: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = self.http.post(
            self.url,
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {token}"},
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
    history: bool = False,
    today: date | None = None,
) -> list[str]:
    """Create the seed alliances that do not exist yet; returns the slugs created.

    Each gets ``per_alliance`` organisations through its charter's admission path: most are
    admitted, some wait for the secretariat's review or for the deciding body, some were
    returned or rejected; a few members have left or been expelled since. With ``history``,
    all of it spread over the twelve months up to ``today`` (see the module's docstring).
    """
    today = today or datetime.now(UTC).date()
    client = _Client(graphql_url, jwt_secret)
    operator = mint(jwt_secret, sub="operator", name="平台运营", operator=True)
    existing = {a["slug"] for a in client.run(operator, "{ alliances { slug } }")["alliances"]}
    wanted = [a for a in alliances if a[0] not in existing]
    # The alliances are independent: each loads in its own thread (the services and the
    # gateway serve them side by side).
    with ThreadPoolExecutor(max_workers=max(1, len(wanted))) as pool:
        for _ in pool.map(
            lambda a: _seed_one(client, jwt_secret, operator, a, per_alliance, history, today),
            wanted,
        ):
            pass
    client.http.close()
    return [a[0] for a in wanted]


def _seed_one(
    client: _Client,
    jwt_secret: str,
    operator: str,
    alliance: tuple[str, str, str, str],
    per_alliance: int,
    history: bool,
    today: date,
) -> None:
    slug, name_zh, name_en, template = alliance
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
    contacts: dict[int, str] = {}
    admitted: dict[int, tuple[str, date | None]] = {}
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
        effective = admitted_on(i, per_alliance, today) if history else None
        dated = decision
        if effective is not None:
            dated = decision | {
                "meeting": f"{effective.year}年{effective.month}月会议",
                "decidedOn": effective.isoformat(),
                "effectiveOn": effective.isoformat(),
                "minutes": f"会议纪要〔{effective.year}〕{effective.month}号",
            }
        member = client.run(staff, DECIDE, {"id": app_id, "d": dated})
        contacts[i] = contact
        admitted[i] = (member["recordDecision"]["membership"]["id"], effective)
        if i in (5, 15):  # members who left since
            membership_id = member["recordDecision"]["membership"]["id"]
            client.run(
                contact,
                "mutation($m: ID!) { requestWithdrawal(membershipId: $m, "
                'reason: "业务调整") { id status } }',
                {"m": membership_id},
            )
    _draft_budget(client, staff, slug)
    if history:
        past = _History(client, jwt_secret, slug, template, staff, today)
        past.departures(contacts, admitted)
        past.meetings()
        if BodyId.WORKING_GROUP in past.charter.bodies:
            past.working_group()
        past.fees()


def months_back(today: date, months: int, day: int = 12) -> date:
    """The ``day`` of the month ``months`` before ``today``'s (today itself, if later)."""
    index = today.year * 12 + today.month - 1 - months
    on = date(index // 12, index % 12 + 1, day)
    return min(on, today)


def admitted_on(i: int, count: int, today: date) -> date:
    """Organisation ``i`` of ``count`` takes effect in one of the last twelve months, the
    first ones earliest."""
    return months_back(today, 11 - (i * 12 // count), day=3 + (i * 7) % 24)


def until(check: Callable[[], T | None], within: float = 180.0) -> T:
    """Wait for another service to learn of something (its events), then return it (on a
    busy machine with replicas that can take minutes, not seconds)."""
    deadline = time.monotonic() + within
    while True:
        found = check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise RuntimeError("demo data: another service did not catch up in time")
        time.sleep(0.3)


PROPOSE = "mutation($i: ProposeMotionInput!) { proposeMotion(input: $i) { id } }"
CONVENE = "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }"
ATTEND = """mutation($g: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $g,
  entries: $e) { id } }"""
OPEN_VOTE = "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }"
CAST = """mutation($s: ID!, $t: ID!, $c: BallotChoice!) { castBallot(stage: $s, seat: $t,
  choice: $c) { receipt } }"""
CLOSE_VOTE = """mutation($s: ID!, $d: Date!) { closeVote(stage: $s, votedOn: $d) {
  result { passed } } }"""
CLOSE_ATTENDANCE = "mutation($g: ID!) { closeAttendance(meeting: $g) { id } }"
SEATS = """query($s: String!) { alliance(slug: $s) {
  members(first: 100) { totalCount edges { node { tier } } }
  bodies { kind seats { id holderUserId } } } }"""

# The year's meetings: (body, months back, motions as (title, yes share), attendance).
# ``quorate=False``: only a third of the seats attend (the vote fails for want of a quorum);
# ``absent_first``: the first seat misses it (three council meetings in a row: AII Art.13).
MEETINGS: list[tuple[str, int, list[tuple[str, float]], bool, bool]] = [
    ("COUNCIL", 10, [("审议年度工作计划", 1.0), ("关于调整会费标准的议案", 0.3)], True, False),
    ("GENERAL_ASSEMBLY", 9, [("审议理事会工作报告", 0.9)], True, False),
    ("COUNCIL", 7, [("关于设立标准化专项工作组的议案", 1.0)], False, True),
    ("COUNCIL", 4, [("审议秘书处半年工作报告", 0.9)], True, True),
    ("COUNCIL", 1, [("审议下一年度工作要点", 1.0), ("关于增设分支机构的议案", 0.2)], True, True),
]
COUNCIL_TIERS = {"DIRECTOR", "VICE_CHAIR", "CHAIR"}  # one council seat each (AII Art.12)
FEES = {"ORDINARY": "5000", "DIRECTOR": "20000", "VICE_CHAIR": "50000", "CHAIR": "100000"}


class _History:
    """A year of one alliance's history, recorded after the fact through the API."""

    def __init__(
        self, client: _Client, secret: str, slug: str, template: str, staff: str, today: date
    ) -> None:
        self.client, self.secret, self.slug, self.template = client, secret, slug, template
        self.staff, self.today = staff, today
        self.charter = charter.load_template(template)

    def _convener(self, body: str) -> str:
        rules = self.charter.bodies[BodyId(body.lower())].meetings
        role = str(rules.convened_by[0]) if rules and rules.convened_by else "secretariat"
        if role == "secretariat":
            return self.staff
        return mint(self.secret, sub=f"{self.slug}-{role}", alliances={self.slug: [role]})

    def departures(
        self, contacts: dict[int, str], admitted: dict[int, tuple[str, date | None]]
    ) -> None:
        """Two members left a few months after joining, one was expelled."""
        dated = sorted(i for i, (_, on) in admitted.items() if on is not None and i not in (5, 15))
        leaving, expelled = dated[1:3], dated[len(dated) // 2 : len(dated) // 2 + 1]
        flow = workflow(self.charter, "withdrawal")
        for i in leaving:
            membership, joined = admitted[i]
            assert joined is not None
            on = min(joined + timedelta(days=75), self.today)
            request = self.client.run(
                contacts[i],
                "mutation($m: ID!) { requestWithdrawal(membershipId: $m, "
                'reason: "战略调整，书面通知退出") { id status } }',
                {"m": membership},
            )["requestWithdrawal"]
            if request["status"] == "APPROVED":
                continue  # free withdrawal by written notice takes effect on receipt (today)
            if flow.needs_decision:
                self.client.run(
                    self.staff, DECIDE, {"id": request["id"], "d": self._decision(flow, on)}
                )
            else:
                self.client.run(
                    self.staff,
                    "mutation($id: ID!, $d: Date!) { completeApplication(id: $id, "
                    'note: "收到书面退出通知", effectiveOn: $d) { id } }',
                    {"id": request["id"], "d": on.isoformat()},
                )
        flow = workflow(self.charter, "expulsion")
        for i in expelled:
            membership, joined = admitted[i]
            assert joined is not None
            on = min(joined + timedelta(days=45), self.today)
            proposal = self.client.run(
                self.staff,
                "mutation($m: ID!) { proposeExpulsion(membershipId: $m, "
                'grounds: "连续两年未履行成员义务，经催告仍未改正") { id status } }',
                {"m": membership},
            )["proposeExpulsion"]
            if proposal["status"] == "SUBMITTED":
                self.client.run(self.staff, FORWARD, {"id": proposal["id"]})
            self.client.run(
                self.staff, DECIDE, {"id": proposal["id"], "d": self._decision(flow, on)}
            )

    def _decision(self, flow: Any, on: date) -> dict[str, Any]:
        return {
            "approved": True,
            "body": str(flow.deciders[-1] if "council" not in flow.deciders else "council").upper(),
            "meeting": f"{on.year}年{on.month}月理事会会议",
            "decidedOn": on.isoformat(),
            "effectiveOn": on.isoformat(),
            "minutes": f"理事会纪要〔{on.year}〕{on.month}号",
        }

    def _seats(self) -> dict[str, list[dict[str, str]]]:
        """Each body's seats, once governance has them for every member in force."""

        def ready() -> dict[str, list[dict[str, str]]] | None:
            data = self.client.run(self.staff, SEATS, {"s": self.slug})["alliance"]
            tiers = [e["node"]["tier"] for e in data["members"]["edges"]]
            expected = {
                "GENERAL_ASSEMBLY": len(tiers),
                "COUNCIL": sum(t in COUNCIL_TIERS for t in tiers),
            }
            seats = {b["kind"]: b["seats"] for b in data["bodies"] if b["kind"] in expected}
            for body, members in seats.items():
                held = [s for s in members if s["holderUserId"]]
                if len(held) != expected[body] or len(members) != expected[body]:
                    return None
            return {k: sorted(v, key=lambda s: s["id"]) for k, v in seats.items() if v}

        return until(ready)

    def meetings(self) -> None:
        """The bodies' meetings of the year, each with its attendance and its votes."""
        seats = self._seats()
        for n, (body, back, motions, quorate, absent_first) in enumerate(MEETINGS):
            if body not in seats:
                continue
            held_on = months_back(self.today, back, day=15 + n)
            agenda = [
                self.client.run(
                    self.staff,
                    PROPOSE,
                    {
                        "i": {
                            "alliance": self.slug,
                            "body": body,
                            "matter": "ORDINARY_RESOLUTION",
                            "title": title,
                        }
                    },
                )["proposeMotion"]["id"]
                for title, _ in motions
            ]
            meeting = self.client.run(
                self._convener(body),
                CONVENE,
                {
                    "i": {
                        "alliance": self.slug,
                        "body": body,
                        "title": f"{held_on.year}年{held_on.month}月"
                        + ("理事会会议" if body == "COUNCIL" else "成员大会"),
                        "mode": "IN_PERSON",
                        "startsAt": f"{held_on.isoformat()}T09:30:00+08:00",
                        "place": "北京",
                        "agenda": agenda,
                    }
                },
            )["conveneMeeting"]["id"]
            members = seats[body]
            present = members if quorate else members[len(members) - len(members) // 3 :]
            if absent_first and body == "COUNCIL":
                present = [s for s in present if s["id"] != members[0]["id"]]
            self.client.run(
                self.staff,
                ATTEND,
                {
                    "g": meeting,
                    "e": [
                        {"seat": s["id"], "status": "PRESENT" if s in present else "ABSENT"}
                        for s in members
                    ],
                },
            )
            for motion, (_, share) in zip(agenda, motions, strict=True):
                stage = self.client.run(self.staff, OPEN_VOTE, {"m": motion, "g": meeting})[
                    "openVote"
                ]["id"]
                yes = round(len(present) * share)
                for k, seat in enumerate(present):
                    voter = mint(
                        self.secret,
                        sub=seat["holderUserId"],
                        alliances={self.slug: ["contact_person"]},
                    )
                    self.client.run(
                        voter,
                        CAST,
                        {"s": stage, "t": seat["id"], "c": "YES" if k < yes else "NO"},
                    )
                self.client.run(self.staff, CLOSE_VOTE, {"s": stage, "d": held_on.isoformat()})
            self.client.run(self.staff, CLOSE_ATTENDANCE, {"g": meeting})

    def _vote(self, motion: str, meeting: str, seats: list[dict[str, str]], on: date) -> None:
        """Every seat present votes yes on ``motion`` at ``meeting``, held on ``on``."""
        stage = self.client.run(self.staff, OPEN_VOTE, {"m": motion, "g": meeting})["openVote"][
            "id"
        ]
        for seat in seats:
            voter = mint(
                self.secret, sub=seat["holderUserId"], alliances={self.slug: ["contact_person"]}
            )
            self.client.run(voter, CAST, {"s": stage, "t": seat["id"], "c": "YES"})
        self.client.run(self.staff, CLOSE_VOTE, {"s": stage, "d": on.isoformat()})

    def _attend_all(self, meeting: str, seats: list[dict[str, str]]) -> None:
        self.client.run(
            self.staff,
            ATTEND,
            {"g": meeting, "e": [{"seat": s["id"], "status": "PRESENT"} for s in seats]},
        )

    def working_group(self) -> None:
        """AITISA: five members apply for a working group (Art.4(1)), the secretariat forwards
        it, the chair's office meeting approves it (Art.4(2)); its leader convenes the
        group's meetings since (Art.10(1): at least two a year)."""
        officers = {"chair": f"{self.slug}-chair"}  # the chair's office (AITISA: its seat)
        for role, user in officers.items():
            self.client.run(
                self.staff,
                "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
                {"i": {"alliance": self.slug, "userId": user, "name": role, "role": role}},
            )

        def office() -> list[dict[str, str]] | None:
            bodies = self.client.run(self.staff, SEATS, {"s": self.slug})["alliance"]["bodies"]
            seats: list[dict[str, str]] = next(
                (b["seats"] for b in bodies if b["kind"] == "CHAIRS_OFFICE"), []
            )
            held = [s for s in seats if s["holderUserId"]]
            return held if officers["chair"] in {s["holderUserId"] for s in held} else None

        office_seats = until(office)
        members = self.client.run(
            self.staff,
            "query($s: String!) { alliance(slug: $s) { members(first: 100) { edges { node { "
            "organization { id } contactPerson { userId } } } } } }",
            {"s": self.slug},
        )["alliance"]["members"]["edges"]
        five = [
            (e["node"]["organization"]["id"], e["node"]["contactPerson"]["userId"])
            for e in members[:5]
        ]
        received = months_back(self.today, 9, day=6)
        group = self.client.run(
            self.staff,
            "mutation($i: WorkingGroupApplicationInput!) { applyForWorkingGroup(input: $i) "
            "{ id } }",
            {
                "i": {
                    "alliance": self.slug,
                    "nameZh": "智能语音推进组",
                    "nameEn": "Speech working group",
                    "kind": "domain",
                    "leadOrganization": five[0][0],
                    "initiators": [
                        {"organization": o, "contactUserId": u, "contactName": "联络人"}
                        for o, u in five
                    ],
                    "positioning": "语音交互标准",
                    "field": "智能语音",
                    "currentState": "快速发展",
                    "necessity": "需要统一标准",
                    "modeOfOperation": "研讨会",
                    "overlap": "无",
                    "receivedOn": received.isoformat(),
                }
            },
        )["applyForWorkingGroup"]["id"]
        self.client.run(
            self.staff,
            "mutation($g: ID!) { answerWorkingGroupApplication(group: $g, forward: true) { id } }",
            {"g": group},
        )
        motion = self.client.run(
            self.staff,
            "query($id: ID!) { workingGroup(id: $id) { creationMotion { id } } }",
            {"id": group},
        )["workingGroup"]["creationMotion"]["id"]
        approved_on = received + timedelta(days=9)
        meeting = self.client.run(
            self.staff,
            CONVENE,
            {
                "i": {
                    "alliance": self.slug,
                    "body": "CHAIRS_OFFICE",
                    "title": f"{approved_on.year}年{approved_on.month}月理事长办公会",
                    "mode": "IN_PERSON",
                    "startsAt": f"{approved_on.isoformat()}T14:00:00+08:00",
                    "place": "北京",
                    "agenda": [motion],
                }
            },
        )["conveneMeeting"]["id"]
        self._attend_all(meeting, office_seats)
        self._vote(motion, meeting, office_seats, approved_on)
        self.client.run(self.staff, CLOSE_ATTENDANCE, {"g": meeting})

        lead_org, lead_user = five[0]
        leader = mint(self.secret, sub=lead_user, alliances={self.slug: ["contact_person"]})
        self.client.run(
            leader,
            "mutation($g: ID!, $o: ID!, $u: String!) { fillWorkingGroupPost(group: $g, "
            'organization: $o, userId: $u, name: "组长", post: GROUP_LEADER) { id } }',
            {"g": group, "o": lead_org, "u": lead_user},
        )
        seats = self.client.run(
            self.staff,
            "query($id: ID!) { workingGroup(id: $id) { members { id holderUserId } } }",
            {"id": group},
        )["workingGroup"]["members"]
        for back, title in ((6, "年度工作计划"), (2, "语音交互标准草案")):
            on = months_back(self.today, back, day=18)
            proposal = self.client.run(
                leader,
                "mutation($g: ID!, $t: String!) { proposeWorkingGroupMotion(group: $g, "
                "matter: ORDINARY_RESOLUTION, title: $t) { id } }",
                {"g": group, "t": title},
            )["proposeWorkingGroupMotion"]["id"]
            meeting = self.client.run(
                leader,
                "mutation($g: ID!, $i: WorkingGroupMeetingInput!) { conveneWorkingGroupMeeting("
                "group: $g, input: $i) { id } }",
                {
                    "g": group,
                    "i": {
                        "title": f"{on.year}年{on.month}月推进组工作会议",
                        "mode": "IN_PERSON",
                        "startsAt": f"{on.isoformat()}T09:30:00+08:00",
                        "place": "北京",
                        "agenda": [proposal],
                    },
                },
            )["conveneWorkingGroupMeeting"]["id"]
            self._attend_all(meeting, seats)
            self._vote(proposal, meeting, seats, on)
            self.client.run(self.staff, CLOSE_ATTENDANCE, {"g": meeting})

    def fees(self) -> None:
        """This year's fees: invoiced in January, most paid over the months, some overdue."""
        year = self.today.year
        for tier in {str(t.value).upper() for t in self.charter.tier_ids}:
            self.client.run(
                self.staff,
                "mutation($a: String!, $y: Int!, $t: String!, $m: Decimal!) { "
                "setMembershipFee(alliance: $a, fiscalYear: $y, tier: $t, amount: $m, "
                'decidedBy: "理事会决议：会费标准") { tier } }',
                {"a": self.slug, "y": year, "t": tier.lower(), "m": FEES[tier]},
            )
        issued_on = min(date(year, 1, 15), self.today)
        invoices = self.client.run(
            self.staff,
            "mutation($a: String!, $y: Int!, $d: Date!) { issueAnnualInvoices(alliance: $a, "
            "fiscalYear: $y, issuedOn: $d) { id amount { amount } } }",
            {"a": self.slug, "y": year, "d": issued_on.isoformat()},
        )["issueAnnualInvoices"]
        days = (self.today - issued_on).days
        for k, invoice in enumerate(sorted(invoices, key=lambda v: v["id"])):
            if k % 4 == 3:
                continue  # unpaid: overdue
            paid_on = issued_on + timedelta(days=(k * 37) % (days + 1))
            amount = invoice["amount"]["amount"]
            if k % 4 == 2:  # half now, the rest still owed
                amount = str(int(float(amount)) // 2)
            self.client.run(
                self.staff,
                "mutation($a: String!, $i: ID!, $m: Decimal!, $d: Date!) { recordPayment("
                "alliance: $a, invoiceId: $i, amount: $m, paidOn: $d) { id } }",
                {"a": self.slug, "i": invoice["id"], "m": amount, "d": paid_on.isoformat()},
            )
        self.client.run(
            self.staff,
            "mutation($a: String!, $d: Date!) { flagOverdueInvoices(alliance: $a, asOf: $d) "
            "{ id } }",
            {"a": self.slug, "d": self.today.isoformat()},
        )


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
