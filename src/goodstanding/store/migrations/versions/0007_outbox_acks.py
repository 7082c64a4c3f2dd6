"""outbox acknowledgements

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_acks",
        sa.Column("notice_id", sa.String(length=300), nullable=False),
        sa.Column("acked_at", sa.Double(), nullable=False),
        sa.Column("acked_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("notice_id"),
    )


def downgrade() -> None:
    op.drop_table("outbox_acks")
