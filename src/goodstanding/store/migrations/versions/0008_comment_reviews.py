"""comment reviews by the owners of posts

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_reviews",
        sa.Column(
            "event_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("content_id", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_seq", "n"),
    )
    with op.batch_alter_table("comment_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_comment_reviews_content_id", ["content_id"], unique=False)
        batch_op.create_index("ix_comment_reviews_owner_id", ["owner_id"], unique=False)


def downgrade() -> None:
    op.drop_table("comment_reviews")
