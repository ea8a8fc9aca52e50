"""tokens encrypted at rest: the token columns of slack_sdk's tables widened for Fernet tokens

A Fernet token of a 200-character Slack token is 356 characters: bot_token, bot_refresh_token,
user_token and user_refresh_token of slack_installations and slack_bots become VARCHAR(1000).
Rows are kept as they are: tokens stored in plain text before are encrypted by the app, not
here (a migration doesn't know COACH_SECRET_KEY): `coach run` encrypts them when it starts
with a key, and `coach db rekey` does too.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


def _resize(old: int, new: int) -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, existing_type=sa.String(old), type_=sa.String(new), existing_nullable=True)


def upgrade() -> None:
    _resize(200, 1000)


def downgrade() -> None:
    # Encrypted tokens don't fit in 200 characters: on PostgreSQL this fails while any is stored.
    _resize(1000, 200)
