"""iCalendar (``.ics``) invitations for meeting notices, with the ``icalendar`` library.

One invitation per meeting: its UID is the meeting's id, so a moved meeting sends the same UID
with a higher SEQUENCE and calendars update the event instead of adding a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText


@dataclass(frozen=True)
class Invitation:
    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    description: str = ""
    organizer_email: str = ""
    sequence: int = 0


def to_ics(invite: Invitation, attendee_email: str | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Concord//notifications//ZH-EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", invite.uid)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", invite.starts_at)
    event.add("dtend", invite.ends_at)
    event.add("summary", invite.summary)
    event.add("sequence", invite.sequence)
    if invite.location:
        event.add("location", vText(invite.location))
    if invite.description:
        event.add("description", invite.description)
    if invite.organizer_email:
        event.add("organizer", vCalAddress(f"mailto:{invite.organizer_email}"))
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return bytes(cal.to_ical())
