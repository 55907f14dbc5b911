"""The offline Reviewer: an independent second marking, level-descriptor first (see `roles.marker`)."""

from __future__ import annotations

from agents.offline.protocol import OfflineReply, OfflineRequest
from agents.offline.roles import register_role
from agents.offline.roles.marker import rubric_reply


@register_role("reviewer")
def offline_reviewer(request: OfflineRequest) -> OfflineReply:
    """Offline Reviewer: band-first, stricter reading of the rubric evidence."""
    return rubric_reply(request, "levels_first")
