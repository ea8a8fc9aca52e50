"""Tables, named in the product's words (SPEC §1).

Every timestamp is stored in UTC and read back timezone-aware (`UTCDateTime`).
Every row a workspace owns carries its `team_id`, so data never crosses workspaces.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import Column, DateTime, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware datetimes only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def result_processor(self, dialect, coltype):
        """SQLite: the same as `process_result_value`, in one call per value instead of three
        (a check-in reads hundreds of thousands of report times)."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        parse = self.impl_instance.result_processor(dialect, coltype)
        utc = timezone.utc

        def process(value):
            if value is None:
                return None
            if parse is not None:
                value = parse(value)
            return value.replace(tzinfo=utc) if value.tzinfo is None else value.astimezone(utc)

        return process


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class CommitmentStatus:
    ACTIVE = "active"
    ACHIEVED = "achieved"
    MISSED = "missed"
    WITHDRAWN = "withdrawn"


class TeamCounter(SQLModel, table=True):
    """Hands out `#N` numbers per workspace, atomically."""

    __tablename__ = "team_counter"
    team_id: str = Field(primary_key=True, max_length=32)
    last_commitment_number: int = 0


class Commitment(SQLModel, table=True):
    __tablename__ = "commitment"
    __table_args__ = (UniqueConstraint("team_id", "number", name="uq_commitment_team_number"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(index=True, max_length=32)
    channel_id: str = Field(index=True, max_length=32)
    number: int
    outcome: str = Field(sa_column=Column(Text, nullable=False))
    baseline: float
    target: float
    unit: Optional[str] = Field(default=None, max_length=64)
    known: Optional[float] = None
    start_date: date
    due: date
    owner_id: str = Field(max_length=32)
    status: str = Field(default=CommitmentStatus.ACTIVE, max_length=16, index=True)
    declared_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ended_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    end_reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    home_ts: Optional[str] = Field(default=None, max_length=32)

    @property
    def label(self) -> str:
        return f"#{self.number}"


class Enrolment(SQLModel, table=True):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("commitment_id", "user_id", name="uq_enrolment_commitment_user"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    user_id: str = Field(max_length=32)
    enrolled_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ProgressReport(SQLModel, table=True):
    __tablename__ = "progress_report"

    id: Optional[int] = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    user_id: str = Field(max_length=32)
    value: float
    note: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    reported_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # When the home thread was told (bot/commitments/followups.py); NULL: not yet.
    told_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    # When a process claimed it to tell the thread; a claim older than the lease
    # (storage.commitments.CLAIM_LEASE) without `told_at` is claimable again.
    claimed_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class ProcessedEvent(SQLModel, table=True):
    """Event ids already handled, so Slack's retries (`X-Slack-Retry-Num`) run once."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str = Field(max_length=32)
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SeenRequest(SQLModel, table=True):
    """Signed requests already acted on (bot/ops/replays.py): a hash of their timestamp and
    signature, kept until Slack's 5 minutes have passed, so a replayed body is acted on once."""

    __tablename__ = "seen_request"

    digest: str = Field(primary_key=True, max_length=64)
    team_id: str = Field(max_length=32)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class ChannelSettings(SQLModel, table=True):
    """Per channel: the weekly check-in schedule and the background watch opt-in."""

    __tablename__ = "channel_settings"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", name="uq_channel_settings_team_channel"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    checkin_weekday: int = 0  # Monday
    checkin_time: str = Field(default="09:00", max_length=5)  # HH:MM, local to checkin_timezone
    checkin_timezone: Optional[str] = Field(default=None, max_length=64)  # None: COACH_TIMEZONE
    checkin_enabled: bool = True
    checkin_paused_reason: Optional[str] = Field(default=None, max_length=64)
    first_checkin_after: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    background_watch: bool = False
    # ISO 3166-1 alpha-2 code whose public holidays move the check-in (`checkin holidays`); None: none
    holidays: Optional[str] = Field(default=None, max_length=8)


class CheckinPost(SQLModel, table=True):
    """One row per channel and ISO week, written before posting: the exactly-once key."""

    __tablename__ = "checkin_post"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "iso_week", name="uq_checkin_post_channel_week"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    iso_week: str = Field(max_length=10)  # e.g. 2026-W48, in the channel's timezone
    scheduled_for: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    claimed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    posted_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    ts: Optional[str] = Field(default=None, max_length=32)
    error: Optional[str] = Field(default=None, max_length=64)


class Breakdown(SQLModel, table=True):
    __tablename__ = "breakdown"

    id: Optional[int] = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    source: str = Field(max_length=16)  # "checkin" or "declared"
    what: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    declared_by: Optional[str] = Field(default=None, max_length=32)
    projected: Optional[float] = None
    opened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    close_reason: Optional[str] = Field(default=None, max_length=32)
    announced_ts: Optional[str] = Field(default=None, max_length=32)


class ActionStatus:
    REQUESTED = "requested"  # asked of someone else, waiting for their answer
    COUNTERED = "countered"  # owner proposed another due date, waiting for the asker
    DECLINED = "declined"
    PROMISED = "promised"  # a promise: open, then kept / revoked / broken by dates
    RELEASED = "released"  # open when its commitment ended: no longer due, counted nowhere


class Action(SQLModel, table=True):
    __tablename__ = "action"

    id: Optional[int] = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    breakdown_id: Optional[int] = Field(default=None, foreign_key="breakdown.id")
    what: str = Field(sa_column=Column(Text, nullable=False))
    owner_id: str = Field(max_length=32, index=True)
    asker_id: str = Field(max_length=32)
    due: date
    status: str = Field(default=ActionStatus.PROMISED, max_length=16)
    countered_due: Optional[date] = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    promised_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    done_on: Optional[date] = None
    revoked_on: Optional[date] = None
    request_channel: Optional[str] = Field(default=None, max_length=32)
    request_ts: Optional[str] = Field(default=None, max_length=32)


class BackgroundConversation(SQLModel, table=True):
    __tablename__ = "background_conversation"

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    channel_id: str = Field(max_length=32, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    surfaced_by: str = Field(max_length=32)
    surfaced_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    source_permalink: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    ts: Optional[str] = Field(default=None, max_length=32)
    reinvented_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class Recognition(SQLModel, table=True):
    """A "Me too" on a background conversation."""

    __tablename__ = "recognition"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id", name="uq_recognition_conversation_user"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="background_conversation.id", index=True)
    user_id: str = Field(max_length=32)
    recognised_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class NewAgreement(SQLModel, table=True):
    __tablename__ = "new_agreement"

    id: Optional[int] = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="background_conversation.id", unique=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(max_length=16)  # possible, committed, breakthrough, breakdown, integrity
    made_by: str = Field(max_length=32)
    made_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ts: Optional[str] = Field(default=None, max_length=32)


class SkippedWeek(SQLModel, table=True):
    """`/commit checkin skip <date>`: no check-in in this channel in that ISO week."""

    __tablename__ = "skipped_week"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "iso_week", name="uq_skipped_week_channel_week"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    iso_week: str = Field(max_length=10)  # e.g. 2026-W52, in the channel's check-in timezone
    skipped_by: Optional[str] = Field(default=None, max_length=32)
    skipped_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class TimeAway(SQLModel, table=True):
    """`/commit away <date>`: the person is away until `until`, inclusive (one row per person)."""

    __tablename__ = "time_away"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_time_away_team_user"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    until: date = Field(index=True)
    set_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ReminderStatus:
    SENT = "sent"
    FAILED = "failed"


class ReminderSent(SQLModel, table=True):
    """One row per nudge or reminder, written (claimed) before it is sent: the exactly-once key,
    e.g. `nudge:T1:C1:U1:2026-W49`, `due:12`, `overdue:12`, `request:12`, `followup:34:U1`."""

    __tablename__ = "reminder_sent"

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    kind: str = Field(max_length=16)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)  # who it is for
    claimed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    result: Optional[str] = Field(default=None, max_length=16)  # None while sending; "sent" or "failed"
    finished_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    error: Optional[str] = Field(default=None, max_length=64)


class InvitationStatus:
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Invitation(SQLModel, table=True):
    """An invitation to enrol (`commit_modal`'s `members`, `/commit enrol`): enrolment only on "I'm in"."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("commitment_id", "invitee_id", name="uq_invitation_commitment_invitee"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    invitee_id: str = Field(max_length=32)
    inviter_id: str = Field(max_length=32)
    status: str = Field(default=InvitationStatus.PENDING, max_length=16)
    invited_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    answered_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    dm_channel: Optional[str] = Field(default=None, max_length=32)
    dm_ts: Optional[str] = Field(default=None, max_length=32)


class RetroAnswer(SQLModel, table=True):
    """An answer to "What made the difference?" (`retro_modal`) on an ended commitment."""

    __tablename__ = "retro_answer"

    id: Optional[int] = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    author_id: str = Field(max_length=32)
    shifted: str = Field(sa_column=Column(Text, nullable=False))
    next: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SubResult(SQLModel, table=True):
    """A sub-result: `value` committed by `due`, between a commitment's start and due date."""

    __tablename__ = "sub_result"
    __table_args__ = (UniqueConstraint("commitment_id", "due", name="uq_sub_result_commitment_due"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    value: float
    due: date
    added_by: str = Field(max_length=32)
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # When the home thread was told it was reached / missed: the exactly-once keys of those posts.
    reached_told_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    missed_told_at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class Renegotiation(SQLModel, table=True):
    """A commitment's history of renegotiations: the terms before and after, why, who, when."""

    __tablename__ = "renegotiation"

    id: Optional[int] = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    old_target: float
    new_target: float
    old_due: date
    new_due: date
    reason: str = Field(sa_column=Column(Text, nullable=False))
    made_by: str = Field(max_length=32)
    made_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
