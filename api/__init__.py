"""HTTP API (FastAPI), auth, error mapping and the `teach` CLI."""
