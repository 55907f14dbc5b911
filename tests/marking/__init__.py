"""Marker, Reviewer, improvement plans: unit, graph and HTTP tests."""
