"""The one seam to language models: langchain-openai's ChatOpenAI against any OpenAI-compatible
endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp's server).

Design note. The chain asks for a pydantic model and gets a validated instance back, or an
ExtractionError carrying the last raw output. Everything that makes that reliable lives here
(instructor-style): structured-output mode per endpoint, retries with exponential backoff on
429, 5xx, timeouts and connection errors, one re-ask that shows the model its invalid output
and the validation error, and token accounting.

Structured output: OpenAI takes ``{"type": "json_schema", ...}``; llama.cpp's server rejects
that but honours ``{"type": "json_object", "schema": ...}``. ``auto`` uses json_schema for
OpenAI and Azure hosts, json_object with the schema for everything else, and falls back to
json_object once if an endpoint answers json_schema with 400.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

import openai
from pydantic import BaseModel, ValidationError
from tenacity import (
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from handoff.errors import BackendUnavailable, ExtractionError

T = TypeVar("T", bound=BaseModel)
Mode = Literal["json_schema", "json_object"]

_TRANSIENT = (openai.RateLimitError, openai.APITimeoutError, openai.APIConnectionError,
              openai.InternalServerError)


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cached: bool = False  # answered from the response cache: no tokens spent
    truncated: bool = False  # cut off at the token limit; only its complete items were kept


@dataclass
class Call:
    """What a model was asked and answered (kept by fakes and for debugging)."""

    messages: list[tuple[str, str]]
    output: str
    usage: Usage = field(default_factory=Usage)


class StructuredLLM(Protocol):
    """What the chain needs from a model."""

    backend: str
    model: str

    def complete(self, messages: list[tuple[str, str]], output: type[T], *,
                 max_tokens: int = 1024) -> tuple[T, Usage]: ...


def is_openai_host(base_url: str | None) -> bool:
    """OpenAI itself or Azure OpenAI (no base URL means api.openai.com)."""
    host = (base_url or "https://api.openai.com").lower()
    return "openai.com" in host or "azure" in host


def choose_mode(base_url: str | None, configured: str) -> Mode:
    if configured in ("json_schema", "json_object"):
        return configured  # type: ignore[return-value]
    return "json_schema" if is_openai_host(base_url) else "json_object"


def response_format(mode: Mode, output: type[BaseModel], *,
                    with_schema: bool = True) -> dict[str, Any]:
    """The request's response_format; json_object carries the schema unless told not to."""
    schema = output.model_json_schema()
    if mode == "json_schema":
        return {"type": "json_schema",
                "json_schema": {"name": output.__name__, "schema": schema, "strict": False}}
    if not with_schema:
        return {"type": "json_object"}
    return {"type": "json_object", "schema": schema}


def parse_json(raw: str) -> Any:
    """Parse a model's JSON, tolerating a Markdown code fence around it."""
    text = raw.strip()
    fence = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.S)
    if fence:
        text = fence.group(1)
    return json.loads(text)


class ChatModelLLM:
    """StructuredLLM over an already-built langchain chat model (ChatOpenAI or a fake)."""

    def __init__(self, chat: Any, *, backend: str, model: str, mode: Mode = "json_object",
                 max_retries: int = 3, reasks: int = 1, temperature: float = 0.0,
                 schema_grammar: bool = True, retry_timeouts: bool = True,
                 legacy_max_tokens: bool = False) -> None:
        self.chat = chat
        self.backend = backend
        self.model = model
        self.mode: Mode = mode
        self.max_retries = max_retries
        self.reasks = reasks
        self.temperature = temperature
        # llama.cpp turns a json_object schema into a grammar; measured with the embedded
        # 1.5B model, that grammar made it answer {"items": []} where plain JSON mode listed
        # the items, so the local backend validates in code instead (and re-asks).
        self.schema_grammar = schema_grammar
        # a local server keeps working on a request whose client timed out, so re-sending it
        # only queues a second copy behind the first
        self.retry_timeouts = retry_timeouts
        # langchain-openai sends the token limit as ``max_completion_tokens``, which OpenAI
        # wants and llama.cpp's server ignores: measured, the 1.5B model then looped until
        # the 8192-token context was full (a 33-minute answer). Other servers get the classic
        # ``max_tokens`` field instead.
        self.legacy_max_tokens = legacy_max_tokens

    def _invoke(self, messages: list[tuple[str, str]], output: type[BaseModel],
                max_tokens: int) -> Any:
        def transient(exc: BaseException) -> bool:  # APITimeoutError is an APIConnectionError
            timeout = isinstance(exc, openai.APITimeoutError)
            return isinstance(exc, _TRANSIENT) and (self.retry_timeouts or not timeout)

        @retry(retry=retry_if_exception(transient), reraise=True,
               stop=stop_after_attempt(self.max_retries + 1),
               wait=wait_exponential(multiplier=1, min=1, max=20))
        def go() -> Any:
            fmt = response_format(self.mode, output, with_schema=self.schema_grammar)
            limit: dict[str, Any] = ({"extra_body": {"max_tokens": max_tokens}}
                                     if self.legacy_max_tokens else {"max_tokens": max_tokens})
            return self.chat.invoke(messages, response_format=fmt,
                                    temperature=self.temperature, **limit)

        try:
            return go()
        except openai.BadRequestError as exc:
            if self.mode == "json_schema":  # e.g. llama.cpp: retry once in json_object mode
                self.mode = "json_object"
                return go()
            raise ExtractionError(f"the model endpoint refused the request: {exc}") from exc
        except _TRANSIENT as exc:
            err = BackendUnavailable(
                f"model endpoint unavailable after {self.max_retries} retries: {exc}")
            err.timed_out = isinstance(exc, openai.APITimeoutError)
            err.transient = True  # busy or unreachable: a job retries it later
            raise err from exc
        except openai.LengthFinishReasonError as exc:
            # the answer hit the token limit (a small model looping): not retried, the
            # complete items before the cut may still be kept (see ``complete``)
            raise _Truncated(exc.completion, max_tokens) from exc
        except openai.AuthenticationError as exc:
            raise BackendUnavailable(
                "the model endpoint refused the API key: check HANDOFF_OPENAI_API_KEY") from exc

    def complete(self, messages: list[tuple[str, str]], output: type[T], *,
                 max_tokens: int = 1024) -> tuple[T, Usage]:
        usage = Usage()
        convo = list(messages)
        raw = ""
        for attempt in range(self.reasks + 1):
            t0 = time.monotonic()
            try:
                resp = self._invoke(convo, output, max_tokens)
            except _Truncated as cut:
                usage.seconds += time.monotonic() - t0
                return cut.salvage(output, usage), usage
            usage.seconds += time.monotonic() - t0
            meta = getattr(resp, "usage_metadata", None) or {}
            usage.prompt_tokens += int(meta.get("input_tokens", 0))
            usage.completion_tokens += int(meta.get("output_tokens", 0))
            raw = resp.content if isinstance(resp.content, str) else str(resp.content)
            try:
                return output.model_validate(parse_json(raw)), usage
            except (json.JSONDecodeError, ValidationError) as exc:
                if attempt == self.reasks:
                    break
                convo = convo + [
                    ("assistant", raw[:4000]),
                    ("user", f"That output was invalid: {str(exc)[:600]}\n"
                             "Answer again with only one JSON object that follows the schema."),
                ]
        raise ExtractionError(f"{self.backend} model gave no valid {output.__name__} after "
                              f"{self.reasks + 1} attempts", last_output=raw)


class _Truncated(Exception):
    """An answer cut off at the token limit, with what the model had written by then."""

    def __init__(self, completion: Any, max_tokens: int) -> None:
        super().__init__(f"the model's answer hit the {max_tokens}-token limit")
        self.max_tokens = max_tokens
        choices = getattr(completion, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        self.raw = getattr(message, "content", None) or ""
        self.usage = getattr(completion, "usage", None)

    def salvage(self, output: type[T], usage: Usage) -> T:
        """The complete, distinct list items written before the cut, or ExtractionError.

        Measured: the embedded 1.5B model hit the 700-token limit in 5 of 56 category calls
        on the dev set, each time by repeating items; the items before the loop are sound.
        """
        if self.usage is not None:
            usage.prompt_tokens += int(getattr(self.usage, "prompt_tokens", 0) or 0)
            usage.completion_tokens += int(getattr(self.usage, "completion_tokens", 0) or 0)
        kept = salvage_list(self.raw, output)
        if kept is None:
            raise ExtractionError(f"the model's answer hit the {self.max_tokens}-token limit "
                                  "without finishing", last_output=self.raw)
        usage.truncated = True
        return kept


def salvage_list(raw: str, output: type[T]) -> T | None:
    """Rebuild ``output`` from the complete objects of its one list field in cut-off JSON.

    Returns None when the model has no single list field or no complete valid object came
    before the cut. Repeated objects (a looping model) are kept once.
    """
    lists = [name for name, f in output.model_fields.items()
             if getattr(f.annotation, "__origin__", None) is list]
    if len(lists) != 1:
        return None
    field_name = lists[0]
    m = re.search(rf'"{re.escape(field_name)}"\s*:\s*\[', raw)
    if not m:
        return None
    decoder = json.JSONDecoder()
    pos, found, seen = m.end(), [], set()
    while True:
        while pos < len(raw) and raw[pos] in " \t\r\n,":
            pos += 1
        try:
            obj, pos = decoder.raw_decode(raw, pos)
        except json.JSONDecodeError:
            break
        key = json.dumps(obj, sort_keys=True)
        if key not in seen:
            seen.add(key)
            found.append(obj)
    valid = []
    for obj in found:
        try:
            output.model_validate({field_name: [obj]})
        except ValidationError:
            continue
        valid.append(obj)
    return output.model_validate({field_name: valid}) if valid else None


def make_chat_openai(base_url: str, api_key: str, model: str, timeout: float) -> Any:
    """A ChatOpenAI client; langchain's own retries are off because ours apply."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model=model, base_url=base_url, api_key=api_key,  # type: ignore[arg-type]
                      timeout=timeout, max_retries=0, temperature=0.0)
