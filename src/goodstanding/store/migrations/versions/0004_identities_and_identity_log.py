"""identities and identity log

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("fingerprint", sa.String(length=100), nullable=False),
        sa.Column("kind_key", sa.String(length=16), nullable=False),
        sa.Column("holders", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint"),
    )
    op.create_table(
        "identity_log",
        sa.Column(
            "event_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=True),
        sa.Column("fingerprint", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=500), nullable=True),
        sa.Column("until", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("event_seq", "n"),
    )
    with op.batch_alter_table("identity_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_log_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_log_account_id"))

    op.drop_table("identity_log")
    op.drop_table("identities")
