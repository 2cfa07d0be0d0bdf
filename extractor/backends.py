"""Choosing and building a backend: openai, local (embedded llama.cpp), classifier, or auto.

``classifier`` is the learned sentence classifier alone (no LLM, seconds per deal); ``local``
and ``openai`` add a model that reads the classifier's candidate sentences. ``auto`` picks
openai when an endpoint is configured, else local when the embedded model is installed, else
classifier, and says which it picked and why. ``rules``, the old name of the no-LLM backend,
is still accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractor import local_model
from extractor.llm import (
    ChatModelLLM,
    StructuredLLM,
    choose_mode,
    is_openai_host,
    make_chat_openai,
)
from extractor.llm_cache import CachedLLM
from extractor.reading import ReadPlan
from handoff.errors import ConfigError
from handoff.settings import Settings

BACKENDS = ("auto", "local", "openai", "classifier")
ALIASES = {"rules": "classifier"}
# A CPU model reads the likely and the doubtful sentences in small batches; a hosted model
# reads more of the deal in larger ones.
LOCAL_PLAN = ReadPlan(batch_size=24, slack=0.5)
HOSTED_PLAN = ReadPlan(batch_size=80, slack=0.25, max_tokens=1200)


@dataclass
class Backend:
    """A ready backend: ``llm`` is None for rules. Call ``close()`` when done."""

    name: str
    llm: StructuredLLM | None
    reason: str
    plan: ReadPlan | None = None
    _server: Any = field(default=None, repr=False)

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def resolve_name(settings: Settings, requested: str | None) -> tuple[str, str]:
    """The concrete backend for a request, and the reason for the choice."""
    name = (requested or settings.backend).lower()
    name = ALIASES.get(name, name)
    if name not in BACKENDS:
        raise ConfigError(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
    if name != "auto":
        return name, "requested"
    if settings.openai_base_url or settings.openai_api_key:
        return "openai", "an OpenAI-compatible endpoint is configured"
    if local_model.is_installed(settings):
        return "local", "the embedded model is installed"
    return "classifier", "no endpoint configured and the embedded model is not installed"


def open_backend(settings: Settings, requested: str | None = None) -> Backend:
    """Build the backend; for ``local`` this starts (or reuses) the llama.cpp server."""
    name, reason = resolve_name(settings, requested)
    if name == "classifier":
        return Backend("classifier", None, reason)
    if name == "openai":
        base_url, key = settings.require_openai()
        chat = make_chat_openai(base_url, key, settings.openai_model, settings.request_timeout)
        llm = ChatModelLLM(chat, backend="openai", model=settings.openai_model,
                           mode=choose_mode(settings.openai_base_url,
                                            settings.structured_output),
                           max_retries=settings.max_retries,
                           legacy_max_tokens=not is_openai_host(settings.openai_base_url))
        namespace = f"openai|{base_url}|{settings.openai_model}|{settings.structured_output}"
        return Backend("openai", _cached(llm, settings, namespace), reason, HOSTED_PLAN)
    server = local_model.LocalServer(settings)
    base_url = server.start()
    chat = make_chat_openai(base_url, "local", local_model.MODEL_ID, settings.local_timeout)
    llm = ChatModelLLM(chat, backend="local", model=local_model.MODEL_ID, mode="json_object",
                       max_retries=settings.max_retries, schema_grammar=False,
                       retry_timeouts=False, legacy_max_tokens=True)
    namespace = f"local|{local_model.MODEL_SHA256}|ctx={settings.local_ctx}"
    return Backend("local", _cached(llm, settings, namespace), reason, LOCAL_PLAN,
                   _server=server)


def _cached(llm: StructuredLLM, settings: Settings, namespace: str) -> StructuredLLM:
    """The model behind the response cache, unless HANDOFF_LLM_CACHE turns it off."""
    return CachedLLM(llm, settings.llm_cache_path, namespace) if settings.llm_cache else llm
