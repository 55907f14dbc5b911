"""Workflow tests: the compiled graph with a scripted chat model and with the real offline model."""
