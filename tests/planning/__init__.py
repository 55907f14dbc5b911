"""Tests of the Planner: study plans (API, workflow, offline prose), the SM-2 feedback loop and the
analytics bridge into the director schema, ending in a coaching-efficiency query."""
