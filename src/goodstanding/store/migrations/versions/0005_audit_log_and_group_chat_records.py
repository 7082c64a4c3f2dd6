"""audit log and group-chat records

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
    )
    op.create_table(
        "record_holds",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=200), nullable=False),
        sa.Column("placed_at", sa.Double(), nullable=False),
        sa.Column("lifted_by", sa.String(length=200), nullable=True),
        sa.Column("lifted_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("record_holds", schema=None) as batch_op:
        batch_op.create_index("ix_record_holds_target", ["scope", "target"], unique=False)

    op.create_table(
        "record_keys",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("group_id", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("master_key_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("destroyed_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("record_keys", schema=None) as batch_op:
        batch_op.create_index("ix_record_keys_period", ["period"], unique=False)
        batch_op.create_index(
            "ux_record_keys_live",
            ["group_id", "period"],
            unique=True,
            sqlite_where=sa.text("destroyed_at IS NULL"),
            postgresql_where=sa.text("destroyed_at IS NULL"),
        )

    op.create_table(
        "record_purges",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("now", sa.Double(), nullable=False),
        sa.Column("cutoff", sa.Double(), nullable=False),
        sa.Column("min_days", sa.Double(), nullable=False),
        sa.Column("max_days", sa.Double(), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("finished_at", sa.Double(), nullable=True),
        sa.Column("records_deleted", sa.BigInteger(), nullable=False),
        sa.Column("keys_destroyed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "record_records",
        sa.Column("content_id", sa.String(length=200), nullable=False),
        sa.Column("group_id", sa.String(length=200), nullable=False),
        sa.Column("author_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("key_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["record_keys.id"],
        ),
        sa.PrimaryKeyConstraint("content_id"),
    )
    with op.batch_alter_table("record_records", schema=None) as batch_op:
        batch_op.create_index("ix_record_records_at", ["at"], unique=False)
        batch_op.create_index("ix_record_records_group_at", ["group_id", "at"], unique=False)
        batch_op.create_index("ix_record_records_key", ["key_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record_records", schema=None) as batch_op:
        batch_op.drop_index("ix_record_records_key")
        batch_op.drop_index("ix_record_records_group_at")
        batch_op.drop_index("ix_record_records_at")

    op.drop_table("record_records")
    op.drop_table("record_purges")
    with op.batch_alter_table("record_keys", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_record_keys_live",
            sqlite_where=sa.text("destroyed_at IS NULL"),
            postgresql_where=sa.text("destroyed_at IS NULL"),
        )
        batch_op.drop_index("ix_record_keys_period")

    op.drop_table("record_keys")
    with op.batch_alter_table("record_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_record_holds_target")

    op.drop_table("record_holds")
    op.drop_table("audit_log")
