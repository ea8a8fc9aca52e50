"""Queries for the weekly check-in: channel schedules, the exactly-once claim, breakdowns,
and the batch loads a check-in run needs (a fixed number of queries, whatever the number
of commitments)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Sequence

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from storage import subresults
from storage.commitments import REPORT_COLUMNS, CommitmentState
from storage.db import Database, paused_gc
from storage.models import (
    Action,
    Breakdown,
    ChannelSettings,
    CheckinPost,
    Commitment,
    CommitmentStatus,
    Enrolment,
    ProgressReport,
)
from storage.upsert import insert_ignore

ChannelKey = tuple[str, str]  # (team_id, channel_id)
PARTITION_ROWS = 2000


# --- channel settings --------------------------------------------------------------------------


def get_settings(db: Database, team_id: str, channel_id: str) -> ChannelSettings | None:
    with db.read() as session:
        return session.exec(
            select(ChannelSettings).where(ChannelSettings.team_id == team_id, ChannelSettings.channel_id == channel_id)
        ).first()


def _settings_row(session, team_id: str, channel_id: str) -> ChannelSettings:
    insert_ignore(session, ChannelSettings, {"team_id": team_id, "channel_id": channel_id}, ["team_id", "channel_id"])
    return session.exec(
        select(ChannelSettings).where(ChannelSettings.team_id == team_id, ChannelSettings.channel_id == channel_id)
    ).one()


@dataclass(frozen=True)
class ScheduleChange:
    settings: ChannelSettings
    was_paused: str | None  # the reason check-ins had been paused, if they were


def set_schedule(
    db: Database, team_id: str, channel_id: str, *, weekday: int, at: str, zone: str | None, now: datetime
) -> ScheduleChange:
    """Set the weekly check-in; a timezone left out keeps the channel's. Turns check-ins on
    (un-pausing them), and starts the schedule from `now`: the next check-in is the first
    scheduled time after it."""
    with db.session() as session:
        row = _settings_row(session, team_id, channel_id)
        was_paused = row.checkin_paused_reason
        row.checkin_weekday = weekday
        row.checkin_time = at
        if zone is not None:
            row.checkin_timezone = zone
        row.checkin_enabled = True
        row.checkin_paused_reason = None
        row.first_checkin_after = now
        session.add(row)
        session.flush()
        return ScheduleChange(row, was_paused)


def turn_off(db: Database, team_id: str, channel_id: str) -> ChannelSettings:
    with db.session() as session:
        row = _settings_row(session, team_id, channel_id)
        row.checkin_enabled = False
        session.add(row)
        session.flush()
        return row


def pause(db: Database, team_id: str, channel_id: str, reason: str) -> None:
    with db.session() as session:
        row = _settings_row(session, team_id, channel_id)
        row.checkin_paused_reason = reason[:64]
        session.add(row)


def first_declared(db: Database, team_id: str, channel_id: str) -> datetime | None:
    with db.read() as session:
        return session.exec(
            select(func.min(Commitment.declared_at)).where(
                Commitment.team_id == team_id, Commitment.channel_id == channel_id
            )
        ).one()


def weeks_posted(db: Database, team_id: str, channel_id: str, since: datetime) -> list[str]:
    with db.read() as session:
        return list(
            session.exec(
                select(CheckinPost.iso_week).where(
                    CheckinPost.team_id == team_id,
                    CheckinPost.channel_id == channel_id,
                    CheckinPost.claimed_at >= since,
                )
            ).all()
        )


# --- what the runner reads first: which channels might be due ----------------------------------


@dataclass(frozen=True)
class ChannelFacts:
    team_id: str
    channel_id: str
    settings: ChannelSettings | None
    first_declared: datetime | None
    last_post: CheckinPost | None

    @property
    def key(self) -> ChannelKey:
        return (self.team_id, self.channel_id)


def channels_with_active_commitments(db: Database, channels: Sequence[str] | None = None) -> list[ChannelFacts]:
    """Every channel with an active commitment, its settings, first declaration and latest
    check-in: four queries."""
    with db.read() as session:
        active = select(Commitment.team_id, Commitment.channel_id).where(Commitment.status == CommitmentStatus.ACTIVE)
        settings_query = select(ChannelSettings)
        firsts = select(Commitment.team_id, Commitment.channel_id, func.min(Commitment.declared_at)).group_by(
            Commitment.team_id, Commitment.channel_id
        )
        latest_ids = select(func.max(CheckinPost.id)).group_by(CheckinPost.team_id, CheckinPost.channel_id)
        if channels:
            active = active.where(col(Commitment.channel_id).in_(channels))
            settings_query = settings_query.where(col(ChannelSettings.channel_id).in_(channels))
            firsts = firsts.where(col(Commitment.channel_id).in_(channels))
            latest_ids = latest_ids.where(col(CheckinPost.channel_id).in_(channels))
        keys = sorted(set(session.exec(active.distinct()).all()))
        settings = {(s.team_id, s.channel_id): s for s in session.exec(settings_query).all()}
        first = {(t, c): moment for t, c, moment in session.exec(firsts).all()}
        last = {
            (p.team_id, p.channel_id): p
            for p in session.exec(
                select(CheckinPost).where(col(CheckinPost.id).in_(latest_ids.scalar_subquery()))
            ).all()
        }
    return [ChannelFacts(t, c, settings.get((t, c)), first.get((t, c)), last.get((t, c))) for t, c in keys]


# --- what a check-in reviews: loaded in a fixed number of queries ------------------------------


@dataclass
class CheckinData:
    states: dict[ChannelKey, list[CommitmentState]] = field(default_factory=dict)
    open_breakdowns: dict[int, list[Breakdown]] = field(default_factory=dict)
    actions: dict[int, list[Action]] = field(default_factory=dict)
    ended: dict[ChannelKey, list[Commitment]] = field(default_factory=dict)


def load_checkin_data(db: Database, keys: Iterable[ChannelKey], ended_since: datetime) -> CheckinData:
    """Active commitments of these channels with their enrolled people, reports, open
    breakdowns and actions, and the commitments that ended since `ended_since`: six queries."""
    with paused_gc():
        return _load_checkin_data(db, keys, ended_since)


def _load_checkin_data(db: Database, keys: Iterable[ChannelKey], ended_since: datetime) -> CheckinData:
    wanted = set(keys)
    data = CheckinData()
    if not wanted:
        return data
    channel_ids = sorted({c for _, c in wanted})
    in_channels = col(Commitment.channel_id).in_(channel_ids)
    active = (Commitment.status == CommitmentStatus.ACTIVE) & in_channels
    with db.read() as session:
        commitments = session.exec(
            select(Commitment).where(active).order_by(Commitment.team_id, Commitment.channel_id, Commitment.number)
        ).all()
        connection = session.connection()
        # Enrolments and reports as plain rows (see storage.commitments.REPORT_COLUMNS): there
        # may be hundreds of thousands, and ORM objects would take most of the run's time.
        enrolments = connection.execute(
            select(Enrolment.commitment_id, Enrolment.user_id)
            .join(Commitment, Commitment.id == Enrolment.commitment_id)
            .where(active)
            .order_by(Enrolment.id)
        ).all()
        reports = []
        found = connection.execute(
            select(*REPORT_COLUMNS)
            .join(Commitment, Commitment.id == ProgressReport.commitment_id)
            .where(active)
            .order_by(ProgressReport.reported_at, ProgressReport.id)
        )
        for part in found.partitions(PARTITION_ROWS):
            reports.extend(part)
            time.sleep(0)  # let the app's request threads in between: a check-in runs beside them
        breakdowns = session.exec(
            select(Breakdown)
            .join(Commitment, Commitment.id == Breakdown.commitment_id)
            .where(active, col(Breakdown.closed_at).is_(None))
            .order_by(Breakdown.opened_at, Breakdown.id)
        ).all()
        actions = session.exec(
            select(Action)
            .join(Commitment, Commitment.id == Action.commitment_id)
            .where(active)
            .order_by(Action.due, Action.id)
        ).all()
        ended = session.exec(
            select(Commitment)
            .where(
                in_channels,
                Commitment.status != CommitmentStatus.ACTIVE,
                col(Commitment.ended_at) > ended_since,
            )
            .order_by(Commitment.number)
        ).all()
    people: dict[int, list[str]] = defaultdict(list)
    for commitment_id, user_id in enrolments:
        people[commitment_id].append(user_id)
    by_commitment: dict[int, list[ProgressReport]] = defaultdict(list)
    for report in reports:
        by_commitment[report.commitment_id].append(report)
    milestones = subresults.of_active(db, channel_ids)
    for c in commitments:
        key = (c.team_id, c.channel_id)
        if key in wanted:
            state = CommitmentState(c, tuple(people[c.id]), tuple(by_commitment[c.id]), milestones.get(c.id, ()))
            data.states.setdefault(key, []).append(state)
    for breakdown in breakdowns:
        data.open_breakdowns.setdefault(breakdown.commitment_id, []).append(breakdown)
    for action in actions:
        data.actions.setdefault(action.commitment_id, []).append(action)
    for c in ended:
        key = (c.team_id, c.channel_id)
        if key in wanted:
            data.ended.setdefault(key, []).append(c)
    return data


# --- the exactly-once claim ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinChanges:
    """What a check-in decided for its channel's commitments."""

    open: list[tuple[int, float]]  # (commitment id, projected value at the due date)
    close: list[tuple[int, str]]  # (breakdown id, reason)
    end: list[tuple[int, str]]  # (commitment id, new status)


def claim(
    db: Database,
    team_id: str,
    channel_id: str,
    week: str,
    scheduled_for: datetime,
    now: datetime,
    opens: Sequence[tuple[int, float]] = (),
) -> dict[int, int] | None:
    """Take this channel's check-in for `week`, committed before anything is posted; None when
    another run already has it. With it, open the new breakdowns `opens` (commitment id,
    projected value), so their announcements can carry their ids: {commitment id: breakdown id}."""
    with db.session() as session:
        taken = insert_ignore(
            session,
            CheckinPost,
            {
                "team_id": team_id,
                "channel_id": channel_id,
                "iso_week": week,
                "scheduled_for": scheduled_for,
                "claimed_at": now,
            },
            ["team_id", "channel_id", "iso_week"],
        )
        if not taken:
            return None
        if not opens:
            return {}
        # One executemany, then one read for their ids (RETURNING would go row by row).
        session.connection().execute(
            Breakdown.__table__.insert(),
            [{"commitment_id": c, "source": "checkin", "projected": p, "opened_at": now} for c, p in opens],
        )
        rows = session.exec(
            select(Breakdown.commitment_id, Breakdown.id).where(
                col(Breakdown.commitment_id).in_([c for c, _ in opens]),
                Breakdown.source == "checkin",
                Breakdown.opened_at == now,
            )
        ).all()
        return {commitment_id: breakdown_id for commitment_id, breakdown_id in rows}


def finish(
    db: Database,
    team_id: str,
    channel_id: str,
    week: str,
    *,
    ts: str | None,
    error: str | None,
    now: datetime,
    changes: CheckinChanges | None = None,
    opened: Iterable[int] = (),
    announced: dict[int, str] | None = None,
) -> None:
    """After posting, in one transaction: record the post (its ts, or the error). Posted: end
    and close what the check-in decided (a commitment ended meanwhile, say withdrawn, is left
    as it is) and remember each announcement's ts {breakdown id: ts}. Not posted: the
    breakdowns it opened (`opened`) were never announced, and are forgotten."""
    with db.session() as session:
        session.execute(
            update(CheckinPost)
            .where(CheckinPost.team_id == team_id, CheckinPost.channel_id == channel_id, CheckinPost.iso_week == week)
            .values(ts=ts, error=error[:64] if error else None, posted_at=now if ts else None)
        )
        if not ts:
            opened = list(opened)
            if opened:
                session.execute(delete(Breakdown).where(col(Breakdown.id).in_(opened)))
            return
        if changes is not None:
            for status in {s for _, s in changes.end}:
                ids = [i for i, s in changes.end if s == status]
                session.execute(
                    update(Commitment)
                    .where(col(Commitment.id).in_(ids), Commitment.status == CommitmentStatus.ACTIVE)
                    .values(status=status, ended_at=now)
                )
            for reason in {r for _, r in changes.close}:
                ids = [i for i, r in changes.close if r == reason]
                session.execute(
                    update(Breakdown)
                    .where(col(Breakdown.id).in_(ids), col(Breakdown.closed_at).is_(None))
                    .values(closed_at=now, close_reason=reason)
                )
        if announced:
            session.execute(update(Breakdown), [{"id": i, "announced_ts": t} for i, t in announced.items()])


# --- breakdowns ------------------------------------------------------------------------------------


def open_breakdown(
    db: Database,
    commitment_id: int,
    *,
    source: str,
    what: str | None,
    declared_by: str | None,
    projected: float | None,
    now: datetime,
) -> Breakdown:
    with db.session() as session:
        breakdown = Breakdown(
            commitment_id=commitment_id,
            source=source,
            what=what,
            declared_by=declared_by,
            projected=projected,
            opened_at=now,
        )
        session.add(breakdown)
        session.flush()
        return breakdown


def open_breakdowns_of(db: Database, commitment_id: int) -> list[Breakdown]:
    with db.read() as session:
        return list(
            session.exec(
                select(Breakdown)
                .where(Breakdown.commitment_id == commitment_id, col(Breakdown.closed_at).is_(None))
                .order_by(Breakdown.opened_at, Breakdown.id)
            ).all()
        )


def get_breakdown(db: Database, breakdown_id: int) -> Breakdown | None:
    with db.read() as session:
        return session.get(Breakdown, breakdown_id)


def set_announced(db: Database, announced: dict[int, str]) -> None:
    """Remember each breakdown's announcement ts: {breakdown id: ts}, in one statement."""
    if not announced:
        return
    with db.session() as session:
        session.execute(update(Breakdown), [{"id": i, "announced_ts": ts} for i, ts in announced.items()])
