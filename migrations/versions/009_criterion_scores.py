"""`director.criterion_scores`: one row per numeric score of a submitted scorecard, ordered for the windows.

The coaching-efficiency statement (tools/efficiency_sql.py) reads, per (session, criterion), the agent's
numeric scores of one template's criterion in a 14-day range. Against scorecards ⋈ scores that is one range
scan plus one index probe per scorecard in the range (~148k probes at 10k sessions); this table holds the
joined row — (agent, template, criterion, submitted_at, conversation, value) — so each window is a single
index-only range scan (measured at 10k sessions: ~480 ms → ~160 ms).

It is a mirror, never written by application code: statement-level triggers on `scores` (INSERT, UPDATE,
DELETE, TRUNCATE) and `scorecards` (UPDATE) keep it equal, in the same transaction, to

    SELECT s.resource_id, sc.agent_user_id, sc.template_id, s.criterion_identifier, sc.submitted_at,
           sc.conversation_id, s.numeric_value
    FROM scores s JOIN scorecards sc ON sc.resource_id = s.scorecard_id
    WHERE sc.submitted_at IS NOT NULL AND s.numeric_value IS NOT NULL

whoever writes (ORM, plain SQL, COPY). Deleting a scorecard cascades to its scores, whose trigger fires.
Statement-level triggers with transition tables keep bulk loads (COPY of millions of scores) one set-based
statement each instead of one trigger call per row.

Revision ID: 009_criterion_scores
Revises: 008_student_topic_states
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "009_criterion_scores"
down_revision = "008_student_topic_states"
branch_labels = None
depends_on = None

S = "director"

# The mirror's defining query, restricted to the scores whose ids are in `{ids}`.
_MIRROR_ROWS = """
    SELECT s.resource_id, sc.agent_user_id, sc.template_id, s.criterion_identifier, sc.submitted_at,
           sc.conversation_id, s.numeric_value
    FROM director.scores s JOIN director.scorecards sc ON sc.resource_id = s.scorecard_id
    WHERE sc.submitted_at IS NOT NULL AND s.numeric_value IS NOT NULL AND {where}
"""
_INSERT = "INSERT INTO director.criterion_scores (score_id, agent_user_id, template_id, criterion_identifier, " \
          "submitted_at, conversation_id, numeric_value)"

_FUNCTIONS = {
    # New scores: mirror those that qualify (re-read from the table: a later statement may have changed them).
    "criterion_scores_on_score_insert": f"""
        {_INSERT} {_MIRROR_ROWS.format(where="s.resource_id IN (SELECT resource_id FROM new_rows)")};
        RETURN NULL;""",
    "criterion_scores_on_score_update": f"""
        DELETE FROM director.criterion_scores
         WHERE score_id IN (SELECT resource_id FROM old_rows UNION SELECT resource_id FROM new_rows);
        {_INSERT} {_MIRROR_ROWS.format(where="s.resource_id IN (SELECT resource_id FROM new_rows)")};
        RETURN NULL;""",
    "criterion_scores_on_score_delete": """
        DELETE FROM director.criterion_scores WHERE score_id IN (SELECT resource_id FROM old_rows);
        RETURN NULL;""",
    "criterion_scores_on_score_truncate": """
        TRUNCATE director.criterion_scores;
        RETURN NULL;""",
    # A scorecard's agent, template, submission time or conversation changed: re-mirror all its scores.
    "criterion_scores_on_scorecard_update": f"""
        DELETE FROM director.criterion_scores
         WHERE score_id IN (SELECT s.resource_id FROM director.scores s
                             WHERE s.scorecard_id IN (SELECT resource_id FROM old_rows
                                                      UNION SELECT resource_id FROM new_rows));
        {_INSERT} {_MIRROR_ROWS.format(where="sc.resource_id IN (SELECT resource_id FROM new_rows)")};
        RETURN NULL;""",
}

_TRIGGERS = [  # (trigger, table, event, transition clause, function)
    ("trg_criterion_scores_score_insert", "scores", "INSERT", "REFERENCING NEW TABLE AS new_rows",
     "criterion_scores_on_score_insert"),
    ("trg_criterion_scores_score_update", "scores", "UPDATE",
     "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "criterion_scores_on_score_update"),
    ("trg_criterion_scores_score_delete", "scores", "DELETE", "REFERENCING OLD TABLE AS old_rows",
     "criterion_scores_on_score_delete"),
    ("trg_criterion_scores_score_truncate", "scores", "TRUNCATE", "", "criterion_scores_on_score_truncate"),
    ("trg_criterion_scores_scorecard_update", "scorecards", "UPDATE",
     "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "criterion_scores_on_scorecard_update"),
]


def upgrade() -> None:
    op.create_table(
        "criterion_scores",
        sa.Column("score_id", sa.String(), primary_key=True),
        sa.Column("agent_user_id", sa.String(), nullable=False),
        sa.Column("template_id", sa.String(), nullable=False),
        sa.Column("criterion_identifier", sa.String(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.Column("numeric_value", sa.Float(), nullable=False),
        schema=S,
    )
    op.create_index(
        "idx_criterion_scores_window", "criterion_scores",
        ["agent_user_id", "template_id", "criterion_identifier", "submitted_at"], schema=S,
        postgresql_include=["numeric_value", "conversation_id"],
    )
    for name, body in _FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {S}.{name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\nEND\n$$")
    for trigger, table, event, transition, function in _TRIGGERS:
        op.execute(f"CREATE TRIGGER {trigger} AFTER {event} ON {S}.{table} {transition} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {S}.{function}()")
    op.execute(f"{_INSERT} {_MIRROR_ROWS.format(where='true')}")  # existing data


def downgrade() -> None:
    for trigger, table, *_ in _TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {S}.{table}")
    for name in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {S}.{name}()")
    op.drop_index("idx_criterion_scores_window", table_name="criterion_scores", schema=S)
    op.drop_table("criterion_scores", schema=S)
