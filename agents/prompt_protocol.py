"""The prompt protocol: the tags and labels that prompt builders write and the offline model parses.

Every agent's system prompt starts with a role tag (`role_tag("coach")` → `[role: coach]`); the offline model
dispatches on it. The Coach's prompt carries its state in a context block (`CONTEXT_OPEN` JSON `CONTEXT_CLOSE`)
and the student's topic on a labelled line (`TOPIC_LABEL`). Builders and parsers import these constants, so
rewording a prompt can never silently break the offline role.
"""

from __future__ import annotations

import re

ROLE_TAG = "[role: {role}]"
ROLE_LINE = re.compile(r"\[role:\s*([A-Za-z_][\w-]*)\s*\]")
CONTEXT_OPEN = "<coach_context>"
CONTEXT_CLOSE = "</coach_context>"
CONTEXT_BLOCK = re.compile(re.escape(CONTEXT_OPEN) + r"(.*?)" + re.escape(CONTEXT_CLOSE), re.DOTALL)
TOPIC_LABEL = "Session topic (as the student wrote it):"
TOPIC_LINE = re.compile(re.escape(TOPIC_LABEL) + r"\s*(.+)")
SUMMARY_LABEL = "Summary of the earlier conversation:"
GUARD_RETRY_LABEL = "Your previous reply was not sent to the student because:"


def role_tag(role: str) -> str:
    """The first line of a `role` agent's system prompt."""
    return ROLE_TAG.format(role=role)
