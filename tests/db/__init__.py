"""Repository and schema tests against real PostgreSQL."""
