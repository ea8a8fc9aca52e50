"""endings: invitations to enrol, and the answers to a retrospective

- invitation: one row per commitment and person invited (`commit_modal`'s `members`,
  `/commit enrol`), with who invited them, its status and the direct message that carries it;
- retro_answer: each answer to "What made the difference?" on an ended commitment.

Existing rows are kept as they are: existing enrolments stay, nobody has a pending invitation.
Released promises use a new value of action.status ("released"); no column changes.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _string(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("invitee_id", _string(32), nullable=False),
        sa.Column("inviter_id", _string(32), nullable=False),
        sa.Column("status", _string(16), nullable=False),
        sa.Column("invited_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dm_channel", _string(32), nullable=True),
        sa.Column("dm_ts", _string(32), nullable=True),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitment.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("commitment_id", "invitee_id", name="uq_invitation_commitment_invitee"),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_commitment_id"), ["commitment_id"], unique=False)
    op.create_table(
        "retro_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("author_id", _string(32), nullable=False),
        sa.Column("shifted", sa.Text(), nullable=False),
        sa.Column("next", sa.Text(), nullable=True),
        sa.Column("answered_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("retro_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retro_answer_commitment_id"), ["commitment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("retro_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retro_answer_commitment_id"))
    op.drop_table("retro_answer")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_commitment_id"))
    op.drop_table("invitation")
    # Released promises were open when their commitment ended: open again, as before.
    op.execute("UPDATE action SET status = 'promised' WHERE status = 'released'")
