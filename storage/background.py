"""Queries for background conversations, their recognition ("Me too"), their new agreements,
and a channel's background watch opt-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping, NamedTuple, Sequence

from sqlalchemy import delete, update
from sqlmodel import col, select

from storage.db import Database
from storage.models import BackgroundConversation, ChannelSettings, NewAgreement, Recognition
from storage.upsert import insert_ignore


@dataclass(frozen=True)
class ConversationSummary:
    """A background conversation with who said "Me too" (its surfacer never counted) and its
    new agreement, if it was reinvented."""

    conversation: BackgroundConversation
    recognised_by: tuple[str, ...]
    agreement: NewAgreement | None

    @property
    def recognition(self) -> int:
        return len(self.recognised_by)


class CheckinBackground(NamedTuple):
    """What the weekly check-in says about a channel's background: the new agreements made since
    the last check-in, and the most recognised conversations still running (not reinvented)."""

    new_this_week: list[NewAgreement]
    running: list[ConversationSummary]


# --- conversations -------------------------------------------------------------------------------


def surface(
    db: Database,
    *,
    team_id: str,
    channel_id: str,
    text: str,
    user_id: str,
    now: datetime,
    permalink: str | None = None,
) -> BackgroundConversation:
    with db.session() as session:
        conversation = BackgroundConversation(
            team_id=team_id,
            channel_id=channel_id,
            text=text,
            surfaced_by=user_id,
            surfaced_at=now,
            source_permalink=permalink,
        )
        session.add(conversation)
    return conversation


def set_ts(db: Database, conversation_id: int, ts: str) -> None:
    with db.session() as session:
        session.get(BackgroundConversation, conversation_id).ts = ts


def forget(db: Database, conversation_id: int) -> None:
    """Remove a conversation that could not be posted (nothing else points at it yet)."""
    with db.session() as session:
        session.execute(delete(Recognition).where(Recognition.conversation_id == conversation_id))
        session.execute(delete(BackgroundConversation).where(BackgroundConversation.id == conversation_id))


def get(db: Database, team_id: str, conversation_id: int) -> BackgroundConversation | None:
    """The conversation, only when it belongs to this workspace."""
    with db.session() as session:
        conversation = session.get(BackgroundConversation, conversation_id)
    if conversation is None or conversation.team_id != team_id:
        return None
    return conversation


def summaries(db: Database, conversations: Sequence[BackgroundConversation]) -> list[ConversationSummary]:
    """Recognition and agreements for many conversations in two queries."""
    ids = [c.id for c in conversations]
    if not ids:
        return []
    with db.read() as session:
        recognitions = session.exec(
            select(Recognition).where(col(Recognition.conversation_id).in_(ids)).order_by(Recognition.id)
        ).all()
        agreements = session.exec(select(NewAgreement).where(col(NewAgreement.conversation_id).in_(ids))).all()
    people: dict[int, list[str]] = {i: [] for i in ids}
    surfacer = {c.id: c.surfaced_by for c in conversations}
    for r in recognitions:
        if r.user_id != surfacer[r.conversation_id]:
            people[r.conversation_id].append(r.user_id)
    agreement_of = {a.conversation_id: a for a in agreements}
    return [ConversationSummary(c, tuple(people[c.id]), agreement_of.get(c.id)) for c in conversations]


def summary(db: Database, conversation: BackgroundConversation) -> ConversationSummary:
    return summaries(db, [conversation])[0]


def _most_recognised_first(items: list[ConversationSummary]) -> list[ConversationSummary]:
    return sorted(items, key=lambda s: (-s.recognition, s.conversation.surfaced_at, s.conversation.id))


def list_for_channel(db: Database, team_id: str, channel_id: str) -> list[ConversationSummary]:
    """This channel's conversations, most recognised first (earlier surfaced first on ties)."""
    with db.session() as session:
        conversations = session.exec(
            select(BackgroundConversation).where(
                BackgroundConversation.team_id == team_id,
                BackgroundConversation.channel_id == channel_id,
                col(BackgroundConversation.ts).is_not(None),
            )
        ).all()
    return _most_recognised_first(summaries(db, conversations))


# --- recognition ----------------------------------------------------------------------------------


def toggle_recognition(db: Database, conversation_id: int, user_id: str, now: datetime) -> bool:
    """Say "Me too", or take it back when already said. True when it is now said."""
    with db.session() as session:
        added = insert_ignore(
            session,
            Recognition,
            {"conversation_id": conversation_id, "user_id": user_id, "recognised_at": now},
            ["conversation_id", "user_id"],
        )
        if not added:
            session.execute(
                delete(Recognition).where(
                    Recognition.conversation_id == conversation_id, Recognition.user_id == user_id
                )
            )
        return added


# --- new agreements -------------------------------------------------------------------------------


def reinvent(
    db: Database, conversation: BackgroundConversation, *, text: str, kind: str, user_id: str, now: datetime
) -> NewAgreement | None:
    """Record the new agreement that replaces a conversation; None when it was reinvented already
    (by anyone: the first agreement stays, nothing changes)."""
    with db.session() as session:
        added = insert_ignore(
            session,
            NewAgreement,
            {
                "conversation_id": conversation.id,
                "team_id": conversation.team_id,
                "channel_id": conversation.channel_id,
                "text": text,
                "kind": kind,
                "made_by": user_id,
                "made_at": now,
            },
            ["conversation_id"],
        )
        if not added:
            return None
        session.execute(
            update(BackgroundConversation).where(BackgroundConversation.id == conversation.id).values(reinvented_at=now)
        )
        return session.exec(select(NewAgreement).where(NewAgreement.conversation_id == conversation.id)).one()


def undo_reinvent(db: Database, agreement: NewAgreement) -> None:
    """Take back an agreement that could not be posted, so it can be made again."""
    with db.session() as session:
        session.execute(delete(NewAgreement).where(NewAgreement.id == agreement.id))
        session.execute(
            update(BackgroundConversation)
            .where(BackgroundConversation.id == agreement.conversation_id)
            .values(reinvented_at=None)
        )


def agreement_of(db: Database, conversation_id: int) -> NewAgreement | None:
    with db.session() as session:
        return session.exec(select(NewAgreement).where(NewAgreement.conversation_id == conversation_id)).first()


def set_agreement_ts(db: Database, agreement_id: int, ts: str) -> None:
    with db.session() as session:
        session.get(NewAgreement, agreement_id).ts = ts


def agreements_for_channel(db: Database, team_id: str, channel_id: str, limit: int = 10) -> list[NewAgreement]:
    """This channel's new agreements, newest first."""
    with db.session() as session:
        return list(
            session.exec(
                select(NewAgreement)
                .where(NewAgreement.team_id == team_id, NewAgreement.channel_id == channel_id)
                .order_by(col(NewAgreement.made_at).desc(), col(NewAgreement.id).desc())
                .limit(limit)
            ).all()
        )


ChannelKey = tuple[str, str]  # (team_id, channel_id)


def for_checkin(
    db: Database, team_id: str, channel_id: str, since: datetime | None, running_limit: int = 3
) -> CheckinBackground:
    """For the weekly check-in of a channel: new agreements made at or after `since` (all of them
    when None), oldest first, and up to `running_limit` conversations not reinvented yet, most
    recognised first (the surfacer never counted)."""
    key = (team_id, channel_id)
    return for_checkins(db, [key], {key: since}, running_limit)[key]


def for_checkins(
    db: Database,
    keys: Iterable[ChannelKey],
    since: Mapping[ChannelKey, datetime | None] | datetime | None,
    running_limit: int = 3,
) -> dict[ChannelKey, CheckinBackground]:
    """`for_checkin` for many channels at once, in four queries whatever their number. `since` is
    one moment for all, or one per channel (None: since ever)."""
    keys = list(dict.fromkeys(keys))
    result = {key: CheckinBackground([], []) for key in keys}
    if not keys:
        return result
    since_of = since if isinstance(since, Mapping) else {key: since for key in keys}
    channels = sorted({channel for _, channel in keys})
    moments = [since_of.get(key) for key in keys]
    with db.read() as session:
        query = select(NewAgreement).where(col(NewAgreement.channel_id).in_(channels))
        if all(m is not None for m in moments):
            query = query.where(NewAgreement.made_at >= min(moments))
        agreements = session.exec(query.order_by(NewAgreement.made_at, NewAgreement.id)).all()
        open_conversations = session.exec(
            select(BackgroundConversation).where(
                col(BackgroundConversation.channel_id).in_(channels),
                col(BackgroundConversation.reinvented_at).is_(None),
                col(BackgroundConversation.ts).is_not(None),
            )
        ).all()
    for a in agreements:
        key = (a.team_id, a.channel_id)
        if key in result and (since_of.get(key) is None or a.made_at >= since_of[key]):
            result[key].new_this_week.append(a)
    by_key: dict[ChannelKey, list[ConversationSummary]] = {key: [] for key in keys}
    mine = [c for c in open_conversations if (c.team_id, c.channel_id) in result]
    for s in summaries(db, mine):
        by_key[(s.conversation.team_id, s.conversation.channel_id)].append(s)
    for key, items in by_key.items():
        result[key].running.extend(_most_recognised_first(items)[:running_limit])
    return result


# --- background watch -----------------------------------------------------------------------------


def set_watch(db: Database, team_id: str, channel_id: str, on: bool) -> bool:
    """Turn this channel's background watch on or off; True when that changed anything."""
    with db.session() as session:
        created = insert_ignore(
            session,
            ChannelSettings,
            {"team_id": team_id, "channel_id": channel_id, "background_watch": on},
            ["team_id", "channel_id"],
        )
        if created:
            return on
        result = session.execute(
            update(ChannelSettings)
            .where(
                ChannelSettings.team_id == team_id,
                ChannelSettings.channel_id == channel_id,
                ChannelSettings.background_watch == (not on),
            )
            .values(background_watch=on)
        )
        return result.rowcount > 0


def watching(db: Database, team_id: str, channel_id: str) -> bool:
    with db.session() as session:
        return bool(
            session.exec(
                select(ChannelSettings.background_watch).where(
                    ChannelSettings.team_id == team_id, ChannelSettings.channel_id == channel_id
                )
            ).first()
        )
