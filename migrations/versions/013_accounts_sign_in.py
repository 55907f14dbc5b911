"""Sign-in and enrolment: passwords, browser sessions, password resets, expiring tokens, class invite codes,
email invitations and the membership audit trail.

Revision ID: 013_accounts_sign_in
Revises: 012_reliability
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "013_accounts_sign_in"
down_revision = "012_reliability"
branch_labels = None
depends_on = None

UUID_PK = dict(server_default=sa.text("gen_random_uuid()"), nullable=False)
NOW = dict(server_default=sa.text("now()"), nullable=False)
TS = sa.DateTime(timezone=True)
ACTIONS = ("invited", "joined_by_code", "accepted_invitation", "declined_invitation", "added_by_admin", "removed")


def upgrade() -> None:
    op.add_column("students", sa.Column("password_hash", sa.Text(), nullable=True))
    op.add_column("api_tokens", sa.Column("expires_at", TS, nullable=True))
    op.add_column("classes", sa.Column("invite_code", sa.String(length=32), nullable=True))
    op.create_unique_constraint("classes_invite_code_key", "classes", ["invite_code"])
    for table in ("web_sessions", "password_resets"):
        extra = [sa.Column("csrf_token", sa.String(length=64), nullable=False)] if table == "web_sessions" else []
        used = [sa.Column("used_at", TS, nullable=True)] if table == "password_resets" else []
        op.create_table(
            table,
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("student_id", sa.Uuid(), nullable=False),
            *extra,
            sa.Column("created_at", TS, **NOW),
            sa.Column("expires_at", TS, nullable=False),
            *used,
            sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("token_hash"),
        )
        op.create_index(f"ix_{table}_student_id", table, ["student_id"])
    op.create_table(
        "class_invitations",
        sa.Column("id", sa.Uuid(), **UUID_PK),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", TS, **NOW),
        sa.Column("accepted_at", TS, nullable=True),
        sa.Column("declined_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invited_by"], ["students.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("class_id", "email", name="uq_class_invitations_class_email"),
    )
    op.create_index("ix_class_invitations_class_id", "class_invitations", ["class_id"])
    op.create_index("ix_class_invitations_email", "class_invitations", ["email"])
    op.create_table(
        "class_membership_events",
        sa.Column("id", sa.Uuid(), **UUID_PK),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("at", TS, **NOW),
        sa.CheckConstraint("action IN ('" + "', '".join(ACTIONS) + "')", name="valid_membership_action"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_class_membership_events_class_id", "class_membership_events", ["class_id"])


def downgrade() -> None:
    op.drop_index("ix_class_membership_events_class_id", table_name="class_membership_events")
    op.drop_table("class_membership_events")
    op.drop_index("ix_class_invitations_email", table_name="class_invitations")
    op.drop_index("ix_class_invitations_class_id", table_name="class_invitations")
    op.drop_table("class_invitations")
    for table in ("password_resets", "web_sessions"):
        op.drop_index(f"ix_{table}_student_id", table_name=table)
        op.drop_table(table)
    op.drop_constraint("classes_invite_code_key", "classes", type_="unique")
    op.drop_column("classes", "invite_code")
    op.drop_column("api_tokens", "expires_at")
    op.drop_column("students", "password_hash")
