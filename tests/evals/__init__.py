"""Tests of the eval suite: session scorers, sources, scenarios through the real graph, report, API, CLI."""
