"""Persistence: SQLModel tables, the async engine (embedded or external Postgres) and repository functions."""
