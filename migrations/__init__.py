"""Alembic migrations (001–006 follow the seeds' numbering) and a programmatic runner (no alembic.ini needed)."""
