"""``make up``'s demo data loads through the real platform, and loading it again is harmless."""

from __future__ import annotations

from devkit.local.platform import Platform
from membership.demo import seed
from tests.e2e.client import operator

TEMPLATES = ("aii", "aitisa", "china-asean")
QUERY = """query($slug: String!) { alliance(slug: $slug) {
  template members(first: 50) { totalCount totalsByTier { tier count }
    edges { node { organization { country } } } }
  applications(first: 100) { edges { node { kind status } } }
  people { role } budgets { fiscalYear status } } }"""


def test_demo_data_loads_and_loading_again_changes_nothing(platform: Platform) -> None:
    copies = [(f"demo-{t}", f"演示{t}", f"Demo {t}", t) for t in TEMPLATES]
    url, secret = platform.graphql_url, platform.config.jwt_secret
    assert seed(url, secret, per_alliance=12, alliances=copies) == [c[0] for c in copies]
    assert seed(url, secret, per_alliance=12, alliances=copies) == []
    op = operator(platform)
    for slug, _, _, template in copies:
        alliance = op.data(QUERY, {"slug": slug})["alliance"]
        assert alliance["template"] == template
        states = {
            (a["node"]["kind"], a["node"]["status"]) for a in alliance["applications"]["edges"]
        }
        assert {
            ("admission", s) for s in ("SUBMITTED", "FORWARDED", "RETURNED", "REJECTED", "APPROVED")
        } <= {(k.lower(), s) for k, s in states}
        assert (
            "WITHDRAWAL",
            "APPROVED"
            if template == "aitisa"
            else "SUBMITTED"
            if template == "aii"
            else "FORWARDED",
        ) in states
        members = alliance["members"]
        assert members["totalCount"] == (7 if template == "aitisa" else 8)
        assert len(members["totalsByTier"]) >= 2
        countries = {e["node"]["organization"]["country"] for e in members["edges"]}
        assert (len(countries) > 1) is (template == "china-asean")
        assert alliance["people"] == [{"role": "secretariat"}]
        assert alliance["budgets"] == [{"fiscalYear": 2026, "status": "DRAFT"}]
