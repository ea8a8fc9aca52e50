"""Queries for actions: requests, promises and their answers.

Every change of state is a conditional update (`WHERE status = …`), so a double click or
two people answering at once change it once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import col, select

from storage.db import Database
from storage.models import Action, ActionStatus, Commitment


def add(
    db: Database,
    *,
    commitment_id: int,
    breakdown_id: int | None,
    what: str,
    owner_id: str,
    asker_id: str,
    due: date,
    now: datetime,
) -> Action:
    """A promise when people take it on themselves, else a request to its owner."""
    promise = owner_id == asker_id
    with db.session() as session:
        action = Action(
            commitment_id=commitment_id,
            breakdown_id=breakdown_id,
            what=what,
            owner_id=owner_id,
            asker_id=asker_id,
            due=due,
            status=ActionStatus.PROMISED if promise else ActionStatus.REQUESTED,
            created_at=now,
            promised_at=now if promise else None,
        )
        session.add(action)
        session.flush()
        return action


def get_with_commitment(db: Database, action_id: int) -> tuple[Action, Commitment] | None:
    with db.read() as session:
        return session.exec(
            select(Action, Commitment)
            .join(Commitment, Commitment.id == Action.commitment_id)
            .where(Action.id == action_id)
        ).first()


def set_request_message(db: Database, action_id: int, channel: str | None, ts: str | None) -> None:
    with db.session() as session:
        session.execute(update(Action).where(Action.id == action_id).values(request_channel=channel, request_ts=ts))


def change(db: Database, action_id: int, where: dict[str, Any], values: dict[str, Any]) -> Action | None:
    """Set `values` when the action still matches `where`; the updated action, or None."""
    with db.session() as session:
        statement = update(Action).where(Action.id == action_id)
        for name, value in where.items():
            column = col(getattr(Action, name))
            statement = statement.where(column.is_(None) if value is None else column == value)
        if session.execute(statement.values(**values)).rowcount != 1:
            return None
        return session.get(Action, action_id)


def accept(db: Database, action_id: int, now: datetime) -> Action | None:
    return change(
        db, action_id, {"status": ActionStatus.REQUESTED}, {"status": ActionStatus.PROMISED, "promised_at": now}
    )


def decline(db: Database, action_id: int) -> Action | None:
    return change(db, action_id, {"status": ActionStatus.REQUESTED}, {"status": ActionStatus.DECLINED})


def counter(db: Database, action_id: int, due: date) -> Action | None:
    return change(
        db, action_id, {"status": ActionStatus.REQUESTED}, {"status": ActionStatus.COUNTERED, "countered_due": due}
    )


def accept_counter(db: Database, action_id: int, due: date, now: datetime) -> Action | None:
    return change(
        db,
        action_id,
        {"status": ActionStatus.COUNTERED, "countered_due": due},
        {"status": ActionStatus.PROMISED, "due": due, "promised_at": now},
    )


def reject_counter(db: Database, action_id: int) -> Action | None:
    """The asker keeps the first date: the request is open again, at its original due date."""
    return change(
        db, action_id, {"status": ActionStatus.COUNTERED}, {"status": ActionStatus.REQUESTED, "countered_due": None}
    )


def mark_done(db: Database, action_id: int, today: date) -> Action | None:
    return change(
        db, action_id, {"status": ActionStatus.PROMISED, "done_on": None, "revoked_on": None}, {"done_on": today}
    )


def revoke(db: Database, action_id: int, today: date) -> Action | None:
    return change(
        db, action_id, {"status": ActionStatus.PROMISED, "done_on": None, "revoked_on": None}, {"revoked_on": today}
    )


def of_commitment(db: Database, commitment_id: int) -> list[Action]:
    with db.read() as session:
        return list(
            session.exec(
                select(Action).where(Action.commitment_id == commitment_id).order_by(Action.due, Action.id)
            ).all()
        )


def of_person(db: Database, team_id: str, user_id: str) -> list[tuple[Action, Commitment]]:
    """What App Home shows one person, in one query whatever the number of commitments: the
    promises they own (every one in this workspace, for their integrity), the requests asked
    of them, and their own requests their owner countered; soonest due first."""
    with db.read() as session:
        return list(
            session.exec(
                select(Action, Commitment)
                .join(Commitment, Commitment.id == Action.commitment_id)
                .where(
                    Commitment.team_id == team_id,
                    or_(
                        and_(
                            Action.owner_id == user_id,
                            col(Action.status).in_([ActionStatus.PROMISED, ActionStatus.REQUESTED]),
                        ),
                        and_(Action.asker_id == user_id, Action.status == ActionStatus.COUNTERED),
                    ),
                )
                .order_by(Action.due, Action.id)
            ).all()
        )
