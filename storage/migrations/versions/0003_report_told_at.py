"""progress_report.told_at: when the commitment's home thread was told about the report

A report is stored, and "Recorded" answered, in the request; reviewing the commitment and
posting in its home thread happens after, in the background (bot/commitments/followups.py).
`told_at` is NULL until a process claims the report for that. Reports stored before this
migration were told already.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("told_at", storage.models.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE progress_report SET told_at = reported_at")
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_report_told_at"), ["told_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_report_told_at"))
        batch_op.drop_column("told_at")
