"""Signed requests already acted on (bot/slack/replays.py): one row per request, until it expires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import SeenRequest


def claim(db: Database, digest: str, team_id: str, expires_at: datetime) -> bool:
    """Record a request's digest; False when it was recorded before (a replay)."""
    table = SeenRequest.__table__
    insert = postgresql.insert(table) if db.engine.dialect.name == "postgresql" else sqlite.insert(table)
    statement = (
        insert.values(digest=digest, team_id=team_id, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["digest"])
        .returning(table.c.digest)
    )
    with db.write_one() as connection:
        return connection.execute(statement).first() is not None


def delete_expired(db: Database, now: datetime) -> int:
    """Forget the requests that can no longer be replayed (their timestamp is too old by now)."""
    table = SeenRequest.__table__
    with db.write_one() as connection:
        return connection.execute(delete(table).where(table.c.expires_at < now)).rowcount or 0
