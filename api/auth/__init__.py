"""Accounts and sign-in: passwords (argon2id), cookie sessions with CSRF tokens, API-token lifetimes,
password resets."""
