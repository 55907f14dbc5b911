"""The offline chat model: deterministic, no network, plays the Coach (and any role registered in
`agents.offline.roles`). Used when no LLM is configured, and as the fallback after LLM retries run out."""

from agents.offline.model import OfflineChatModel, estimate_tokens
from agents.offline.protocol import OfflineReply, OfflineRequest
from agents.offline.roles import get_role_handler, register_role, registered_roles

__all__ = ["OfflineChatModel", "OfflineReply", "OfflineRequest", "estimate_tokens", "get_role_handler",
           "register_role", "registered_roles"]
