"""Repository functions: keyword-only, one job each, never commit (the caller owns the transaction)."""
