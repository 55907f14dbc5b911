"""A scripted chat model for tests: replays given AIMessages in order and records what it was sent."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr


class ScriptedChatModel(BaseChatModel):
    """Returns the scripted replies one by one; `seen` keeps every prompt it received."""

    replies: list[AIMessage]
    _cursor: int = PrivateAttr(default=0)
    _seen: list[list[BaseMessage]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def seen(self) -> list[list[BaseMessage]]:
        return self._seen

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:  # noqa: ARG002
        return self

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        self._seen.append(list(messages))
        if self._cursor >= len(self.replies):
            raise AssertionError("scripted model ran out of replies")
        reply = self.replies[self._cursor]
        self._cursor += 1
        reply = reply.model_copy(update={"response_metadata": {"model_name": "scripted"}})
        return ChatResult(generations=[ChatGeneration(message=reply)])
