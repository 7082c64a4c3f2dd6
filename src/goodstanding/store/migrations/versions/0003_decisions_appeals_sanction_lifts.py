"""decisions, appeals, sanction lifts

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appeal_log",
        sa.Column(
            "event_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("appeal_id", sa.String(length=200), nullable=False),
        sa.Column("decision_id", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("seconds_to_decide", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("event_seq", "n"),
    )
    with op.batch_alter_table("appeal_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_log_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeal_log_appeal_id"), ["appeal_id"], unique=False)

    op.create_table(
        "appeals",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("decision_id", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("filed_at", sa.Double(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_account_id"), ["account_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("content_id", sa.String(length=200), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("appeal_id", sa.String(length=200), nullable=True),
        sa.Column("reversed", sa.Boolean(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_account_id"), ["account_id"], unique=False)

    op.create_table(
        "sanction_lifts",
        sa.Column(
            "event_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("sanction_id", sa.String(length=500), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_seq", "n"),
    )
    with op.batch_alter_table("sanction_lifts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sanction_lifts_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sanction_lifts_sanction_id"), ["sanction_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sanction_lifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sanction_lifts_sanction_id"))
        batch_op.drop_index(batch_op.f("ix_sanction_lifts_account_id"))

    op.drop_table("sanction_lifts")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_account_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_account_id"))

    op.drop_table("appeals")
    with op.batch_alter_table("appeal_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_log_appeal_id"))
        batch_op.drop_index(batch_op.f("ix_appeal_log_account_id"))

    op.drop_table("appeal_log")
