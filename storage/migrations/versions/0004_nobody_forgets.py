"""nobody forgets: channel holidays, skipped weeks, time away, and the reminder claims

- channel_settings.holidays: the country whose public holidays move the channel's check-in;
- skipped_week: `/commit checkin skip`, one row per channel and ISO week;
- time_away: `/commit away`, one row per person and workspace;
- reminder_sent: one row per nudge or reminder, claimed (unique key) before it is sent.

Existing rows are kept as they are: no channel has holidays set, nobody is away.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _string(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("channel_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holidays", _string(8), nullable=True))

    op.create_table(
        "skipped_week",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("channel_id", _string(32), nullable=False),
        sa.Column("iso_week", _string(10), nullable=False),
        sa.Column("skipped_by", _string(32), nullable=True),
        sa.Column("skipped_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "channel_id", "iso_week", name="uq_skipped_week_channel_week"),
    )
    op.create_table(
        "time_away",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("set_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "user_id", name="uq_time_away_team_user"),
    )
    with op.batch_alter_table("time_away", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_away_until"), ["until"], unique=False)
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _string(160), nullable=False),
        sa.Column("kind", _string(16), nullable=False),
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("claimed_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("result", _string(16), nullable=True),
        sa.Column("finished_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", _string(64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_sent_claimed_at"), ["claimed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_sent_claimed_at"))
    op.drop_table("reminder_sent")
    with op.batch_alter_table("time_away", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_away_until"))
    op.drop_table("time_away")
    op.drop_table("skipped_week")
    with op.batch_alter_table("channel_settings", schema=None) as batch_op:
        batch_op.drop_column("holidays")
