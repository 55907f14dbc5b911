"""Evaluation suite: transcript scorers, MRBench measurement, scenario runs and reports (DESIGN.md §8)."""
