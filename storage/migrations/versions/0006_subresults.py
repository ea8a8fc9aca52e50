"""sub-results and renegotiations

- sub_result: a commitment's sub-results (value by date), with when its home thread was told it
  was reached or missed (the exactly-once keys of those posts);
- renegotiation: the history of a commitment's terms: old and new target and due date, the
  reason, who and when.

New tables only: every existing row is kept as it is (commitments have no sub-results yet).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _string(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "sub_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("added_by", _string(32), nullable=False),
        sa.Column("added_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reached_told_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("missed_told_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitment.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("commitment_id", "due", name="uq_sub_result_commitment_due"),
    )
    with op.batch_alter_table("sub_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sub_result_commitment_id"), ["commitment_id"], unique=False)
    op.create_table(
        "renegotiation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("old_target", sa.Float(), nullable=False),
        sa.Column("new_target", sa.Float(), nullable=False),
        sa.Column("old_due", sa.Date(), nullable=False),
        sa.Column("new_due", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("made_by", _string(32), nullable=False),
        sa.Column("made_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("renegotiation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_renegotiation_commitment_id"), ["commitment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("renegotiation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renegotiation_commitment_id"))
    op.drop_table("renegotiation")
    with op.batch_alter_table("sub_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sub_result_commitment_id"))
    op.drop_table("sub_result")
