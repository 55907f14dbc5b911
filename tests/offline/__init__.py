"""Tests of the offline chat model, the offline Coach, progress tracking and topic matching."""
