"""detection cache: what a detector found in a text, by content id and detector fingerprint

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detection_cache",
        sa.Column("content_id", sa.String(length=200), nullable=False),
        sa.Column("detector", sa.String(length=64), nullable=False),
        sa.Column("detection", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("content_id", "detector"),
    )


def downgrade() -> None:
    op.drop_table("detection_cache")
