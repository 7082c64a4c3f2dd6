"""groups and admin rights

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_rights",
        sa.Column(
            "event_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("group_id", sa.String(length=200), nullable=False),
        sa.Column("acting", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_seq", "n"),
    )
    with op.batch_alter_table("admin_rights", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_rights_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_admin_rights_group_id"), ["group_id"], unique=False)

    op.create_table(
        "group_flags",
        sa.Column(
            "event_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("group_id", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_seq", "n"),
    )
    with op.batch_alter_table("group_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_flags_group_id"), ["group_id"], unique=False)

    op.create_table(
        "groups",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("without_admin", sa.Boolean(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("groups")
    with op.batch_alter_table("group_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_flags_group_id"))

    op.drop_table("group_flags")
    with op.batch_alter_table("admin_rights", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_rights_group_id"))
        batch_op.drop_index(batch_op.f("ix_admin_rights_account_id"))

    op.drop_table("admin_rights")
