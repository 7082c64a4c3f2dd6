"""contents indexed newest first: a page of the newest content without sorting them all

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contents", schema=None) as batch_op:
        batch_op.create_index("ix_contents_newest", [sa.text("at DESC"), "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contents", schema=None) as batch_op:
        batch_op.drop_index("ix_contents_newest")
