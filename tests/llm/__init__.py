"""Tests of the LLM layer: factory, retry layer, resilient wrapper, usage recording."""
