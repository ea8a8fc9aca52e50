"""Queries for endings: release the open promises of an ended commitment, read what its
retrospective needs, store the answers to "What made the difference?"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, update
from sqlmodel import col, select

from storage.db import Database
from storage.models import (
    Action,
    ActionStatus,
    Breakdown,
    Commitment,
    NewAgreement,
    RetroAnswer,
)

# Waiting for someone when the commitment ended: released with the open promises.
_PENDING_REQUESTS = (ActionStatus.REQUESTED, ActionStatus.COUNTERED)


def release_open(db: Database, commitment_id: int, ended_on: date) -> list[Action]:
    """Release what was still open when the commitment ended on `ended_on`: promises not done,
    not revoked and not yet past due (a promise already past due stays broken), and requests
    still waiting for an answer. Returns the actions released now (none the second time)."""
    open_promise = (
        (Action.status == ActionStatus.PROMISED)
        & col(Action.done_on).is_(None)
        & col(Action.revoked_on).is_(None)
        & (Action.due >= ended_on)
    )
    with db.session() as session:
        ids = list(
            session.execute(
                update(Action)
                .where(
                    Action.commitment_id == commitment_id,
                    or_(open_promise, col(Action.status).in_(_PENDING_REQUESTS)),
                )
                .values(status=ActionStatus.RELEASED)
                .returning(Action.id)
            ).scalars()
        )
        if not ids:
            return []
        return list(session.exec(select(Action).where(col(Action.id).in_(ids)).order_by(Action.id)).all())


@dataclass(frozen=True)
class EndingData:
    """What a retrospective is built from, besides the commitment's state."""

    commitment: Commitment
    actions: list[Action]
    breakdowns: list[Breakdown]
    agreements: list[NewAgreement]


def ending_data(db: Database, commitment_id: int) -> EndingData:
    with db.read() as session:
        c = session.get(Commitment, commitment_id)
        actions = list(session.exec(select(Action).where(Action.commitment_id == c.id).order_by(Action.id)).all())
        breakdowns = list(
            session.exec(select(Breakdown).where(Breakdown.commitment_id == c.id).order_by(Breakdown.opened_at)).all()
        )
        until = c.ended_at or c.declared_at
        agreements = list(
            session.exec(
                select(NewAgreement)
                .where(
                    NewAgreement.team_id == c.team_id,
                    NewAgreement.channel_id == c.channel_id,
                    NewAgreement.made_at >= c.declared_at,
                    NewAgreement.made_at <= until,
                )
                .order_by(NewAgreement.made_at)
            ).all()
        )
    return EndingData(c, actions, breakdowns, agreements)


def add_answer(
    db: Database, commitment_id: int, author_id: str, shifted: str, next_: str | None, now: datetime
) -> RetroAnswer:
    with db.session() as session:
        answer = RetroAnswer(
            commitment_id=commitment_id, author_id=author_id, shifted=shifted, next=next_, answered_at=now
        )
        session.add(answer)
        session.flush()
        return answer
