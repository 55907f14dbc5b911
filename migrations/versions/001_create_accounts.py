"""Base tables the seed calls "existing": accounts, API tokens, subjects, syllabus points, questions.

Revision ID: 001_create_accounts
Revises:
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "001_create_accounts"
down_revision = None
branch_labels = None
depends_on = None

UUID_PK = dict(server_default=sa.text("gen_random_uuid()"), nullable=False)
NOW = dict(server_default=sa.text("now()"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "students",
        sa.Column("id", sa.Uuid(), **UUID_PK),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), server_default="student", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), **NOW),
        sa.CheckConstraint("role IN ('student', 'teacher', 'examiner', 'admin')", name="valid_role"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Uuid(), **UUID_PK),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), **NOW),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_tokens_student_id", "api_tokens", ["student_id"])
    op.create_table(
        "subjects",
        sa.Column("id", sa.Uuid(), **UUID_PK),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "syllabus_points",
        sa.Column("id", sa.Uuid(), **UUID_PK),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("section", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_syllabus_points_subject_id", "syllabus_points", ["subject_id"])
    op.create_table(
        "questions",
        sa.Column("id", sa.Uuid(), **UUID_PK),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("syllabus_point_codes", postgresql.ARRAY(sa.String(length=30)), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("max_marks", sa.Integer(), nullable=False),
        sa.Column("mark_scheme", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint("kind IN ('define', 'explain', 'evaluate')", name="valid_kind"),
        sa.CheckConstraint("max_marks > 0", name="valid_max_marks"),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index("ix_questions_subject_id", "questions", ["subject_id"])


def downgrade() -> None:
    op.drop_index("ix_questions_subject_id", table_name="questions")
    op.drop_table("questions")
    op.drop_index("ix_syllabus_points_subject_id", table_name="syllabus_points")
    op.drop_table("syllabus_points")
    op.drop_table("subjects")
    op.drop_index("ix_api_tokens_student_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("students")
