"""Unit tests for pure code."""
