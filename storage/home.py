"""Queries for a person's App Home: their commitments and the open breakdowns in them.

A person's commitments are those of their workspace they own or are enrolled in, in any
channel. Each query reads all of them at once (never one query per commitment); the people
and reports behind the cards come from `storage.commitments.load_states`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select

from storage.db import Database
from storage.models import Breakdown, Commitment, CommitmentStatus, Enrolment


def _theirs(team_id: str, user_id: str):
    """Commitments of `team_id` that `user_id` owns or is enrolled in."""
    enrolled = select(Enrolment.commitment_id).where(Enrolment.user_id == user_id)
    return (
        Commitment.team_id == team_id,
        or_(Commitment.owner_id == user_id, col(Commitment.id).in_(enrolled)),
    )


def commitments_of(db: Database, team_id: str, user_id: str, ended_since: datetime) -> list[Commitment]:
    """Their active commitments, and those that ended since `ended_since`, soonest due first."""
    with db.session() as session:
        return list(
            session.exec(
                select(Commitment)
                .where(
                    *_theirs(team_id, user_id),
                    or_(
                        Commitment.status == CommitmentStatus.ACTIVE,
                        col(Commitment.ended_at) >= ended_since,
                    ),
                )
                .order_by(Commitment.due, Commitment.number)
            ).all()
        )


def open_breakdowns_of(db: Database, team_id: str, user_id: str) -> list[tuple[Breakdown, Commitment]]:
    """Open breakdowns of their active commitments, oldest first, with their commitment."""
    with db.session() as session:
        return [
            (breakdown, commitment)
            for breakdown, commitment in session.exec(
                select(Breakdown, Commitment)
                .join(Commitment, col(Breakdown.commitment_id) == col(Commitment.id))
                .where(
                    *_theirs(team_id, user_id),
                    Commitment.status == CommitmentStatus.ACTIVE,
                    col(Breakdown.closed_at).is_(None),
                )
                .order_by(Breakdown.opened_at, Breakdown.id)
            ).all()
        ]
