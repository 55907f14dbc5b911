"""What an offline role handler receives (`OfflineRequest`) and returns (`OfflineReply`).

The offline chat model turns a LangChain call (messages, bound tools, tool_choice) into an `OfflineRequest`,
hands it to the handler registered for the role named in the system prompt (`[role: coach]`), and turns the
`OfflineReply` back into an AIMessage. Handlers are plain deterministic functions: same request, same reply.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agents.prompt_protocol import ROLE_LINE  # noqa: F401  (re-exported: the offline model dispatches on it)


def message_text(message: BaseMessage) -> str:
    """The plain text of a message (text parts of a multi-part content are joined)."""
    content = message.content
    if isinstance(content, list):
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content)


@dataclass(frozen=True)
class OfflineRequest:
    """One call to the offline model, as a role handler sees it."""

    role: str | None  # from the system prompt's `[role: ...]` line; None when there is none
    messages: list[BaseMessage]
    tools: list[dict[str, Any]] = field(default_factory=list)  # OpenAI tool schemas (convert_to_openai_tool)
    tool_choice: Any = None

    @property
    def system(self) -> str:
        """All system messages' text, joined."""
        return "\n".join(message_text(m) for m in self.messages if isinstance(m, SystemMessage))

    @property
    def last_message(self) -> BaseMessage | None:
        """The final input message (a ToolMessage here means a tool has just run)."""
        return self.messages[-1] if self.messages else None

    @property
    def last_human_text(self) -> str:
        """Text of the latest human message ('' if there is none)."""
        return next((message_text(m) for m in reversed(self.messages) if isinstance(m, HumanMessage)), "")

    @property
    def human_texts(self) -> list[str]:
        """Every human message's text, oldest first."""
        return [message_text(m) for m in self.messages if isinstance(m, HumanMessage)]

    @property
    def tool_names(self) -> list[str]:
        """Names of the bound tools."""
        return [t.get("function", {}).get("name", "") for t in self.tools]

    def has_tool(self, name: str) -> bool:
        """True when a tool with this name is bound."""
        return name in self.tool_names

    def tool_just_ran(self) -> tuple[str, dict[str, Any], str] | None:
        """(tool name, args, tool output) when the last message is a ToolMessage answering our tool call."""
        last = self.last_message
        if not isinstance(last, ToolMessage):
            return None
        for message in reversed(self.messages):
            if isinstance(message, AIMessage):
                for call in message.tool_calls:
                    if call.get("id") == last.tool_call_id:
                        return call["name"], dict(call.get("args") or {}), message_text(last)
        return (last.name or ""), {}, message_text(last)

    def structured_tool(self) -> dict[str, Any] | None:
        """The schema the caller forces an answer in (with_structured_output), or None for free text.

        with_structured_output binds exactly one tool with tool_choice "any"/"required"/the tool's name.
        """
        if not self.tools or self.tool_choice in (None, "auto", "none", False):
            return None
        choice = self.tool_choice
        if isinstance(choice, dict):
            choice = choice.get("function", {}).get("name") or choice.get("name")
        if isinstance(choice, str) and choice in self.tool_names:
            return self.tools[self.tool_names.index(choice)]
        return self.tools[0] if len(self.tools) == 1 or choice in ("any", "required", True) else None


@dataclass
class OfflineReply:
    """A handler's answer: text for the user and/or tool calls ({"name": ..., "args": {...}})."""

    text: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


def stable_choice(options: list[str] | tuple[str, ...], *keys: Any) -> str:
    """Pick one option deterministically from `keys` (varies wording across turns without randomness)."""
    digest = hashlib.sha256(json.dumps([str(k) for k in keys]).encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def tool_call_id(name: str, args: dict[str, Any], salt: Any = "") -> str:
    """A deterministic tool-call id for `name(args)`."""
    digest = hashlib.sha256(json.dumps([name, args, str(salt)], sort_keys=True, default=str).encode()).hexdigest()
    return f"call_offline_{digest[:16]}"
