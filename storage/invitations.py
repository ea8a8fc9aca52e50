"""Queries for invitations to enrol: invite, accept ("I'm in"), decline ("Not now").

Every answer is a conditional update (`WHERE status = 'pending'`), so a double click or two
processes answering at once change it once; accepting enrols in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from sqlalchemy import update
from sqlmodel import col, select

from storage.db import Database
from storage.models import Commitment, Enrolment, Invitation, InvitationStatus
from storage.upsert import insert_ignore


@dataclass
class Invited:
    """What `invite` did with each person named: invited now, or why not."""

    new: list[Invitation] = field(default_factory=list)
    enrolled: list[str] = field(default_factory=list)  # already in
    pending: list[str] = field(default_factory=list)  # already invited, no answer yet


def invite(db: Database, commitment_id: int, inviter_id: str, people: Iterable[str], now: datetime) -> Invited:
    """Invite each person once; someone who said "Not now" before is invited again."""
    result = Invited()
    with db.session() as session:
        enrolled = set(session.exec(select(Enrolment.user_id).where(Enrolment.commitment_id == commitment_id)).all())
        existing = {
            i.invitee_id: i
            for i in session.exec(select(Invitation).where(Invitation.commitment_id == commitment_id)).all()
        }
        for person in dict.fromkeys(people):
            if person in enrolled:
                result.enrolled.append(person)
                continue
            row = existing.get(person)
            if row is not None and row.status == InvitationStatus.PENDING:
                result.pending.append(person)
                continue
            if row is None:
                row = Invitation(commitment_id=commitment_id, invitee_id=person, inviter_id=inviter_id, invited_at=now)
                session.add(row)
            else:  # declined (or accepted, then left): ask again
                row.status, row.inviter_id, row.invited_at, row.answered_at = (
                    InvitationStatus.PENDING,
                    inviter_id,
                    now,
                    None,
                )
                row.dm_channel = row.dm_ts = None
            session.flush()
            result.new.append(row)
    return result


def set_message(db: Database, invitation_id: int, channel: str | None, ts: str | None) -> None:
    with db.session() as session:
        row = session.get(Invitation, invitation_id)
        row.dm_channel, row.dm_ts = channel, ts


def get_with_commitment(db: Database, invitation_id: int) -> tuple[Invitation, Commitment] | None:
    with db.read() as session:
        return session.exec(
            select(Invitation, Commitment)
            .join(Commitment, Commitment.id == Invitation.commitment_id)
            .where(Invitation.id == invitation_id)
        ).first()


def answer(db: Database, invitation_id: int, accept: bool, now: datetime) -> Invitation | None:
    """Answer a pending invitation; accepting enrols the person. None when it was answered already."""
    status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    with db.session() as session:
        changed = session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.status == InvitationStatus.PENDING)
            .values(status=status, answered_at=now)
            .returning(Invitation.id)
        ).first()
        if changed is None:
            return None
        row = session.get(Invitation, invitation_id)
        session.refresh(row)
        if accept:
            insert_ignore(
                session,
                Enrolment,
                {"commitment_id": row.commitment_id, "user_id": row.invitee_id, "enrolled_at": now},
                ["commitment_id", "user_id"],
            )
        return row


def pending(db: Database, commitment_id: int) -> list[str]:
    """People invited and not yet answered (nor enrolled some other way), in the order invited."""
    with db.read() as session:
        enrolled = select(Enrolment.user_id).where(Enrolment.commitment_id == commitment_id)
        return list(
            session.exec(
                select(Invitation.invitee_id)
                .where(
                    Invitation.commitment_id == commitment_id,
                    Invitation.status == InvitationStatus.PENDING,
                    col(Invitation.invitee_id).not_in(enrolled),
                )
                .order_by(Invitation.id)
            ).all()
        )


def pending_rows(db: Database, commitment_id: int) -> list[Invitation]:
    with db.read() as session:
        return list(
            session.exec(
                select(Invitation)
                .where(Invitation.commitment_id == commitment_id, Invitation.status == InvitationStatus.PENDING)
                .order_by(Invitation.id)
            ).all()
        )
