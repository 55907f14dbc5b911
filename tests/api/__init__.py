"""HTTP API tests against the real app and a fresh PostgreSQL database."""
