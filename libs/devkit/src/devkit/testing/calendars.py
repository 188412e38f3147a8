"""Made-up official holiday schedules for tests (never the State Council's real notices).

Every test module that loads a schedule uses a year of its own: the session's NATS stream is
shared, and a consumer created later replays every event, so a schedule loaded by one module
reaches every service started after it. Real years (2027) are left to the end-to-end tests.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import holidays


def spring_festival_eve(year: int) -> date:
    return next(d for d, name in holidays.CN(years=year).items() if "Eve" in name)


def made_up_schedule(year: int, *, version: int = 1, country: str = "CN") -> dict[str, Any]:
    """A TEST FIXTURE schedule: six days off from Spring Festival eve, and the weekend day
    before the eve worked (a make-up working day the provisional count cannot know)."""
    eve = spring_festival_eve(year)
    worked = next(
        eve - timedelta(days=k) for k in range(1, 8) if (eve - timedelta(days=k)).weekday() >= 5
    )
    return {
        "note": "TEST FIXTURE for Concord's tests only: not an official notice.",
        "country": country,
        "year": year,
        "version": version,
        "source": {"reference": f"TEST FIXTURE {country} {year} v{version}"},
        "holidays": [
            {
                "date": (eve + timedelta(days=k)).isoformat(),
                "name": {"zh": "春节", "en": "Spring Festival"},
            }
            for k in range(6)
        ],
        "workdays": [
            {
                "date": worked.isoformat(),
                "name": {"zh": "春节调休上班", "en": "Make-up working day"},
            }
        ],
    }


def made_up_schedule_text(year: int, **kw: Any) -> str:
    return json.dumps(made_up_schedule(year, **kw), ensure_ascii=False)
