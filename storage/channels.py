"""Which workspace a channel belongs to, as far as this database knows."""

from __future__ import annotations

from sqlalchemy import literal, select, union_all

from storage.db import Database
from storage.models import BackgroundConversation, ChannelSettings, Commitment


def belongs_elsewhere(db: Database, team_id: str, channel_id: str) -> bool:
    """Whether rows of another workspace, and none of `team_id`, name this channel."""
    known = union_all(
        *(
            select(model.team_id.label("team_id"), literal(1).label("one"))
            .where(model.channel_id == channel_id)
            .limit(5)
            .subquery()
            .select()
            for model in (Commitment, ChannelSettings, BackgroundConversation)
        )
    )
    with db.read() as session:
        teams = {row.team_id for row in session.execute(known)}
    return bool(teams) and team_id not in teams
