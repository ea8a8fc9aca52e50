"""replays and follow-ups that are never lost

- seen_request: a hash of each signed request's timestamp and signature, until it expires, so a
  body replayed within Slack's 5 minutes is answered but not acted on twice (bot/ops/replays.py);
- progress_report.claimed_at: when a process claimed the report to tell its home thread; the
  report is marked told (`told_at`) only once the reply is accepted, and a claim older than the
  lease is taken again by the next process.

Existing rows are kept: reports stored before were told or are untold and unclaimed.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_request",
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("expires_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    with op.batch_alter_table("seen_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_request_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", storage.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
    with op.batch_alter_table("seen_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_request_expires_at"))
    op.drop_table("seen_request")
