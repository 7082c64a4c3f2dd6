"""the console: sign-in sessions, review claims, account notes, preferences

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id_sha256", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id_sha256"),
    )
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_console_sessions_token_id", ["token_id"], unique=False)
    op.create_table(
        "review_claims",
        sa.Column("content_id", sa.String(length=200), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("moderator", sa.String(length=200), nullable=False),
        sa.Column("claimed_at", sa.Double(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("content_id", "rule_id"),
    )
    with op.batch_alter_table("review_claims", schema=None) as batch_op:
        batch_op.create_index("ix_review_claims_moderator", ["moderator"], unique=False)
    op.create_table(
        "account_notes",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account_notes", schema=None) as batch_op:
        batch_op.create_index("ix_account_notes_account_id", ["account_id"], unique=False)
    op.create_table(
        "console_preferences",
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("blur_flagged", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )


def downgrade() -> None:
    op.drop_table("console_preferences")
    op.drop_table("account_notes")
    op.drop_table("review_claims")
    op.drop_table("console_sessions")
