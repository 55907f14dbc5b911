"""Base tables: classes, class members, attempts, attempted questions (seed columns come in 005).

Revision ID: 002_create_classes_and_attempts
Revises: 001_create_accounts
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "002_create_classes_and_attempts"
down_revision = "001_create_accounts"
branch_labels = None
depends_on = None

UUID_PK = dict(server_default=sa.text("gen_random_uuid()"), nullable=False)
NOW = dict(server_default=sa.text("now()"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.Uuid(), **UUID_PK),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("teacher_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), **NOW),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"]),
        sa.ForeignKeyConstraint(["teacher_id"], ["students.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_classes_teacher_id", "classes", ["teacher_id"])
    op.create_table(
        "class_members",
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), **NOW),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("class_id", "student_id"),
    )
    op.create_index("ix_class_members_student_id", "class_members", ["student_id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Uuid(), **UUID_PK),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="marking", nullable=False),
        sa.Column("total_marks_awarded", sa.Integer(), nullable=True),
        sa.Column("total_max_marks", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), **NOW),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('marking', 'marked', 'awaiting_review', 'reviewed')", name="valid_attempt_status"
        ),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attempts_student_id", "attempts", ["student_id"])
    op.create_table(
        "attempted_questions",
        sa.Column("id", sa.Uuid(), **UUID_PK),
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("marks_awarded", sa.Integer(), nullable=True),
        sa.Column("marking_feedback", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), **NOW),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attempted_questions_attempt_id", "attempted_questions", ["attempt_id"])


def downgrade() -> None:
    op.drop_index("ix_attempted_questions_attempt_id", table_name="attempted_questions")
    op.drop_table("attempted_questions")
    op.drop_index("ix_attempts_student_id", table_name="attempts")
    op.drop_table("attempts")
    op.drop_index("ix_class_members_student_id", table_name="class_members")
    op.drop_table("class_members")
    op.drop_index("ix_classes_teacher_id", table_name="classes")
    op.drop_table("classes")
