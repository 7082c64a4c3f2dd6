"""detection cache: what a detector found in a text, by content id and detector fingerprint

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
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
