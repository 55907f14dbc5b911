"""The agents: Coach, Marker, Reviewer and Planner nodes, their prompts and output schemas, the chat-model
factory (`agents.llm.get_chat_model`), the single retry layer and the offline model used when no LLM is
configured or the configured one keeps failing."""
