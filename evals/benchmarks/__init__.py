"""Speed benchmarks for DESIGN.md §10 targets, run as `python -m evals.benchmarks.<name>` (not timed tests)."""
