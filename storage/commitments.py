"""Queries for commitments, enrolments and progress reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, NamedTuple, Sequence

from sqlalchemy import and_, bindparam, exists, insert, literal_column, or_, update
from sqlmodel import col, select

from storage import subresults
from storage.db import Database, paused_gc
from storage.models import (
    Breakdown,
    Commitment,
    CommitmentStatus,
    Enrolment,
    ProcessedEvent,
    ProgressReport,
    TeamCounter,
)
from storage.upsert import increment, insert_ignore


@dataclass(frozen=True)
class CommitmentState:
    """A commitment with the people and reports a card needs, read in one go."""

    commitment: Commitment
    enrolled: tuple[str, ...]
    reports: tuple[ProgressReport, ...]
    milestones: tuple = ()  # SubResult rows (storage/subresults.py), in date order

    @property
    def latest(self) -> ProgressReport | None:
        """The last report; `load_states` orders reports by time (then id), so it is the last."""
        return self.reports[-1] if self.reports else None


def declare(
    db: Database,
    *,
    team_id: str,
    channel_id: str,
    owner_id: str,
    outcome: str,
    baseline: float,
    target: float,
    unit: str | None,
    due: date,
    known: float | None,
    members: Iterable[str],
    today: date,
    now: datetime,
) -> CommitmentState:
    """Store a new commitment with its `#N` and enrol the owner and the named members."""
    with db.session() as session:
        number = increment(session, TeamCounter, {"team_id": team_id}, "last_commitment_number")
        commitment = Commitment(
            team_id=team_id,
            channel_id=channel_id,
            number=number,
            outcome=outcome,
            baseline=baseline,
            target=target,
            unit=unit,
            known=known,
            start_date=today,
            due=due,
            owner_id=owner_id,
            declared_at=now,
        )
        session.add(commitment)
        session.flush()
        people = [owner_id] + [m for m in dict.fromkeys(members) if m != owner_id]
        for user_id in people:
            session.add(Enrolment(commitment_id=commitment.id, user_id=user_id, enrolled_at=now))
    return CommitmentState(commitment, tuple(people), ())


def set_home_ts(db: Database, commitment_id: int, ts: str) -> None:
    with db.session() as session:
        commitment = session.get(Commitment, commitment_id)
        commitment.home_ts = ts


def get_by_number(db: Database, team_id: str, number: int) -> Commitment | None:
    with db.read() as session:
        return session.exec(
            select(Commitment).where(Commitment.team_id == team_id, Commitment.number == number)
        ).first()


def find_by_home_ts(db: Database, team_id: str, channel_id: str, ts: str) -> Commitment | None:
    with db.read() as session:
        return session.exec(
            select(Commitment).where(
                Commitment.team_id == team_id,
                Commitment.channel_id == channel_id,
                Commitment.home_ts == ts,
            )
        ).first()


# A progress report as `load_states` reads it: a read-only row with ProgressReport's columns
# as attributes (`.value`, `.reported_at`, …) but `told_at` (bot/commitments/followups.py's
# business only). Rows, not ORM objects: a check-in reads hundreds of thousands, and building
# ORM objects would take most of its time.
REPORT_COLUMNS = tuple(
    column for column in ProgressReport.__table__.columns if column.name not in ("told_at", "claimed_at")
)


def load_states(db: Database, commitments: Sequence[Commitment]) -> list[CommitmentState]:
    """Enrolled people and reports for many commitments in two queries."""
    ids = [c.id for c in commitments]
    if not ids:
        return []
    with paused_gc(), db.read() as session:
        connection = session.connection()
        enrolments = connection.execute(
            select(Enrolment.commitment_id, Enrolment.user_id)
            .where(col(Enrolment.commitment_id).in_(ids))
            .order_by(Enrolment.id)
        ).all()
        reports = connection.execute(
            select(*REPORT_COLUMNS)
            .where(col(ProgressReport.commitment_id).in_(ids))
            .order_by(ProgressReport.reported_at, ProgressReport.id)
        ).all()
        people: dict[int, list[str]] = {i: [] for i in ids}
        for commitment_id, user_id in enrolments:
            people[commitment_id].append(user_id)
        by_commitment: dict[int, list[ProgressReport]] = {i: [] for i in ids}
        for report in reports:
            by_commitment[report.commitment_id].append(report)
    milestones = subresults.for_commitments(db, ids)
    return [
        CommitmentState(c, tuple(people[c.id]), tuple(by_commitment[c.id]), milestones.get(c.id, ()))
        for c in commitments
    ]


def load_state(db: Database, commitment: Commitment) -> CommitmentState:
    return load_states(db, [commitment])[0]


def list_active(db: Database, team_id: str, channel_id: str) -> list[Commitment]:
    with db.read() as session:
        return list(
            session.exec(
                select(Commitment)
                .where(
                    Commitment.team_id == team_id,
                    Commitment.channel_id == channel_id,
                    Commitment.status == CommitmentStatus.ACTIVE,
                )
                .order_by(Commitment.number)
            ).all()
        )


def enroll(db: Database, commitment_id: int, user_id: str, now: datetime) -> bool:
    """Enrol a person; False when they already were (clicking twice changes nothing)."""
    with db.session() as session:
        return insert_ignore(
            session,
            Enrolment,
            {"commitment_id": commitment_id, "user_id": user_id, "enrolled_at": now},
            ["commitment_id", "user_id"],
        )


def is_enrolled(db: Database, commitment_id: int, user_id: str) -> bool:
    with db.read() as session:
        return (
            session.exec(
                select(Enrolment.id).where(Enrolment.commitment_id == commitment_id, Enrolment.user_id == user_id)
            ).first()
            is not None
        )


def add_report(
    db: Database, commitment_id: int, user_id: str, value: float, note: str | None, now: datetime
) -> ProgressReport:
    with db.session() as session:
        report = ProgressReport(commitment_id=commitment_id, user_id=user_id, value=value, note=note, reported_at=now)
        session.add(report)
    return report


class Recorded(NamedTuple):
    """A report `record_progress` stored, and what "Recorded" says about it."""

    report_id: int
    commitment_id: int
    number: int
    unit: str | None


def _record_statement():
    c = Commitment.__table__.c
    e = Enrolment.__table__.c
    r = ProgressReport.__table__
    user_id = bindparam("user_id", type_=r.c.user_id.type)
    allowed = select(
        c.id,
        user_id,
        bindparam("value", type_=r.c.value.type),
        bindparam("note", type_=r.c.note.type),
        bindparam("reported_at", type_=r.c.reported_at.type),
    ).where(
        c.team_id == bindparam("team_id"),
        c.number == bindparam("number"),
        c.channel_id == bindparam("channel_id"),
        c.status == CommitmentStatus.ACTIVE,
        or_(c.owner_id == user_id, exists().where(and_(e.commitment_id == c.id, e.user_id == user_id))),
    )
    columns = ["commitment_id", "user_id", "value", "note", "reported_at"]
    # Named with their table: in INSERT … SELECT FROM commitment, a bare "id" is ambiguous to SQLite.
    report_id, commitment_id = (literal_column(f"{r.name}.{name}") for name in ("id", "commitment_id"))
    unit = select(c.unit).where(c.id == commitment_id).scalar_subquery()
    return insert(r).from_select(columns, allowed).returning(report_id, commitment_id, unit)


# Built once: the ack path only binds values (and SQLAlchemy caches the compiled statement).
_RECORD_REPORT = _record_statement()


def record_progress(
    db: Database,
    team_id: str,
    channel_id: str,
    number: int,
    user_id: str,
    value: float,
    note: str | None,
    now: datetime,
) -> Recorded | None:
    """`/commit progress #N`, the common case in one statement: store the report when `#N` is
    an active commitment of this channel and the person is its owner or enrolled. None when any
    of that fails: nothing is stored, and the caller finds out which check failed, to say so.

    The checks are part of the insert (INSERT … SELECT), so a commitment that ends or an
    enrolment that goes in between cannot slip through. No ORM objects and one call into the
    database (`Database.write_one`): this is the ack path of the command people use most."""
    stored = db.first_row_one_statement(
        _RECORD_REPORT,
        {
            "team_id": team_id,
            "number": number,
            "channel_id": channel_id,
            "user_id": user_id,
            "value": value,
            "note": note,
            "reported_at": now,
        },
    )
    if stored is None:
        return None
    report_id, commitment_id, unit = stored
    return Recorded(report_id, commitment_id, number, unit)


# A claim this old without `told_at`: its process died (or hung) while telling; the report is
# claimable again. Longer than a batch takes to tell (BATCH replies at Slack's ~1 a second).
CLAIM_LEASE = timedelta(minutes=10)


def _claimable(r, now: datetime):
    return and_(r.c.told_at.is_(None), or_(r.c.claimed_at.is_(None), r.c.claimed_at < now - CLAIM_LEASE))


def claim_untold(db: Database, now: datetime, limit: int = 200) -> list:
    """Reports whose home thread was not told yet, oldest first, claimed by this process (their
    `claimed_at` set) for `CLAIM_LEASE`: each is claimed once, whichever processes ask at the
    same time, and claimed again once the lease is over if it was never marked told
    (`mark_told`). Rows with ProgressReport's columns."""
    r = ProgressReport.__table__
    with db.read() as session:  # polled several times a second: most times a read finds nothing
        if session.connection().execute(select(r.c.id).where(_claimable(r, now)).limit(1)).first() is None:
            return []
    oldest = select(r.c.id).where(_claimable(r, now)).order_by(r.c.id).limit(limit).scalar_subquery()
    with db.write() as connection:
        rows = connection.execute(
            update(r).where(r.c.id.in_(oldest), _claimable(r, now)).values(claimed_at=now).returning(*r.c)
        ).all()
    return sorted(rows, key=lambda row: row.id)


def mark_told(db: Database, report_ids: Sequence[int], now: datetime) -> None:
    """These reports' thread was told (or Slack refused for good): never claimed again."""
    if report_ids:
        r = ProgressReport.__table__
        with db.write() as connection:
            connection.execute(update(r).where(r.c.id.in_(list(report_ids))).values(told_at=now))


def unclaim(db: Database, report_ids: Sequence[int]) -> None:
    """Leave these claimed reports untold again: the next `claim_untold` takes them."""
    if report_ids:
        r = ProgressReport.__table__
        with db.write() as connection:
            connection.execute(
                update(r).where(r.c.id.in_(list(report_ids)), r.c.told_at.is_(None)).values(claimed_at=None)
            )


def get_many(db: Database, ids: Iterable[int]) -> dict[int, Commitment]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    with db.read() as session:
        return {c.id: c for c in session.exec(select(Commitment).where(col(Commitment.id).in_(wanted)))}


def end(db: Database, commitment_id: int, status: str, reason: str | None, now: datetime) -> bool:
    """End an active commitment; False when it had already ended (nothing changes)."""
    with db.session() as session:
        commitment = session.get(Commitment, commitment_id)
        if commitment is None or commitment.status != CommitmentStatus.ACTIVE:
            return False
        commitment.status = status
        commitment.end_reason = reason
        commitment.ended_at = now
        # A breakdown closes when its commitment ends.
        session.execute(
            update(Breakdown)
            .where(Breakdown.commitment_id == commitment_id, col(Breakdown.closed_at).is_(None))
            .values(closed_at=now, close_reason="ended")
        )
        return True


def first_time_event(db: Database, event_id: str, team_id: str, now: datetime) -> bool:
    """Record an Events API event id; False when it was handled before (a retry)."""
    with db.session() as session:
        return insert_ignore(
            session,
            ProcessedEvent,
            {"event_id": event_id, "team_id": team_id, "received_at": now},
            ["event_id"],
        )


def set_known(db: Database, commitment_id: int, known: float) -> Commitment:
    with db.session() as session:
        commitment = session.get(Commitment, commitment_id)
        commitment.known = known
        return commitment
