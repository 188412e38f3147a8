"""The kinds of notice, which of them nobody may turn off, and what each person chose.

A kind is what a person sets a preference for (channels and language); its texts are the
templates ``templates/<kind>/<language>.txt``. Channels a person chooses: the in-app ``inbox``
and ``email``. Webhooks are the alliance's own endpoints, not a person's choice.

Mandatory kinds are those a person must not miss because a right is lost by missing them:
a meeting convened (with the voting deadline of a correspondence vote), a deadline coming due
or overdue, a demotion or the end of a membership, an unpaid fee past its due date. They are
always filed in the inbox; a preference that drops the inbox for one of them is refused
(``NOTICE_MANDATORY``).
"""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.graphql import DomainError

LANGUAGES = ("zh", "en")
INBOX = "inbox"
EMAIL = "email"
WEBHOOK = "webhook"
PERSONAL_CHANNELS = (INBOX, EMAIL)


@dataclass(frozen=True)
class Kind:
    name: str
    mandatory: bool = False
    default_channels: tuple[str, ...] = (INBOX, EMAIL)
    calendar: bool = False
    """Carries an iCalendar (``.ics``) invitation in its email."""


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        # membership (applications and memberships)
        Kind("application_received"),
        Kind("application_forwarded"),
        Kind("application_returned"),
        Kind("application_approved"),
        Kind("application_rejected"),
        Kind("application_to_handle"),
        Kind("tier_changed"),
        Kind("demoted", mandatory=True),
        Kind("membership_ended", mandatory=True),
        # governance
        Kind("application_decided"),
        Kind("motion_decided"),
        Kind("vote_closed"),
        Kind("absences_recorded"),
        Kind("meeting_convened", mandatory=True, calendar=True),
        Kind("meeting_minimum_missed"),
        # finance
        Kind("budget_drafted"),
        Kind("matter_submitted"),
        Kind("budget_decided"),
        Kind("budget_returned"),
        Kind("final_accounts_decided"),
        Kind("auditor_decided"),
        Kind("audit_reported"),
        Kind("invoice_issued"),
        Kind("invoice_overdue", mandatory=True),
        # the secretariat, and the calendar
        Kind("announcement"),
        Kind("deadline_due", mandatory=True),
        Kind("deadline_overdue", mandatory=True),
        Kind("deadline_moved", mandatory=True),
        Kind("proxy_recorded"),
    )
}


# AITISA working groups (working_group_notices): a right is lost by missing a departure
# announced (Art.7(6)) or a dissolution notice with its 10 days to object (Art.6).
KINDS.update(
    (k.name, k)
    for k in (
        Kind("working_group_applied"),
        Kind("working_group_answered"),
        Kind("working_group_decided"),
        Kind("working_group_rejection_notified"),
        Kind("working_group_member_joined"),
        Kind("working_group_member_left", mandatory=True),
        Kind("working_group_absence_reminder"),
        Kind("working_group_post_filled"),
        Kind("working_group_dissolution_moved"),
        Kind("working_group_dissolution_notified", mandatory=True),
        Kind("working_group_dissolution_objected"),
        Kind("working_group_dissolved"),
        Kind("working_group_renamed"),
        Kind("working_group_review_declined"),
        Kind("working_group_rules_approved"),
        Kind("working_group_evaluated"),
        Kind("working_group_meetings_missed"),
    )
)


class UnknownKind(DomainError):
    code = "UNKNOWN_NOTICE_KIND"


class UnknownLanguage(DomainError):
    code = "UNKNOWN_LANGUAGE"


class UnknownChannel(DomainError):
    code = "UNKNOWN_CHANNEL"


class NoticeMandatory(DomainError):
    code = "NOTICE_MANDATORY"


def kind(name: str) -> Kind:
    found = KINDS.get(name)
    if found is None:
        raise UnknownKind(
            f"no kind of notice {name!r} (kinds: {', '.join(sorted(KINDS))})", kind=name
        )
    return found


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise UnknownLanguage(
            f"notices are written in {' and '.join(LANGUAGES)}, not {language!r}",
            language=language,
        )
    return language


def check_preference(name: str, channels: list[str], language: str | None) -> Kind:
    """Refuse a preference that names an unknown kind, channel or language, or turns off a
    notice that nobody may turn off."""
    found = kind(name)
    for channel in channels:
        if channel not in PERSONAL_CHANNELS:
            raise UnknownChannel(
                f"a person chooses among {', '.join(PERSONAL_CHANNELS)}, not {channel!r}",
                channel=channel,
            )
    if language is not None:
        check_language(language)
    if found.mandatory and INBOX not in channels:
        raise NoticeMandatory(
            f"notices of kind {name!r} cannot be turned off: they always reach the inbox",
            kind=name,
        )
    return found
