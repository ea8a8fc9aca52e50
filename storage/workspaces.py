"""What a workspace owns, and what happens to it when the app leaves: pause, purge, stores.

Every table of ours either carries `team_id` or hangs off one that does through a required
foreign key (an enrolment belongs to its commitment's workspace). `owned_tables()` works that
out from the schema, so export and purge cover a new table without being told.

The OAuth installation and state stores are slack_sdk's SQLAlchemy stores on our engine; their
tables (`slack_*`) are created by migration 0002, never at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, delete, func, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)
from storage.db import Database
from storage.models import ChannelSettings, Commitment
from storage.tokens import EncryptedInstallationStore, TokenCipher
from storage.upsert import insert_ignore

UNINSTALLED = "uninstalled"

# slack_sdk's store tables: tokens live here, so they are never exported.
SLACK_TABLES = ("slack_installations", "slack_bots", "slack_oauth_states")
_slack_metadata = MetaData()
_installations = SQLAlchemyInstallationStore.build_installations_table(_slack_metadata, "slack_installations")
_bots = SQLAlchemyInstallationStore.build_bots_table(_slack_metadata, "slack_bots")


# --- what a workspace owns -------------------------------------------------------------------


@dataclass(frozen=True)
class Owned:
    """A table whose rows belong to a workspace: directly (`team_id`) or through a parent."""

    table: Table
    column: str  # "team_id", or the foreign key column pointing at the parent
    parent: "Owned | None" = None
    parent_column: str = ""

    @property
    def name(self) -> str:
        return self.table.name

    def rows_of(self, teams: Iterable[str]) -> ColumnElement[bool]:
        """WHERE clause: this table's rows that belong to one of `teams`."""
        teams = list(teams)
        if self.parent is None:
            return self.table.c[self.column].in_(teams)
        parent_ids = select(self.parent.table.c[self.parent_column]).where(self.parent.rows_of(teams))
        return self.table.c[self.column].in_(parent_ids)


def owned_tables() -> list[Owned]:
    """Our tables with rows that belong to a workspace, parents before children."""
    owned: dict[str, Owned] = {}
    for table in SQLModel.metadata.sorted_tables:
        if "team_id" in table.c:
            owned[table.name] = Owned(table, "team_id")
            continue
        for key in sorted(table.foreign_keys, key=lambda k: k.parent.name):
            parent = owned.get(key.column.table.name)
            if parent is not None and not key.parent.nullable:
                owned[table.name] = Owned(table, key.parent.name, parent, key.column.name)
                break
    return list(owned.values())


def counts(db: Database, team_id: str) -> dict[str, int]:
    """How many rows of each table (ours and the OAuth installation) a workspace owns."""
    found = {}
    with db.engine.connect() as connection:
        for owned in owned_tables():
            found[owned.name] = connection.execute(
                select(func.count()).select_from(owned.table).where(owned.rows_of([team_id]))
            ).scalar_one()
        for table in (_installations, _bots):
            found[table.name] = connection.execute(
                select(func.count()).select_from(table).where(table.c.team_id == team_id)
            ).scalar_one()
    return found


def purge(db: Database, team_id: str) -> dict[str, int]:
    """Delete every row a workspace owns, children first, in one transaction."""
    deleted = {}
    with db.engine.begin() as connection:
        for owned in reversed(owned_tables()):
            deleted[owned.name] = connection.execute(delete(owned.table).where(owned.rows_of([team_id]))).rowcount
        for table in (_installations, _bots):
            deleted[table.name] = connection.execute(delete(table).where(table.c.team_id == team_id)).rowcount
    return deleted


# --- uninstall: pause, and resume on reinstall -------------------------------------------------


def pause_checkins(db: Database, team_id: str, reason: str = UNINSTALLED) -> int:
    """Pause the weekly check-in of every channel of the workspace; returns how many paused.

    Channels already paused keep their reason. Channels with commitments but no settings
    yet get a paused settings row, so no default schedule runs for them either.
    """
    with db.session() as session:
        known = set(
            session.execute(select(ChannelSettings.channel_id).where(ChannelSettings.team_id == team_id)).scalars()
        )
        channels = set(
            session.execute(select(Commitment.channel_id).where(Commitment.team_id == team_id).distinct()).scalars()
        )
        created = 0
        for channel_id in sorted(channels - known):
            row = ChannelSettings(
                team_id=team_id, channel_id=channel_id, checkin_enabled=False, checkin_paused_reason=reason
            )
            created += insert_ignore(
                session, ChannelSettings, row.model_dump(exclude={"id"}), ["team_id", "channel_id"]
            )
        result = session.execute(
            update(ChannelSettings)
            .where(ChannelSettings.team_id == team_id, ChannelSettings.checkin_enabled.is_(True))
            .values(checkin_enabled=False, checkin_paused_reason=reason)
        )
        return created + result.rowcount


def resume_checkins(db: Database, team_id: str, reason: str = UNINSTALLED) -> int:
    """Undo `pause_checkins` for the channels paused for `reason` (the app was reinstalled)."""
    with db.session() as session:
        result = session.execute(
            update(ChannelSettings)
            .where(ChannelSettings.team_id == team_id, ChannelSettings.checkin_paused_reason == reason)
            .values(checkin_enabled=True, checkin_paused_reason=None)
        )
        return result.rowcount


# --- OAuth stores ----------------------------------------------------------------------------


def installation_store(db: Database, client_id: str, cipher: TokenCipher) -> SQLAlchemyInstallationStore:
    """slack_sdk's store, its tokens encrypted with `COACH_SECRET_KEY` (storage/tokens.py)."""
    return EncryptedInstallationStore(client_id=client_id, engine=db.engine, cipher=cipher)


class PrunedOAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's state store; issuing a state first deletes the expired ones, so the table
    holds only the states of the last `expiration_seconds`."""

    def issue(self, *args, **kwargs) -> str:
        now = normalize_datetime_for_db(datetime.now(tz=timezone.utc))
        with self.engine.begin() as connection:
            connection.execute(delete(self.oauth_states).where(self.oauth_states.c.expire_at <= now))
        return super().issue(*args, **kwargs)


def oauth_state_store(db: Database, expiration_seconds: int) -> SQLAlchemyOAuthStateStore:
    return PrunedOAuthStateStore(expiration_seconds=expiration_seconds, engine=db.engine)


def installed_teams(db: Database, client_id: str) -> list[str]:
    """Workspaces with a bot token in the installation store, for this app."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(_bots.c.team_id)
            .where(_bots.c.client_id == client_id, _bots.c.bot_token.is_not(None), _bots.c.team_id.is_not(None))
            .distinct()
            .order_by(_bots.c.team_id)
        )
        return [row[0] for row in rows]
