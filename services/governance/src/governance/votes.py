"""Votes: opening a motion's next stage at a meeting, casting ballots, closing and the result.

Integrity, as the issue and OpenSlides' history ask:

* one ballot per seat per stage: a unique constraint (``uq_ballots_stage_id``); a second cast
  is refused with ``ALREADY_VOTED``; ballots are never updated or deleted (the service role
  has no such privilege, and a trigger refuses it);
* closing is serialised against casting without serialising casts against each other: a cast
  takes a shared lock on its stage row (``FOR SHARE``) until its transaction commits, a close
  an exclusive one (``FOR UPDATE``). So the close waits for every cast in flight, a cast that
  comes after the close sees the stage closed, and casts never wait for each other;
* the result is computed once, with the charter's rule engine, from counts snapshotted at
  close in one aggregate query (entitled seats, presence, proxies, yes/no/abstain), and stored
  with the rule, its article and the engine's explanation; closing again returns it;
* each ballot has a random receipt; at close the ballot list (one line ``receipt:choice`` per
  ballot, in the order cast) is hashed with SHA-256 in the database, so anyone can check a
  receipt and the list. A secret vote's list shows no voter, and no API shows how a seat voted.

Correspondence votes close at their deadline by the service itself (:class:`DeadlineCloser`,
``FOR UPDATE SKIP LOCKED``, safe with any number of replicas).
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from charter.ids import BodyId, MatterKind, MeetingMode
from contracts.governance import ApplicationDecided, MotionDecided, VoteClosed, VoteCounts
from contracts.membership import CharterChange
from governance import charters
from governance.meetings import note_missed_minimums
from governance.models import SOURCE, Attendance, Ballot, Meeting, Motion, Seat, Stage, outbox
from governance.motions import APPLICATION_MATTERS, WORKING_GROUP_MATTERS
from servicekit.db import Database
from servicekit.events import record_event
from servicekit.events.worker import Worker
from servicekit.graphql import DomainError, Forbidden, NotFound
from servicekit.tenancy import TenantScope

log = logging.getLogger(__name__)

CHOICES = ("yes", "no", "abstain")


# --------------------------------------------------------------------------- opening


async def open_stage(
    session: AsyncSession, motion_id: uuid.UUID, meeting_id: uuid.UUID, *, secret: bool
) -> Stage:
    """Open the motion's next stage at a meeting of that stage's body, with the rule of the
    charter version in force now (kept with the stage)."""
    motion = await session.get(Motion, motion_id, with_for_update=True)
    if motion is None:
        raise NotFound("no such motion")
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.alliance_id != motion.alliance_id:
        raise NotFound("no such meeting")
    if motion.status not in ("pending",):
        raise DomainError(
            f"this motion is {motion.status}: its vote is "
            + ("open" if motion.status == "open" else "over"),
            code="STAGE_OUT_OF_ORDER" if motion.status == "open" else "MOTION_DECIDED",
        )
    stages = (
        await session.scalars(
            sa.select(Stage).where(Stage.motion_id == motion.id).order_by(Stage.index)
        )
    ).all()
    stage = next(s for s in stages if s.status == "pending")
    if meeting.body not in stage.alternatives:
        later = [s for s in stages if s.index > stage.index and meeting.body in s.alternatives]
        if later:
            raise DomainError(
                f"the {later[0].body} votes at stage {later[0].index + 1} ({later[0].source}); "
                f"the {' or '.join(stage.alternatives)} must vote first ({stage.source})",
                code="STAGE_OUT_OF_ORDER",
            )
        raise DomainError(
            f"this stage is voted by the {' or '.join(stage.alternatives)}, not the {meeting.body}",
            code="WRONG_BODY",
        )
    if str(motion.id) not in meeting.agenda:
        raise DomainError("the motion is not on this meeting's agenda", code="NOT_ON_AGENDA")
    if MatterKind(motion.matter) in WORKING_GROUP_MATTERS or meeting.group_id is not None:
        from governance import working_groups  # it builds on this module

        await working_groups.before_stage_opens(session, motion, stage, meeting)
    deadline = meeting.voting_deadline
    if meeting.mode == MeetingMode.CORRESPONDENCE and deadline and deadline <= datetime.now(UTC):
        raise DomainError("this meeting's voting deadline has passed", code="VOTE_CLOSED")
    version, rules = await charters.in_force(session, motion.alliance_id)
    rule = _rule_for(rules, motion, stage, meeting.body)
    stage.body = meeting.body
    stage.meeting_id = meeting.id
    stage.secret = secret
    stage.charter_version = version
    stage.rule = rule.model_dump(mode="json", by_alias=True, exclude_none=True)
    stage.source = rule.source
    stage.status = "open"
    stage.opened_at = datetime.now(UTC)
    stage.deadline = meeting.voting_deadline if meeting.mode == MeetingMode.CORRESPONDENCE else None
    motion.status = "open"
    await session.flush()
    return stage


def _rule_for(
    rules: charter.Charter, motion: Motion, stage: Stage, body: str
) -> charter.MatterRule:
    if motion.procedure is not None:
        procedure = rules.procedures.get(motion.procedure)
        step = next((s for s in procedure.steps if s.id == stage.step), None) if procedure else None
        if step is not None and step.rule is not None:
            return step.rule
    try:
        return rules.rule_for(body, stage.stage_matter)
    except charter.RuleNotFound as exc:
        raise DomainError(str(exc), code="NOT_IN_POWERS") from exc


# --------------------------------------------------------------------------- casting


@dataclass(frozen=True)
class Cast:
    ballot_id: uuid.UUID
    receipt: str
    stage_id: uuid.UUID
    seat_id: uuid.UUID
    by_proxy: bool


async def seat_alliance(session: AsyncSession, seat_id: uuid.UUID, user_id: str) -> uuid.UUID:
    """The alliance of a seat the caller holds or holds a proxy for (the policies let its
    holder and a proxy holder see it whatever their token's alliances)."""
    found = await session.scalar(sa.select(Seat.alliance_id).where(Seat.id == seat_id))
    if found is None:
        found = await session.scalar(
            sa.select(Attendance.alliance_id)
            .where(Attendance.seat_id == seat_id, Attendance.proxy_holder_user_id == user_id)
            .limit(1)
        )
    if found is None:
        raise Forbidden("you hold neither this seat nor its written proxy")
    return found


async def cast(
    session: AsyncSession, *, user_id: str, stage_id: uuid.UUID, seat_id: uuid.UUID, choice: str
) -> Cast:
    if choice not in CHOICES:
        raise DomainError(f"a ballot is {', '.join(CHOICES)}", code="BAD_USER_INPUT")
    row = (
        await session.execute(
            sa.select(
                Stage.status,
                Stage.body,
                Stage.deadline,
                Stage.rule,
                Stage.alliance_id,
                Meeting.id.label("meeting_id"),
                Meeting.mode,
            )
            .join(Meeting, Meeting.id == Stage.meeting_id, isouter=True)
            .where(Stage.id == stage_id)
            .with_for_update(read=True, of=Stage)
        )
    ).first()
    if row is None:
        raise NotFound("no such vote")
    if row.status == "pending":
        raise DomainError("this vote has not opened", code="VOTE_NOT_OPEN")
    if row.status != "open" or (row.deadline is not None and row.deadline <= datetime.now(UTC)):
        raise DomainError("this vote is closed", code="VOTE_CLOSED")
    seat_row = (
        await session.execute(
            sa.select(
                Seat.body,
                Seat.active,
                Seat.holder_user_id,
                Attendance.status,
                Attendance.proxy_holder_user_id,
            )
            .outerjoin(
                Attendance,
                sa.and_(Attendance.seat_id == Seat.id, Attendance.meeting_id == row.meeting_id),
            )
            .where(Seat.id == seat_id)
        )
    ).first()
    if seat_row is None or seat_row.body != row.body or not seat_row.active:
        raise DomainError(f"this seat does not vote in the {row.body}", code="NOT_ENTITLED")
    by_proxy = False
    if seat_row.status == "proxy":
        if seat_row.proxy_holder_user_id != user_id:
            raise Forbidden("this seat is represented by a written proxy: its holder votes")
        if not charter.MatterRule.model_validate(row.rule).admits_proxies:
            raise DomainError(
                "the rule of this vote does not count written proxies", code="PROXY_NOT_ALLOWED"
            )
        by_proxy = True
    elif seat_row.holder_user_id != user_id:
        raise Forbidden("you do not hold this seat")
    elif row.mode == MeetingMode.IN_PERSON and seat_row.status != "present":
        raise DomainError(
            "at a meeting in person only seats recorded present vote", code="NOT_PRESENT"
        )
    receipt = secrets.token_hex(16)
    ballot_id = uuid.uuid4()
    inserted = (
        await session.execute(
            insert(Ballot)
            .values(
                id=ballot_id,
                alliance_id=row.alliance_id,
                stage_id=stage_id,
                seat_id=seat_id,
                choice=choice,
                cast_by=user_id,
                by_proxy=by_proxy,
                receipt=receipt,
            )
            .on_conflict_do_nothing(index_elements=["stage_id", "seat_id"])
            .returning(Ballot.id)
        )
    ).first()
    if inserted is None:
        raise DomainError("this seat has voted on this stage already", code="ALREADY_VOTED")
    return Cast(ballot_id, receipt, stage_id, seat_id, by_proxy)


# --------------------------------------------------------------------------- closing


SNAPSHOT = sa.text(
    """
    SELECT count(*) AS seats,
           count(*) FILTER (WHERE a.status = 'present'
                            OR (:correspondence AND a.status IS DISTINCT FROM 'proxy'
                                AND b.id IS NOT NULL)) AS present,
           count(*) FILTER (WHERE a.status = 'proxy') AS proxies,
           count(*) FILTER (WHERE b.choice = 'yes') AS yes,
           count(*) FILTER (WHERE b.choice = 'no') AS no,
           count(*) FILTER (WHERE b.choice = 'abstain') AS abstain
      FROM seats s
      LEFT JOIN attendance a ON a.meeting_id = :meeting AND a.seat_id = s.id
      LEFT JOIN ballots b ON b.stage_id = :stage AND b.seat_id = s.id
     WHERE s.alliance_id = :alliance AND s.body = :body AND s.active
       AND s.group_id IS NOT DISTINCT FROM CAST(:group AS uuid)
    """
)

BALLOT_LIST_HASH = sa.text(
    """
    SELECT count(*) AS ballots,
           encode(sha256(convert_to(coalesce(
               string_agg(receipt || ':' || choice, E'\\n' ORDER BY position), ''), 'UTF8')),
               'hex') AS hash
      FROM ballots WHERE stage_id = :stage
    """
)


VOTED_MAX_AGE_DAYS = 366


def voted_at(meeting: Meeting, voted_on: date) -> datetime:
    """When a vote the secretariat records after the fact was taken: at its meeting, on the
    day named (noon UTC, or the meeting's start if later; now if that is today). Only a
    meeting in person (a vote by correspondence closes at its deadline); not in the future,
    not before the meeting began, at most a year back."""
    now = datetime.now(UTC)
    if meeting.mode == MeetingMode.CORRESPONDENCE:
        raise DomainError(
            "a vote by correspondence closes at its deadline, not on a day recorded later",
            code="BAD_VOTE_DATE",
            field="votedOn",
        )
    if voted_on > now.date():
        raise DomainError(
            "a vote cannot be taken in the future", code="BAD_VOTE_DATE", field="votedOn"
        )
    began = meeting.starts_at.astimezone(UTC)
    if voted_on < began.date():
        raise DomainError(
            f"the vote was taken at its meeting, which began on {began.date().isoformat()}",
            code="BAD_VOTE_DATE",
            field="votedOn",
        )
    if (now.date() - voted_on).days > VOTED_MAX_AGE_DAYS:
        raise DomainError(
            f"a vote taken more than {VOTED_MAX_AGE_DAYS} days ago cannot be recorded with "
            "its date",
            code="BAD_VOTE_DATE",
            field="votedOn",
        )
    if voted_on == now.date():
        return now
    noon = datetime(voted_on.year, voted_on.month, voted_on.day, 12, tzinfo=UTC)
    return max(noon, began)


async def close(
    session: AsyncSession, stage_id: uuid.UUID, *, voted_on: date | None = None
) -> Stage:
    """Close an open stage: snapshot, compute the result once, store it, move the motion on.
    Closing a closed stage returns it as it is (the same stored result). ``voted_on``: the
    day an in-person vote was taken, when the secretariat records it after the fact
    (:func:`voted_at`)."""
    stage = await session.get(Stage, stage_id, with_for_update=True, populate_existing=True)
    if stage is None:
        raise NotFound("no such vote")
    if stage.status == "closed":
        return stage
    if stage.status != "open":
        raise DomainError("this vote has not opened", code="VOTE_NOT_OPEN")
    motion = await session.get(Motion, stage.motion_id, with_for_update=True)
    meeting = await session.get(Meeting, stage.meeting_id)
    assert motion is not None and meeting is not None and stage.rule is not None
    closed_at = datetime.now(UTC) if voted_on is None else voted_at(meeting, voted_on)
    snap = (
        await session.execute(
            SNAPSHOT,
            {
                "correspondence": meeting.mode == MeetingMode.CORRESPONDENCE,
                "meeting": meeting.id,
                "stage": stage.id,
                "alliance": stage.alliance_id,
                "body": stage.body,
                "group": meeting.group_id,
            },
        )
    ).one()
    listed = (await session.execute(BALLOT_LIST_HASH, {"stage": stage.id})).one()
    rules = await charters.version_of(session, stage.alliance_id, stage.charter_version or 1)
    rule = charter.MatterRule.model_validate(stage.rule)
    result = decide(
        rule, snap, body=stage.body, matter=stage.stage_matter, alliance=rules.short_name
    )
    stage.result = result
    stage.ballot_count = listed.ballots
    stage.ballot_list_hash = listed.hash
    stage.status = "closed"
    stage.closed_at = closed_at
    if stage.opened_at is not None and stage.opened_at > closed_at:
        stage.opened_at = closed_at  # (opened at the same meeting, recorded later)
    counts = VoteCounts(
        entitled=result["counts"]["seats"],
        present=result["counts"]["attending"],
        yes=result["counts"]["yes"],
        no=result["counts"]["no"],
        abstain=result["counts"]["abstain"],
    )
    await record_event(
        session,
        outbox,
        VoteClosed(
            motion_id=motion.id,
            stage_id=stage.id,
            alliance_id=stage.alliance_id,
            body=BodyId(stage.body),
            matter=MatterKind(stage.stage_matter),
            outcome=result["outcome"],
            passed=result["passed"],
            counts=counts,
            rule=result["rule"],
            explanation_zh=result["explanation"]["zh"],
            explanation_en=result["explanation"]["en"],
            ballot_list_hash=listed.hash,
        ),
        source=SOURCE,
        subject=stage.id,
        alliance_id=stage.alliance_id,
    )
    last = await session.scalar(
        sa.select(sa.func.max(Stage.index)).where(Stage.motion_id == motion.id)
    )
    if result["passed"] and stage.index < (last or 0):
        motion.status = "pending"  # the next stage waits for its body's meeting
    else:
        await _decided(session, motion, stage, meeting, result, counts, closed_at)
    await session.flush()
    if MatterKind(motion.matter) in WORKING_GROUP_MATTERS and motion.matter_id is not None:
        from governance import working_groups  # it builds on this module

        await working_groups.after_stage_closed(session, motion, stage, result)
    return stage


def decide(
    rule: charter.MatterRule, snap: Any, *, body: str, matter: str, alliance: str
) -> dict[str, Any]:
    """The stored result: the engine's decision on the snapshotted counts."""
    counts = charter.Counts(
        # A body whose seats were all vacated meanwhile: one notional seat, not quorate.
        seats=max(snap.seats, 1),
        present=snap.present,
        proxies=snap.proxies,
        yes=snap.yes,
        no=snap.no,
        abstain=snap.abstain,
    )
    decision = charter.evaluate(rule, counts, body=body, matter=matter, alliance=alliance)
    attending = snap.present + (snap.proxies if rule.admits_proxies else 0)
    return {
        "counts": {
            "seats": snap.seats,
            "present": snap.present,
            "proxies": snap.proxies,
            "attending": attending,
            "yes": snap.yes,
            "no": snap.no,
            "abstain": snap.abstain,
        },
        "quorate": decision.quorate,
        "passed": decision.passed,
        "outcome": decision.outcome.value,
        "rule": decision.source,
        "quorum": decision.quorum.model_dump(mode="json") if decision.quorum else None,
        "pass": decision.pass_.model_dump(mode="json"),
        "explanation": decision.explanation.model_dump(mode="json"),
    }


async def _decided(
    session: AsyncSession,
    motion: Motion,
    stage: Stage,
    meeting: Meeting,
    result: dict[str, Any],
    counts: VoteCounts,
    at: datetime,
) -> None:
    motion.status = "passed" if result["passed"] else "failed"
    motion.outcome = result["outcome"]
    motion.decided_at = at
    decided_on: date = at.date()
    await record_event(
        session,
        outbox,
        MotionDecided(
            motion_id=motion.id,
            alliance_id=motion.alliance_id,
            matter=MatterKind(motion.matter),
            matter_id=motion.matter_id,
            title=motion.title,
            body=BodyId(stage.body),
            outcome=result["outcome"],
            passed=result["passed"],
            decided_on=decided_on,
            meeting=meeting.title,
            counts=counts,
            rule=result["rule"],
            explanation_zh=result["explanation"]["zh"],
            explanation_en=result["explanation"]["en"],
            changes=[CharterChange(path=c["path"], new=c.get("new")) for c in motion.changes]
            if result["passed"]
            else [],
        ),
        source=SOURCE,
        subject=motion.id,
        alliance_id=motion.alliance_id,
    )
    if MatterKind(motion.matter) in APPLICATION_MATTERS and motion.matter_id is not None:
        await record_event(
            session,
            outbox,
            ApplicationDecided(
                application_id=motion.matter_id,
                alliance_id=motion.alliance_id,
                body=BodyId(stage.body),
                approved=result["passed"],
                meeting=meeting.title,
                decided_on=decided_on,
                minutes=f"motion {motion.id}: {result['explanation']['zh']}",
                reason=None if result["passed"] else result["explanation"]["zh"],
                motion_id=motion.id,
            ),
            source=SOURCE,
            subject=motion.matter_id,
            alliance_id=motion.alliance_id,
        )


class DeadlineCloser(Worker):
    """Closes correspondence votes whose deadline has passed, and notes bodies that ended a
    year below the charter's minimum of meetings. Any number of replicas may run it: each
    claims due stages with ``FOR UPDATE SKIP LOCKED``, and a closed stage is never closed
    again."""

    name = "governance-deadlines"

    MINIMUM_CHECK_SECONDS = 60.0

    def __init__(self, database: Database, *, interval: float = 1.0, batch: int = 20) -> None:
        super().__init__()
        self.database = database
        self.interval = interval
        self.batch = batch
        self._minimums_checked = 0.0

    async def step(self) -> int:
        closed = 0
        async with self.database.transaction(TenantScope.everything()) as session:
            due = (
                await session.scalars(
                    sa.select(Stage.id)
                    .where(Stage.status == "open", Stage.deadline <= sa.func.now())
                    .order_by(Stage.deadline)
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for stage_id in due:
                await close(session, stage_id)
                closed += 1
            if time.monotonic() - self._minimums_checked > self.MINIMUM_CHECK_SECONDS:
                self._minimums_checked = time.monotonic()
                await note_missed_minimums(session, datetime.now(UTC).date())
                from governance import working_groups  # it builds on this module

                await working_groups.note_missed_meetings(session, datetime.now(UTC).date())
        return closed

    async def run(self) -> None:
        while not self.stopping:
            try:
                closed = await self.step()
            except Exception:
                log.exception("closing due votes failed; trying again")
                closed = 0
            if not closed:
                await self.pause(self.interval)
