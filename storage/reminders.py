"""Queries for "Nobody forgets" (SPEC): channel holidays and skipped weeks, time away, the
exactly-once claims of nudges and reminders, and the facts the reminder pass decides from.

This is the one place these queries live. The facts are plain frozen dataclasses (no ORM
rows), loaded in a fixed number of queries whatever the number of commitments or promises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, exists, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import Database, paused_gc
from storage.models import (
    Action,
    ActionStatus,
    Breakdown,
    ChannelSettings,
    Commitment,
    CommitmentStatus,
    Enrolment,
    ProgressReport,
    ReminderSent,
    ReminderStatus,
    SkippedWeek,
    TimeAway,
)
from storage.upsert import insert_ignore

ChannelKey = tuple[str, str]  # (team_id, channel_id)
CLAIMED_CHUNK = 2000  # keys per `IN (…)` when asking which are claimed already
# Promises further from today than this are neither due tomorrow nor recently overdue: the
# loader leaves them out (the decisions look at most 8 days back and 2 days ahead).
PROMISES_BACK = timedelta(days=10)
PROMISES_AHEAD = timedelta(days=3)
BREAKDOWNS_BACK = timedelta(days=8)


# --- channel settings: holidays and skipped weeks ------------------------------------------------


def _settings_row(session, team_id: str, channel_id: str) -> ChannelSettings:
    insert_ignore(session, ChannelSettings, {"team_id": team_id, "channel_id": channel_id}, ["team_id", "channel_id"])
    return session.exec(
        select(ChannelSettings).where(ChannelSettings.team_id == team_id, ChannelSettings.channel_id == channel_id)
    ).one()


def set_holidays(db: Database, team_id: str, channel_id: str, country: str | None) -> ChannelSettings:
    """`checkin holidays <country>` (None: `checkin holidays off`)."""
    with db.session() as session:
        row = _settings_row(session, team_id, channel_id)
        row.holidays = country
        session.add(row)
        session.flush()
        return row


def skip_week(db: Database, team_id: str, channel_id: str, iso_week: str, user_id: str | None, now: datetime) -> bool:
    """`checkin skip`: no check-in in `iso_week`. False when that week was skipped already."""
    with db.session() as session:
        return insert_ignore(
            session,
            SkippedWeek,
            {
                "team_id": team_id,
                "channel_id": channel_id,
                "iso_week": iso_week,
                "skipped_by": user_id,
                "skipped_at": now,
            },
            ["team_id", "channel_id", "iso_week"],
        )


def skipped_weeks(db: Database, team_id: str, channel_id: str) -> frozenset[str]:
    with db.read() as session:
        return frozenset(
            session.exec(
                select(SkippedWeek.iso_week).where(SkippedWeek.team_id == team_id, SkippedWeek.channel_id == channel_id)
            ).all()
        )


def calendars(db: Database, keys: Iterable[ChannelKey]) -> dict[ChannelKey, tuple[str | None, frozenset[str]]]:
    """{channel: (holiday country, skipped weeks)} for these channels, in two queries: what a
    check-in run adds to each channel's `Schedule`. Channels with neither are left out."""
    wanted = set(keys)
    if not wanted:
        return {}
    channel_ids = sorted({c for _, c in wanted})
    with db.read() as session:
        countries = session.exec(
            select(ChannelSettings.team_id, ChannelSettings.channel_id, ChannelSettings.holidays).where(
                col(ChannelSettings.channel_id).in_(channel_ids), col(ChannelSettings.holidays).is_not(None)
            )
        ).all()
        skips = session.exec(
            select(SkippedWeek.team_id, SkippedWeek.channel_id, SkippedWeek.iso_week).where(
                col(SkippedWeek.channel_id).in_(channel_ids)
            )
        ).all()
    found: dict[ChannelKey, tuple[str | None, set[str]]] = {}
    for team_id, channel_id, country in countries:
        if (team_id, channel_id) in wanted:
            found[(team_id, channel_id)] = (country, set())
    for team_id, channel_id, week in skips:
        if (team_id, channel_id) in wanted:
            found.setdefault((team_id, channel_id), (None, set()))[1].add(week)
    return {key: (country, frozenset(weeks)) for key, (country, weeks) in found.items()}


# --- time away ----------------------------------------------------------------------------------


def set_away(db: Database, team_id: str, user_id: str, until: date, now: datetime) -> None:
    """`away <date>`: away until `until`, inclusive (replaces an earlier date)."""
    with db.session() as session:
        if not insert_ignore(
            session,
            TimeAway,
            {"team_id": team_id, "user_id": user_id, "until": until, "set_at": now},
            ["team_id", "user_id"],
        ):
            session.execute(
                update(TimeAway)
                .where(TimeAway.team_id == team_id, TimeAway.user_id == user_id)
                .values(until=until, set_at=now)
            )


def clear_away(db: Database, team_id: str, user_id: str) -> bool:
    """`away off`. False when the person had no time away set."""
    with db.session() as session:
        gone = session.execute(delete(TimeAway).where(TimeAway.team_id == team_id, TimeAway.user_id == user_id))
        return gone.rowcount > 0


def away_until(db: Database, team_id: str, user_id: str) -> date | None:
    """The last day the person is away (it may be past: compare with today, or use `is_away`)."""
    with db.read() as session:
        return session.exec(
            select(TimeAway.until).where(TimeAway.team_id == team_id, TimeAway.user_id == user_id)
        ).first()


def is_away(db: Database, team_id: str, user_id: str, day: date) -> bool:
    until = away_until(db, team_id, user_id)
    return until is not None and day <= until


def away_on(db: Database, team_id: str, day: date, user_ids: Iterable[str] | None = None) -> set[str]:
    """The people of a workspace (among `user_ids`, when given) away on `day`: one query."""
    query = select(TimeAway.user_id).where(TimeAway.team_id == team_id, TimeAway.until >= day)
    if user_ids is not None:
        query = query.where(col(TimeAway.user_id).in_(sorted(set(user_ids))))
    with db.read() as session:
        return set(session.exec(query).all())


# --- the exactly-once claims --------------------------------------------------------------------


def claim(db: Database, key: str, *, kind: str, team_id: str, user_id: str, now: datetime) -> bool:
    """Take a nudge or reminder before sending it, committed: True for exactly one caller per
    key, across threads, processes and restarts (a unique key, INSERT … ON CONFLICT DO NOTHING)."""
    values = {"key": key, "kind": kind, "team_id": team_id, "user_id": user_id, "claimed_at": now}
    try:
        with db.session() as session:
            return insert_ignore(session, ReminderSent, values, ["key"])
    except IntegrityError:  # a racing insert that the database reports as a conflict after all
        return False


def finish(db: Database, key: str, ok: bool, error: str | None = None, *, now: datetime | None = None) -> None:
    """Record how sending went: sent, or failed with Slack's error (never tried again)."""
    values = {"result": ReminderStatus.SENT if ok else ReminderStatus.FAILED, "error": (error or None) and error[:64]}
    if now is not None:
        values["finished_at"] = now
    with db.session() as session:
        session.execute(update(ReminderSent).where(ReminderSent.key == key).values(**values))


def release(db: Database, key: str) -> None:
    """Give a claim back after a failure worth trying again (Slack out of reach): the next pass
    sends it, while it is still relevant."""
    with db.session() as session:
        session.execute(delete(ReminderSent).where(ReminderSent.key == key, col(ReminderSent.result).is_(None)))


def claimed(db: Database, keys: Iterable[str]) -> set[str]:
    """Which of these keys are claimed already (sent, failed, or being sent)."""
    keys = sorted(set(keys))
    found: set[str] = set()
    with db.read() as session:
        for start in range(0, len(keys), CLAIMED_CHUNK):
            part = keys[start : start + CLAIMED_CHUNK]
            found.update(session.exec(select(ReminderSent.key).where(col(ReminderSent.key).in_(part))).all())
    return found


def claimed_since(db: Database, since: datetime) -> set[str]:
    """Every key claimed at or after `since`: one query, whatever the number of reminders due.
    With `since` before the start of the longest relevance window, it holds every claim of
    every reminder still relevant."""
    with db.read() as session:
        return set(session.exec(select(ReminderSent.key).where(ReminderSent.claimed_at >= since)).all())


def get_claim(db: Database, key: str) -> ReminderSent | None:
    with db.read() as session:
        return session.exec(select(ReminderSent).where(ReminderSent.key == key)).first()


# --- the facts the reminder pass decides from ---------------------------------------------------


@dataclass(frozen=True)
class ChannelCalendar:
    """A channel with active commitments: its check-in schedule, as stored."""

    team_id: str
    channel_id: str
    weekday: int
    at: time
    zone: str  # the channel's timezone, or COACH_TIMEZONE
    holidays: str | None
    skips: frozenset[str]
    enabled: bool  # check-ins on and not paused
    starts_after: datetime | None  # check-ins start with the first scheduled time after it

    @property
    def key(self) -> ChannelKey:
        return (self.team_id, self.channel_id)


@dataclass(frozen=True)
class ActiveCommitment:
    id: int
    team_id: str
    channel_id: str
    number: int
    outcome: str
    unit: str | None
    owner_id: str
    baseline: float
    latest_value: float | None  # the latest report's value; None: no report yet
    last_report_at: datetime  # the latest report's time, or the declaration's

    @property
    def current(self) -> float:
        return self.baseline if self.latest_value is None else self.latest_value


@dataclass(frozen=True)
class OpenAction:
    """A promise still open (not done, not revoked), or a request waiting for its owner."""

    id: int
    team_id: str
    channel_id: str
    commitment_id: int
    commitment_number: int
    outcome: str
    what: str
    owner_id: str
    asker_id: str
    due: date
    status: str  # ActionStatus.PROMISED or ActionStatus.REQUESTED
    asked_at: datetime  # when it was added (a request: when it was asked)
    promised_at: datetime | None


@dataclass(frozen=True)
class OpenBreakdown:
    id: int
    team_id: str
    channel_id: str
    commitment_id: int
    commitment_number: int
    outcome: str
    owner_id: str
    enrolled: tuple[str, ...]  # the owner first, then the other enrolled people
    announced_at: datetime  # when it opened (and was announced)
    promised_since: bool  # a promise was made on the commitment since it opened


@dataclass
class ReminderFacts:
    channels: dict[ChannelKey, ChannelCalendar] = field(default_factory=dict)
    commitments: list[ActiveCommitment] = field(default_factory=list)
    promises: list[OpenAction] = field(default_factory=list)
    requests: list[OpenAction] = field(default_factory=list)
    breakdowns: list[OpenBreakdown] = field(default_factory=list)
    away: dict[tuple[str, str], date] = field(default_factory=dict)  # (team, user) -> last day away
    queries: int = 0  # how many queries loading them took


def _time_of(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(hours, minutes)


def load_facts(db: Database, now: datetime, default_zone: str, channels: Sequence[str] | None = None) -> ReminderFacts:
    """Everything the reminder pass needs at `now`, for every channel with an active commitment
    (or only `channels`): nine queries, whatever the number of commitments or promises."""
    with paused_gc():
        return _load_facts(db, now, default_zone, channels)


def _load_facts(db: Database, now: datetime, default_zone: str, channels: Sequence[str] | None) -> ReminderFacts:
    facts = ReminderFacts()
    today = now.date()
    active = Commitment.status == CommitmentStatus.ACTIVE
    if channels:
        active = active & col(Commitment.channel_id).in_(list(channels))
    with db.read() as session:
        connection = session.connection()
        settings_query = select(ChannelSettings)
        skips_query = select(SkippedWeek.team_id, SkippedWeek.channel_id, SkippedWeek.iso_week)
        if channels:
            settings_query = settings_query.where(col(ChannelSettings.channel_id).in_(list(channels)))
            skips_query = skips_query.where(col(SkippedWeek.channel_id).in_(list(channels)))
        settings = {(s.team_id, s.channel_id): s for s in session.exec(settings_query).all()}
        skips: dict[ChannelKey, set[str]] = defaultdict(set)
        for team_id, channel_id, week in connection.execute(skips_query):
            skips[(team_id, channel_id)].add(week)
        firsts_query = select(Commitment.team_id, Commitment.channel_id, func.min(Commitment.declared_at)).group_by(
            Commitment.team_id, Commitment.channel_id
        )
        if channels:
            firsts_query = firsts_query.where(col(Commitment.channel_id).in_(list(channels)))
        firsts = {(t, c): moment for t, c, moment in session.exec(firsts_query).all()}

        # The latest report of each active commitment: its time (one GROUP BY), then the
        # reports at that time (ties: the last one stored wins, as in `CommitmentState.latest`).
        last_times = (
            select(ProgressReport.commitment_id, func.max(ProgressReport.reported_at).label("last"))
            .join(Commitment, Commitment.id == ProgressReport.commitment_id)
            .where(active)
            .group_by(ProgressReport.commitment_id)
            .subquery()
        )
        latest: dict[int, tuple[float, datetime]] = {}
        for commitment_id, _id, value, reported_at in connection.execute(
            select(ProgressReport.commitment_id, ProgressReport.id, ProgressReport.value, ProgressReport.reported_at)
            .join(
                last_times,
                (last_times.c.commitment_id == ProgressReport.commitment_id)
                & (last_times.c.last == ProgressReport.reported_at),
            )
            .order_by(ProgressReport.id)
        ):
            latest[commitment_id] = (value, reported_at)
        commitment_rows = connection.execute(
            select(
                Commitment.id,
                Commitment.team_id,
                Commitment.channel_id,
                Commitment.number,
                Commitment.outcome,
                Commitment.unit,
                Commitment.owner_id,
                Commitment.baseline,
                Commitment.declared_at,
            )
            .where(active)
            .order_by(Commitment.team_id, Commitment.channel_id, Commitment.number)
        ).all()

        actions = connection.execute(
            select(
                Action.id,
                Commitment.team_id,
                Commitment.channel_id,
                Commitment.id,
                Commitment.number,
                Commitment.outcome,
                Action.what,
                Action.owner_id,
                Action.asker_id,
                Action.due,
                Action.status,
                Action.created_at,
                Action.promised_at,
            )
            .join(Commitment, Commitment.id == Action.commitment_id)
            .where(
                active,
                ((Action.status == ActionStatus.REQUESTED) & (Action.due >= today - timedelta(days=1)))
                | (
                    (Action.status == ActionStatus.PROMISED)
                    & col(Action.done_on).is_(None)
                    & col(Action.revoked_on).is_(None)
                    & (Action.due >= today - PROMISES_BACK)
                    & (Action.due <= today + PROMISES_AHEAD)
                ),
            )
            .order_by(Action.id)
        ).all()

        promised_since = exists().where(
            Action.commitment_id == Breakdown.commitment_id,
            Action.status == ActionStatus.PROMISED,
            Action.promised_at >= Breakdown.opened_at,
        )
        breakdown_rows = connection.execute(
            select(
                Breakdown.id,
                Commitment.team_id,
                Commitment.channel_id,
                Commitment.id,
                Commitment.number,
                Commitment.outcome,
                Commitment.owner_id,
                Breakdown.opened_at,
                promised_since.label("promised_since"),
            )
            .join(Commitment, Commitment.id == Breakdown.commitment_id)
            .where(active, col(Breakdown.closed_at).is_(None), Breakdown.opened_at >= now - BREAKDOWNS_BACK)
            .order_by(Breakdown.id)
        ).all()
        enrolled: dict[int, list[str]] = defaultdict(list)
        if breakdown_rows:
            recent = select(Breakdown.commitment_id).where(
                col(Breakdown.closed_at).is_(None), Breakdown.opened_at >= now - BREAKDOWNS_BACK
            )
            for commitment_id, user_id in connection.execute(
                select(Enrolment.commitment_id, Enrolment.user_id)
                .where(col(Enrolment.commitment_id).in_(recent.scalar_subquery()))
                .order_by(Enrolment.id)
            ):
                enrolled[commitment_id].append(user_id)

        away = connection.execute(
            select(TimeAway.team_id, TimeAway.user_id, TimeAway.until).where(
                TimeAway.until >= today - timedelta(days=1)
            )
        ).all()
    facts.queries = 9 if breakdown_rows else 8

    for row in commitment_rows:
        cid, team_id, channel_id, number, outcome, unit, owner_id, baseline, declared_at = row
        value, reported_at = latest.get(cid, (None, None))
        facts.commitments.append(
            ActiveCommitment(
                cid, team_id, channel_id, number, outcome, unit, owner_id, baseline, value, reported_at or declared_at
            )
        )
        key = (team_id, channel_id)
        if key not in facts.channels:
            s = settings.get(key)
            first = firsts.get(key)
            after = first
            if s is not None and s.first_checkin_after is not None and first is not None:
                after = max(first, s.first_checkin_after)
            facts.channels[key] = ChannelCalendar(
                team_id,
                channel_id,
                s.checkin_weekday if s else 0,
                _time_of(s.checkin_time) if s else time(9, 0),
                (s.checkin_timezone if s else None) or default_zone,
                s.holidays if s else None,
                frozenset(skips.get(key, ())),
                bool(s.checkin_enabled and not s.checkin_paused_reason) if s else True,
                after,
            )
    for row in actions:
        action = OpenAction(*row)
        (facts.requests if action.status == ActionStatus.REQUESTED else facts.promises).append(action)
    for row in breakdown_rows:
        bid, team_id, channel_id, cid, number, outcome, owner_id, opened_at, since = row
        people = [owner_id] + [u for u in enrolled.get(cid, ()) if u != owner_id]
        facts.breakdowns.append(
            OpenBreakdown(
                bid, team_id, channel_id, cid, number, outcome, owner_id, tuple(people), opened_at, bool(since)
            )
        )
    facts.away = {(team_id, user_id): until for team_id, user_id, until in away}
    return facts
