"""Test doubles: a chat model that answers from a queue and records what it was asked."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage

from extractor.llm import ChatModelLLM


class FakeChat:
    """Stands in for ChatOpenAI: ``invoke`` pops the next queued reply (or raises it)."""

    def __init__(self, replies: list[Any]) -> None:
        self.replies = list(replies)
        self.calls: list[dict[str, Any]] = []

    def invoke(self, messages: list[tuple[str, str]], **kwargs: Any) -> AIMessage:
        self.calls.append({"messages": messages, **kwargs})
        if not self.replies:
            raise AssertionError("FakeChat ran out of replies")
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        content = reply if isinstance(reply, str) else json.dumps(reply)
        return AIMessage(content=content,
                         usage_metadata={"input_tokens": 100, "output_tokens": 20,
                                         "total_tokens": 120})


def fake_llm(replies: list[Any], **kwargs: Any) -> tuple[ChatModelLLM, FakeChat]:
    chat = FakeChat(replies)
    kwargs.setdefault("max_retries", 2)
    return ChatModelLLM(chat, backend="fake", model="fake-model", **kwargs), chat
