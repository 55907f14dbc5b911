"""PostgreSQL advisory-lock keys shared across processes (one place, so no two uses collide)."""

# Schema changes: alembic upgrades and the LangGraph checkpointer's setup(), one process at a time.
MIGRATION_LOCK = 0x7EAC_0011
