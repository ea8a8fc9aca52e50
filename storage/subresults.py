"""Queries for sub-results and renegotiations (a commitment's history of terms)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

from sqlalchemy import func, update
from sqlmodel import col, select

from storage.db import Database
from storage.models import Breakdown, CheckinPost, Commitment, CommitmentStatus, Renegotiation, SubResult
from storage.upsert import insert_ignore


def add(db: Database, commitment_id: int, value: float, due: date, user_id: str, now: datetime) -> bool:
    """Store a sub-result; False when the commitment already has one on that day."""
    with db.session() as session:
        return insert_ignore(
            session,
            SubResult,
            {"commitment_id": commitment_id, "value": value, "due": due, "added_by": user_id, "added_at": now},
            ["commitment_id", "due"],
        )


def for_commitments(db: Database, commitment_ids: Iterable[int]) -> dict[int, tuple[SubResult, ...]]:
    """Each commitment's sub-results, in date order."""
    ids = list(set(commitment_ids))
    found: dict[int, list[SubResult]] = {i: [] for i in ids}
    if not ids:
        return {}
    with db.read() as session:
        rows = session.exec(
            select(SubResult).where(col(SubResult.commitment_id).in_(ids)).order_by(SubResult.due, SubResult.id)
        ).all()
    for row in rows:
        found[row.commitment_id].append(row)
    return {i: tuple(rows) for i, rows in found.items()}


def of_active(db: Database, channel_ids: list[str]) -> dict[int, tuple[SubResult, ...]]:
    """The sub-results of the active commitments of these channels, by commitment, in date order."""
    found: dict[int, list[SubResult]] = {}
    with db.read() as session:
        rows = session.exec(
            select(SubResult)
            .join(Commitment, Commitment.id == SubResult.commitment_id)
            .where(Commitment.status == CommitmentStatus.ACTIVE, col(Commitment.channel_id).in_(channel_ids))
            .order_by(SubResult.due, SubResult.id)
        ).all()
    for row in rows:
        found.setdefault(row.commitment_id, []).append(row)
    return {i: tuple(rows) for i, rows in found.items()}


def claim_told(db: Database, sub_result_id: int, which: str, now: datetime) -> bool:
    """Claim the post saying a sub-result was `which` ("reached" or "missed"): True once only."""
    column = SubResult.__table__.c[f"{which}_told_at"]
    table = SubResult.__table__
    with db.write() as connection:
        done = connection.execute(
            update(table).where(table.c.id == sub_result_id, column.is_(None)).values({column.name: now})
        )
        return done.rowcount == 1


def release_told(db: Database, sub_result_id: int, which: str) -> None:
    """Give a claim back (the post could not be made: the next time tries again)."""
    table = SubResult.__table__
    with db.write() as connection:
        connection.execute(update(table).where(table.c.id == sub_result_id).values({f"{which}_told_at": None}))


def renegotiate(
    db: Database, commitment_id: int, target: float, due: date, reason: str, user_id: str, now: datetime
) -> tuple[Commitment, Renegotiation] | None:
    """New terms for an active commitment, the old ones kept in its history; None when it has
    ended meanwhile."""
    with db.session() as session:
        commitment = session.get(Commitment, commitment_id)
        if commitment is None or commitment.status != CommitmentStatus.ACTIVE:
            return None
        entry = Renegotiation(
            commitment_id=commitment_id,
            old_target=commitment.target,
            new_target=target,
            old_due=commitment.due,
            new_due=due,
            reason=reason,
            made_by=user_id,
            made_at=now,
        )
        commitment.target = target
        commitment.due = due
        session.add(entry)
        session.flush()
        return commitment, entry


def history(db: Database, commitment_id: int) -> list[Renegotiation]:
    with db.read() as session:
        return list(
            session.exec(
                select(Renegotiation)
                .where(Renegotiation.commitment_id == commitment_id)
                .order_by(Renegotiation.made_at, Renegotiation.id)
            ).all()
        )


# --- what the pass after the check-ins reads (bot/terms/runner.py) ---------------------------------


def open_breakdowns(db: Database) -> list[tuple[Breakdown, Commitment, int]]:
    """Each open breakdown of an active commitment, with its commitment and how many check-ins
    its channel has posted since it opened (the one that opened it included)."""
    post = CheckinPost.__table__.c
    with db.read() as session:
        rows = session.exec(
            select(Breakdown, Commitment)
            .join(Commitment, Commitment.id == Breakdown.commitment_id)
            .where(Commitment.status == CommitmentStatus.ACTIVE, col(Breakdown.closed_at).is_(None))
            .order_by(Breakdown.opened_at, Breakdown.id)
        ).all()
        found = []
        for breakdown, commitment in rows:
            count = (
                session.connection()
                .execute(
                    select(func.count()).where(
                        post.team_id == commitment.team_id,
                        post.channel_id == commitment.channel_id,
                        post.posted_at.is_not(None),
                        post.claimed_at >= breakdown.opened_at,
                    )
                )
                .scalar_one()
            )
            found.append((breakdown, commitment, count))
    return found


def untold_missed(db: Database, today: date) -> list[tuple[SubResult, Commitment, datetime | None]]:
    """Sub-results of active commitments whose day has passed, not yet told missed, with the
    latest check-in posted in their channel (None: none yet)."""
    post = CheckinPost.__table__.c
    with db.read() as session:
        rows = session.exec(
            select(SubResult, Commitment)
            .join(Commitment, Commitment.id == SubResult.commitment_id)
            .where(
                Commitment.status == CommitmentStatus.ACTIVE,
                col(SubResult.missed_told_at).is_(None),
                col(SubResult.due) < today,
            )
            .order_by(SubResult.due, SubResult.id)
        ).all()
        found = []
        for sub_result, commitment in rows:
            latest = (
                session.connection()
                .execute(
                    select(func.max(post.scheduled_for)).where(
                        post.team_id == commitment.team_id,
                        post.channel_id == commitment.channel_id,
                        post.posted_at.is_not(None),
                    )
                )
                .scalar_one()
            )
            found.append((sub_result, commitment, latest))
    return found
