"""The LLM adapter: structured output per endpoint, retries, re-ask, token usage."""

from __future__ import annotations

import httpx
import openai
import pytest
import tenacity
from pydantic import BaseModel, Field

from extractor.llm import choose_mode, parse_json, response_format
from handoff.errors import BackendUnavailable, ExtractionError
from tests.fakes import fake_llm


class Said(BaseModel):
    field: str
    value: str = ""
    quote: str = ""


class Extraction(BaseModel):
    """A list-shaped answer, as the reading prompt's: the adapter is generic over it."""

    items: list[Said] = Field(default_factory=list)

GOOD = {"items": [{"field": "champion", "value": "Anna Keller", "quote": "I drive this",
                   "passage": "P1"}]}


@pytest.fixture(autouse=True)
def _no_backoff_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tenacity.nap, "sleep", lambda _s: None)


def _status_error(cls: type[openai.APIStatusError], code: int) -> openai.APIStatusError:
    req = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    return cls("boom", response=httpx.Response(code, request=req), body=None)


def test_valid_output_is_parsed_and_usage_counted() -> None:
    llm, chat = fake_llm([GOOD])
    out, usage = llm.complete([("user", "x")], Extraction)
    assert out.items[0].value == "Anna Keller"
    assert (usage.prompt_tokens, usage.completion_tokens) == (100, 20)
    assert chat.calls[0]["response_format"]["type"] == "json_object"
    assert "schema" in chat.calls[0]["response_format"]


def test_invalid_json_is_reasked_with_the_error() -> None:
    llm, chat = fake_llm(["{not json", GOOD])
    out, usage = llm.complete([("user", "x")], Extraction)
    assert out.items and len(chat.calls) == 2
    reask = chat.calls[1]["messages"][-1][1]
    assert "invalid" in reask
    assert usage.prompt_tokens == 200


def test_still_invalid_after_reask_raises_with_last_output() -> None:
    llm, _ = fake_llm(['{"items": "nope"}', '{"items": 3}'])
    with pytest.raises(ExtractionError) as info:
        llm.complete([("user", "x")], Extraction)
    assert info.value.last_output == '{"items": 3}'


def test_rate_limit_and_5xx_are_retried() -> None:
    llm, chat = fake_llm([_status_error(openai.RateLimitError, 429),
                          _status_error(openai.InternalServerError, 503), GOOD])
    out, _ = llm.complete([("user", "x")], Extraction)
    assert out.items and len(chat.calls) == 3


def test_endpoint_down_after_retries_is_backend_unavailable() -> None:
    req = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    errors = [openai.APIConnectionError(request=req) for _ in range(3)]
    llm, chat = fake_llm(errors)
    with pytest.raises(BackendUnavailable, match="unavailable after 2 retries"):
        llm.complete([("user", "x")], Extraction)
    assert len(chat.calls) == 3


def test_json_schema_refused_falls_back_to_json_object() -> None:
    llm, chat = fake_llm([_status_error(openai.BadRequestError, 400), GOOD], mode="json_schema")
    out, _ = llm.complete([("user", "x")], Extraction)
    assert out.items
    assert chat.calls[0]["response_format"]["type"] == "json_schema"
    assert chat.calls[1]["response_format"]["type"] == "json_object"


def test_mode_per_endpoint() -> None:
    assert choose_mode(None, "auto") == "json_schema"
    assert choose_mode("https://myorg.openai.azure.com/openai", "auto") == "json_schema"
    assert choose_mode("http://127.0.0.1:8765/v1", "auto") == "json_object"
    assert choose_mode("http://127.0.0.1:8765/v1", "json_schema") == "json_schema"
    rf = response_format("json_schema", Extraction)
    assert rf["json_schema"]["name"] == "Extraction"


def test_fenced_json_is_accepted() -> None:
    assert parse_json('```json\n{"items": []}\n```') == {"items": []}


def test_timeouts_are_retried_except_against_a_busy_local_server() -> None:
    req = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    llm, chat = fake_llm([openai.APITimeoutError(request=req), GOOD])
    out, _ = llm.complete([("user", "x")], Extraction)
    assert out.items and len(chat.calls) == 2
    local, chat = fake_llm([openai.APITimeoutError(request=req), GOOD], retry_timeouts=False)
    with pytest.raises(BackendUnavailable):
        local.complete([("user", "x")], Extraction)
    assert len(chat.calls) == 1


def _cut_off(content: str | None) -> openai.LengthFinishReasonError:
    from openai.types import CompletionUsage

    usage = CompletionUsage(completion_tokens=700, prompt_tokens=2146, total_tokens=2846)
    message = type("M", (), {"content": content})()
    choice = type("Ch", (), {"message": message})()
    return openai.LengthFinishReasonError(completion=type(
        "C", (), {"usage": usage, "choices": [choice] if content is not None else []})())


LOOPING = ('{"items": [{"field": "champion", "value": "Anna", "quote": "I drive it"}, '
           '{"field": "blocker", "value": "Ben", "quote": "Ben is sceptical"}, '
           '{"field": "champion", "value": "Anna", "quote": "I drive it"}, '
           '{"field": "champion", "value": "Anna", "quote": "I dri')


def test_a_looping_answer_keeps_its_complete_items_once_and_says_it_was_cut() -> None:
    llm, chat = fake_llm([_cut_off(LOOPING)])
    out, usage = llm.complete([("user", "x")], Extraction, max_tokens=700)
    assert [(i.field, i.value) for i in out.items] == [("champion", "Anna"), ("blocker", "Ben")]
    assert usage.truncated and (usage.prompt_tokens, usage.completion_tokens) == (2146, 700)
    assert len(chat.calls) == 1


@pytest.mark.parametrize("content", [None, '{"items": [{"field": "champ', "I cannot"])
def test_a_cut_off_answer_with_no_complete_item_is_an_extraction_error(
        content: str | None) -> None:
    llm, chat = fake_llm([_cut_off(content)])
    with pytest.raises(ExtractionError, match="700-token limit"):
        llm.complete([("user", "x")], Extraction, max_tokens=700)
    assert len(chat.calls) == 1  # not retried: a looping model loops again


